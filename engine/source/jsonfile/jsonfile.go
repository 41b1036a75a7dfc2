// Package jsonfile decodes the log files of Docker's json-file log driver without encoding/json
// and without allocations. It imports nothing from Docker, so the pure parser packages may use it
// to accept json-file framing; package source uses it for its fast back-fill.
package jsonfile

import (
	"bytes"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// Docker's json-file log driver writes one JSON object per line:
//
//	{"log":"Nov 27 12:00:01 mail postfix/smtpd[12]: connect from …\n","stream":"stdout","time":"2026-11-27T12:00:01.123456789Z"}
//
// Reading these records is the fast back-fill path (the daemon's own `docker logs` delivers only
// ~80,000 lines/s), so the decoder below is hand-written: no encoding/json, no reflection, no
// allocation. It accepts the keys in any order, skips unknown keys ("stream", "attrs"), and
// unescapes the "log" string straight into the caller's buffer.

// DecodeRecord decodes one json-file record (one line of the file, without its '\n'). It
// appends the unescaped "log" value, without its trailing newline, to dst and returns the
// extended slice and the record's "time". ok is false for a record that is not a well-formed
// json-file object (truncated, garbled, no "log" string); dst is then returned unchanged.
//
// Docker splits a line longer than 16 KiB into several records; all but the last lack the
// trailing "\n" in "log". This function decodes one record; Decoder joins the pieces.
//
// dst may be rec[:0]: the unescaped text is never longer than its JSON form and the fields after
// "log" are read from bytes the text does not reach, so a record can be decoded in place.
// Invalid UTF-8 in the record passes through; an invalid \u escape becomes U+FFFD.
func DecodeRecord(rec []byte, dst []byte) (text []byte, ts time.Time, ok bool) {
	text, ts, _, ok = DecodeRecordPart(rec, dst)
	return text, ts, ok
}

// DecodeRecordPart is DecodeRecord that also reports whether the record is a
// partial one (its "log" did not end in a newline, so the line continues in the next record).
func DecodeRecordPart(rec []byte, dst []byte) (text []byte, ts time.Time, partial, ok bool) {
	orig := len(dst)
	p := skipSpace(rec, 0)
	if p >= len(rec) || rec[p] != '{' {
		return dst, time.Time{}, false, false
	}
	p = skipSpace(rec, p+1)
	haveLog, haveTime := false, false
	for p < len(rec) && rec[p] != '}' {
		if rec[p] != '"' {
			return dst[:orig], time.Time{}, false, false
		}
		kEnd := skipString(rec, p)
		if kEnd < 0 {
			return dst[:orig], time.Time{}, false, false
		}
		key := rec[p+1 : kEnd-1]
		p = skipSpace(rec, kEnd)
		if p >= len(rec) || rec[p] != ':' {
			return dst[:orig], time.Time{}, false, false
		}
		p = skipSpace(rec, p+1)
		switch {
		case string(key) == "log" && p < len(rec) && rec[p] == '"' && !haveLog:
			var end int
			dst, end = unescapeString(rec, p, dst[:orig])
			if end < 0 {
				return dst[:orig], time.Time{}, false, false
			}
			p, haveLog = end, true
		case string(key) == "time" && p < len(rec) && rec[p] == '"':
			end := skipString(rec, p)
			if end < 0 {
				return dst[:orig], time.Time{}, false, false
			}
			t, tok := ParseTime(rec[p+1 : end-1])
			if !tok {
				return dst[:orig], time.Time{}, false, false
			}
			ts, haveTime, p = t, true, end
		default:
			if p = skipValue(rec, p, 0); p < 0 {
				return dst[:orig], time.Time{}, false, false
			}
		}
		p = skipSpace(rec, p)
		if p < len(rec) && rec[p] == ',' {
			p = skipSpace(rec, p+1)
		} else if p >= len(rec) || rec[p] != '}' {
			return dst[:orig], time.Time{}, false, false
		}
	}
	if p >= len(rec) || !haveLog || !haveTime {
		return dst[:orig], time.Time{}, false, false
	}
	if n := len(dst); n > orig && dst[n-1] == '\n' {
		return dst[:n-1], ts, false, true
	}
	return dst, ts, true, true
}

// Decoder turns json-file records into whole lines, joining the pieces of lines Docker
// split at 16 KiB. The joined line carries the time of its first piece, is cut at Max
// (counted in Truncated), and ends without "\n" or "\r". A record that cannot be decoded is
// counted in Skipped and dropped; a pending partial line survives it.
//
// A Decoder is not safe for concurrent use.
type Decoder struct {
	// Max is the longest line delivered; 0 means DefaultMax.
	Max int

	pend      []byte    // the pieces of a split line so far
	pendTS    time.Time // time of its first piece
	pending   bool
	Truncated int64 // lines cut at Max
	Skipped   int64 // records that were not well-formed json-file records
}

// Decode decodes one record (without its '\n') and, when it completes a line, appends the line to
// dst and returns it with complete true. Otherwise dst is returned unchanged.
func (d *Decoder) Decode(rec []byte, dst []byte) (out []byte, ts time.Time, complete bool) {
	orig := len(dst)
	if !d.pending {
		text, t, partial, ok := DecodeRecordPart(rec, dst)
		if !ok {
			d.Skipped++
			return dst, time.Time{}, false
		}
		if !partial {
			return d.clip(text, orig), t, true
		}
		d.pend = append(d.pend[:0], text[orig:]...)
		d.pendTS, d.pending = t, true
		return dst, time.Time{}, false
	}
	n := len(d.pend)
	pend, _, partial, ok := DecodeRecordPart(rec, d.pend)
	if !ok {
		d.Skipped++
		d.pend = pend[:n]
		return dst, time.Time{}, false
	}
	if max := d.max(); len(pend) > max+1 {
		pend = pend[:max+1] // enough to know it was cut; the rest is never kept
	}
	d.pend = pend
	if partial {
		return dst, time.Time{}, false
	}
	d.pending = false
	return d.clip(append(dst, d.pend...), orig), d.pendTS, true
}

// Flush returns a pending partial line (the file ended inside a split line), appended to dst.
func (d *Decoder) Flush(dst []byte) (out []byte, ts time.Time, ok bool) {
	if !d.pending {
		return dst, time.Time{}, false
	}
	d.pending = false
	return d.clip(append(dst, d.pend...), len(dst)), d.pendTS, true
}

// clip strips a trailing \r from the line that starts at dst[from] and cuts it at MaxLineBytes.
func (d *Decoder) clip(dst []byte, from int) []byte {
	if n := len(dst); n > from && dst[n-1] == '\r' {
		dst = dst[:n-1]
	}
	if max := d.max(); len(dst)-from > max {
		d.Truncated++
		dst = dst[:from+max]
	}
	return dst
}

// DefaultMax is the default line limit of a Decoder, the same as source.MaxLineBytes.
const DefaultMax = 64 << 10

func (d *Decoder) max() int {
	if d.Max > 0 {
		return d.Max
	}
	return DefaultMax
}

// LooksLike reports whether line looks like a json-file record, so a reader of an
// unknown file can choose the framing from its first line.
func LooksLike(line []byte) bool {
	line = bytes.TrimSpace(line)
	return len(line) > 0 && line[0] == '{' && bytes.Contains(line, []byte(`"log":`)) && bytes.Contains(line, []byte(`"time":`))
}

func skipSpace(b []byte, p int) int {
	for p < len(b) && (b[p] == ' ' || b[p] == '\t' || b[p] == '\r' || b[p] == '\n') {
		p++
	}
	return p
}

// skipString returns the index just past the JSON string that starts at b[p] ('"'), or -1.
// The strings it skips are short (keys, "stdout", the time), where a plain loop beats
// bytes.IndexByte's call overhead.
func skipString(b []byte, p int) int {
	for p++; p < len(b); p++ {
		switch b[p] {
		case '"':
			return p + 1
		case '\\':
			p++ // the escaped byte cannot end the string
		}
	}
	return -1
}

// maxDepth bounds the nesting of skipped values, so a hostile record cannot recurse deeply.
const maxDepth = 32

// skipValue returns the index just past the JSON value at b[p], or -1. It checks structure only
// as far as needed to find the value's end.
func skipValue(b []byte, p, depth int) int {
	if p >= len(b) || depth > maxDepth {
		return -1
	}
	switch c := b[p]; {
	case c == '"':
		return skipString(b, p)
	case c == '{' || c == '[':
		closeCh := byte('}')
		if c == '[' {
			closeCh = ']'
		}
		p = skipSpace(b, p+1)
		for p < len(b) && b[p] != closeCh {
			if c == '{' {
				if b[p] != '"' {
					return -1
				}
				if p = skipString(b, p); p < 0 {
					return -1
				}
				if p = skipSpace(b, p); p >= len(b) || b[p] != ':' {
					return -1
				}
				p = skipSpace(b, p+1)
			}
			if p = skipValue(b, p, depth+1); p < 0 {
				return -1
			}
			if p = skipSpace(b, p); p < len(b) && b[p] == ',' {
				p = skipSpace(b, p+1)
			}
		}
		if p >= len(b) {
			return -1
		}
		return p + 1
	default: // number, true, false, null
		start := p
		for p < len(b) && b[p] != ',' && b[p] != '}' && b[p] != ']' && b[p] != ' ' && b[p] != ':' {
			p++
		}
		if p == start {
			return -1
		}
		return p
	}
}

// unescapeString appends the unescaped JSON string that starts at b[p] ('"') to dst and returns
// it with the index just past the closing quote, or -1 when the string is not terminated or
// holds an unknown escape.
func unescapeString(b []byte, p int, dst []byte) ([]byte, int) {
	p++
	for {
		q := bytes.IndexByte(b[p:], '"')
		if q < 0 {
			return dst, -1
		}
		seg := b[p : p+q]
		bs := bytes.IndexByte(seg, '\\')
		if bs < 0 {
			return append(dst, seg...), p + q + 1
		}
		dst = append(dst, seg[:bs]...)
		p += bs + 1 // at the escape letter
		if p >= len(b) {
			return dst, -1
		}
		switch b[p] {
		case '"', '\\', '/':
			dst = append(dst, b[p])
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'u':
			r, n := decodeU(b[p+1:])
			if n < 0 {
				return dst, -1
			}
			dst = utf8.AppendRune(dst, r)
			p += n
		default:
			return dst, -1
		}
		p++
	}
}

// decodeU decodes the hex digits after a \u (and a following \uXXXX low surrogate when the first
// is a high surrogate). It returns the rune (U+FFFD for an unpaired surrogate) and how many bytes
// it consumed after the 'u', or -1 for malformed hex.
func decodeU(b []byte) (rune, int) {
	r1, ok := hex4(b)
	if !ok {
		return 0, -1
	}
	if !utf16.IsSurrogate(r1) {
		return r1, 4
	}
	if len(b) >= 10 && b[4] == '\\' && b[5] == 'u' {
		if r2, ok := hex4(b[6:]); ok {
			if r := utf16.DecodeRune(r1, r2); r != utf8.RuneError {
				return r, 10
			}
		}
	}
	return utf8.RuneError, 4
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
