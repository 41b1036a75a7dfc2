// Command memlat prints the latency of dependent random loads over an 8 MiB buffer: an L3 hit on
// a quiet machine, a trip to memory when other tenants of a shared VM fill the cache. make bench
// prints it next to each report run: mxtop's speed on this VM partly follows it (correlation 0.5
// over 24 runs), while pure arithmetic runs at the same speed in every phase.
package main

import (
	"fmt"
	"math/rand/v2"
	"time"
)

func main() {
	const n = 2 << 20 // 4-byte words: 8 MiB
	next := make([]uint32, n)
	perm := rand.New(rand.NewPCG(1, 2)).Perm(n)
	for i, p := range perm { // one cycle through every word, in random order
		next[p] = uint32(perm[(i+1)%n])
	}
	const steps = 4_000_000
	j := uint32(0)
	start := time.Now()
	for range steps {
		j = next[j]
	}
	ns := float64(time.Since(start).Nanoseconds()) / steps
	if j == n { // never: keeps the loop
		fmt.Print("")
	}
	fmt.Printf("%.0f\n", ns)
}
