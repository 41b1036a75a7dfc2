package ui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mxtop/mxtop/ui/sanitize"
	"github.com/mxtop/mxtop/ui/spark"
)

// Fixed heights of the screen's bands; the main area (table, drill-down, help, dialog) gets the
// rest.
const (
	headerLines = 3
	tabLines    = 1
	footerLines = 2 // status line and short help
)

func (m Model) mainHeight() int {
	return max(m.height-headerLines-tabLines-footerLines-len(m.statusMore), 3)
}

// renderHeader draws the three header lines from the snapshot; it runs in Update.
func (m Model) renderHeader() string {
	w := max(m.width, 20)
	title := m.styles.Title.Render("mxtop")
	s := m.snap
	if s == nil {
		return fit(title+"  waiting for the engine…", w) + "\n\n"
	}
	l1 := title + " "
	if s.ReadOnly || m.readOnly {
		l1 += m.styles.Badge.Render("READ-ONLY") + " "
	}
	l1 += sanitize.Text(s.Source.String()) +
		" · " + fmtRate(s.LinesPerSec) + " lines/s · " + fmtRate(s.EventsPerSec) + " events/s · " +
		strconv.Itoa(s.Banned) + " banned"
	if s.Source.Err != "" {
		l1 += " · " + m.styles.Error.Render(sanitize.Text(s.Source.Err))
	}
	if s.FirewallErr != "" {
		l1 += " · " + m.styles.Error.Render("firewall: "+sanitize.Text(s.FirewallErr))
	}
	label := "events/s "
	span := " last " + strconv.Itoa(len(s.EventRate)/60) + "m"
	if len(s.EventRate) < 60 {
		span = " last " + strconv.Itoa(len(s.EventRate)) + "s"
	}
	sw := max(w-len(label)-len(span), 1)
	l2 := m.styles.Label.Render(label) + m.styles.Spark.Render(spark.Line(s.EventRate, sw)) + m.styles.Label.Render(span)
	var tot []string
	for _, t := range m.tabs[1:8] {
		var n int64
		for _, c := range t.cats {
			n += s.Totals[c]
		}
		tot = append(tot, m.styles.Label.Render(t.title)+" "+strconv.FormatInt(n, 10))
	}
	l3 := strings.Join(tot, "  ")
	return fit(l1, w) + "\n" + fit(l2, w) + "\n" + fit(l3, w)
}

// renderTabs draws the tab bar with each tab's IP count, shortening titles or scrolling the bar
// so the active tab is always visible.
func (m Model) renderTabs() string {
	w := max(m.width, 20)
	build := func(short bool, from int) (string, int) {
		var parts []string
		for i := from; i < len(m.tabs); i++ {
			t := m.tabs[i]
			name := t.title
			if short {
				name = t.short
			}
			label := name + " " + strconv.Itoa(m.tabCounts[i])
			if i == m.tab {
				// brackets mark the active tab without colour (NO_COLOR, goldens)
				label = m.styles.TabActive.Render("[" + label + "]")
			} else {
				label = m.styles.TabIdle.Render(label)
			}
			parts = append(parts, label)
		}
		sep := " │ "
		if short {
			sep = "  "
		}
		s := strings.Join(parts, sep)
		return s, lipgloss.Width(s)
	}
	s, n := build(false, 0)
	if n <= w {
		return s
	}
	s, n = build(true, 0)
	for from := 1; n > w && from <= m.tab; from++ {
		s, n = build(true, from)
		s = "‹ " + s
	}
	return fit(s, w)
}

// render assembles the screen. It only joins strings rendered in Update, plus screen-sized
// layout (padding the main area, the help sheet).
func (m Model) render() string {
	if m.width == 0 {
		return "starting mxtop…"
	}
	mh := m.mainHeight()
	var main string
	switch {
	case m.showHelp:
		main = m.help.FullHelpView(m.fullHelp())
	case m.confirmOpen:
		main = lipgloss.Place(m.width, mh, lipgloss.Center, lipgloss.Center, m.confirm.View())
	case m.drillOpen:
		main = m.drill.View()
	case m.prefixTab() != nil:
		main = m.prefixTab().View()
	default:
		main = m.table.View()
	}
	main = lipgloss.NewStyle().Height(mh).MaxHeight(mh).MaxWidth(m.width).Render(main)
	var more strings.Builder
	for _, l := range m.statusMore {
		more.WriteString(fit(m.styles.Faint.Render(l), m.width))
		more.WriteString("\n")
	}
	return m.header + "\n" + m.tabLine + "\n" + main + "\n" + m.statusLine() + "\n" + more.String() +
		fit(m.help.ShortHelpView(m.shortHelp()), m.width)
}

func (m Model) fullHelp() [][]key.Binding {
	if m.drillOpen {
		return linesHelp{m.keys}.FullHelp()
	}
	return tableHelp{m.keys}.FullHelp()
}

func (m Model) shortHelp() []key.Binding {
	switch {
	case m.confirmOpen:
		return []key.Binding{m.keys.Confirm.Yes, m.keys.Confirm.No}
	case m.filterInput.Focused() || (m.drillOpen && m.drill.Searching()):
		return []key.Binding{m.keys.Input.Apply, m.keys.Input.Cancel, m.keys.ForceQuit}
	case m.showHelp:
		return []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("any key", "close help"))}
	case m.drillOpen:
		return linesHelp{m.keys}.ShortHelp()
	default:
		return tableHelp{m.keys}.ShortHelp()
	}
}

// statusLine shows the filter input while typing, else the last status message, with badges
// (paused, filter, sort, engine stopped) on the right.
func (m Model) statusLine() string {
	var left string
	switch {
	case m.filterInput.Focused():
		left = m.filterInput.View()
	case m.status != "":
		st := m.styles.TabIdle
		switch m.statusKind {
		case statusErr:
			st = m.styles.Error
		case statusOK:
			st = m.styles.OK
		}
		left = st.Render(m.status)
	}
	var badges []string
	if m.stopped {
		text := "engine stopped"
		if m.stopErr != nil {
			text += ": " + sanitize.Text(m.stopErr.Error())
		}
		badges = append(badges, m.styles.Error.Render(text))
	}
	if m.paused {
		badges = append(badges, m.styles.Badge.Render("PAUSED · "+strconv.Itoa(m.pendingCount)+" updates"))
	}
	if m.filter.active() && !m.filterInput.Focused() {
		badges = append(badges, "filter "+m.filter.raw)
	}
	switch {
	case m.onBans():
		badges = append(badges, "sort newest▼") // bans have one order
	case m.prefixTab() != nil:
		badges = append(badges, "sort prefix▲") // so has the whitelist
	default:
		k, rev := m.table.Sort()
		dir := "▼"
		if rev {
			dir = "▲"
		}
		badges = append(badges, "sort "+k.String()+dir)
	}
	right := strings.Join(badges, " · ")
	gap := m.width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return fit(left+" "+right, m.width)
	}
	return left + strings.Repeat(" ", gap) + right
}

// fit cuts s to w cells.
func fit(s string, w int) string { return ansi.Truncate(s, max(w, 0), "…") }

// fmtRate prints a rate with one decimal under 100, as an integer above.
func fmtRate(v float64) string {
	if v < 100 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatInt(int64(v+0.5), 10)
}
