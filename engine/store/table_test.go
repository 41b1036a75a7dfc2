package store

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

// TestTable4_MatchesAMap runs random inserts, lookups and removals on table4 and on a Go map
// side by side. Keys come from a small range, so probe runs collide, wrap around the end of the
// table and are shifted back by removals; the table grows from its minimum size on the way.
func TestTable4_MatchesAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tab := newTable4()
	ref := map[uint32]*IP{}
	for op := 0; op < 400_000; op++ {
		k := rng.Uint32N(3000)
		if op%7 == 0 {
			k = rng.Uint32() // now and then anywhere in the space
		}
		switch rng.IntN(3) {
		case 0, 1:
			ip := &IP{Total: int64(op)}
			tab.put(k, ip)
			ref[k] = ip
		default:
			tab.remove(k)
			delete(ref, k)
		}
		if got, want := tab.get(k), ref[k]; got != want {
			t.Fatalf("op %d: get(%d) = %p, want %p", op, k, got, want)
		}
		if op%50_000 == 0 {
			checkTable4(t, &tab, ref)
		}
	}
	checkTable4(t, &tab, ref)
	for k := range ref {
		tab.remove(k)
	}
	if tab.n != 0 || tab.get(1) != nil {
		t.Fatalf("after removing every key: n = %d", tab.n)
	}
}

func checkTable4(t *testing.T, tab *table4, ref map[uint32]*IP) {
	t.Helper()
	if tab.n != len(ref) {
		t.Fatalf("n = %d, want %d", tab.n, len(ref))
	}
	seen := 0
	for _, s := range tab.slots {
		if s.ip != nil {
			seen++
			if ref[s.key] != s.ip {
				t.Fatalf("slot holds %d → %p, want %p", s.key, s.ip, ref[s.key])
			}
		}
	}
	if seen != len(ref) {
		t.Fatalf("%d occupied slots, want %d", seen, len(ref))
	}
	for k, ip := range ref {
		if tab.get(k) != ip {
			t.Fatalf("get(%d) lost its entry", k)
		}
	}
}

// TestIPTable_BothFamilies holds that IPv4 and IPv6 clients (IPv4-mapped ones are unmapped
// before they get here) are kept apart and counted together.
func TestIPTable_BothFamilies(t *testing.T) {
	tab := newIPTable()
	a4, a6 := netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("2001:db8::7")
	tab.put(&IP{Addr: a4})
	tab.put(&IP{Addr: a6})
	if tab.len() != 2 || tab.get(a4).Addr != a4 || tab.get(a6).Addr != a6 {
		t.Fatalf("len %d, get(%v) and get(%v) wrong", tab.len(), a4, a6)
	}
	n := 0
	tab.each(func(*IP) { n++ })
	tab.remove(a4)
	if n != 2 || tab.get(a4) != nil || tab.len() != 1 {
		t.Fatalf("each saw %d, after remove len %d", n, tab.len())
	}
}
