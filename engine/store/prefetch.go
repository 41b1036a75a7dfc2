package store

import (
	"unsafe"

	"github.com/mxtop/mxtop/engine/parse"
)

// prefetchDistance is how many events ahead of the one being added Prefetch fetches a record;
// the table slot it needs is fetched twice as far ahead. In alternating runs of IngestAll on the
// 5M demo log every distance from 2 to 32 beat prefetching nothing ahead, by 3-5 %, and none of
// them the others beyond the noise; 8 is in the middle.
const prefetchDistance = 8

// prefetchRecord fetches six cache lines: an IP must fit in them.
var _ [6*64 - unsafe.Sizeof(IP{})]struct{}

// Prefetch is for a loop that Adds evs in order: called before it adds evs[i], it asks the CPU
// to fetch the table slot of the IPv4 client prefetchDistance*2 events ahead and the record of
// the one prefetchDistance ahead, whose slot an earlier call fetched. With tens of thousands of
// clients, nearly every Add otherwise waits for memory twice in a row, for the slot and then
// for the record: a CPU profile of `mxtop report` put those two loads at about 15 % of its CPU
// time. Prefetch only hints and changes nothing, so a slot or record that moves before its Add
// is harmless.
func (s *Store) Prefetch(evs []parse.Event, i int) {
	if !canPrefetch {
		return
	}
	t := &s.ips.v4
	if j := i + 2*prefetchDistance; j < len(evs) && evs[j].IP.Is4() {
		prefetchLine(uintptr(unsafe.Pointer(&t.slots[t.home(key4(evs[j].IP))])))
	}
	if j := i + prefetchDistance; j < len(evs) && evs[j].IP.Is4() {
		k := key4(evs[j].IP)
		if sl := &t.slots[t.home(k)]; sl.key == k && sl.ip != nil {
			prefetchRecord(uintptr(unsafe.Pointer(sl.ip)))
		}
	}
}
