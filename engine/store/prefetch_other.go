//go:build !amd64

package store

const canPrefetch = false

func prefetchLine(addr uintptr)   {}
func prefetchRecord(addr uintptr) {}
