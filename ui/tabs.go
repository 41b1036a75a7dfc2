package ui

import (
	mathbits "math/bits"

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

// histTabs is how many tabs rebuildRows counts through a histogram of tab sets (2^histTabs
// counters); the bits of any further tabs are counted one by one.
const histTabs = 11

// addBits adds 1 to counts[off+i] for every bit i set in bits.
func addBits(counts []int, bits uint32, off int) { addBitsN(counts, bits, off, 1) }

// addBitsN adds n to counts[off+i] for every bit i set in bits.
func addBitsN(counts []int, bits uint32, off, n int) {
	for ; bits != 0; bits &= bits - 1 {
		if i := off + mathbits.TrailingZeros32(bits); i < len(counts) {
			counts[i] += n
		}
	}
}

// The category bits of a row are looked up a byte at a time.
var _ [16 - parse.NumCategories]struct{}

// tabIndex tells which tabs a row is on, one bit per index into the tab list, without a loop
// over the tabs or a branch per category: the categories a row has events in form a 16-bit
// set, and two 256-entry tables give the tabs of its low and high byte.
type tabIndex struct {
	fixed   uint32 // tabs every row is on (All)
	byCats  [2][256]uint32
	scanner uint32 // tabs of scanner rows
}

func newTabIndex(tabs []tab) *tabIndex {
	var catTabs [parse.NumCategories]uint32
	x := &tabIndex{}
	for i, t := range tabs {
		switch t.kind {
		case tabAll:
			x.fixed |= 1 << i
		case tabCategory:
			for _, c := range t.cats {
				catTabs[c] |= 1 << i
			}
		case tabScanners:
			x.scanner |= 1 << i
		case tabBanned, tabWhitelist: // list the snapshot's bans and whitelist, not rows
		}
	}
	for half := range x.byCats {
		for v := range 256 {
			for b := range 8 {
				if c := half*8 + b; v>>b&1 != 0 && c < parse.NumCategories {
					x.byCats[half][v] |= catTabs[c]
				}
			}
		}
	}
	return x
}

// mask returns the set of tabs r is on. It reads r.Seen, not r.Counts: on a snapshot of
// 100,000 rows the counters' two cache lines per row were a fifth of rebuildRows.
func (x *tabIndex) mask(r *engine.Row) uint32 {
	nz := uint32(r.Seen) &^ (1 << parse.None) // None is no tab's category
	m := x.fixed | x.byCats[0][nz&0xff] | x.byCats[1][nz>>8&0xff]
	if r.Verdict == classify.Scanner {
		m |= x.scanner
	}
	return m
}
