package iptable

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkSortItems_Shuffled sorts 100,000 items whose keys disagree with the input order,
// as the rate and last-seen views do on live data (the engine's order is by events).
func BenchmarkSortItems_Shuffled(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	src := make([]Item, 100_000)
	for i := range src {
		src[i] = Item{k1: -rng.Int64N(50_000), k2: -rng.Int64N(1000), lo: rng.Uint64(), idx: uint32(i)}
	}
	items := make([]Item, len(src))
	for b.Loop() {
		copy(items, src)
		sortItems(items, false)
	}
}
