package store

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
)

// ipTable maps client addresses to their aggregates. Every line with a client pays one lookup,
// and nearly all clients are IPv4: those live in v4, an open-addressing table keyed by the
// address's four bytes, where a lookup reads one 16-byte slot (key and pointer side by side)
// instead of a Go map's control word, key and value. IPv6 clients use a plain map.
type ipTable struct {
	v4 table4
	v6 map[netip.Addr]*IP
}

func newIPTable() ipTable {
	return ipTable{v4: newTable4(), v6: make(map[netip.Addr]*IP)}
}

func key4(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

func (t *ipTable) get(a netip.Addr) *IP {
	if a.Is4() {
		return t.v4.get(key4(a))
	}
	return t.v6[a]
}

func (t *ipTable) put(ip *IP) {
	if ip.Addr.Is4() {
		t.v4.put(key4(ip.Addr), ip)
	} else {
		t.v6[ip.Addr] = ip
	}
}

func (t *ipTable) remove(a netip.Addr) {
	if a.Is4() {
		t.v4.remove(key4(a))
	} else {
		delete(t.v6, a)
	}
}

func (t *ipTable) len() int { return t.v4.n + len(t.v6) }

func (t *ipTable) each(f func(*IP)) {
	for _, s := range t.v4.slots {
		if s.ip != nil {
			f(s.ip)
		}
	}
	for _, ip := range t.v6 {
		f(ip)
	}
}

// table4 is a linear-probing hash table from IPv4 address to aggregate, at most half full. A
// slot is empty when its ip is nil. The hash is seeded per table, so that an attacker who picks
// source addresses cannot pile them into one probe run.
type table4 struct {
	slots []slot4
	n     int
	shift uint // 64 - log2(len(slots))
	seed  uint64
}

type slot4 struct {
	key uint32
	ip  *IP
}

const table4MinBits = 10

func newTable4() table4 {
	return table4{slots: make([]slot4, 1<<table4MinBits), shift: 64 - table4MinBits, seed: rand.Uint64()}
}

// home is the slot where a key's probe run starts: a seeded multiplicative hash whose top bits
// index the table.
func (t *table4) home(k uint32) int {
	h := (uint64(k) ^ t.seed) * 0x9e3779b97f4a7c15
	h ^= h >> 32
	h *= 0xd6e8feb86659fd93
	return int(h >> t.shift)
}

func (t *table4) get(k uint32) *IP {
	mask := len(t.slots) - 1
	for i := t.home(k); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.ip == nil || s.key == k {
			return s.ip
		}
	}
}

// put inserts or replaces k's aggregate.
func (t *table4) put(k uint32, ip *IP) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	mask := len(t.slots) - 1
	for i := t.home(k); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.ip == nil {
			*s = slot4{k, ip}
			t.n++
			return
		}
		if s.key == k {
			s.ip = ip
			return
		}
	}
}

func (t *table4) grow() {
	old := t.slots
	t.slots = make([]slot4, 2*len(old))
	t.shift--
	t.n = 0
	for _, s := range old {
		if s.ip != nil {
			t.put(s.key, s.ip)
		}
	}
}

// remove deletes k, then shifts later members of the probe run back into the hole (no
// tombstones: lookups never walk over deleted slots, however many IPs were evicted).
func (t *table4) remove(k uint32) {
	mask := len(t.slots) - 1
	i := t.home(k)
	for ; ; i = (i + 1) & mask {
		if t.slots[i].ip == nil {
			return // absent
		}
		if t.slots[i].key == k {
			break
		}
	}
	t.n--
	for j := i; ; {
		t.slots[i] = slot4{}
		for {
			j = (j + 1) & mask
			if t.slots[j].ip == nil {
				return
			}
			// The member at j may move into the hole at i unless its home lies cyclically
			// in (i, j]: then it would end up before its home.
			h := t.home(t.slots[j].key)
			if (j > i && (h <= i || h > j)) || (j < i && h <= i && h > j) {
				break
			}
		}
		t.slots[i] = t.slots[j]
		i = j
	}
}
