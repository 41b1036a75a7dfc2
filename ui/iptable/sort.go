package iptable

import (
	"cmp"
	"slices"

	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/parse"
)

// SortKey is the column the table is sorted by; s cycles through them in this order.
type SortKey uint8

// Sort keys. Every key ends with an IP tie-break, so the order is total and rows never swap
// places between two snapshots when their values are equal.
const (
	ByCount     SortKey = iota // the tab's events desc, last seen desc, IP asc (the engine's order)
	ByRate                     // events per minute desc
	ByLastSeen                 // most recently seen first
	ByFirstSeen                // newest attacker first
	ByVerdict                  // botnet, suspicious, scanner, unknown, legit, ignored
	ByIP                       // address order
	numSortKeys
)

// String names the key in the status bar.
func (k SortKey) String() string {
	switch k {
	case ByCount:
		return "events"
	case ByRate:
		return "rate"
	case ByLastSeen:
		return "last seen"
	case ByFirstSeen:
		return "first seen"
	case ByVerdict:
		return "verdict"
	default:
		return "ip"
	}
}

// Next returns the key after k, wrapping around.
func (k SortKey) Next() SortKey { return (k + 1) % numSortKeys }

// Count returns r's events in the categories cats, or r.Total when cats is empty.
func Count(r *engine.Row, cats []parse.Category) int64 {
	if len(cats) == 0 {
		return r.Total
	}
	var n int64
	for _, c := range cats {
		n += r.Counts[c]
	}
	return n
}

// severity orders verdicts from most to least alarming.
func severity(v classify.Verdict) int {
	switch v {
	case classify.Botnet:
		return 5
	case classify.Suspicious:
		return 4
	case classify.Scanner:
		return 3
	case classify.Unknown:
		return 2
	case classify.Legit:
		return 1
	default:
		return 0
	}
}

// compareFunc returns the total order for key over the tab's categories, reversed on demand.
func compareFunc(key SortKey, cats []parse.Category, reverse bool) func(a, b *engine.Row) int {
	byCount := func(a, b *engine.Row) int {
		if c := cmp.Compare(Count(b, cats), Count(a, cats)); c != 0 {
			return c
		}
		return b.LastSeen.Compare(a.LastSeen)
	}
	var primary func(a, b *engine.Row) int
	switch key {
	case ByCount:
		primary = byCount
	case ByRate:
		primary = func(a, b *engine.Row) int {
			if c := cmp.Compare(b.RatePerMin, a.RatePerMin); c != 0 {
				return c
			}
			return byCount(a, b)
		}
	case ByLastSeen:
		primary = func(a, b *engine.Row) int { return b.LastSeen.Compare(a.LastSeen) }
	case ByFirstSeen:
		primary = func(a, b *engine.Row) int { return b.FirstSeen.Compare(a.FirstSeen) }
	case ByVerdict:
		primary = func(a, b *engine.Row) int {
			if c := cmp.Compare(severity(b.Verdict), severity(a.Verdict)); c != 0 {
				return c
			}
			return byCount(a, b)
		}
	default:
		primary = func(*engine.Row, *engine.Row) int { return 0 }
	}
	return func(a, b *engine.Row) int {
		c := primary(a, b)
		if c == 0 {
			c = a.IP.Compare(b.IP)
		}
		if reverse {
			return -c
		}
		return c
	}
}

// sortRows sorts rows in place. The engine delivers rows already ordered by Total, LastSeen and
// IP, which pdqsort recognises in linear time, so the default view costs one pass.
func sortRows(rows []*engine.Row, key SortKey, cats []parse.Category, reverse bool) {
	slices.SortFunc(rows, compareFunc(key, cats, reverse))
}
