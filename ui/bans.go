package ui

import (
	"net/netip"

	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/firewall"
	"github.com/mxtop/mxtop/ui/bantable"
)

// countBans is the Banned tab's count: every ban of the snapshot (len(Bans)), or those that
// pass the filter.
func (m Model) countBans() int {
	if m.snap == nil {
		return 0
	}
	return countIf(m.snap.Bans, m.filter.active(), m.filter.matchBan)
}

// countWhitelist is the Whitelist tab's count: every whitelisted prefix of the snapshot
// (len(Whitelist)), or those that pass the filter.
func (m Model) countWhitelist() int {
	if m.snap == nil {
		return 0
	}
	return countIf(m.snap.Whitelist, m.filter.active(),
		func(p *netip.Prefix) bool { return m.filter.matchPrefix(*p) })
}

// countIf counts the xs that match, or all of them when filtering is off.
func countIf[T any](xs []T, filtering bool, match func(*T) bool) int {
	if !filtering {
		return len(xs)
	}
	n := 0
	for i := range xs {
		if match(&xs[i]) {
			n++
		}
	}
	return n
}

// banRows builds the Banned tab's rows: every ban that passes the filter, with the events of
// the tracked IPs inside its prefix. It runs only while the Banned tab is shown.
func (m Model) banRows() []bantable.Row {
	if m.snap == nil || len(m.snap.Bans) == 0 {
		return nil
	}
	out := make([]bantable.Row, 0, len(m.snap.Bans))
	for i := range m.snap.Bans {
		if b := &m.snap.Bans[i]; !m.filter.active() || m.filter.matchBan(b) {
			out = append(out, bantable.Row{Ban: *b})
		}
	}
	tallyInside(out, m.snap.Rows)
	return out
}

// whitelistRows builds the Whitelist tab's rows: every whitelisted prefix that passes the
// filter, tracked IPs inside or not, with the events of the tracked IPs inside it. It runs only
// while the Whitelist tab is shown.
func (m Model) whitelistRows() []bantable.Row {
	if m.snap == nil || len(m.snap.Whitelist) == 0 {
		return nil
	}
	out := make([]bantable.Row, 0, len(m.snap.Whitelist))
	for _, p := range m.snap.Whitelist {
		if !m.filter.active() || m.filter.matchPrefix(p) {
			out = append(out, bantable.Row{Ban: firewall.Ban{Prefix: p}})
		}
	}
	tallyInside(out, m.snap.Rows)
	return out
}

// tallyInside adds to each of out the tracked rows inside its prefix and their events. Row
// flags (Banned, Whitelisted) are not trusted for that sum (an unchanged row is reused from an
// older snapshot), so every row is looked up: single addresses in a map, wider prefixes (/24,
// /64: few) one by one.
func tallyInside(out []bantable.Row, rows []*engine.Row) {
	single := make(map[netip.Addr]int, len(out))
	var wide []int
	for i := range out {
		p := out[i].Ban.Prefix.Masked()
		if p.IsSingleIP() {
			if _, dup := single[p.Addr()]; !dup {
				single[p.Addr()] = i
			}
		} else if p.IsValid() {
			wide = append(wide, i)
		}
	}
	for _, r := range rows {
		if i, ok := single[r.IP]; ok {
			out[i].Events += r.Total
			out[i].IPs++
		}
		for _, i := range wide {
			if out[i].Ban.Prefix.Contains(r.IP) {
				out[i].Events += r.Total
				out[i].IPs++
			}
		}
	}
}

// matchBan reports whether b passes the filter: its prefix does (matchPrefix), or the filter
// is a substring of its reason or verdict.
func (f filter) matchBan(b *firewall.Ban) bool {
	if f.matchPrefix(b.Prefix) {
		return true
	}
	return !f.prefix.IsValid() && !f.addr.IsValid() &&
		(containsFold(b.Reason, f.sub) || containsFold(b.Verdict, f.sub))
}

// matchPrefix reports whether p passes the filter: an IP inside it, a CIDR overlapping it, or
// a substring of it.
func (f filter) matchPrefix(p netip.Prefix) bool {
	switch {
	case f.raw == "":
		return true
	case f.prefix.IsValid():
		return f.prefix.Overlaps(p)
	case f.addr.IsValid():
		return p.Contains(f.addr)
	}
	return containsFold(p.String(), f.sub)
}
