// Package store aggregates parsed events per client IP: counters per category, first and last
// seen (log time), a ten-minute rate window, host and HELO names, delivered mail and logins, and
// a bounded ring of raw lines. It also joins lines that belong together: an smtpd session's
// disconnect summary to its SASL failures, and a queue ID's delivery to the client that sent it.
//
// Store is not safe for concurrent use; the engine loop owns it. Time comes only from the
// events, so a store fed the same lines always ends in the same state.
package store

import (
	"cmp"
	"net/netip"
	"slices"
	"time"

	"github.com/mxtop/mxtop/engine/parse"
)

// Line is one raw line kept for an IP's drill-down.
type Line struct {
	Time     time.Time
	Category parse.Category
	Text     string
}

// maxHelos is the number of distinct HELO names kept per IP: enough to show a bot rotating
// names without letting one IP grow the store.
const maxHelos = 4

// IP is one client's aggregate. Fields are read by the engine between Adds; never modify them.
type IP struct {
	// The fields every line touches come first, to share as few cache lines as possible: with
	// tens of thousands of IPs the store is bound by memory, not by instructions.
	Addr netip.Addr
	// Version increases whenever the IP changes, so a reader can rebuild only changed rows. It
	// also orders IPs by recency for eviction.
	Version uint64
	Total   int64
	First   time.Time
	Last    time.Time
	Host    string   // reverse-DNS name as Postfix logged it ("" = none or "unknown")
	Helos   []string // distinct HELO names, first seen first, at most maxHelos
	Counts  [parse.NumCategories]int64

	Delivered int
	Logins    int

	minutes    [rateMinutes]int32 // attack events per minute of log time, ring indexed by minute
	minuteLast int64              // the unix minute of the newest bucket written
	lines      []Line             // ring of raw lines
	lineHead   int                // index of the oldest line once the ring is full
	lineBytes  int
	lastSec    int64 // Last as timeKey
	lastNsec   int32
	heloSum    uint64 // parse.Event.HeloSum of the last HELO, 0 when unknown
	// net is an IPv6 client's /64 aggregate, nil for IPv4. It stays in the store's v6 map as
	// long as one of its addresses is tracked, so a tracked IP's net is always the map's.
	net *Net
}

// Helo returns the last HELO name seen, "" when none.
func (ip *IP) Helo() string {
	if len(ip.Helos) == 0 {
		return ""
	}
	return ip.Helos[len(ip.Helos)-1]
}

const rateMinutes = 10

// RatePerMin returns the attack events per minute over the ten minutes of log time up to now.
func (ip *IP) RatePerMin(now time.Time) float64 {
	nowMin := now.Unix() / 60
	var sum int64
	for m := nowMin - rateMinutes + 1; m <= nowMin; m++ {
		if m > ip.minuteLast || m <= ip.minuteLast-rateMinutes {
			continue
		}
		sum += int64(ip.minutes[m%rateMinutes])
	}
	return float64(sum) / rateMinutes
}

// Lines returns a copy of the kept raw lines, oldest first.
func (ip *IP) Lines() []Line {
	out := make([]Line, 0, len(ip.lines))
	out = append(out, ip.lines[ip.lineHead:]...)
	return append(out, ip.lines[:ip.lineHead]...)
}

// sessionSet holds the smtpd sessions (pid and client) that logged a SASL failure or a lost
// connection after AUTH, until their disconnect summary. A sixth of a log's lines look it up:
// IPv4 sessions are keyed by one word, which the map hashes and compares in a few
// instructions, where a pid and a netip.Addr made a 32-byte key.
type sessionSet struct {
	v4 map[uint64]struct{} // pid<<32 | address
	v6 map[sessionKey]struct{}
}

type sessionKey struct {
	pid int32
	ip  netip.Addr
}

func newSessionSet() sessionSet {
	return sessionSet{v4: make(map[uint64]struct{}), v6: make(map[sessionKey]struct{})}
}

func (s *sessionSet) add(pid int32, ip netip.Addr) {
	if len(s.v4)+len(s.v6) >= maxSessions {
		clear(s.v4)
		clear(s.v6)
	}
	if ip.Is4() {
		s.v4[uint64(uint32(pid))<<32|uint64(key4(ip))] = struct{}{}
	} else {
		s.v6[sessionKey{pid, ip}] = struct{}{}
	}
}

// take reports whether the session was added, and forgets it.
func (s *sessionSet) take(pid int32, ip netip.Addr) bool {
	if ip.Is4() {
		k := uint64(uint32(pid))<<32 | uint64(key4(ip))
		_, ok := s.v4[k]
		if ok {
			delete(s.v4, k)
		}
		return ok
	}
	k := sessionKey{pid, ip}
	_, ok := s.v6[k]
	if ok {
		delete(s.v6, k)
	}
	return ok
}

// Bounds of the join tables. A session normally ends with its disconnect line and a queue ID
// with its delivery; these caps only matter for logs cut mid-session, where the tables are reset
// rather than grown without bound.
const (
	maxSessions = 1 << 16
	maxQueueIDs = 1 << 16
)

// queueKey is a Postfix queue ID as a key of the queue join: its bytes, zero-padded. Inside the
// map's own slots, a lookup reads no string elsewhere in memory and a message allocates nothing
// (a string key did both: 2 % of a report's CPU, by perf).
type queueKey [24]byte

// queueKeyOf returns id's key. Queue IDs are 5 to 20 letters and digits (parse's bound), never a
// zero byte, so padding cannot make two IDs equal; a longer or empty id has no key.
func queueKeyOf(id []byte) (k queueKey, ok bool) {
	if len(id) == 0 || len(id) > len(k) {
		return k, false
	}
	copy(k[:], id)
	return k, true
}

// Store holds every tracked IP.
type Store struct {
	lim       Limits
	ips       ipTable
	last      *IP    // the IP of the previous line: a session's lines come in runs
	byAge     []aged // scratch for evictOldest and trimLines
	totals    [parse.NumCategories]int64
	events    int64
	evicted   int64
	lineBytes int64
	version   uint64
	drainedAt uint64 // s.version at the last Drain
	newest    time.Time
	// newest as timeKey
	newestSec  int64
	newestNsec int32
	sessions   sessionSet
	queue      map[queueKey]netip.Addr
	changed    []*IP
	removed    []netip.Addr

	v6 map[netip.Prefix]*Net // IPv6 clients aggregated per /64: rotating through a /64 is one attacker

	secRing [RateSeconds]int64 // attack events per second of log time
	secLast int64              // the unix second of the newest bucket
}

// RateSeconds is the length of the per-second event history (the header sparkline).
const RateSeconds = 300

// New returns an empty store with lim's zero fields set to the defaults.
func New(lim Limits) *Store {
	if lim.MaxIPs <= 0 {
		lim.MaxIPs = DefaultMaxIPs
	}
	if lim.MaxLinesPerIP <= 0 {
		lim.MaxLinesPerIP = DefaultMaxLinesPerIP
	}
	if lim.MaxLineBytes <= 0 {
		lim.MaxLineBytes = DefaultMaxLineBytes
	}
	return &Store{
		lim:      lim,
		ips:      newIPTable(),
		sessions: newSessionSet(),
		queue:    make(map[queueKey]netip.Addr),
		v6:       make(map[netip.Prefix]*Net),
	}
}

// Net is the aggregate of the IPv6 clients in one /64.
type Net struct {
	Prefix netip.Prefix
	IPs    int   // tracked addresses in it
	Total  int64 // attack events from it, evicted addresses included
	Last   time.Time
}

// Nets returns the /64 aggregates that hold more than one address, most events first. The
// values are copies.
func (s *Store) Nets() []Net {
	var out []Net
	for _, n := range s.v6 {
		if n.IPs > 1 {
			out = append(out, *n)
		}
	}
	slices.SortFunc(out, func(a, b Net) int {
		if a.Total != b.Total {
			return cmp.Compare(b.Total, a.Total)
		}
		return a.Prefix.Addr().Compare(b.Prefix.Addr())
	})
	return out
}

func net64(a netip.Addr) netip.Prefix {
	p, _ := a.Prefix(64)
	return p
}

// Get returns the aggregate of addr, nil when it is not tracked.
func (s *Store) Get(addr netip.Addr) *IP { return s.ips.get(addr) }

// Len returns the number of tracked IPs.
func (s *Store) Len() int { return s.ips.len() }

// Totals returns attack events per category over every IP ever added, evicted ones included.
func (s *Store) Totals() [parse.NumCategories]int64 { return s.totals }

// Events returns the attack events counted so far.
func (s *Store) Events() int64 { return s.events }

// KeepsLines reports whether Add keeps raw lines (Limits.NoLines unset); when not, its raw
// argument may be nil.
func (s *Store) KeepsLines() bool { return !s.lim.NoLines }

// Evicted returns how many IPs were dropped at the MaxIPs cap.
func (s *Store) Evicted() int64 { return s.evicted }

// Newest returns the newest log time seen.
func (s *Store) Newest() time.Time { return s.newest }

// Each calls f for every tracked IP, in no particular order.
func (s *Store) Each(f func(*IP)) {
	s.ips.each(f)
}

// Drain returns the IPs changed and the addresses evicted since the last Drain. Apply removed
// first: an IP may be evicted and then seen again, and changed then holds its new aggregate.
func (s *Store) Drain() (changed []*IP, removed []netip.Addr) {
	changed, removed = s.changed, s.removed
	s.changed, s.removed = nil, nil
	s.drainedAt = s.version
	return changed, removed
}

// EventRate returns attack events per second for the RateSeconds seconds of log time up to the
// newest, oldest first.
func (s *Store) EventRate() []int64 {
	out := make([]int64, RateSeconds)
	for i := range out {
		sec := s.secLast - RateSeconds + 1 + int64(i)
		if sec >= 0 {
			out[i] = s.secRing[sec%RateSeconds]
		}
	}
	return out
}
