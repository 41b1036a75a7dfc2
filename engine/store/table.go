package store

import (
	"encoding/binary"
	"net/netip"
)

// ipTable maps client addresses to their aggregates. Every line with a client pays one lookup,
// and nearly all clients are IPv4: keyed by its four bytes, a lookup hashes and compares 4 bytes
// instead of a 24-byte netip.Addr.
type ipTable struct {
	v4 map[uint32]*IP
	v6 map[netip.Addr]*IP
}

func newIPTable() ipTable {
	return ipTable{v4: make(map[uint32]*IP), v6: make(map[netip.Addr]*IP)}
}

func key4(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

func (t *ipTable) get(a netip.Addr) *IP {
	if a.Is4() {
		return t.v4[key4(a)]
	}
	return t.v6[a]
}

func (t *ipTable) put(ip *IP) {
	if ip.Addr.Is4() {
		t.v4[key4(ip.Addr)] = ip
	} else {
		t.v6[ip.Addr] = ip
	}
}

func (t *ipTable) remove(a netip.Addr) {
	if a.Is4() {
		delete(t.v4, key4(a))
	} else {
		delete(t.v6, a)
	}
}

func (t *ipTable) len() int { return len(t.v4) + len(t.v6) }

func (t *ipTable) each(f func(*IP)) {
	for _, ip := range t.v4 {
		f(ip)
	}
	for _, ip := range t.v6 {
		f(ip)
	}
}
