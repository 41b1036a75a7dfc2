// Package bantable is the Banned tab: every ban of the snapshot, whether or not a tracked IP
// falls in it (a /24 or /64, an IP evicted from the store or never seen, a DROP rule added by
// hand), with its enforcement state, reason, age, expiry and kernel counters. The cursor follows
// its prefix across refreshes, as the attackers table follows its IP. NewList makes the same
// table for bare prefixes (the Whitelist tab): prefix, tracked IPs inside and their events.
package bantable

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/table"
	tea "charm.land/bubbletea/v2"

	"github.com/mxtop/mxtop/engine/firewall"
	"github.com/mxtop/mxtop/ui/iptable"
	"github.com/mxtop/mxtop/ui/sanitize"
)

// Row is one ban with what the tracked rows inside its prefix add up to.
type Row struct {
	Ban    firewall.Ban
	Events int64 // attack events of the tracked IPs inside the prefix
	IPs    int   // tracked IPs inside the prefix
}

// State spells out whether the kernel enforces the ban: "manual" for a hand-added DROP rule,
// "NOT ENFORCED" for a ban the state file holds but the kernel does not, else "active".
func (r *Row) State() string {
	switch {
	case r.Ban.Manual:
		return "manual"
	case !r.Ban.Active:
		return "NOT ENFORCED"
	default:
		return "active"
	}
}

// Model is the bans table. Rows are formatted only for the visible window.
type Model struct {
	keys   table.KeyMap
	styles iptable.Styles
	tbl    table.Model

	rows     []Row
	cursor   int
	top      int
	selected netip.Prefix
	now      time.Time

	width, height int
	prefixWidth   int
	cols          []col
	empty         string
	list          bool // bare prefixes (NewList): no ban columns
}

// column ids, in display order; a layout is the list of visible ones.
type colID uint8

const (
	colPrefix colID = iota
	colState
	colSince
	colExpires
	colPackets
	colBytes
	colEvents
	colReason
	colIPs
)

type col struct {
	id    colID
	title string
	width int
}

// column widths (content only; the cell style pads one space each side).
const (
	stateWidth     = 12 // "NOT ENFORCED"
	timeWidth      = 5
	expiresWidth   = 7 // "expired", "in 23h"
	counterWidth   = 5 // Human: "12.3k"
	numWidth       = 7
	minReasonWidth = 16
	minPrefixWidth = 18 // "255.255.255.255/32"
	maxPrefixWidth = 43 // an IPv6 address with /128
	cellPadding    = 2
)

// layout picks the columns that fit width, dropping the byte and then the packet counters on
// narrow screens, and gives the rest to the reason.
func layout(width, prefixWidth int) []col {
	// A long IPv6 prefix may not push the other columns off the screen: it is cut with … then.
	must := stateWidth + timeWidth + expiresWidth + numWidth + 8 + 6*cellPadding
	prefixWidth = min(prefixWidth, maxPrefixWidth, max(width-must, minPrefixWidth))
	cols := []col{
		{colPrefix, "PREFIX", prefixWidth},
		{colState, "STATE", stateWidth},
		{colSince, "SINCE", timeWidth},
		{colExpires, "EXPIRES", expiresWidth},
		{colPackets, "PKTS", counterWidth},
		{colBytes, "BYTES", counterWidth},
		{colEvents, "EVENTS", numWidth},
	}
	used := func() int {
		n := minReasonWidth + cellPadding
		for _, c := range cols {
			n += c.width + cellPadding
		}
		return n
	}
	for _, id := range []colID{colBytes, colPackets} {
		if used() <= width {
			break
		}
		cols = slices.DeleteFunc(cols, func(c col) bool { return c.id == id })
	}
	// below minReasonWidth the reason still takes what is left, so the row fits the screen
	reason := col{colReason, "REASON", max(8, width-used()+minReasonWidth)}
	return append(cols, reason)
}

// listLayout is NewList's columns: the prefix, cut with … only when the screen is narrow, the
// tracked IPs inside it and their events.
func listLayout(width, prefixWidth int) []col {
	prefixWidth = min(prefixWidth, maxPrefixWidth, max(width-2*(numWidth+cellPadding)-cellPadding, minPrefixWidth))
	return []col{{colPrefix, "PREFIX", prefixWidth}, {colIPs, "IPS", numWidth}, {colEvents, "EVENTS", numWidth}}
}

// New returns an empty bans table using keys for navigation.
func New(keys table.KeyMap, styles iptable.Styles) Model {
	return newModel(keys, styles, false, "no bans")
}

// NewList returns an empty table of bare prefixes (Row.Ban holds only the prefix), such as the
// whitelist, showing for each the tracked IPs inside it and their events.
func NewList(keys table.KeyMap, styles iptable.Styles, empty string) Model {
	return newModel(keys, styles, true, empty)
}

func newModel(keys table.KeyMap, styles iptable.Styles, list bool, empty string) Model {
	m := Model{keys: keys, styles: styles, prefixWidth: minPrefixWidth, empty: empty, list: list}
	m.cols = m.layout()
	m.tbl = table.New(
		table.WithKeyMap(keys),
		table.WithStyles(table.Styles{Header: styles.Header, Cell: styles.Cell, Selected: styles.Selected}),
	)
	return m
}

// SetSize sets the table's outer size; the header takes one line.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, max(height, 2)
	m.applyColumns()
	m.refresh()
}

// SetEmpty sets the text shown when there are no bans.
func (m *Model) SetEmpty(s string) { m.empty = s }

// SetNow sets the reference time of SINCE and EXPIRES; it takes effect with the next SetRows.
func (m *Model) SetNow(t time.Time) { m.now = t }

// Tick sets the reference time and re-formats the visible rows.
func (m *Model) Tick(t time.Time) {
	m.now = t
	m.refresh()
}

// SetRows replaces the rows (taking ownership of the slice), orders them newest ban first with
// the prefix as the tie-break (bare prefixes have no time: prefix order), and puts the cursor back on the prefix it was on; if that ban is
// gone the cursor keeps its index, clamped.
func (m *Model) SetRows(rows []Row) {
	slices.SortFunc(rows, func(a, b Row) int {
		if c := b.Ban.Since.Compare(a.Ban.Since); c != 0 {
			return c
		}
		return comparePrefix(a.Ban.Prefix, b.Ban.Prefix)
	})
	m.rows = rows
	w := minPrefixWidth
	for i := range rows {
		w = max(w, len(rows[i].Ban.Prefix.String()))
	}
	if w != m.prefixWidth {
		m.prefixWidth = w
		m.applyColumns()
	}
	m.restoreCursor()
}

func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return cmp.Compare(a.Bits(), b.Bits())
}

// Len is the number of bans shown.
func (m Model) Len() int { return len(m.rows) }

// Cursor is the index of the highlighted ban.
func (m Model) Cursor() int { return m.cursor }

// Selected returns the highlighted ban.
func (m Model) Selected() (Row, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return Row{}, false
	}
	return m.rows[m.cursor], true
}

// SelectedPrefix is the prefix the cursor follows (invalid before any ban was shown).
func (m Model) SelectedPrefix() netip.Prefix { return m.selected }

// Update moves the cursor on navigation keys and mouse wheel notches.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if n, ok := iptable.Step(msg, m.keys, max(m.height-1, 1), len(m.rows)); ok {
		m.move(n)
	}
	return m, nil
}

// View renders the header and the visible rows, formatted in Update.
func (m Model) View() string {
	if len(m.rows) == 0 {
		header, _, _ := strings.Cut(m.tbl.View(), "\n")
		return header + "\n" + m.styles.Empty.Render(m.empty)
	}
	return m.tbl.View()
}

func (m *Model) move(n int) {
	if len(m.rows) == 0 {
		return
	}
	m.cursor = min(max(m.cursor+n, 0), len(m.rows)-1)
	m.selected = m.rows[m.cursor].Ban.Prefix
	m.refresh()
}

func (m *Model) restoreCursor() {
	if m.selected.IsValid() {
		for i := range m.rows {
			if m.rows[i].Ban.Prefix == m.selected {
				m.cursor = i
				m.refresh()
				return
			}
		}
	}
	m.cursor = min(max(m.cursor, 0), max(len(m.rows)-1, 0))
	if len(m.rows) > 0 {
		m.selected = m.rows[m.cursor].Ban.Prefix
	}
	m.refresh()
}

// layout picks the columns of the table's kind for its width.
func (m *Model) layout() []col {
	if m.list {
		return listLayout(m.width, m.prefixWidth)
	}
	return layout(m.width, m.prefixWidth)
}

// applyColumns hands the layout to the bubbles table. Its rows are emptied first: rows of the
// old layout would index past the new columns. The caller re-fills them with refresh.
func (m *Model) applyColumns() {
	m.cols = m.layout()
	cols := make([]table.Column, len(m.cols))
	for i, c := range m.cols {
		cols[i] = table.Column{Title: c.title, Width: c.width}
	}
	m.tbl.SetRows(nil)
	m.tbl.SetColumns(cols)
	m.tbl.SetWidth(m.width)
	m.tbl.SetHeight(m.height)
}

// refresh scrolls minimally so the cursor is visible and formats only the visible rows.
func (m *Model) refresh() {
	h := max(m.height-1, 1)
	if m.cursor < m.top {
		m.top = m.cursor
	}
	if m.cursor >= m.top+h {
		m.top = m.cursor - h + 1
	}
	m.top = max(min(m.top, len(m.rows)-h), 0)
	end := min(m.top+h, len(m.rows))
	window := make([]table.Row, 0, end-m.top)
	for i := m.top; i < end; i++ {
		window = append(window, m.cells(&m.rows[i], i == m.cursor))
	}
	m.tbl.SetHeight(1)
	m.tbl.SetRows(window)
	m.tbl.SetCursor(m.cursor - m.top)
	m.tbl.SetHeight(m.height)
}

// cells formats one ban. plain drops the state colour on the selected row, whose highlight an
// inner colour reset would cut short. Reason and verdict are log-derived text: sanitised.
func (m *Model) cells(r *Row, plain bool) table.Row {
	b := &r.Ban
	out := make(table.Row, len(m.cols))
	for i, c := range m.cols {
		var s string
		switch c.id {
		case colPrefix:
			s = b.Prefix.String()
		case colState:
			s = r.State()
			if !plain && s != "active" {
				s = m.styles.Banned.Render(s)
			}
		case colSince:
			s = iptable.Ago(m.now, b.Since)
		case colExpires:
			s = Until(m.now, b.Expires)
		case colPackets:
			s = Human(b.Packets)
		case colBytes:
			s = Human(b.Bytes)
		case colIPs:
			s = strconv.Itoa(r.IPs)
		case colEvents:
			s = "-"
			if r.IPs > 0 {
				s = strconv.FormatInt(r.Events, 10)
			}
		case colReason:
			s = b.Reason
			if s == "" {
				s = b.Verdict
			}
			s = sanitize.Text(s)
		}
		out[i] = s
	}
	return out
}

// Until formats how long from now until t: "perm" for a zero t (a permanent ban), "expired"
// once it is past, else "in 5m", "in 6d".
func Until(now, t time.Time) string {
	if t.IsZero() {
		return "perm"
	}
	if !t.After(now) {
		return "expired"
	}
	return "in " + iptable.Ago(t, now)
}

// Human prints a counter in at most five characters: 999, 12.3k, 4.5M, 6.7G.
func Human(n uint64) string {
	const units = "kMGTPE"
	if n < 1000 {
		return strconv.FormatUint(n, 10)
	}
	v := float64(n)
	for i := range len(units) {
		v /= 1000
		switch {
		case v < 99.95:
			return strconv.FormatFloat(v, 'f', 1, 64) + units[i:i+1]
		case v < 999.5 || i == len(units)-1:
			return strconv.FormatFloat(v, 'f', 0, 64) + units[i:i+1]
		}
	}
	return strconv.FormatUint(n, 10)
}
