package iptable

import (
	"encoding/binary"
	"math"
	"math/bits"
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

// Item is a row decorated with its sort keys, so the sort compares integers in one contiguous,
// pointer-free slice instead of chasing row pointers and converting times and rates per
// comparison. k1 and k2 sort ascending; hi and lo are the IP's 16 bytes, the tie-break. A Keyer
// makes Items while the caller passes over the snapshot's rows anyway (each row's memory is
// touched once per snapshot, not once per pass), and SetItems sorts them.
type Item struct {
	k1, k2 int64
	hi, lo uint64
	idx    uint32 // index of the row in the slice handed to SetItems
	v6     bool   // the address is not IPv4: the IP column may need to widen
}

// Keyer decorates rows for one sort key and tab; get it from Model.Keyer.
type Keyer struct {
	key  SortKey
	cats []parse.Category
}

// Item returns r, found at src[idx], decorated with its ascending sort keys: larger counts,
// rates and times sort first.
func (k Keyer) Item(r *engine.Row, idx int) Item {
	var k1, k2 int64
	switch k.key {
	case ByCount:
		k1, k2 = -Count(r, k.cats), -r.LastSeen.UnixNano()
	case ByRate:
		// The rate as the table shows it, in tenths (the engine's rates are whole tenths:
		// events over ten minutes): rows that read the same rate are ordered by count, and the
		// key spans 16 bits for rates up to 6,553.5/min where thousandths took 23, one radix
		// pass fewer with counts (packedSort).
		k1, k2 = -int64(math.Round(r.RatePerMin*10)), -Count(r, k.cats)
	case ByLastSeen:
		k1 = -r.LastSeen.UnixNano()
	case ByFirstSeen:
		k1 = -r.FirstSeen.UnixNano()
	case ByVerdict:
		k1, k2 = -int64(severity(r.Verdict)), -Count(r, k.cats)
	}
	b := r.IP.As16()
	return Item{k1: k1, k2: k2, idx: uint32(idx), v6: !r.IP.Is4(),
		hi: binary.BigEndian.Uint64(b[:8]), lo: binary.BigEndian.Uint64(b[8:])}
}

func compareItems(a, b *Item) int {
	switch {
	case lessItem(a, b):
		return -1
	case lessItem(b, a):
		return 1
	default:
		return 0
	}
}

// lessItem orders by k1, k2, then the IP. It is small enough to be inlined.
func lessItem(a, b *Item) bool {
	if a.k1 != b.k1 {
		return a.k1 < b.k1
	}
	if a.k2 != b.k2 {
		return a.k2 < b.k2
	}
	if a.hi != b.hi {
		return a.hi < b.hi
	}
	return a.lo < b.lo
}

// sortItems sorts items by their keys, with the IP as the last tie-break, so the order is total.
// The engine delivers rows already ordered by Total, LastSeen and IP, so the default view is
// usually sorted already: one linear check then saves the sort. Long inputs (a live wave sorted
// by rate or last seen) go to radixSort, short ones to quickSort.
func sortItems(items []Item, reverse bool) {
	if itemsSorted(items, reverse) {
		return
	}
	// The order is total (the IP breaks every tie), so descending is ascending reversed.
	if len(items) >= radixMin {
		radixSort(items)
	} else {
		quickSort(items, 2*bits.Len(uint(len(items))))
	}
	if reverse {
		slices.Reverse(items)
	}
}

// quickSort sorts a ascending by lessItem. It is specialised to Item so the comparison is
// inlined, not called through a function value as in slices.SortFunc: about 4x faster on
// 100,000 shuffled items (the rate and last-seen views of a live wave). Past depth levels it
// hands over to slices.SortFunc (pdqsort), so the worst case stays O(n log n).
func quickSort(a []Item, depth int) {
	for len(a) > 12 {
		if depth == 0 {
			slices.SortFunc(a, func(x, y Item) int { return compareItems(&x, &y) })
			return
		}
		depth--
		p := partition(a)
		if p < len(a)-p { // recurse into the smaller side, loop on the larger
			quickSort(a[:p], depth)
			a = a[p+1:]
		} else {
			quickSort(a[p+1:], depth)
			a = a[:p]
		}
	}
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && lessItem(&a[j], &a[j-1]); j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// partition moves the median of the first, middle and last items to the front as the pivot,
// partitions the rest around it and puts it at its final index, which it returns.
func partition(a []Item) int {
	n := len(a)
	lo, mid, hi := 0, n/2, n-1
	if lessItem(&a[mid], &a[lo]) {
		a[mid], a[lo] = a[lo], a[mid]
	}
	if lessItem(&a[hi], &a[mid]) {
		a[hi], a[mid] = a[mid], a[hi]
		if lessItem(&a[mid], &a[lo]) {
			a[mid], a[lo] = a[lo], a[mid]
		}
	}
	a[0], a[mid] = a[mid], a[0]
	pivot := a[0]
	i, j := 1, n-1
	for {
		for i <= j && lessItem(&a[i], &pivot) {
			i++
		}
		for i <= j && lessItem(&pivot, &a[j]) {
			j--
		}
		if i >= j {
			break
		}
		a[i], a[j] = a[j], a[i]
		i++
		j--
	}
	a[0], a[j] = a[j], a[0]
	return j
}

// itemsSorted is slices.IsSortedFunc without the call through a function value per pair.
func itemsSorted(items []Item, reverse bool) bool {
	for i := 1; i < len(items); i++ {
		a, b := &items[i-1], &items[i]
		if reverse {
			a, b = b, a
		}
		if lessItem(b, a) {
			return false
		}
	}
	return true
}

// sortRows sorts rows in place by key, with the IP as the last tie-break.
func sortRows(rows []*engine.Row, key SortKey, cats []parse.Category, reverse bool) {
	k := Keyer{key: key, cats: cats}
	items := make([]Item, len(rows))
	for i, r := range rows {
		items[i] = k.Item(r, i)
	}
	sortItems(items, reverse)
	src := slices.Clone(rows)
	for i := range items {
		rows[i] = src[items[i].idx]
	}
}
