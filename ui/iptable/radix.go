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
	// Items with equal keys are now adjacent; order each such run by IP. Runs are short on
	// live data (rates and counts differ), so this costs far less than radix passes over the
	// 16 IP bytes.
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
