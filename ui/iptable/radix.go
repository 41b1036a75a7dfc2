package iptable

import (
	"math/bits"
	"sync"
)

// radixMin is the length from which sortItems uses radixSort: below it the scratch buffer and
// the counting passes cost more than quickSort's comparisons.
const radixMin = 2048

// radixPool holds radixSort's scratch buffers (4 MB for 100,000 items), reused between
// snapshots. Items hold no pointers, so a pooled buffer keeps no snapshot alive.
var radixPool = sync.Pool{New: func() any { return new([]Item) }}

// signFlip maps a signed key onto an unsigned one of the same order.
const signFlip = 1 << 63

// radixWords returns its two sort keys, k1 first, as unsigned integers of the same order.
func radixWords(it *Item) [2]uint64 {
	return [2]uint64{uint64(it.k1) ^ signFlip, uint64(it.k2) ^ signFlip}
}

// radixSort sorts a ascending by lessItem: a stable LSD radix sort on the bytes of (k1, k2),
// least significant byte first, then quickSort on each run of equal keys for the IP
// tie-break. Byte positions in which every item agrees (the high bytes of counts, rates and
// times) are skipped, so a live wave of 100,000 rows sorted by rate takes a handful of linear
// passes instead of the ~1.7 million comparisons of quickSort, whose data-dependent branches
// mispredict.
func radixSort(a []Item) {
	n := len(a)
	if n < 2 {
		return
	}
	if !packedSort(a) {
		byteSort(a)
	}
	sortRunsByIP(a)
}

// byteSort sorts a stably by (k1, k2) with one pass per key byte that varies.
func byteSort(a []Item) {
	n := len(a)
	// Which key bytes vary: OR of every key's difference from the first item's.
	first := radixWords(&a[0])
	var diff [2]uint64
	for i := 1; i < n; i++ {
		w := radixWords(&a[i])
		for j := range w {
			diff[j] |= w[j] ^ first[j]
		}
	}
	// The varying byte positions, least significant first, with one histogram each, counted in
	// one pass over a.
	type digit struct {
		word  int
		shift uint
	}
	var digits []digit
	for word := 1; word >= 0; word-- { // k2, then k1; the IP tie-break is done per run below
		for shift := uint(0); shift < 64; shift += 8 {
			if diff[word]>>shift&0xff != 0 {
				digits = append(digits, digit{word, shift})
			}
		}
	}
	counts := make([][256]int, len(digits))
	for i := range a {
		w := radixWords(&a[i])
		for d, dg := range digits {
			counts[d][w[dg.word]>>dg.shift&0xff]++
		}
	}
	bp := radixPool.Get().(*[]Item)
	defer radixPool.Put(bp)
	if cap(*bp) < n {
		*bp = make([]Item, n)
	}
	src, dst := a, (*bp)[:n]
	for d, dg := range digits {
		pos := &counts[d]
		sum := 0
		for b, c := range pos {
			pos[b] = sum
			sum += c
		}
		scatter(src, dst, pos, dg.word, dg.shift)
		src, dst = dst, src
	}
	if &src[0] != &a[0] {
		copy(a, src)
	}
}

// sortRunsByIP orders each run of items with equal keys by IP. Runs are short on live data
// (rates and counts differ), so this costs far less than radix passes over the 16 IP bytes.
func sortRunsByIP(a []Item) {
	n := len(a)
	for i := 0; i < n; {
		j := i + 1
		for j < n && a[j].k1 == a[i].k1 && a[j].k2 == a[i].k2 {
			j++
		}
		if j-i > 1 {
			quickSort(a[i:j], 2*bits.Len(uint(j-i)))
		}
		i = j
	}
}

// scatter moves src into dst stably by the byte at shift of key word (0: k1, 1: k2), pos
// holding each byte value's next index in dst. One loop per key keeps the load branch-free.
func scatter(src, dst []Item, pos *[256]int, word int, shift uint) {
	if word == 0 {
		for i := range src {
			b := (uint64(src[i].k1) ^ signFlip) >> shift & 0xff
			dst[pos[b]] = src[i]
			pos[b]++
		}
		return
	}
	for i := range src {
		b := (uint64(src[i].k2) ^ signFlip) >> shift & 0xff
		dst[pos[b]] = src[i]
		pos[b]++
	}
}

// packedBits is the digit width of packedSort: 2048 counters fit in the L1 cache.
const packedBits = 11

// packedScratch is packedSort's reusable scratch: two key/position buffers and an item buffer.
type packedScratch struct {
	keys, keys2 []uint64
	pos, pos2   []uint32
	items       []Item
}

var packedPool = sync.Pool{New: func() any { return new(packedScratch) }}

// packedSort sorts a by (k1, k2) when both fit one 64-bit key once their minimum is taken
// off (counts, rates and times of one snapshot always do): it radix-sorts 12-byte key and
// position pairs in 11-bit digits, then moves each 40-byte item once. It reports false, doing
// nothing, when the keys do not fit.
func packedSort(a []Item) bool {
	n := len(a)
	min1, max1, min2, max2 := a[0].k1, a[0].k1, a[0].k2, a[0].k2
	for i := 1; i < n; i++ {
		min1, max1 = min(min1, a[i].k1), max(max1, a[i].k1)
		min2, max2 = min(min2, a[i].k2), max(max2, a[i].k2)
	}
	if max1-min1 < 0 || max2-min2 < 0 { // a range past 2^63 overflowed
		return false
	}
	b2 := bits.Len64(uint64(max2 - min2))
	width := bits.Len64(uint64(max1-min1)) + b2
	if width > 64 {
		return false
	}
	sc := packedPool.Get().(*packedScratch)
	defer packedPool.Put(sc)
	if cap(sc.keys) < n {
		sc.keys, sc.keys2 = make([]uint64, n), make([]uint64, n)
		sc.pos, sc.pos2 = make([]uint32, n), make([]uint32, n)
		sc.items = make([]Item, n)
	}
	keys, keys2, pos, pos2 := sc.keys[:n], sc.keys2[:n], sc.pos[:n], sc.pos2[:n]
	for i := range a {
		// b2 < 64: both ranges were checked to be below 2^63.
		keys[i], pos[i] = uint64(a[i].k1-min1)<<b2|uint64(a[i].k2-min2), uint32(i)
	}
	const buckets = 1 << packedBits
	var count [buckets]int
	for shift := 0; shift < width; shift += packedBits {
		count = [buckets]int{}
		for _, k := range keys {
			count[k>>shift&(buckets-1)]++
		}
		sum := 0
		for b, c := range count {
			count[b] = sum
			sum += c
		}
		for i, k := range keys {
			b := k >> shift & (buckets - 1)
			keys2[count[b]], pos2[count[b]] = k, pos[i]
			count[b]++
		}
		keys, keys2, pos, pos2 = keys2, keys, pos2, pos
	}
	items := sc.items[:n]
	for i, p := range pos {
		items[i] = a[p]
	}
	copy(a, items)
	return true
}
