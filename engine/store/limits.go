package store

// Limits bound the store's memory. Zero fields take the defaults below.
type Limits struct {
	// MaxIPs is the number of client IPs tracked; past it the least recently updated are
	// evicted, 1% of the cap at a time (their events stay in the category totals).
	MaxIPs int
	// MaxLinesPerIP is the raw lines kept per IP for the drill-down (a ring: newest kept).
	MaxLinesPerIP int
	// MaxLineBytes caps the bytes of raw lines kept over all IPs; past it the raw lines of the
	// least recently seen IPs are dropped first (their counters stay).
	MaxLineBytes int64
	// NoLines keeps no raw lines at all (mxtop report needs none).
	NoLines bool
}

// Defaults. 200,000 IPs at ~400 B of counters each is ~80 MB worst case, sized for a
// week-long botnet wave; 200 lines give a full picture of one attacker's behaviour; 64 MiB of
// raw text keeps the drill-down rich while the whole process stays well under 200 MB.
const (
	DefaultMaxIPs        = 200_000
	DefaultMaxLinesPerIP = 200
	DefaultMaxLineBytes  = 64 << 20
)
