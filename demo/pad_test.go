package demo

import (
	"fmt"
	"testing"
)

func TestAppendPad(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ n, w int }{{0, 6}, {7, 6}, {852857, 6}, {99, 2}, {5, 2}, {0, 2}, {123, 2}, {100000, 6}, {1, 1}, {12345, 1}} {
		want := fmt.Sprintf("%0*d", c.w, c.n)
		if got := string(appendPad(nil, c.n, c.w)); got != want {
			t.Errorf("appendPad(%d, %d) = %q, want %q", c.n, c.w, got, want)
		}
	}
}
