// Package spark draws one-line sparklines with the eight block glyphs ▁▂▃▄▅▆▇█.
package spark

import "strings"

var glyphs = []rune("▁▂▃▄▅▆▇█")

// Line draws values as a sparkline of exactly width cells. With more values than cells, the
// newest values win and neighbouring values are summed into one cell, so a burst is never
// averaged away; with fewer, the line is left-padded with spaces. Zero draws a space, any
// non-zero value at least ▁, and the largest cell █.
func Line(values []int64, width int) string {
	if width <= 0 {
		return ""
	}
	cells := bucket(values, width)
	var top int64
	for _, v := range cells {
		top = max(top, v)
	}
	var b strings.Builder
	b.Grow(width * 3)
	for range width - len(cells) {
		b.WriteByte(' ')
	}
	for _, v := range cells {
		switch {
		case v <= 0:
			b.WriteByte(' ')
		default:
			i := int((v*int64(len(glyphs)) - 1) / top)
			b.WriteRune(glyphs[min(max(i, 0), len(glyphs)-1)])
		}
	}
	return b.String()
}

// bucket folds values into at most width cells, keeping the newest values when the division is
// not even.
func bucket(values []int64, width int) []int64 {
	if len(values) <= width {
		return values
	}
	per := (len(values) + width - 1) / width
	n := len(values) / per
	values = values[len(values)-n*per:]
	cells := make([]int64, n)
	for i, v := range values {
		cells[i/per] += v
	}
	return cells
}
