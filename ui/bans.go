package ui

import (
	"net/netip"

	"github.com/mxtop/mxtop/engine/firewall"
	"github.com/mxtop/mxtop/ui/bantable"
)

// countBans is the Banned tab's count: every ban of the snapshot (len(Bans)), or those that
// pass the filter.
func (m Model) countBans() int {
	if m.snap == nil {
		return 0
	}
	if !m.filter.active() {
		return len(m.snap.Bans)
	}
	n := 0
	for i := range m.snap.Bans {
		if m.filter.matchBan(&m.snap.Bans[i]) {
			n++
		}
	}
	return n
}

// banRows builds the Banned tab's rows: every ban that passes the filter, with the events of
// the tracked IPs inside its prefix. Row.Banned is not trusted for that sum (an unchanged row
// is reused from an older snapshot), so every row is looked up: single-address bans in a map,
// wider prefixes (/24, /64: few) one by one. It runs only while the Banned tab is shown.
func (m Model) banRows() []bantable.Row {
	if m.snap == nil || len(m.snap.Bans) == 0 {
		return nil
	}
	out := make([]bantable.Row, 0, len(m.snap.Bans))
	single := make(map[netip.Addr]int, len(m.snap.Bans))
	var wide []int
	for i := range m.snap.Bans {
		b := &m.snap.Bans[i]
		if m.filter.active() && !m.filter.matchBan(b) {
			continue
		}
		p := b.Prefix.Masked()
		if p.IsSingleIP() {
			if _, dup := single[p.Addr()]; !dup {
				single[p.Addr()] = len(out)
			}
		} else if p.IsValid() {
			wide = append(wide, len(out))
		}
		out = append(out, bantable.Row{Ban: *b})
	}
	for _, r := range m.snap.Rows {
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
	return out
}

// matchBan reports whether b passes the filter: an IP inside it, a CIDR overlapping it, or a
// substring of its prefix, reason or verdict.
func (f filter) matchBan(b *firewall.Ban) bool {
	switch {
	case f.raw == "":
		return true
	case f.prefix.IsValid():
		return f.prefix.Overlaps(b.Prefix)
	case f.addr.IsValid():
		return b.Prefix.Contains(f.addr)
	}
	return containsFold(b.Prefix.String(), f.sub) || containsFold(b.Reason, f.sub) ||
		containsFold(b.Verdict, f.sub)
}
