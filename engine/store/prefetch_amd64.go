package store

// canPrefetch says whether the prefetch functions do anything on this architecture.
const canPrefetch = true

// prefetchLine asks the CPU to bring the cache line at addr into its caches (PREFETCHT0). It
// reads and changes nothing a program can see, and never faults.
//
//go:noescape
func prefetchLine(addr uintptr)

// prefetchRecord does so for the six cache lines (384 bytes, the IP's allocation size class)
// from addr.
//
//go:noescape
func prefetchRecord(addr uintptr)
