package ui

import (
	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/parse"
	"github.com/mxtop/mxtop/ui/iptable"
)

// tabKind says how a tab picks its rows.
type tabKind uint8

const (
	tabAll tabKind = iota
	tabCategory
	tabScanners
	tabBanned
	tabWhitelist
)

// tab is one table tab. Its data is fixed; tabList builds a fresh slice.
type tab struct {
	title, short string
	kind         tabKind
	cats         []parse.Category      // tabCategory: the group's categories
	cols         []iptable.CountColumn // extra count columns
}

// has reports whether r belongs on the tab.
func (t *tab) has(r *engine.Row) bool {
	switch t.kind {
	case tabCategory:
		for _, c := range t.cats {
			if r.Counts[c] > 0 {
				return true
			}
		}
		return false
	case tabScanners:
		return r.Verdict == classify.Scanner
	case tabBanned:
		return r.Banned
	case tabWhitelist:
		return r.Whitelisted
	default:
		return true
	}
}

func cc(title string, cats ...parse.Category) iptable.CountColumn {
	return iptable.CountColumn{Title: title, Cats: cats}
}

// tabList returns the tabs in display order: All, the category groups of the issue, then
// Scanners, Banned and Whitelist.
func tabList() []tab {
	var (
		pre   = []parse.Category{parse.Pregreet}
		auth  = []parse.Category{parse.AuthFailed, parse.LostAfterAuth}
		tls   = []parse.Category{parse.TLSError}
		relay = []parse.Category{parse.RelayDenied}
		rej   = []parse.Category{parse.RejectRBL, parse.RejectOther, parse.DNSBL}
		proto = []parse.Category{parse.Pipelining, parse.NonSMTP, parse.BareNewline}
		hup   = []parse.Category{parse.Hangup}
	)
	groups := []iptable.CountColumn{
		cc("PRE", pre...), cc("AUTH", auth...), cc("TLS", tls...), cc("RELAY", relay...),
		cc("REJECT", rej...), cc("PROTO", proto...), cc("HANGUP", hup...),
	}
	return []tab{
		{title: "All", short: "All", kind: tabAll, cols: groups},
		{title: "PREGREET", short: "PRE", kind: tabCategory, cats: pre},
		{title: "AUTH", short: "AUTH", kind: tabCategory, cats: auth,
			cols: []iptable.CountColumn{cc("FAILED", parse.AuthFailed), cc("LOST", parse.LostAfterAuth)}},
		{title: "TLS", short: "TLS", kind: tabCategory, cats: tls},
		{title: "RELAY", short: "RELAY", kind: tabCategory, cats: relay},
		{title: "REJECT", short: "REJ", kind: tabCategory, cats: rej,
			cols: []iptable.CountColumn{cc("RBL", parse.RejectRBL), cc("OTHER", parse.RejectOther), cc("DNSBL", parse.DNSBL)}},
		{title: "PROTOCOL", short: "PROTO", kind: tabCategory, cats: proto,
			cols: []iptable.CountColumn{cc("PIPE", parse.Pipelining), cc("NONSMTP", parse.NonSMTP), cc("BARE", parse.BareNewline)}},
		{title: "HANGUP", short: "HUP", kind: tabCategory, cats: hup},
		{title: "Scanners", short: "Scan", kind: tabScanners, cols: groups},
		{title: "Banned", short: "Ban", kind: tabBanned, cols: groups},
		{title: "Whitelist", short: "WL", kind: tabWhitelist, cols: groups},
	}
}
