package demo

import (
	"testing"
)

// BenchmarkAppend measures one generated line: ns/op is ns per line, allocs/op allocations per
// line (0 once warmed up).
func BenchmarkAppend(b *testing.B) {
	g := New(1, EmitStart)
	buf := make([]byte, 0, 64<<10)
	for range 10000 {
		buf = g.Append(buf[:0])
	}
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		if len(buf) > 60<<10 {
			buf = buf[:0]
		}
		l := len(buf)
		buf = g.Append(buf)
		n += int64(len(buf) - l)
	}
	b.SetBytes(n / int64(b.N))
}
