package engine

import (
	"cmp"
	"net/netip"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/firewall"
	"github.com/mxtop/mxtop/engine/parse"
	"github.com/mxtop/mxtop/engine/source"
	"github.com/mxtop/mxtop/engine/store"
)

// Core is the single-threaded heart shared by the live engine and `mxtop report`: parse,
// classify and store every line, and turn the store into rows. It is not safe for concurrent
// use; the engine loop (or the report command) owns it.
type Core struct {
	parser   parse.Parser
	store    *store.Store
	cls      *classify.Classifier
	counters Counters
	status   source.Status
	ev       parse.Event

	rows          map[netip.Addr]*Row // last built row per IP, reused while the IP is unchanged
	bans          []firewall.Ban
	shapes        map[string]int64 // unmatched line shapes → count (see Unmatched)
	keepUnmatched bool
	cutoff        time.Time // lines older than this are counted as read and skipped
}

// NewCore returns a core with the given verdict rules and store limits.
func NewCore(cls classify.Config, lim store.Limits) *Core {
	return &Core{
		store: store.New(lim),
		cls:   classify.New(cls),
		rows:  make(map[netip.Addr]*Row),
	}
}

// SetParserNow sets the reference time for inferring the year of classic syslog stamps.
func (c *Core) SetParserNow(t time.Time) { c.parser.Now = t }

// KeepUnmatched makes the core group unrecognised mail-daemon lines by shape (report --unmatched).
func (c *Core) KeepUnmatched() { c.keepUnmatched, c.shapes = true, make(map[string]int64) }

// SetCutoff makes the core skip mail lines older than t (`--since`); lines with no time are kept.
func (c *Core) SetCutoff(t time.Time) { c.cutoff = t }

// Ingest processes one batch from a source and then releases it: the store copies what it
// keeps, so the source may reuse the batch's memory.
func (c *Core) Ingest(b source.Batch) {
	if b.Status != nil {
		c.status = *b.Status
		c.counters.Truncated = b.Status.Truncated
	}
	for i := range b.Lines {
		c.Line(b.Lines[i].Text, b.Lines[i].Time)
	}
	if b.Release != nil {
		b.Release()
	}
}

// Line processes one line.
func (c *Core) Line(text []byte, at time.Time) {
	c.counters.Lines++
	if !c.parser.Parse(text, at, &c.ev) {
		return
	}
	c.counters.MailLines++
	c.record(&c.ev, text)
}

// record applies one parsed mail-daemon line: skipped before the cutoff, noted when no rule
// recognised it, else added to the store. Line and the parallel path both end here, so they
// cannot drift apart.
func (c *Core) record(ev *parse.Event, raw []byte) {
	if !c.cutoff.IsZero() && !ev.Time.IsZero() && ev.Time.Before(c.cutoff) {
		return
	}
	if ev.Kind == parse.Unknown {
		c.counters.Unmatched++
		if c.keepUnmatched {
			c.noteUnmatched(ev)
		}
		return
	}
	c.counters.Events += int64(c.store.Add(ev, raw))
}

// Store returns the store (for reading between Ingest calls).
func (c *Core) Store() *store.Store { return c.store }

// Classifier returns the verdict rules in force.
func (c *Core) Classifier() *classify.Classifier { return c.cls }

// Counters returns the line counters.
func (c *Core) Counters() Counters {
	n := c.counters
	n.Evicted = c.store.Evicted()
	return n
}

// Status returns the source's last reported status.
func (c *Core) Status() source.Status { return c.status }

// SetClassifier replaces the verdict rules (a whitelist change) and marks every row stale.
func (c *Core) SetClassifier(cls *classify.Classifier) {
	c.cls = cls
	clear(c.rows)
}

// SetBans records the firewall's bans. Rows go stale only when the banned prefixes changed (a
// ban may cover many IPs); the firewall reports its state after every action and every minute,
// mostly with new packet counters only, and rebuilding 100,000 rows for that would be waste.
func (c *Core) SetBans(bans []firewall.Ban) {
	same := len(bans) == len(c.bans)
	for i := 0; same && i < len(bans); i++ {
		same = bans[i].Prefix == c.bans[i].Prefix
	}
	c.bans = bans
	if !same {
		clear(c.rows)
	}
}

// Rows brings the row cache up to date with the store and returns every row sorted by Total
// desc, LastSeen desc, IP asc: a total order, so rows never swap places on ties. Only IPs that
// changed since the last call get a new Row.
func (c *Core) Rows() []*Row {
	changed, removed := c.store.Drain()
	for _, a := range removed {
		delete(c.rows, a)
	}
	if len(c.rows) == 0 && c.store.Len() > 0 {
		c.buildAll()
	} else {
		for _, ip := range changed {
			if c.store.Get(ip.Addr) == ip {
				c.rows[ip.Addr] = c.row(ip)
			}
		}
	}
	out := make([]*Row, 0, len(c.rows))
	for _, r := range c.rows {
		out = append(out, r)
	}
	slices.SortFunc(out, compareRows)
	return out
}

// buildAll builds the row of every tracked IP, on every core when there are many: the first
// snapshot of a big store, and the one of `mxtop report`, where building 21,207 rows one by one
// took 26-67 ms (timed in the process). row reads the store and the classifier only.
func (c *Core) buildAll() {
	ips := make([]*store.IP, 0, c.store.Len())
	c.store.Each(func(ip *store.IP) { ips = append(ips, ip) })
	rows := make([]*Row, len(ips))
	workers := 1
	if len(ips) >= 4096 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*len(ips)/workers, (w+1)*len(ips)/workers
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				rows[i] = c.row(ips[i])
			}
		})
	}
	wg.Wait()
	c.rows = make(map[netip.Addr]*Row, len(rows))
	for _, r := range rows {
		c.rows[r.IP] = r
	}
}

func compareRows(a, b *Row) int {
	if a.Total != b.Total {
		return cmp.Compare(b.Total, a.Total)
	}
	if !a.LastSeen.Equal(b.LastSeen) {
		return b.LastSeen.Compare(a.LastSeen)
	}
	return a.IP.Compare(b.IP)
}

func (c *Core) row(ip *store.IP) *Row {
	v, reasons := c.cls.Verdict(ip)
	r := &Row{
		IP:         ip.Addr,
		Verdict:    v,
		Reasons:    reasons,
		Host:       ip.Host,
		Helo:       ip.Helo(),
		Total:      ip.Total,
		Counts:     ip.Counts,
		Seen:       SeenOf(&ip.Counts),
		RatePerMin: ip.RatePerMin(c.store.Newest()),
		FirstSeen:  ip.First,
		LastSeen:   ip.Last,
		Delivered:  ip.Delivered,
		Logins:     ip.Logins,
		Prefix:     aggregate(ip.Addr),
	}
	_, r.Whitelisted = c.cls.Ignored(ip.Addr)
	for _, b := range c.bans {
		if b.Prefix.Contains(ip.Addr) {
			r.Banned = true
			break
		}
	}
	return r
}

// aggregate returns the prefix an address is grouped under: IPv6 clients rotate through their
// /64, so the /64 is the unit of an attacker; IPv4 stays a single address.
func aggregate(a netip.Addr) netip.Prefix {
	if a.Is4() {
		return netip.PrefixFrom(a, 32)
	}
	p, _ := a.Prefix(64)
	return p
}

// Snapshot builds an immutable snapshot of the current state.
func (c *Core) Snapshot() *Snapshot {
	s := &Snapshot{
		LogTime:   c.store.Newest(),
		Source:    c.status,
		Counters:  c.Counters(),
		EventRate: c.store.EventRate(),
		Totals:    c.store.Totals(),
		Rows:      c.Rows(),
		Nets6:     c.store.Nets(),
		Bans:      slices.Clone(c.bans),
		Banned:    len(c.bans),
		Whitelist: slices.Clone(c.cls.Config().Whitelist),
	}
	return s
}
