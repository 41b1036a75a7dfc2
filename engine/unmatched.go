package engine

import (
	"cmp"
	"slices"

	"github.com/mxtop/mxtop/engine/parse"
)

// maxShapes bounds the unmatched-shape table: past it new shapes are counted under "(other)".
const maxShapes = 1000

// Shape is a group of unrecognised mail-daemon lines: the message with digits, hex runs and
// addresses replaced, and how many lines had it.
type Shape struct {
	Program string
	Shape   string
	Count   int64
}

func (c *Core) noteUnmatched(ev *parse.Event) {
	key := shapeOf(ev.Program, ev.Message)
	if _, ok := c.shapes[key]; !ok && len(c.shapes) >= maxShapes {
		key = "(other)"
	}
	c.shapes[key]++
}

// Unmatched returns the unrecognised line shapes, most frequent first.
func (c *Core) Unmatched() []Shape {
	out := make([]Shape, 0, len(c.shapes))
	for k, n := range c.shapes {
		out = append(out, Shape{Shape: k, Count: n})
	}
	slices.SortFunc(out, func(a, b Shape) int {
		if a.Count != b.Count {
			return cmp.Compare(b.Count, a.Count)
		}
		return cmp.Compare(a.Shape, b.Shape)
	})
	return out
}

// shapeOf turns "postfix/smtpd" + "foo 12 from x[1.2.3.4]" into "postfix/smtpd: foo N from x[N.N.N.N]":
// runs of digits become N, so lines that differ only in numbers group together. The result is
// capped at 160 bytes.
func shapeOf(prog, msg []byte) string {
	b := make([]byte, 0, 160)
	b = append(b, prog...)
	b = append(b, ": "...)
	inDigits := false
	for _, ch := range msg {
		if len(b) >= 160 {
			break
		}
		if ch >= '0' && ch <= '9' {
			if !inDigits {
				b = append(b, 'N')
			}
			inDigits = true
			continue
		}
		inDigits = false
		b = append(b, ch)
	}
	return string(b)
}
