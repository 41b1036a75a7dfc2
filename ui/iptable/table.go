// Package iptable is the attackers table: one tab's rows, sorted with a total order, with the
// cursor kept on the same IP while rows re-sort under live updates. It wraps the bubbles table
// but feeds it only the visible window of rows, so a snapshot of 100,000 IPs costs a sort and
// one screenful of formatting, never 100,000 formatted rows.
package iptable

import (
	"net/netip"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/table"
	tea "charm.land/bubbletea/v2"

	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/parse"
)

// wheelStep is how many rows one mouse wheel notch moves the cursor.
const wheelStep = 3

// Model is the attackers table. The rows slice is owned by the model once handed to SetRows.
type Model struct {
	keys   table.KeyMap
	styles Styles
	tbl    table.Model

	rows     []*engine.Row // the tab's rows, filtered and sorted
	cats     []parse.Category
	counts   []CountColumn
	cols     []col
	sortKey  SortKey
	reverse  bool
	cursor   int // index into rows
	top      int // first visible index
	selected netip.Addr
	now      time.Time

	width, height int
	ipWidth       int
	empty         string

	// shown is the window last handed to the bubbles table, with its cursor; shownOK is false
	// after applyColumns emptied it. Never modified once set (copies of the model share it).
	shown       []table.Row
	shownCursor int
	shownOK     bool
}

// New returns an empty table using keys for navigation (bubbles' defaults are replaced).
func New(keys table.KeyMap, styles Styles) Model {
	m := Model{keys: keys, styles: styles, ipWidth: 15, empty: "no client IPs yet"}
	m.tbl = table.New(
		table.WithKeyMap(keys),
		table.WithStyles(table.Styles{Header: styles.Header, Cell: styles.Cell, Selected: styles.Selected}),
	)
	return m
}

// SetSize sets the table's outer size; the header takes one line of height.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, max(height, 2)
	m.relayout()
}

// SetTab switches the tab's categories (nil for All: the TOTAL column is every event) and its
// count columns.
func (m *Model) SetTab(cats []parse.Category, counts []CountColumn) {
	m.cats, m.counts = cats, counts
	m.relayout()
}

// SetEmpty sets the text shown when there are no rows.
func (m *Model) SetEmpty(s string) { m.empty = s }

// SetNow sets the reference time of the relative FIRST and LAST columns; it takes effect with
// the next SetRows, or at once with Tick.
func (m *Model) SetNow(t time.Time) { m.now = t }

// Tick sets the reference time and re-formats the visible rows.
func (m *Model) Tick(t time.Time) {
	m.now = t
	m.refresh()
}

// SetRows replaces the rows (taking ownership of the slice), sorts them and puts the cursor
// back on the IP it was on; if that IP is gone, the cursor keeps its index, clamped. A cursor on
// the first row stays on the first row.
func (m *Model) SetRows(rows []*engine.Row) {
	k := m.Keyer()
	items := make([]Item, len(rows))
	for i, r := range rows {
		items[i] = k.Item(r, i)
	}
	m.SetItems(items, rows)
}

// Keyer decorates rows for the current sort key and tab, for SetItems.
func (m *Model) Keyer() Keyer { return Keyer{key: m.sortKey, cats: m.cats} }

// SetItems is SetRows for rows already decorated by Keyer: items refer to rows of src by index.
// It sorts items in place (the caller may reuse the buffer afterwards; the table keeps neither
// items nor src) and behaves as SetRows on the decorated rows.
func (m *Model) SetItems(items []Item, src []*engine.Row) {
	sortItems(items, m.reverse)
	m.rows = make([]*engine.Row, len(items))
	// The IP column is as wide as the longest address (IPv6 up to 39 characters).
	ipWidth := 15
	var buf [64]byte
	for i := range items {
		r := src[items[i].idx]
		m.rows[i] = r
		if items[i].v6 {
			ipWidth = max(ipWidth, len(r.IP.AppendTo(buf[:0])))
		}
	}
	if ipWidth != m.ipWidth {
		m.ipWidth = ipWidth
		m.cols = layout(m.width, m.ipWidth, m.counts)
		m.applyColumns()
	}
	m.restoreCursor()
}

// CycleSort moves to the next sort key.
func (m *Model) CycleSort() { m.SetSort(m.sortKey.Next(), m.reverse) }

// ToggleReverse reverses the sort order.
func (m *Model) ToggleReverse() { m.SetSort(m.sortKey, !m.reverse) }

// SetSort sets the sort key and direction and re-sorts, keeping the cursor on its IP.
func (m *Model) SetSort(k SortKey, reverse bool) {
	m.sortKey, m.reverse = k, reverse
	sortRows(m.rows, m.sortKey, m.cats, m.reverse)
	m.applyColumns() // the sort arrow moves
	m.restoreCursor()
}

// Sort returns the sort key and whether it is reversed.
func (m Model) Sort() (SortKey, bool) { return m.sortKey, m.reverse }

// Len is the number of rows in the tab.
func (m Model) Len() int { return len(m.rows) }

// Rows returns the rows of the tab as shown: filtered and sorted. The slice is the table's own;
// do not modify it.
func (m Model) Rows() []*engine.Row { return m.rows }

// Cursor is the index of the highlighted row.
func (m Model) Cursor() int { return m.cursor }

// Selected returns the highlighted row.
func (m Model) Selected() (*engine.Row, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return nil, false
	}
	return m.rows[m.cursor], true
}

// SelectedIP is the IP the cursor follows (the zero Addr before any row was shown).
func (m Model) SelectedIP() netip.Addr { return m.selected }

// Update moves the cursor on navigation keys and mouse wheel notches.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if n, ok := Step(msg, m.keys, m.visible(), len(m.rows)); ok {
		m.move(n)
	}
	return m, nil
}

// Step is how far a navigation key or wheel notch moves a cursor in a table of total rows
// showing page of them; ok is false for any other message. Every table of the UI (attackers,
// bans, whitelist) moves by it, so they all answer the same keys the same way.
func Step(msg tea.Msg, keys table.KeyMap, page, total int) (n int, ok bool) {
	half := max(page/2, 1)
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, keys.LineUp):
			return -1, true
		case key.Matches(msg, keys.LineDown):
			return 1, true
		case key.Matches(msg, keys.PageUp):
			return -page, true
		case key.Matches(msg, keys.PageDown):
			return page, true
		case key.Matches(msg, keys.HalfPageUp):
			return -half, true
		case key.Matches(msg, keys.HalfPageDown):
			return half, true
		case key.Matches(msg, keys.GotoTop):
			return -total, true
		case key.Matches(msg, keys.GotoBottom):
			return total, true
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			return -wheelStep, true
		case tea.MouseWheelDown:
			return wheelStep, true
		}
	}
	return 0, false
}

// View renders the header and the visible rows; the rows were formatted in Update.
func (m Model) View() string {
	if len(m.rows) == 0 {
		header, _, _ := strings.Cut(m.tbl.View(), "\n")
		return header + "\n" + m.styles.Empty.Render(m.empty)
	}
	return m.tbl.View()
}

// visible is the number of row lines under the header.
func (m Model) visible() int { return max(m.height-1, 1) }

func (m *Model) move(n int) {
	if len(m.rows) == 0 {
		return
	}
	m.cursor = min(max(m.cursor+n, 0), len(m.rows)-1)
	m.selected = m.rows[m.cursor].IP
	m.refresh()
}

func (m *Model) restoreCursor() {
	// On the first row the cursor stays on the leader, as in top: an operator who has not
	// moved it wants to see the worst attackers, not the row that led a minute ago. Anywhere
	// else it follows its IP.
	if m.cursor == 0 && len(m.rows) > 0 {
		m.selected = m.rows[0].IP
		m.refresh()
		return
	}
	if m.selected.IsValid() {
		for i, r := range m.rows {
			if r.IP == m.selected {
				m.cursor = i
				m.refresh()
				return
			}
		}
	}
	m.cursor = min(max(m.cursor, 0), max(len(m.rows)-1, 0))
	if len(m.rows) > 0 && !m.selected.IsValid() {
		m.selected = m.rows[m.cursor].IP
	}
	m.refresh()
}

func (m *Model) relayout() {
	m.cols = layout(m.width, m.ipWidth, m.counts)
	m.applyColumns()
	m.refresh()
}

// applyColumns hands the layout to the bubbles table. Every bubbles setter re-renders its rows,
// so the rows are emptied first: that makes these calls cheap, and rows of the old layout would
// index past the new columns. The caller re-fills them with refresh.
func (m *Model) applyColumns() {
	m.shownOK = false
	m.tbl.SetRows(nil)
	m.tbl.SetColumns(columns(m.cols, m.sortKey, m.reverse))
	m.tbl.SetWidth(m.width)
	m.tbl.SetHeight(m.height)
}

// refresh scrolls the window minimally so the cursor is visible and formats only the visible
// rows into the bubbles table.
func (m *Model) refresh() {
	h := m.visible()
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
		window = append(window, m.cells(m.rows[i], i == m.cursor))
	}
	// Rendering the window through the bubbles table is the dearest part of a snapshot; when
	// the window reads the same (a quiet moment, a refresh between two ticks) it is kept.
	if m.shownOK && m.shownCursor == m.cursor-m.top && slices.EqualFunc(window, m.shown, slices.Equal) {
		return
	}
	m.shown, m.shownCursor, m.shownOK = window, m.cursor-m.top, true
	// Every bubbles setter renders the rows around the cursor, as many as the viewport is
	// high. With the height at zero SetRows and SetCursor render nothing; restoring the height
	// renders the window once.
	m.tbl.SetHeight(1)
	m.tbl.SetRows(window)
	m.tbl.SetCursor(m.cursor - m.top)
	m.tbl.SetHeight(m.height)
}
