package iptable

import (
	"cmp"
	"encoding/binary"
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

// sortItem is a row decorated with its sort keys, so the sort compares integers in one
// contiguous slice instead of chasing row pointers and comparing times (about 5× faster on
// 100,000 rows). k1 and k2 sort ascending; hi and lo are the IP's 16 bytes, the tie-break.
type sortItem struct {
	k1, k2 int64
	hi, lo uint64
	r      *engine.Row
}

// keys returns the ascending keys of r for key: larger counts, rates and times sort first.
func keys(r *engine.Row, key SortKey, cats []parse.Category) (k1, k2 int64) {
	switch key {
	case ByCount:
		return -Count(r, cats), -r.LastSeen.UnixNano()
	case ByRate:
		return -int64(r.RatePerMin * 1000), -Count(r, cats)
	case ByLastSeen:
		return -r.LastSeen.UnixNano(), 0
	case ByFirstSeen:
		return -r.FirstSeen.UnixNano(), 0
	case ByVerdict:
		return -int64(severity(r.Verdict)), -Count(r, cats)
	default:
		return 0, 0
	}
}

func compareItems(a, b *sortItem) int {
	if c := cmp.Compare(a.k1, b.k1); c != 0 {
		return c
	}
	if c := cmp.Compare(a.k2, b.k2); c != 0 {
		return c
	}
	if c := cmp.Compare(a.hi, b.hi); c != 0 {
		return c
	}
	return cmp.Compare(a.lo, b.lo)
}

// sortRows sorts rows in place by key, with the IP as the last tie-break, so the order is
// total. The engine delivers rows already ordered by Total, LastSeen and IP, which pdqsort
// recognises in linear time, so the default view costs little more than the decoration.
func sortRows(rows []*engine.Row, key SortKey, cats []parse.Category, reverse bool) {
	if key == ByCount && !reverse && slices.IsSortedFunc(rows, func(a, b *engine.Row) int {
		if c := cmp.Compare(Count(b, cats), Count(a, cats)); c != 0 {
			return c
		}
		if c := b.LastSeen.Compare(a.LastSeen); c != 0 {
			return c
		}
		return a.IP.Compare(b.IP)
	}) {
		return // the engine's order: one pass, no decoration
	}
	items := make([]sortItem, len(rows))
	for i, r := range rows {
		k1, k2 := keys(r, key, cats)
		b := r.IP.As16()
		items[i] = sortItem{k1: k1, k2: k2, r: r,
			hi: binary.BigEndian.Uint64(b[:8]), lo: binary.BigEndian.Uint64(b[8:])}
	}
	if reverse {
		slices.SortFunc(items, func(a, b sortItem) int { return compareItems(&b, &a) })
	} else {
		slices.SortFunc(items, func(a, b sortItem) int { return compareItems(&a, &b) })
	}
	for i := range items {
		rows[i] = items[i].r
	}
}
