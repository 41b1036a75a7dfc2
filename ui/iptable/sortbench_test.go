package iptable

import (
	"math"
	"math/rand/v2"
	"slices"
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

func TestSortItems_MatchesSlicesSortFunc(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 2, 3, 12, 13, 50, 1000, 20_000} {
		for _, spread := range []int64{1, 3, 1 << 40} { // many ties on k1/k2, few, none
			for _, reverse := range []bool{false, true} {
				items := make([]Item, n)
				for i := range items {
					items[i] = Item{k1: rng.Int64N(spread), k2: rng.Int64N(spread), hi: uint64(rng.IntN(2)), lo: uint64(i) * 7919 % 100_003, idx: uint32(i)}
				}
				if n > 100 && spread == 3 { // an already ordered run and a reversed one
					slices.SortFunc(items[:n/2], func(a, b Item) int { return compareItems(&a, &b) })
					slices.SortFunc(items[n/2:], func(a, b Item) int { return compareItems(&b, &a) })
				}
				want := slices.Clone(items)
				slices.SortFunc(want, func(a, b Item) int {
					if reverse {
						return compareItems(&b, &a)
					}
					return compareItems(&a, &b)
				})
				sortItems(items, reverse)
				if !slices.Equal(items, want) {
					t.Fatalf("n=%d spread=%d reverse=%v: order differs", n, spread, reverse)
				}
			}
		}
	}
}

// TestRadixSort_SignedKeysAndTies checks the radix path (n >= radixMin) on the keys Keyer
// really makes (negative counts, rates and times), keys of both signs, the IPv6 half of the
// tie-break and runs of equal keys of every length.
func TestRadixSort_SignedKeysAndTies(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{radixMin, radixMin + 1, 30_000} {
		for _, spread := range []int64{1, 5, 300, 1 << 50} {
			items := make([]Item, n)
			for i := range items {
				items[i] = Item{k1: rng.Int64N(spread) - spread/2, k2: -rng.Int64N(spread),
					hi: uint64(rng.IntN(3)) << 60, lo: rng.Uint64() % 5000, idx: uint32(i)}
			}
			if spread == 1<<50 { // key ranges that overflow int64: the byte-wise path
				items[0].k1, items[1].k1 = math.MaxInt64, math.MinInt64
			}
			if spread == 5 { // k2 spans 63 bits while k1 is constant: still one packed key
				for i := range items {
					items[i].k1 = 3
				}
				items[0].k2, items[1].k2 = math.MinInt64, -1
			}
			want := slices.Clone(items)
			slices.SortStableFunc(want, func(a, b Item) int { return compareItems(&a, &b) })
			radixSort(items)
			for i := range items { // equal items (same keys and IP) may differ only in idx
				a, b := items[i], want[i]
				a.idx, b.idx = 0, 0
				if a != b {
					t.Fatalf("n=%d spread=%d: item %d = %+v, want %+v", n, spread, i, items[i], want[i])
				}
			}
		}
	}
}
