package engine

import (
	"net/netip"
	"time"

	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/firewall"
	"github.com/mxtop/mxtop/engine/parse"
	"github.com/mxtop/mxtop/engine/source"
	"github.com/mxtop/mxtop/engine/store"
)

// RateWindow is how many one-second buckets of attack events a snapshot carries for the header
// sparkline: five minutes, enough to see a wave build up.
const RateWindow = 300

// Snapshot is the engine's state at one moment. It is immutable once published: the UI may
// keep it and read it from any goroutine, and nothing in it is shared with the engine's store.
type Snapshot struct {
	Seq     uint64        // increases by one per published snapshot
	Taken   time.Time     // wall-clock time of publication
	LogTime time.Time     // newest timestamp read from the log
	Source  source.Status // the source's state ("following container mailserver", …)

	Counters Counters
	// LinesPerSec and EventsPerSec are averaged over the last few seconds of wall-clock time.
	LinesPerSec, EventsPerSec float64
	// EventRate holds attack events per second over the last RateWindow seconds of log time,
	// oldest first; the header draws it as a sparkline.
	EventRate []int64
	// Totals are attack events per category over every IP ever seen (evicted ones included).
	Totals [parse.NumCategories]int64

	// Rows holds every tracked client IP, sorted by Total desc, LastSeen desc, IP asc. Rows of
	// IPs that did not change since the previous snapshot are the same pointers, so building a
	// snapshot costs O(changed IPs), not O(tracked IPs); never modify a Row.
	Rows []*Row

	// Nets6 are the IPv6 /64s with more than one client, most events first: an attacker
	// rotating addresses inside its /64 shows up here as one source.
	Nets6 []store.Net

	Bans        []firewall.Ban // active bans, newest first
	Banned      int            // len(Bans)
	Whitelist   []netip.Prefix // the operator's whitelist (configured and added at run time)
	ReadOnly    bool           // actions are disabled
	FirewallErr string         // last firewall problem, one line, empty when none
	// FirewallWarnings are standing problems, e.g. "DOCKER-USER is not jumped to from FORWARD:
	// bans are not enforced".
	FirewallWarnings []string
}

// Counters are the pipeline's line counters.
type Counters struct {
	Lines     int64 // lines read
	MailLines int64 // lines written by a mail daemon (Postfix, Dovecot)
	Events    int64 // attack events counted
	Unmatched int64 // mail-daemon lines no rule recognised
	Truncated int64 // lines cut at the line-length cap
	Evicted   int64 // IPs dropped from the store at its cap (their totals stay in Totals)
}

// Row is one client IP's aggregate, as the tables show it.
type Row struct {
	IP      netip.Addr
	Verdict classify.Verdict
	// Seen has bit c set when Counts[c] > 0 (SeenOf). The UI sorts 100,000 rows into their
	// tabs by it on every snapshot without reading twelve counters, two more cache lines, per row.
	Seen    uint16
	Reasons []string // why the verdict, human-readable, most important first
	Host    string   // reverse-DNS name as Postfix logged it; "" when unknown (raw log text: escape before display)
	Helo    string   // last HELO name seen (raw log text: escape before display)
	Total   int64    // attack events over all categories
	Counts  [parse.NumCategories]int64
	// RatePerMin is attack events per minute over the last ten minutes of log time.
	RatePerMin  float64
	FirstSeen   time.Time
	LastSeen    time.Time
	Delivered   int          // messages accepted from it that reached status=sent/delivered
	Logins      int          // successful SASL/IMAP/POP3 logins
	Prefix      netip.Prefix // the IPv6 /64 (or IPv4 /32) it is aggregated under
	Banned      bool
	Whitelisted bool
}

// RawLine is one log line kept for an IP's drill-down. Text is raw log text: escape it before
// it reaches a terminal.
type RawLine struct {
	Time     time.Time
	Category parse.Category // None for echo, info and evidence lines
	Text     string
}

// Row.Seen holds one bit per category.
var _ [16 - parse.NumCategories]struct{}

// SeenOf returns the set of categories with a non-zero count, one bit per category: Row.Seen.
func SeenOf(counts *[parse.NumCategories]int64) uint16 {
	var set uint16
	for c, n := range counts {
		if n > 0 {
			set |= 1 << c
		}
	}
	return set
}

// CategoryCounts returns the non-zero counts by category name, the shape of the JSON contract
// and of a ban's evidence: {"pregreet": 5}.
func CategoryCounts(counts [parse.NumCategories]int64) map[string]int64 {
	m := make(map[string]int64)
	for _, c := range parse.Categories {
		if n := counts[c]; n > 0 {
			m[c.String()] = n
		}
	}
	return m
}
