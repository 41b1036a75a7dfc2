// Package ui is mxtop's live TUI (Bubble Tea v2): a header with the source state, rates, a
// sparkline and totals; tabs per attack category; the attackers table; a drill-down into one
// IP's raw lines; a filter; pause; and ban, unban and whitelist behind a y/N dialog.
//
// The UI reads the engine only through the Engine interface below and only through snapshots:
//
//	eng := engine.New(cfg, src, fw)
//	go eng.Run(ctx)
//	m := ui.New(eng, ui.Options{Context: ctx, ReadOnly: readOnly})
//	_, err := tea.NewProgram(m, tea.WithContext(ctx)).Run()
//
// Rows are filtered, sorted and formatted in Update when a snapshot arrives; View only joins
// strings. Every piece of log-derived text goes through sanitize.Text before display.
package ui

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/firewall"
	"github.com/mxtop/mxtop/engine/source"
	"github.com/mxtop/mxtop/engine/store"
	"github.com/mxtop/mxtop/ui/bantable"
	"github.com/mxtop/mxtop/ui/confirm"
	"github.com/mxtop/mxtop/ui/iptable"
	"github.com/mxtop/mxtop/ui/lines"
	"github.com/mxtop/mxtop/ui/prompt"
	"github.com/mxtop/mxtop/ui/sanitize"
)

// Engine is what the UI needs from the engine; *engine.Engine implements it, tests use a fake.
type Engine interface {
	Updates() <-chan *engine.Snapshot
	Err() error
	Ban(ctx context.Context, req engine.BanRequest) (firewall.Result, error)
	BanMany(ctx context.Context, reqs []engine.BanRequest) ([]firewall.Outcome, firewall.Result, error)
	Unban(ctx context.Context, p netip.Prefix) (firewall.Result, error)
	Whitelist(ctx context.Context, p netip.Prefix, on bool) (firewall.Result, error)
	Lines(ctx context.Context, ip netip.Addr) ([]engine.RawLine, error)
}

// Options configure the UI.
type Options struct {
	// Context is the program's root context; every engine call derives a timeout from it. It is
	// kept in the model on purpose (STYLE.md B6). Nil means context.Background.
	Context context.Context
	// ReadOnly disables and hides the ban, unban and whitelist keys.
	ReadOnly bool
	// NoColor uses PlainStyles (NO_COLOR is also honoured by Bubble Tea's colour profile).
	NoColor bool
	// Logger receives mxtop's own log (a file with --debug); nil discards it.
	Logger *slog.Logger
	// Notice is an error shown in the status line from the start, e.g. why the firewall could
	// not be set up; it stays until another status replaces it.
	Notice string
}

// statusKind colours the status line.
type statusKind uint8

const (
	statusInfo statusKind = iota
	statusOK
	statusErr
)

// Model is the root model. Sub-models are held by value; the snapshot is shared but immutable.
type Model struct {
	ctx      context.Context //nolint:containedctx // root ctx for engine calls, STYLE.md B6
	eng      Engine
	log      *slog.Logger
	keys     KeyMap
	styles   Styles
	readOnly bool
	tabs     []tab

	width, height int
	snap          *engine.Snapshot
	pending       *engine.Snapshot // newest snapshot held back while paused
	paused        bool
	pendingCount  int
	clock         time.Time // wall clock from the last tick or snapshot
	stopped       bool
	stopErr       error

	tab       int
	tabCounts []int
	tabIdx    *tabIndex // row → its tabs; built in New, immutable
	table     iptable.Model
	bans      bantable.Model // the Banned tab's table: every ban of the snapshot
	wl        bantable.Model // the Whitelist tab's table: every whitelisted prefix
	header    string         // rendered in Update
	tabLine   string         // rendered in Update

	filterInput prompt.Model
	filter      filter
	filterTag   int

	drillOpen bool
	drill     lines.Model

	confirmOpen bool
	confirm     confirm.Model
	pendingAct  action

	help     help.Model
	showHelp bool

	status     string
	statusMore []string // extra status lines: the commands an action ran (or would run)
	statusKind statusKind
	statusTag  int
	nextID     int
	inflight   int
}

// New builds the root model around eng.
func New(eng Engine, opts Options) Model {
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	styles := DefaultStyles(true)
	if opts.NoColor {
		styles = PlainStyles()
	}
	keys := DefaultKeyMap(opts.ReadOnly)
	m := Model{
		ctx: ctx, eng: eng, log: log, keys: keys, styles: styles, readOnly: opts.ReadOnly,
		tabs:        tabList(),
		table:       iptable.New(keys.Table, styles.Table),
		bans:        bantable.New(keys.Table, styles.Table),
		wl:          bantable.NewList(keys.Table, styles.Table, "the whitelist is empty"),
		filterInput: prompt.New("filter (IP, CIDR, host or HELO): ", styles.Cursor),
		help:        help.New(),
	}
	m.help.Styles = styles.Help
	m.help.ShortSeparator = "  " // the main keys must fit 80 columns
	if opts.Notice != "" {
		m.status, m.statusKind = sanitize.Text(opts.Notice), statusErr
	}
	m.tabCounts = make([]int, len(m.tabs))
	m.tabIdx = newTabIndex(m.tabs)
	m.table.SetTab(nil, m.tabs[0].cols)
	m.header = m.renderHeader()
	m.tabLine = m.renderTabs()
	return m
}

// Init starts the one outstanding snapshot read and the clock.
func (m Model) Init() tea.Cmd { return tea.Batch(waitForSnapshot(m.eng), tick()) }

// Update dispatches each message to one named method.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return m.resize(msg.Width, msg.Height), nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.PasteMsg:
		return m.handlePaste(msg), nil
	case tea.MouseWheelMsg:
		return m.handleWheel(msg), nil
	case snapshotMsg:
		return m.receiveSnapshot(msg.snap), waitForSnapshot(m.eng)
	case engineStoppedMsg:
		return m.engineStopped(msg.err), nil
	case actionDoneMsg:
		return m.finishAction(msg)
	case linesLoadedMsg:
		return m.linesLoaded(msg)
	case clearStatusMsg:
		return m.clearStatus(msg.tag), nil
	case filterAppliedMsg:
		return m.filterTyped(msg.tag), nil
	case tickMsg:
		return m.onTick(time.Time(msg))
	}
	return m, nil
}

// View joins the pieces rendered in Update. It does no sorting, formatting of rows or I/O.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "mxtop"
	return v
}

// Snapshot is the snapshot on screen (nil before the first one).
func (m Model) Snapshot() *engine.Snapshot { return m.snap }

// Paused reports whether live updates are frozen, and how many arrived since.
func (m Model) Paused() (bool, int) { return m.paused, m.pendingCount }

// SelectedIP is the IP under the table cursor.
func (m Model) SelectedIP() netip.Addr { return m.table.SelectedIP() }

// Status is the status line's text.
func (m Model) Status() string { return m.status }

// receiveSnapshot applies s, or holds it back while paused.
func (m Model) receiveSnapshot(s *engine.Snapshot) Model {
	if m.paused {
		m.pending = s
		m.pendingCount++
		return m
	}
	return m.applySnapshot(s)
}

// applySnapshot makes s the snapshot on screen: tab counts, the current tab's rows (filtered
// and sorted, cursor kept on its IP), the header and the drill-down card.
func (m Model) applySnapshot(s *engine.Snapshot) Model {
	m.snap = s
	if s.Taken.After(m.clock) {
		m.clock = s.Taken
	}
	m.table.SetNow(m.now())
	m.bans.SetNow(m.now())
	m = m.rebuildRows()
	if m.drillOpen {
		m.refreshDrill()
	}
	return m
}

// rebuildRows recounts every tab and hands the current tab's rows to its table. It computes a
// bit mask of each row's tabs from the row's category set (Row.Seen), in one pass over the
// rows, which is what keeps a 100,000-IP snapshot within budget. The Banned and Whitelist tabs list the
// snapshot's bans and whitelisted prefixes, not rows: their counts are the number of those
// (that pass the filter).
func (m Model) rebuildRows() Model {
	for i := range m.tabCounts {
		m.tabCounts[i] = 0
	}
	onList := m.prefixTab() != nil
	// The current tab's rows are decorated with their sort keys in the same pass that counts
	// the tabs: each row's memory is touched once per snapshot.
	bp := itemPool.Get().(*[]iptable.Item)
	defer itemPool.Put(bp)
	items := (*bp)[:0]
	if m.snap != nil {
		cur := uint32(1) << m.tab
		if onList {
			cur = 0
		}
		keyer := m.table.Keyer()
		filtering := m.filter.active()
		// Each row's tab set is a small integer: a histogram of the sets, summed per tab
		// afterwards, costs one increment per row instead of one per row and tab.
		var hist [1 << histTabs]int32
		x := m.tabIdx
		for i, r := range m.snap.Rows {
			if filtering && !m.filter.match(r) {
				continue
			}
			mask := x.mask(r)
			hist[mask&(1<<histTabs-1)]++
			if mask>>histTabs != 0 {
				addBits(m.tabCounts, mask>>histTabs, histTabs)
			}
			if mask&cur != 0 {
				items = append(items, keyer.Item(r, i))
			}
		}
		for mask, n := range hist {
			if n != 0 {
				addBitsN(m.tabCounts, uint32(mask), 0, int(n))
			}
		}
		for i := range m.tabs {
			switch m.tabs[i].kind {
			case tabBanned:
				m.tabCounts[i] = m.countBans()
			case tabWhitelist:
				m.tabCounts[i] = m.countWhitelist()
			default: // counted from the rows above
			}
		}
	}
	switch {
	case m.filter.active():
		m.table.SetEmpty("no client IP matches the filter " + m.filter.raw)
		m.bans.SetEmpty("no ban matches the filter " + m.filter.raw)
		m.wl.SetEmpty("no whitelist entry matches the filter " + m.filter.raw)
	case m.snap == nil:
		m.table.SetEmpty("waiting for the first snapshot…")
		m.bans.SetEmpty("waiting for the first snapshot…")
		m.wl.SetEmpty("waiting for the first snapshot…")
	default:
		m.table.SetEmpty("no client IPs on this tab")
		m.bans.SetEmpty("no bans")
		m.wl.SetEmpty("the whitelist is empty")
	}
	switch m.tabs[m.tab].kind {
	case tabBanned:
		m.bans.SetRows(m.banRows())
	case tabWhitelist:
		m.wl.SetRows(m.whitelistRows())
	default:
		var src []*engine.Row
		if m.snap != nil {
			src = m.snap.Rows
		}
		m.table.SetItems(items, src)
	}
	*bp = items[:0]
	m.header = m.renderHeader()
	m.tabLine = m.renderTabs()
	return m
}

// itemPool holds the buffer rebuildRows decorates rows into: 4 MB for 100,000 rows, reused
// between snapshots instead of allocated and zeroed each time. Items hold no pointers, so a
// pooled buffer keeps no snapshot alive.
var itemPool = sync.Pool{New: func() any { return new([]iptable.Item) }}

// onBans reports whether the Banned tab is the current one.
func (m Model) onBans() bool { return m.tabs[m.tab].kind == tabBanned }

// prefixTab is the current tab's prefix table (Banned or Whitelist), nil on the row tabs.
func (m *Model) prefixTab() *bantable.Model {
	switch m.tabs[m.tab].kind {
	case tabBanned:
		return &m.bans
	case tabWhitelist:
		return &m.wl
	default:
		return nil
	}
}

// now is the reference time of relative columns: the wall clock while following a live source,
// the newest log time while back-filling or replaying (so a replayed file does not read "2d").
func (m Model) now() time.Time {
	if s := m.snap; s != nil && !s.LogTime.IsZero() && s.Source.State != source.StateFollowing {
		return s.LogTime
	}
	return m.clock
}

// refreshDrill updates the drill-down card from the snapshot on screen: the IP's row and the
// IPv6 /64 it shares with other clients.
func (m *Model) refreshDrill() {
	ip := m.drill.IP()
	m.drill.SetNet(m.net6For(ip))
	m.drill.SetRow(m.findRow(ip), m.now())
}

// net6For is the entry of Snapshot.Nets6 (the /64s with more than one client) holding ip, or
// the zero Net.
func (m Model) net6For(ip netip.Addr) store.Net {
	if m.snap == nil || !ip.Is6() {
		return store.Net{}
	}
	for _, n := range m.snap.Nets6 {
		if n.Prefix.Contains(ip) {
			return n
		}
	}
	return store.Net{}
}

func (m Model) findRow(ip netip.Addr) *engine.Row {
	if m.snap == nil {
		return nil
	}
	for _, r := range m.snap.Rows {
		if r.IP == ip {
			return r
		}
	}
	return nil
}

func (m Model) resize(w, h int) Model {
	m.width, m.height = w, h
	m.help.SetWidth(w)
	m = m.layoutMain()
	m.confirm.SetWidth(w - 4)
	m.header = m.renderHeader()
	m.tabLine = m.renderTabs()
	return m
}

// layoutMain sizes the main area's components after the window or the footer changed.
func (m Model) layoutMain() Model {
	m.table.SetSize(m.width, m.mainHeight())
	m.bans.SetSize(m.width, m.mainHeight())
	m.wl.SetSize(m.width, m.mainHeight())
	m.drill.SetSize(m.width, m.mainHeight())
	return m
}

func (m Model) engineStopped(err error) Model {
	m.stopped, m.stopErr = true, err
	m.log.Info("engine stopped", "err", err)
	return m
}

func (m Model) onTick(t time.Time) (Model, tea.Cmd) {
	m.clock = t
	m.table.Tick(m.now())
	m.bans.Tick(m.now())
	cmds := []tea.Cmd{tick()}
	if m.drillOpen && !m.paused {
		m.refreshDrill()
		cmds = append(cmds, loadLines(m.ctx, m.eng, m.drill.IP()))
	}
	return m, tea.Batch(cmds...)
}

func (m Model) linesLoaded(msg linesLoadedMsg) (Model, tea.Cmd) {
	if !m.drillOpen || msg.ip != m.drill.IP() {
		return m, nil
	}
	if msg.err != nil {
		return m.setStatus(statusErr, "lines of "+msg.ip.String()+": "+msg.err.Error())
	}
	m.drill.SetLines(msg.lines)
	return m, nil
}
