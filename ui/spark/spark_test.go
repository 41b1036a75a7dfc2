package spark

import (
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		values []int64
		width  int
		want   string
	}{
		{"ramp", []int64{0, 1, 2, 3, 4, 5, 6, 7, 8}, 9, " ▁▂▃▄▅▆▇█"},
		{"padded left", []int64{1, 1}, 4, "  ██"},
		{"burst survives folding", []int64{0, 0, 0, 0, 0, 9}, 3, "  █"},
		{"zero width", []int64{1}, 0, ""},
		{"all zero", []int64{0, 0}, 2, "  "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Line(tt.values, tt.width)
			if got != tt.want {
				t.Errorf("Line(%v, %d) = %q, want %q", tt.values, tt.width, got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n != tt.width {
				t.Errorf("width %d, want %d", n, tt.width)
			}
		})
	}
}

func TestLine_ManyValuesFitWidth(t *testing.T) {
	t.Parallel()
	values := make([]int64, 300)
	for i := range values {
		values[i] = int64(i % 7)
	}
	if n := utf8.RuneCountInString(Line(values, 40)); n != 40 {
		t.Fatalf("width %d, want 40", n)
	}
}
