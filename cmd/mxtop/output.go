package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/parse"
)

// reportJSON is the stable JSON shape of `mxtop report --format json` (a public contract).
// writeJSON writes it by hand; a test encodes these types with encoding/json and compares.
type reportJSON struct {
	Lines     int64    `json:"lines"`
	MailLines int64    `json:"mail_lines"`
	Events    int64    `json:"events"`
	Unmatched int64    `json:"unmatched"`
	IPs       []ipJSON `json:"ips"`
}

type ipJSON struct {
	IP         string           `json:"ip"`
	Verdict    string           `json:"verdict"`
	Reasons    []string         `json:"reasons"`
	Total      int64            `json:"total"`
	Categories map[string]int64 `json:"categories"`
	Hostname   string           `json:"hostname"`
	Helo       string           `json:"helo"`
	Delivered  int              `json:"delivered"`
	Logins     int              `json:"logins"`
	FirstSeen  string           `json:"first_seen"`
	LastSeen   string           `json:"last_seen"`
}

func rfc3339(t time.Time) string { return string(appendRFC3339(nil, t)) }

// appendRFC3339 appends t in UTC as RFC 3339, nothing for the zero time.
func appendRFC3339(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	return t.UTC().AppendFormat(b, time.RFC3339)
}

// writeJSON writes the reportJSON document exactly as encoding/json's Encoder with a two-space
// indent does (a test holds the two equal), but appended by hand: through reflection, a report
// of 21,207 IPs took 220-270 ms (timed in the process after reading the 5M-line demo log).
func writeJSON(w io.Writer, core *engine.Core, rows []*engine.Row) error {
	n := core.Counters()
	b := make([]byte, 0, 64<<10)
	b = append(b, "{\n  \"lines\": "...)
	b = strconv.AppendInt(b, n.Lines, 10)
	b = append(b, ",\n  \"mail_lines\": "...)
	b = strconv.AppendInt(b, n.MailLines, 10)
	b = append(b, ",\n  \"events\": "...)
	b = strconv.AppendInt(b, n.Events, 10)
	b = append(b, ",\n  \"unmatched\": "...)
	b = strconv.AppendInt(b, n.Unmatched, 10)
	b = append(b, ",\n  \"ips\": ["...)
	for i, r := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendIPJSON(b, r)
		if len(b) > 48<<10 {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	if len(rows) > 0 {
		b = append(b, "\n  "...)
	}
	b = append(b, "]\n}\n"...)
	_, err := w.Write(b)
	return err
}

// appendIPJSON appends one element of "ips", indented as the Encoder indents it.
func appendIPJSON(b []byte, r *engine.Row) []byte {
	field := func(b []byte, name string) []byte {
		b = append(b, ",\n      \""...)
		b = append(b, name...)
		return append(b, "\": "...)
	}
	b = append(b, "\n    {\n      \"ip\": \""...)
	b = r.IP.AppendTo(b)
	b = append(b, '"')
	b = field(b, "verdict")
	b = appendJSONString(b, r.Verdict.String())
	b = field(b, "reasons")
	switch {
	case r.Reasons == nil:
		b = append(b, "null"...)
	case len(r.Reasons) == 0:
		b = append(b, "[]"...)
	default:
		b = append(b, '[')
		for i, s := range r.Reasons {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, "\n        "...)
			b = appendJSONString(b, s)
		}
		b = append(b, "\n      ]"...)
	}
	b = field(b, "total")
	b = strconv.AppendInt(b, r.Total, 10)
	b = field(b, "categories")
	b = append(b, '{')
	k := 0
	for _, c := range sortedCategories {
		if n := r.Counts[c]; n > 0 {
			if k > 0 {
				b = append(b, ',')
			}
			k++
			b = append(b, "\n        "...)
			b = appendJSONString(b, c.String())
			b = append(b, ": "...)
			b = strconv.AppendInt(b, n, 10)
		}
	}
	if k > 0 {
		b = append(b, "\n      "...)
	}
	b = append(b, '}')
	b = field(b, "hostname")
	b = appendJSONString(b, r.Host)
	b = field(b, "helo")
	b = appendJSONString(b, r.Helo)
	b = field(b, "delivered")
	b = strconv.AppendInt(b, int64(r.Delivered), 10)
	b = field(b, "logins")
	b = strconv.AppendInt(b, int64(r.Logins), 10)
	b = field(b, "first_seen") // RFC 3339 needs no escaping
	b = append(appendRFC3339(append(b, '"'), r.FirstSeen), '"')
	b = field(b, "last_seen")
	b = append(appendRFC3339(append(b, '"'), r.LastSeen), '"')
	return append(b, "\n    }"...)
}

// sortedCategories is parse.Categories in the order of their names, the order in which
// encoding/json writes a map's keys.
var sortedCategories = func() []parse.Category {
	cs := parse.Categories
	slices.SortFunc(cs[:], func(a, b parse.Category) int { return strings.Compare(a.String(), b.String()) })
	return cs[:]
}()

// appendJSONString appends s as encoding/json writes a string by default: invalid UTF-8 as
// U+FFFD, <, > and & and U+2028/U+2029 escaped (safe inside HTML), the short escapes for \\,
// ", \b, \f, \n, \r and \t, other control bytes as \u00xx. A test compares it with json.Marshal.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func writeCSV(w io.Writer, rows []*engine.Row) error {
	cw := csv.NewWriter(w)
	head := []string{"ip", "verdict", "total"}
	for _, c := range parse.Categories {
		head = append(head, c.String())
	}
	head = append(head, "hostname", "helo", "delivered", "logins", "first_seen", "last_seen")
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range rows {
		rec := []string{r.IP.String(), r.Verdict.String(), strconv.FormatInt(r.Total, 10)}
		for _, c := range parse.Categories {
			rec = append(rec, strconv.FormatInt(r.Counts[c], 10))
		}
		rec = append(rec, printable(r.Host), printable(r.Helo), strconv.Itoa(r.Delivered),
			strconv.Itoa(r.Logins), rfc3339(r.FirstSeen), rfc3339(r.LastSeen))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeTable(w io.Writer, core *engine.Core, rows []*engine.Row, unmatched bool) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	t := table{buf: make([]byte, 0, 128*(len(rows)+1)), ends: make([]int, 0, tableCols*(len(rows)+1))}
	t.row("IP", "VERDICT", "EVENTS", "CATEGORIES", "HOST / HELO", "LAST SEEN")
	for _, r := range rows {
		t.buf = r.IP.AppendTo(t.buf)
		t.end()
		t.buf = append(t.buf, r.Verdict.String()...)
		t.end()
		t.buf = strconv.AppendInt(t.buf, r.Total, 10)
		t.end()
		t.buf = appendTopCategories(t.buf, r, 3)
		t.end()
		t.buf = append(t.buf, clip(printable(name(r)), 40)...)
		t.end()
		t.buf = appendRFC3339(t.buf, r.LastSeen)
		t.end()
	}
	t.write(bw, 2)
	n := core.Counters()
	fmt.Fprintf(bw, "\n%d lines read, %d mail-daemon lines, %d attack events, %d lines no rule recognised",
		n.Lines, n.MailLines, n.Events, n.Unmatched)
	if n.Truncated > 0 {
		fmt.Fprintf(bw, ", %d lines cut at %d KiB", n.Truncated, parse.MaxLineBytes>>10)
	}
	fmt.Fprintln(bw)
	if unmatched {
		fmt.Fprintln(bw, "\nUnrecognised mail-daemon lines, by shape:")
		for _, s := range core.Unmatched() {
			fmt.Fprintf(bw, "%8d  %s\n", s.Count, printable(s.Shape))
		}
	}
	return bw.Flush()
}

// table lays out rows of tableCols cells as text/tabwriter does with padding p and no flags
// (every column as wide as its widest cell in runes plus p, the last column unpadded), but
// keeps the cells in one buffer: for the 21,207 IPs of the 5M-line demo log, fmt and
// tabwriter's per-cell bookkeeping took 57-75 ms, this 14-18 ms (timed in the process).
type table struct {
	buf  []byte
	ends []int // where each cell ends in buf, row after row
}

const tableCols = 6

const spaces = "                                                                "

func (t *table) end() { t.ends = append(t.ends, len(t.buf)) }

func (t *table) row(cells ...string) {
	for _, c := range cells {
		t.buf = append(t.buf, c...)
		t.end()
	}
}

func (t *table) write(w *bufio.Writer, pad int) {
	var width [tableCols]int
	start := 0
	for i, end := range t.ends {
		width[i%tableCols] = max(width[i%tableCols], utf8.RuneCount(t.buf[start:end]))
		start = end
	}
	start = 0
	for i, end := range t.ends {
		cell := t.buf[start:end]
		w.Write(cell)
		if col := i % tableCols; col == tableCols-1 {
			w.WriteByte('\n')
		} else {
			for n := width[col] + pad - utf8.RuneCount(cell); n > 0; n -= len(spaces) {
				w.WriteString(spaces[:min(n, len(spaces))])
			}
		}
		start = end
	}
}

func name(r *engine.Row) string {
	switch {
	case r.Host != "" && r.Helo != "":
		return r.Host + " / " + r.Helo
	case r.Host != "":
		return r.Host
	}
	return r.Helo
}

// appendTopCategories appends the n biggest categories, "pregreet:120 hangup:3", or "-".
func appendTopCategories(b []byte, r *engine.Row, n int) []byte {
	var used [parse.NumCategories]bool
	k := 0
	for ; k < n; k++ {
		best := parse.None
		for _, c := range parse.Categories {
			if !used[c] && r.Counts[c] > 0 && (best == parse.None || r.Counts[c] > r.Counts[best]) {
				best = c
			}
		}
		if best == parse.None {
			break
		}
		used[best] = true
		if k > 0 {
			b = append(b, ' ')
		}
		b = append(b, best.String()...)
		b = append(b, ':')
		b = strconv.AppendInt(b, r.Counts[best], 10)
	}
	if k == 0 {
		b = append(b, '-')
	}
	return b
}

// printable escapes every control byte, DEL, invalid UTF-8 and the C1 and bidi controls in
// log-derived text so that nothing in a log line can drive the operator's terminal.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if isControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == 0xFFFD && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case isControl(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0xFFFD ||
		(r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
