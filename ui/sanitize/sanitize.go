// Package sanitize makes attacker-controlled log text safe to show on a terminal. Every string
// that comes from a log line (HELO names, reverse-DNS names, PREGREET payloads, user names,
// whole raw lines) goes through Text before it reaches a table cell, a card or a viewport.
//
//	cell := sanitize.Text(row.Helo) // "evil\x1b]0;pwned\x07" → `evil\x1b]0;pwned\x07`, shown literally
package sanitize

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Text returns s with every byte or rune that a terminal could act on replaced by a visible,
// inert escape: C0 controls (TAB becomes one space, so table columns stay aligned), DEL, C1
// controls (U+0080–U+009F, which some terminals treat as 8-bit CSI/OSC), Unicode bidi and line
// separator controls (which reorder or break what the operator sees), and invalid UTF-8 bytes
// (a lone 0x9b byte is CSI on an 8-bit terminal). An ESC therefore shows as the four characters
// `\x1b`, so "\x1b[2J" is printed, not executed. Printable ASCII is returned without copying.
func Text(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			writeByteEscape(&b, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			writeByteEscape(&b, c)
		case unsafeRune(r):
			writeRuneEscape(&b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// firstUnsafe returns the index of the first byte that is not printable ASCII, or -1.
func firstUnsafe(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return i
		}
	}
	return -1
}

// unsafeRune reports whether r (a valid non-ASCII rune) must not reach the terminal raw.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1 controls: CSI (0x9b), OSC (0x9d), DCS (0x90), ST (0x9c)
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f: // Arabic letter mark, LRM, RLM
		return true
	case r >= 0x202a && r <= 0x202e: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	case r == 0xfeff, r == 0xfffe, r == 0xffff: // BOM/ZWNBSP and non-characters
		return true
	}
	return false
}

const hexDigits = "0123456789abcdef"

func writeByteEscape(b *strings.Builder, c byte) {
	if c == '\t' {
		b.WriteByte(' ')
		return
	}
	b.WriteString(`\x`)
	b.WriteByte(hexDigits[c>>4])
	b.WriteByte(hexDigits[c&0xf])
}

func writeRuneEscape(b *strings.Builder, r rune) {
	if r <= 0xff {
		writeByteEscape(b, byte(r))
		return
	}
	b.WriteString(`\u`)
	h := strconv.FormatInt(int64(r), 16)
	for range 4 - len(h) {
		b.WriteByte('0')
	}
	b.WriteString(h)
}
