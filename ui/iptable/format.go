package iptable

import (
	"strconv"
	"time"

	"charm.land/bubbles/v2/table"
	"charm.land/lipgloss/v2"

	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/parse"
	"github.com/mxtop/mxtop/ui/sanitize"
)

// CountColumn is one per-category count column: the sum of Cats under Title.
type CountColumn struct {
	Title string
	Cats  []parse.Category
}

// Styles are the table's styles. Colour is never the only signal: the verdict and state are
// also spelled out, so NO_COLOR terminals and ANSI-stripped goldens show the same information.
type Styles struct {
	Header      lipgloss.Style
	Cell        lipgloss.Style
	Selected    lipgloss.Style
	Empty       lipgloss.Style
	Verdict     [classify.Unknown + 1]lipgloss.Style // indexed by classify.Verdict
	Banned      lipgloss.Style
	Whitelisted lipgloss.Style
}

// column ids; a layout is the list of visible columns with their widths.
type colID uint8

const (
	colIP colID = iota
	colVerdict
	colHost
	colTotal
	colCount // the n-th CountColumn; see col.count
	colRate
	colFirst
	colLast
	colState
)

type col struct {
	id    colID
	count int // index into the CountColumns for colCount
	width int
	title string
}

// fixed column widths (content only; the cell style adds one space of padding each side).
const (
	verdictWidth = 10
	numWidth     = 7
	rateWidth    = 6
	timeWidth    = 5
	stateWidth   = 5
	minHostWidth = 16
	cellPadding  = 2
)

// layout picks the columns that fit width, dropping the least useful first: first seen, rate,
// then the per-category count columns from the right, and gives the rest to the host column.
func layout(width, ipWidth int, counts []CountColumn) []col {
	// A long IPv6 address may not push the must-have columns off an 80-column screen; it is
	// cut with … instead (its /64 is what matters for a ban anyway).
	must := verdictWidth + minHostWidth + numWidth + 2*timeWidth + stateWidth - timeWidth + 6*cellPadding
	ipWidth = min(ipWidth, max(width-must, 15))
	cols := []col{{id: colIP, width: ipWidth, title: "IP"}, {id: colVerdict, width: verdictWidth, title: "VERDICT"}}
	host := col{id: colHost, title: "HOST / HELO"}
	tail := []col{{id: colTotal, width: numWidth, title: "TOTAL"}}
	for i, c := range counts {
		tail = append(tail, col{id: colCount, count: i, width: numWidth, title: c.Title})
	}
	tail = append(tail,
		col{id: colRate, width: rateWidth, title: "EV/MIN"},
		col{id: colFirst, width: timeWidth, title: "FIRST"},
		col{id: colLast, width: timeWidth, title: "LAST"},
		col{id: colState, width: stateWidth, title: "STATE"})
	used := func(cs []col) int {
		n := 0
		for _, c := range cs {
			n += c.width + cellPadding
		}
		return n
	}
	drop := func(id colID) {
		for i := len(tail) - 1; i >= 0; i-- {
			if tail[i].id == id {
				tail = append(tail[:i], tail[i+1:]...)
				return
			}
		}
	}
	for _, id := range []colID{colFirst, colRate} {
		if used(cols)+used(tail)+minHostWidth+cellPadding <= width {
			break
		}
		drop(id)
	}
	for used(cols)+used(tail)+minHostWidth+cellPadding > width {
		before := len(tail)
		drop(colCount)
		if len(tail) == before {
			break
		}
	}
	host.width = max(minHostWidth, width-used(cols)-used(tail)-cellPadding)
	return append(append(cols, host), tail...)
}

// columns converts a layout to bubbles table columns, marking the sort column.
func columns(cs []col, key SortKey, reverse bool) []table.Column {
	out := make([]table.Column, len(cs))
	arrow := "▼"
	if reverse {
		arrow = "▲"
	}
	for i, c := range cs {
		title := c.title
		if sortColumn(c.id, key) {
			title += arrow
		}
		out[i] = table.Column{Title: title, Width: c.width}
	}
	return out
}

func sortColumn(id colID, key SortKey) bool {
	switch key {
	case ByCount:
		return id == colTotal
	case ByRate:
		return id == colRate
	case ByLastSeen:
		return id == colLast
	case ByFirstSeen:
		return id == colFirst
	case ByVerdict:
		return id == colVerdict
	default:
		return id == colIP
	}
}

// cells formats one row for the visible window. plain drops per-cell colours: the selected row
// is styled as a whole, and an inner colour reset would cut its highlight short.
func (m *Model) cells(r *engine.Row, plain bool) table.Row {
	out := make(table.Row, len(m.cols))
	for i, c := range m.cols {
		var s string
		switch c.id {
		case colIP:
			s = r.IP.String()
		case colVerdict:
			s = r.Verdict.String()
			if !plain {
				s = m.styles.Verdict[min(r.Verdict, classify.Unknown)].Render(s)
			}
		case colHost:
			s = HostOrHelo(r)
		case colTotal:
			s = strconv.FormatInt(m.tabCount(r), 10)
		case colCount:
			s = strconv.FormatInt(Count(r, m.counts[c.count].Cats), 10)
		case colRate:
			s = strconv.FormatFloat(r.RatePerMin, 'f', 1, 64)
		case colFirst:
			s = Ago(m.now, r.FirstSeen)
		case colLast:
			s = Ago(m.now, r.LastSeen)
		case colState:
			s = m.state(r, plain)
		}
		out[i] = s
	}
	return out
}

// tabCount is the TOTAL column: every event in the All tab, the tab's categories elsewhere.
func (m *Model) tabCount(r *engine.Row) int64 { return Count(r, m.cats) }

func (m *Model) state(r *engine.Row, plain bool) string {
	switch {
	case r.Banned:
		if plain {
			return "BAN"
		}
		return m.styles.Banned.Render("BAN")
	case r.Whitelisted:
		if plain {
			return "WL"
		}
		return m.styles.Whitelisted.Render("WL")
	default:
		return ""
	}
}

// HostOrHelo is the name column: the reverse-DNS name, else the HELO in brackets, sanitised.
func HostOrHelo(r *engine.Row) string {
	switch {
	case r.Host != "" && r.Host != "unknown":
		return sanitize.Text(r.Host)
	case r.Helo != "":
		return "[" + sanitize.Text(r.Helo) + "]"
	default:
		return ""
	}
}

// Ago formats how long before now t was, in one unit: 12s, 5m, 3h, 4d; "-" for a zero t.
func Ago(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := max(now.Sub(t), 0)
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	default:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
}
