// Package lines is the drill-down for one IP: a card with its verdict, reasons, counts, rate
// sparkline, host name, HELOs and ban state, above its raw log lines in a scrollable viewport
// (newest last) with / search. Every log-derived string goes through sanitize.Text first.
package lines

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/parse"
	"github.com/mxtop/mxtop/engine/store"
	"github.com/mxtop/mxtop/ui/iptable"
	"github.com/mxtop/mxtop/ui/prompt"
	"github.com/mxtop/mxtop/ui/sanitize"
	"github.com/mxtop/mxtop/ui/spark"
)

// Styles are the drill-down's styles.
type Styles struct {
	Title     lipgloss.Style
	Label     lipgloss.Style
	Verdict   [classify.Unknown + 1]lipgloss.Style
	Banned    lipgloss.Style
	Highlight lipgloss.Style
	Current   lipgloss.Style
	Rule      lipgloss.Style
	Cursor    lipgloss.Style
}

// Result tells the root what a key did.
type Result uint8

// Results of Update.
const (
	Handled Result = iota
	Closed         // esc/q: back to the table
)

// Model is the open drill-down of one IP.
type Model struct {
	keys   KeyMap
	styles Styles
	ip     netip.Addr
	row    *engine.Row
	net    store.Net // the IP's IPv6 /64 when it holds other clients too; zero otherwise
	raw    []engine.RawLine
	card   string
	vp     viewport.Model
	input  prompt.Model
	query  string
	found  int
	now    time.Time
	width  int
	height int
}

// New opens the drill-down of ip; row may be nil when the IP has left the snapshot.
func New(keys KeyMap, styles Styles, ip netip.Addr, row *engine.Row) Model {
	vp := viewport.New()
	vp.KeyMap = keys.Viewport
	vp.MouseWheelEnabled = true
	vp.MouseWheelDelta = 3
	vp.SoftWrap = true // attacker payloads are long; the operator must see all of them
	vp.HighlightStyle = styles.Highlight
	vp.SelectedHighlightStyle = styles.Current
	in := prompt.New("search: ", styles.Cursor)
	m := Model{keys: keys, styles: styles, ip: ip, row: row, vp: vp, input: in}
	m.rebuild()
	return m
}

// IP is the address the drill-down shows.
func (m Model) IP() netip.Addr { return m.ip }

// Row is the IP's row from the newest snapshot (nil when it was evicted).
func (m Model) Row() *engine.Row { return m.row }

// Searching reports whether the search input has the focus (it then takes every key).
func (m Model) Searching() bool { return m.input.Focused() }

// Query is the applied search text and the number of matching places.
func (m Model) Query() (string, int) { return m.query, m.found }

// LineCount is the number of raw lines shown.
func (m Model) LineCount() int { return len(m.raw) }

// SetSize sets the drill-down's outer size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.rebuild()
}

// SetRow updates the card from a newer snapshot; row may be nil.
func (m *Model) SetRow(row *engine.Row, now time.Time) {
	m.row, m.now = row, now
	m.rebuild()
}

// SetNet sets the IPv6 /64 the IP shares with other clients (engine.Snapshot.Nets6), or the
// zero Net for none; it takes effect with the next SetRow.
func (m *Model) SetNet(n store.Net) { m.net = n }

// SetLines replaces the raw lines, staying at the bottom if the view was following it.
func (m *Model) SetLines(raw []engine.RawLine) {
	follow := len(m.raw) == 0 || m.vp.AtBottom()
	m.raw = raw
	m.rebuild()
	if follow {
		m.vp.GotoBottom()
	}
}

// Update handles a key or mouse message routed to the drill-down.
func (m Model) Update(msg tea.Msg) (Model, Result, tea.Cmd) {
	k, isKey := msg.(tea.KeyPressMsg)
	if m.input.Focused() && isKey {
		return m.updateSearch(k)
	}
	if isKey {
		switch {
		case key.Matches(k, m.keys.Back):
			return m, Closed, nil
		case key.Matches(k, m.keys.Search):
			m.input.SetValue(m.query)
			m.input.Focus()
			m.rebuild()
			return m, Handled, nil
		case key.Matches(k, m.keys.Next):
			m.vp.HighlightNext()
			return m, Handled, nil
		case key.Matches(k, m.keys.Prev):
			m.vp.HighlightPrevious()
			return m, Handled, nil
		case key.Matches(k, m.keys.Top):
			m.vp.GotoTop()
			return m, Handled, nil
		case key.Matches(k, m.keys.Bottom):
			m.vp.GotoBottom()
			return m, Handled, nil
		}
	}
	var cmd tea.Cmd
	m.vp, cmd = m.vp.Update(msg)
	return m, Handled, cmd
}

func (m Model) updateSearch(k tea.KeyPressMsg) (Model, Result, tea.Cmd) {
	switch k.String() {
	case "enter":
		m.query = m.input.Value()
		m.input.Blur()
		m.rebuild()
		return m, Handled, nil
	case "esc":
		m.input.Blur()
		m.query = ""
		m.rebuild()
		return m, Handled, nil
	}
	m.input = m.input.Update(k)
	return m, Handled, nil
}

// View renders the card, a rule, the lines and, while searching, the input.
func (m Model) View() string {
	parts := []string{m.card, m.styles.Rule.Render(strings.Repeat("─", max(m.width, 1))), m.vp.View()}
	if m.input.Focused() {
		parts = append(parts, m.input.View())
	}
	return strings.Join(parts, "\n")
}

// rebuild re-renders the card and the viewport content; it runs in Update, never in View.
func (m *Model) rebuild() {
	m.card = m.renderCard()
	vh := m.height - lipgloss.Height(m.card) - 1
	if m.input.Focused() {
		vh--
	}
	m.vp.SetWidth(max(m.width, 1))
	m.vp.SetHeight(max(vh, 1))
	y := m.vp.YOffset()
	m.vp.SetContentLines(m.contentLines())
	m.vp.SetYOffset(y)
	m.highlight()
}

func (m *Model) contentLines() []string {
	if len(m.raw) == 0 {
		return []string{"(no raw lines kept for this IP)"}
	}
	out := make([]string, len(m.raw))
	for i, l := range m.raw {
		tag := "·"
		if l.Category != parse.None {
			tag = l.Category.String()
		}
		prefix := padRight(tag, 15) + " "
		if l.Text == "" || l.Text[0] < '0' || l.Text[0] > '9' {
			// the line carries no timestamp of its own (docker-mailserver's lines all do)
			prefix = l.Time.UTC().Format("01-02 15:04:05") + " " + prefix
		}
		out[i] = prefix + sanitize.Text(l.Text)
	}
	return out
}

// highlight marks every case-insensitive match of the query in the content.
func (m *Model) highlight() {
	m.vp.ClearHighlights()
	m.found = 0
	if m.query == "" {
		return
	}
	content := m.vp.GetContent()
	hay, needle := strings.ToLower(content), strings.ToLower(m.query)
	if len(hay) != len(content) {
		hay, needle = content, m.query
	}
	var matches [][]int
	for off := 0; ; {
		i := strings.Index(hay[off:], needle)
		if i < 0 || needle == "" {
			break
		}
		matches = append(matches, []int{off + i, off + i + len(needle)})
		off += i + len(needle)
	}
	m.found = len(matches)
	m.vp.SetHighlights(matches)
}

func (m *Model) renderCard() string {
	ip := m.styles.Title.Render(m.ip.String())
	r := m.row
	if r == nil {
		return ip + "  (no longer tracked)"
	}
	lab := m.styles.Label.Render
	v := m.styles.Verdict[min(r.Verdict, classify.Unknown)].Render(strings.ToUpper(r.Verdict.String()))
	state := "not banned"
	switch {
	case r.Banned:
		state = m.styles.Banned.Render("BANNED")
	case r.Whitelisted:
		state = "WHITELISTED"
	}
	host := "-"
	if r.Host != "" {
		host = sanitize.Text(r.Host)
	}
	lines := []string{
		ip + "  " + v + "  " + state + "  " + lab("host ") + host,
		lab("why  ") + sanitize.Text(strings.Join(r.Reasons, "; ")),
		lab("events ") + strconv.FormatInt(r.Total, 10) + " · " + strconv.FormatFloat(r.RatePerMin, 'f', 1, 64) +
			"/min · " + lab("first ") + iptable.Ago(m.now, r.FirstSeen) + " · " + lab("last ") + iptable.Ago(m.now, r.LastSeen) +
			" · " + lab("delivered ") + strconv.Itoa(r.Delivered) + " · " + lab("logins ") + strconv.Itoa(r.Logins),
		lab("categories ") + categories(r),
	}
	if n := m.net; n.Prefix.IsValid() {
		lines = append(lines, lab("its /64 ")+n.Prefix.String()+": "+strconv.Itoa(n.IPs)+" addresses, "+
			strconv.FormatInt(n.Total, 10)+" events")
	}
	lines = append(lines,
		lab("HELOs ")+strings.Join(m.helos(), ", "),
		lab("rate/min ")+spark.Line(m.perMinute(30), 30)+" (30 min of its kept lines)",
	)
	for i, l := range lines {
		lines[i] = lipgloss.NewStyle().MaxWidth(max(m.width, 1)).Render(l)
	}
	return strings.Join(lines, "\n")
}

func categories(r *engine.Row) string {
	var parts []string
	for _, c := range parse.Categories {
		if n := r.Counts[c]; n > 0 {
			parts = append(parts, c.String()+" "+strconv.FormatInt(n, 10))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " · ")
}

// helos lists the distinct HELO names in the kept lines (Postfix logs helo=<name>), newest
// last, plus the row's last HELO; sanitised.
func (m *Model) helos() []string {
	var out []string
	add := func(h string) {
		h = sanitize.Text(h)
		if h != "" && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	for _, l := range m.raw {
		if i := strings.Index(l.Text, "helo=<"); i >= 0 {
			rest := l.Text[i+len("helo=<"):]
			if j := strings.IndexByte(rest, '>'); j >= 0 {
				add(rest[:j])
			}
		}
	}
	if m.row != nil {
		add(m.row.Helo)
	}
	if len(out) == 0 {
		return []string{"-"}
	}
	if len(out) > 8 {
		out = append(out[len(out)-8:], "…")
	}
	return out
}

// perMinute counts the kept attack lines per minute over the last n minutes before the newest.
func (m *Model) perMinute(n int) []int64 {
	out := make([]int64, n)
	if len(m.raw) == 0 {
		return out
	}
	end := m.raw[len(m.raw)-1].Time.Truncate(time.Minute)
	for _, l := range m.raw {
		if l.Category == parse.None {
			continue
		}
		i := n - 1 - int(end.Sub(l.Time.Truncate(time.Minute))/time.Minute)
		if i >= 0 && i < n {
			out[i]++
		}
	}
	return out
}

func padRight(s string, w int) string {
	n := utf8.RuneCountInString(s)
	if n >= w {
		return s
	}
	return s + strings.Repeat(" ", w-n)
}
