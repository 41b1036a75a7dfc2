package sanitize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"plain ASCII unchanged", "mail.example.com", "mail.example.com"},
		{"empty", "", ""},
		{"UTF-8 letters kept", "mäil.例え.jp", "mäil.例え.jp"},
		{"tab becomes a space", "a\tb", "a b"},
		{"CSI clear screen", "x\x1b[2Jy", `x\x1b[2Jy`},
		{"OSC window title with BEL", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"OSC 52 clipboard with ST", "\x1b]52;c;ZXZpbA==\x1b\\", `\x1b]52;c;ZXZpbA==\x1b\`},
		{"newline and CR", "a\r\nb", `a\x0d\x0ab`},
		{"NUL and DEL", "\x00\x7f", `\x00\x7f`},
		{"C1 CSI as UTF-8", "a\u009b2Jb", `a\x9b2Jb`},
		{"C1 OSC as UTF-8", "\u009d0;t\u009c", `\x9d0;t\x9c`},
		{"raw 8-bit CSI byte (invalid UTF-8)", "a\x9b2J", `a\x9b2J`},
		{"right-to-left override", "abc\u202egnp.exe", `abc\u202egnp.exe`},
		{"isolates", "\u2066x\u2069", `\u2066x\u2069`},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"BOM", "\ufeffhelo", `\ufeffhelo`},
		{"truncated UTF-8", "ab\xe2\x80", `ab\xe2\x80`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzText checks the invariant the terminal relies on: whatever goes in, nothing that a
// terminal interprets comes out.
func FuzzText(f *testing.F) {
	for _, s := range []string{"\x1b[31mred", "\u009b1m", "\xff\xfe", "ok", "\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Text(in)
		if !utf8.ValidString(out) {
			t.Fatalf("Text(%q) = %q is not valid UTF-8", in, out)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || unsafeRune(r) {
				t.Fatalf("Text(%q) = %q still holds %U", in, out, r)
			}
		}
		if strings.IndexFunc(in, func(r rune) bool { return r < 0x20 || r >= 0x7f }) < 0 && out != in {
			t.Fatalf("printable ASCII changed: %q → %q", in, out)
		}
	})
}

func BenchmarkText(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = Text("unknown[45.144.212.19] HELO ylmf-pc")
	}
}
