package ui

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/parse"
)

// naiveMask is the definition tabIndex.mask must agree with: a row is on All, on a category
// tab when it has events in one of the tab's categories, on Scanners when its verdict is
// scanner; the Banned and Whitelist tabs list bans and prefixes, not rows.
func naiveMask(tabs []tab, r *engine.Row) uint32 {
	var m uint32
	for i, t := range tabs {
		on := false
		switch t.kind {
		case tabAll:
			on = true
		case tabCategory:
			for _, c := range t.cats {
				on = on || r.Counts[c] > 0
			}
		case tabScanners:
			on = r.Verdict == classify.Scanner
		case tabBanned, tabWhitelist:
		}
		if on {
			m |= 1 << i
		}
	}
	return m
}

func TestTabIndex_MatchesNaiveDefinition(t *testing.T) {
	t.Parallel()
	tabs := tabList()
	x := newTabIndex(tabs)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20_000 {
		r := &engine.Row{IP: netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}),
			Verdict: classify.Verdict(rng.IntN(int(classify.Unknown) + 1)), Whitelisted: rng.IntN(5) == 0}
		for c := range parse.NumCategories {
			if rng.IntN(4) == 0 {
				r.Counts[c] = rng.Int64N(3) // zero included
			}
		}
		r.Seen = engine.SeenOf(&r.Counts)
		if got, want := x.mask(r), naiveMask(tabs, r); got != want {
			t.Fatalf("row %+v: mask %b, want %b", r.Counts, got, want)
		}
	}
}

func TestTabCounts_MatchNaiveCount(t *testing.T) {
	t.Parallel()
	s := bigSnapshot(5000, 1)
	h := newHarness(t, Options{}, 120, 30, s)
	tabs := tabList()
	want := make([]int, len(tabs))
	for _, r := range s.Rows {
		m := naiveMask(tabs, r)
		for i := range want {
			want[i] += int(m >> i & 1)
		}
	}
	for i := range tabs {
		if tabs[i].kind == tabBanned {
			want[i] = len(s.Bans)
		}
		if h.m.tabCounts[i] != want[i] {
			t.Errorf("tab %s: count %d, want %d", tabs[i].title, h.m.tabCounts[i], want[i])
		}
	}
}
