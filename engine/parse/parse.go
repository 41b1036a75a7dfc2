// Package parse turns one raw log line into an Event: its framing, time, program, kind, attack
// category and client IP. The client IP is taken only from its position in the line for the
// rule that matched — after "from ", "warning: ", "rip=" or in a passdb "driver(user,IP)" — and
// never by searching the line for anything that looks like an address, because HELO names,
// envelope addresses, user names and PREGREET payloads are written by the attacker.
//
// The package is pure: no I/O, no clock reads (a Parser is given a reference time), no globals
// that change. A Parser is not safe for concurrent use; give each goroutine its own.
package parse

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strings"
	"time"

	"github.com/mxtop/mxtop/engine/source/jsonfile"
)

// MaxLineBytes is the longest line parsed; longer input is cut to it first. The sources cut at
// the same length (a test holds the two equal).
const MaxLineBytes = 64 << 10

// Parser parses lines. The zero value is ready to use, with classic-syslog times read as UTC
// and their year inferred from the wall clock.
type Parser struct {
	// Loc is the zone of classic syslog stamps, which carry none (docker-mailserver's default is
	// UTC). Nil means UTC.
	Loc *time.Location
	// Now is the reference for inferring a classic syslog stamp's year when the transport gave
	// no time. Zero means time.Now at each call.
	Now time.Time

	// StableJSON keeps the decoded text of every json-file record valid after the next Parse
	// (events are then safe to hand to another goroutine); the decode arena is replaced, never
	// overwritten.
	StableJSON bool

	ts      tsCache
	inner   tsCache
	jsonBuf []byte
	// The host name (up to 8 bytes) of the last syslog line with a mail-daemon tag, as a word
	// and the mask of its bytes.
	host, hostMask uint64
	hostLen        int
}

// Parse parses line into ev and reports whether the line was written by a mail daemon. at is
// the transport's timestamp (zero when none). ev's byte slices point into line, or into p's
// buffer for json-file records; they are valid until the next call.
func (p *Parser) Parse(line []byte, at time.Time, ev *Event) bool {
	*ev = Event{}
	if len(line) > MaxLineBytes {
		line = line[:MaxLineBytes]
	}
	if len(line) > 0 && line[0] == '{' {
		line, at = p.decodeJSON(line, at, ev)
	}
	rest := p.header(line, at, ev)
	if ev.Daemon == DaemonNone {
		// A bare message, or a header whose program is not a mail daemon: recognise the message
		// by its own shape only when no program was named.
		if len(ev.Program) != 0 {
			return false
		}
		return parseBare(rest, ev)
	}
	ev.Message = rest
	switch ev.Daemon {
	case DaemonSMTPD:
		smtpd(rest, ev)
	case DaemonPostscreen:
		postscreen(rest, ev)
	case DaemonDNSBLog:
		dnsblog(rest, ev)
	case DaemonDovecot:
		dovecot(ev.Program, rest, ev)
	default:
		postfixOther(rest, ev)
	}
	return true
}

// header strips the framing (docker -t prefix, syslog stamp, host, program tag) and fills
// ev.Framing, Time, Program, PID and Daemon. It returns the message.
func (p *Parser) header(line []byte, at time.Time, ev *Event) []byte {
	if t, ok := p.ts.dms(line); ok { // most lines: docker-mailserver's stamp, second cached
		setFraming(ev, FrameRFC3339)
		ev.Time = t
		return p.hostThenTag(line[dmsStampLen+1:], ev)
	}
	loc := p.Loc
	if loc == nil {
		loc = time.UTC
	}
	ref := at
	if ref.IsZero() {
		ref = p.Now
	}
	var t time.Time
	var n int
	ok := false
	if len(line) > 20 && line[0] >= '0' && line[0] <= '9' {
		t, n, ok = p.ts.rfc3339(line)
		if ok && n < len(line) && line[n] == ' ' {
			rest := line[n+1:]
			// docker logs -t: a transport stamp in front of the container's own line.
			if t2, n2, ok2 := p.inner.rfc3339(rest); ok2 && n2 < len(rest) && rest[n2] == ' ' {
				setFraming(ev, FrameDockerTS)
				ref, t, n, line = t, t2, n2, rest
			} else if t2, n2, ok2 := p.inner.bsd(rest, t, loc); ok2 {
				setFraming(ev, FrameDockerTS)
				ref, t, n, line = t, t2, n2, rest
			} else {
				setFraming(ev, FrameRFC3339)
			}
		} else if ok && n < len(line) && line[n] >= 'a' && line[n] <= 'z' {
			setFraming(ev, FrameRFC3339) // host glued to the stamp
		} else {
			ok = false
		}
	} else if len(line) > 16 && line[0] >= 'A' && line[0] <= 'S' {
		t, n, ok = p.ts.bsd(line, ref, loc)
		if ok {
			setFraming(ev, FrameSyslog)
		}
	} else if len(line) > 25 && line[0] == '@' {
		t, n, ok = tai64n(line)
		if ok {
			setFraming(ev, FrameTAI64N)
		}
	}
	if !ok {
		ev.Time = at
		return programTag(line, ev, true)
	}
	ev.Time = t
	if ev.Framing == FrameDockerTS && ev.Time.IsZero() {
		ev.Time = ref
	}
	rest := line[n:]
	if len(rest) == 0 {
		return rest
	}
	if rest[0] != ' ' {
		// A host glued to the stamp ("…45.974296k2dls dovecot[27885]: …"): skip it.
		glued, ok := skipToken(rest)
		if !ok {
			return rest
		}
		if msg, ok := tag(glued, ev, false); ok {
			return msg
		}
		return glued
	}
	return p.hostThenTag(rest[1:], ev)
}

func setFraming(ev *Event, f Framing) {
	if ev.Framing == FrameBare {
		ev.Framing = f
	}
}

// programTag reads "[host ]prog[pid]: " and returns the message after it. The host is absent
// in some syslog setups and in bare "prog[pid]: msg" lines (bare is true: no stamp was seen).
func programTag(b []byte, ev *Event, bare bool) []byte {
	if r, ok := cut(b, "Info: "); ok { // a log level where the host should be
		b = r
	}
	if msg, ok := tag(b, ev, bare); ok {
		return msg
	}
	if !bare {
		if rest, ok := skipToken(b); ok {
			if msg, ok := tag(rest, ev, false); ok {
				return msg
			}
		}
	}
	return b
}

// hostThenTag is programTag for the common "host prog[pid]: " shape: when the first token
// does not end in ':' it is the host, and the tag is read once instead of tried twice.
//
// Every line of a server names the same host and one of a dozen tags, so it first tries the
// host of the last line and docker-mailserver's own tags, compared in place: the general rules
// below (find the space, then the '[', then name the program) cost a sixth of a line's parse.
// The shortcut accepts only what those rules accept, with the same result.
func (p *Parser) hostThenTag(b []byte, ev *Event) []byte {
	if h := p.hostLen; h > 0 && len(b) > 16 && binary.LittleEndian.Uint64(b)&p.hostMask == p.host && b[h] == ' ' {
		if msg, ok := knownTag(b[h+1:], ev); ok {
			return msg
		}
	}
	sp := bytes.IndexByte(b, ' ')
	if sp > 0 && b[sp-1] != ':' {
		if msg, ok := tag(b[sp+1:], ev, false); ok {
			if sp <= 8 && ev.Daemon != DaemonNone && len(b) > 16 { // remembered as one word
				p.hostLen, p.hostMask = sp, 1<<(8*sp)-1
				if sp == 8 {
					p.hostMask = ^uint64(0)
				}
				p.host = binary.LittleEndian.Uint64(b) & p.hostMask
			}
			return msg
		}
	}
	return programTag(b, ev, false)
}

// knownTag reads "prog[pid]: " or "prog: " at the start of b when prog is one of knownTags,
// exactly as tag would, or reports false and leaves b to tag. Candidates are picked by the byte
// after "postfix/", and a name is compared as two or three words and the pid read as one: with
// memequal and a digit loop it was an eighth of a line's parse.
func knownTag(b []byte, ev *Event) ([]byte, bool) {
	if len(b) < 16 {
		return nil, false
	}
	var k *tagWords
	switch binary.LittleEndian.Uint64(b) {
	case postfixWord:
		for _, i := range postfixTags[b[8]] {
			c := &knownTagWords[i]
			n := int(c.n)
			if len(b) < n+10 || b[n] != '[' && b[n] != ':' || binary.LittleEndian.Uint64(b[n-8:]) != c.last ||
				n > 16 && binary.LittleEndian.Uint64(b[8:]) != c.mid || n > 24 && binary.LittleEndian.Uint64(b[16:]) != c.mid2 {
				continue
			}
			k = c
			break
		}
	case dovecotBracket, dovecotColon:
		if len(b) >= 7+10 {
			k = &knownTagWords[dovecotTag]
		}
	}
	if k == nil {
		return nil, false
	}
	n, j, pid := int(k.n), int(k.n), 0
	if b[n] == '[' {
		// The pid as one word: its digits are the bytes before the first non-digit, 1 to 7 of
		// them (tag reads up to 9; 8 or more, or none, are left to it).
		x := binary.LittleEndian.Uint64(b[n+1:]) ^ zeros
		d := bits.TrailingZeros64(nonDigits(x)) / 8
		if d == 0 || d == 8 {
			return nil, false
		}
		pid = decimal8(x << (64 - 8*d))
		j = n + 1 + d
		if b[j] != ']' {
			return nil, false
		}
		j++
	}
	if b[j] != ':' || b[j+1] != ' ' {
		return nil, false
	}
	ev.Program, ev.PID, ev.Daemon, ev.tagged = b[:n], int32(pid), k.d, b
	return b[j+2:], true
}

// tagWords is a knownTags name as knownTag compares it: its length, the daemon, and its bytes
// after "postfix/" as up to three words (the last eight bytes, bytes 8-15 and 16-23).
type tagWords struct {
	n               uint8
	d               Daemon
	last, mid, mid2 uint64
}

var (
	postfixWord    = binary.LittleEndian.Uint64([]byte("postfix/"))
	dovecotBracket = binary.LittleEndian.Uint64([]byte("dovecot["))
	dovecotColon   = binary.LittleEndian.Uint64([]byte("dovecot:"))
)

// knownTagWords[i] is knownTags[i] as words; postfixTags[c] lists the knownTags named "postfix/"
// + c + …, most frequent first; dovecotTag is the index of "dovecot".
var knownTagWords, postfixTags, dovecotTag = func() (w [len(knownTags)]tagWords, p [256][]uint8, d int) {
	word := func(s string, at int) uint64 {
		if at < 0 || at+8 > len(s) {
			return 0
		}
		return binary.LittleEndian.Uint64([]byte(s[at:]))
	}
	for i, k := range knownTags {
		n := len(k.name)
		w[i] = tagWords{n: uint8(n), d: k.d, last: word(k.name, n-8), mid: word(k.name, 8), mid2: word(k.name, 16)}
		if name, ok := strings.CutPrefix(k.name, "postfix/"); ok && len(name) >= 4 {
			p[name[0]] = append(p[name[0]], uint8(i))
		} else if k.name == "dovecot" {
			d = i
		} else {
			panic("knownTags: " + k.name + " is neither postfix/… (at least 4 more bytes) nor dovecot")
		}
	}
	return w, p, d
}()

// tag parses "prog[pid]: " or "prog: " at the start of b. A tag has no spaces; Dovecot 2.4's
// "auth(user,ip,sasl:login)<session>: " is accepted as a tag whose program is "auth". With
// strict (no stamp before it), a non-mail program needs its [pid], so that bare messages such as
// "warning: …" or "NOQUEUE: reject: …" are not mistaken for tags.
func tag(b []byte, ev *Event, strict bool) ([]byte, bool) {
	// The tag ends at the first ": ", with no space before it: so at the first space, which
	// must follow a ':'.
	end := bytes.IndexByte(b, ' ') - 1
	if end <= 0 || b[end] != ':' {
		return nil, false
	}
	t := b[:end]
	name := t
	var pid int
	hasPID := false
	if open := bytes.IndexByte(t, '['); open > 0 && t[len(t)-1] == ']' {
		name = t[:open]
		var k int
		pid, k = atoi(t[open+1 : len(t)-1])
		if k != len(t)-open-2 {
			return nil, false
		}
		hasPID = true
	}
	d := daemonOf(name)
	if d == DaemonNone {
		if !looksLikeProgram(name) || strict && !hasPID {
			return nil, false
		}
	}
	ev.Program, ev.PID, ev.Daemon, ev.tagged = name, int32(pid), d, b
	return b[end+2:], true
}

// looksLikeProgram accepts syslog tags of other programs (cron, amavis, opendkim, …) so their
// lines are recognised as not-mail rather than parsed as bare messages.
func looksLikeProgram(name []byte) bool {
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '/' || c == '.') {
			return false
		}
	}
	return len(name) > 0
}

// knownTags are the tags docker-mailserver logs under, most frequent first: answered by a length
// check and one compare, before the general rules of daemonOf.
var knownTags = [...]struct {
	name string
	d    Daemon
}{
	{"postfix/postscreen", DaemonPostscreen},
	{"dovecot", DaemonDovecot},
	{"postfix/submission/smtpd", DaemonSMTPD},
	{"postfix/smtpd", DaemonSMTPD},
	{"postfix/smtps/smtpd", DaemonSMTPD},
	{"postfix/qmgr", DaemonPostfixOther},
	{"postfix/cleanup", DaemonPostfixOther},
	{"postfix/dnsblog", DaemonDNSBLog},
	{"postfix/lmtp", DaemonPostfixOther},
	{"postfix/smtp", DaemonPostfixOther},
	{"postfix/submissions/smtpd", DaemonSMTPD},
	{"postfix/anvil", DaemonPostfixOther},
	{"postfix/scache", DaemonPostfixOther},
	{"postfix/pickup", DaemonPostfixOther},
	{"postfix/master", DaemonPostfixOther},
	{"postfix/bounce", DaemonPostfixOther},
	{"postfix/local", DaemonPostfixOther},
}

// daemonOf classifies a syslog tag by its last path element: postfix/submission/smtpd and
// postfix-incoming/smtpd are both smtpd.
func daemonOf(name []byte) Daemon {
	for i := range knownTags { // docker-mailserver's own tags first, most frequent first
		if k := &knownTags[i]; len(name) == len(k.name) && string(name) == k.name {
			return k.d
		}
	}
	last := name
	if i := bytes.LastIndexByte(name, '/'); i >= 0 {
		last = name[i+1:]
	}
	postfix := bytes.HasPrefix(name, []byte("postfix"))
	switch {
	case string(last) == "smtpd" && (postfix || len(last) != len(name)):
		return DaemonSMTPD
	case string(last) == "postscreen":
		return DaemonPostscreen
	case string(last) == "dnsblog":
		return DaemonDNSBLog
	case postfix, string(name) == "postgrey":
		return DaemonPostfixOther
	case bytes.HasPrefix(name, []byte("dovecot")), bytes.HasSuffix(name, []byte("-login")),
		string(name) == "auth", bytes.HasPrefix(name, []byte("auth-worker")), bytes.HasPrefix(name, []byte("auth(")):
		return DaemonDovecot
	}
	return DaemonNone
}

// decodeJSON unwraps a Docker json-file record; other lines starting with '{' pass unchanged.
func (p *Parser) decodeJSON(line []byte, at time.Time, ev *Event) ([]byte, time.Time) {
	buf := p.jsonBuf[:0]
	if p.StableJSON {
		if cap(p.jsonBuf)-len(p.jsonBuf) < len(line) {
			p.jsonBuf = make([]byte, 0, max(1<<20, len(line)))
		}
		buf = p.jsonBuf
	}
	start := len(buf)
	text, ts, ok := jsonfile.DecodeRecord(line, buf)
	if !ok {
		return line, at
	}
	if p.StableJSON {
		p.jsonBuf = text
	} else {
		p.jsonBuf = text[:0]
	}
	ev.Framing = FrameJSONFile
	return text[start:], ts
}
