package ui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/table"

	"github.com/mxtop/mxtop/ui/confirm"
	"github.com/mxtop/mxtop/ui/iptable"
	"github.com/mxtop/mxtop/ui/lines"
)

// KeyMap holds every key binding of the TUI, one group per scope. Build it with DefaultKeyMap;
// there is no package-level key map.
type KeyMap struct {
	// Global keys work on the attackers table (ForceQuit and Help work everywhere).
	ForceQuit key.Binding // ctrl+c, always, even while typing
	Quit      key.Binding // q at the top level; closes overlays
	Help      key.Binding
	NextTab   key.Binding
	PrevTab   key.Binding
	Filter    key.Binding
	Pause     key.Binding
	Sort      key.Binding
	Reverse   key.Binding

	// Table navigation replaces the bubbles table's defaults, which bind b/u/d/f/space.
	Table table.KeyMap
	Open  key.Binding // enter: drill down into the highlighted IP

	// Actions on the highlighted IP, in the table and in the drill-down. --read-only disables
	// them, which also hides them from the help.
	Ban       key.Binding
	Unban     key.Binding
	Whitelist key.Binding
	// BanAll bans every botnet IP of the table as shown (tab and filter), in one batch.
	BanAll key.Binding

	// Lines is the drill-down's scroll and search keys.
	Lines lines.KeyMap
	// Confirm is the y/N dialog's keys.
	Confirm confirm.KeyMap
	// Input is the filter and search text inputs' keys (everything else is typed text).
	Input InputKeys
}

// InputKeys are the keys a focused text input does not take as text.
type InputKeys struct {
	Apply  key.Binding // enter
	Cancel key.Binding // esc: clears the filter
}

// DefaultKeyMap returns the key map of STYLE.md B7. readOnly disables the action keys.
func DefaultKeyMap(readOnly bool) KeyMap {
	k := KeyMap{
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		NextTab:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next tab")),
		PrevTab:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "prev tab")),
		Filter:    key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Pause:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause")),
		Sort:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort key")),
		Reverse:   key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "reverse sort")),
		Table:     iptable.DefaultKeyMap(),
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "lines")),
		Ban:       key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "ban")),
		Unban:     key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "unban")),
		Whitelist: key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "whitelist")),
		BanAll:    key.NewBinding(key.WithKeys("B"), key.WithHelp("B", "ban all botnets shown")),
		Lines:     lines.DefaultKeyMap(),
		Confirm:   confirm.DefaultKeyMap(),
		Input: InputKeys{
			Apply:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
			Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear")),
		},
	}
	if readOnly {
		k.Ban.SetEnabled(false)
		k.Unban.SetEnabled(false)
		k.Whitelist.SetEnabled(false)
		k.BanAll.SetEnabled(false)
	}
	return k
}

// actions are the dangerous keys, shared by the table and drill-down scopes.
func (k KeyMap) actions() []key.Binding { return []key.Binding{k.Ban, k.Unban, k.Whitelist} }

// TableScope lists every binding live while the attackers table has the focus: global keys,
// navigation, enter and the actions. The key-conflict test walks it.
func (k KeyMap) TableScope() []key.Binding {
	b := []key.Binding{
		k.ForceQuit, k.Quit, k.Help, k.NextTab, k.PrevTab, k.Filter, k.Pause, k.Sort, k.Reverse,
		k.Open,
	}
	b = append(b, tableBindings(k.Table)...)
	return append(b, append(k.actions(), k.BanAll)...)
}

// LinesScope lists every binding live in the drill-down.
func (k KeyMap) LinesScope() []key.Binding {
	b := []key.Binding{k.ForceQuit, k.Help, k.Pause}
	b = append(b, k.Lines.Bindings()...)
	return append(b, k.actions()...)
}

// ConfirmScope lists every binding live while the confirm dialog is open.
func (k KeyMap) ConfirmScope() []key.Binding {
	return []key.Binding{k.ForceQuit, k.Confirm.Yes, k.Confirm.Alt, k.Confirm.No}
}

// InputScope lists every binding live while the filter or search input has the focus.
func (k KeyMap) InputScope() []key.Binding {
	return []key.Binding{k.ForceQuit, k.Input.Apply, k.Input.Cancel}
}

func tableBindings(t table.KeyMap) []key.Binding {
	return []key.Binding{
		t.LineUp, t.LineDown, t.PageUp, t.PageDown, t.HalfPageUp, t.HalfPageDown,
		t.GotoTop, t.GotoBottom,
	}
}

// tableHelp is the help for the attackers table: the short line and the full sheet.
type tableHelp struct{ k KeyMap }

// ShortHelp is the always-visible help line.
func (h tableHelp) ShortHelp() []key.Binding {
	k := h.k
	return []key.Binding{k.Open, k.Filter, k.Pause, k.Ban, k.Unban, k.Whitelist, k.Help, k.Quit}
}

// FullHelp is the help sheet shown by ?.
func (h tableHelp) FullHelp() [][]key.Binding {
	k := h.k
	t := k.Table
	return [][]key.Binding{
		{t.LineUp, t.LineDown, t.GotoTop, t.GotoBottom, t.PageUp, t.PageDown, t.HalfPageUp, t.HalfPageDown},
		{k.Open, k.Filter, k.Sort, k.Reverse, k.NextTab, k.PrevTab, k.Pause, k.Help},
		{k.Ban, k.BanAll, k.Unban, k.Whitelist, k.Quit, k.ForceQuit},
	}
}

// linesHelp is the help for the drill-down.
type linesHelp struct{ k KeyMap }

// ShortHelp is the always-visible help line.
func (h linesHelp) ShortHelp() []key.Binding {
	k := h.k
	return []key.Binding{k.Lines.Search, k.Lines.Next, k.Lines.Back, k.Ban, k.Unban, k.Whitelist, k.Help}
}

// FullHelp is the help sheet shown by ?.
func (h linesHelp) FullHelp() [][]key.Binding {
	k := h.k
	v := k.Lines.Viewport
	return [][]key.Binding{
		{v.Up, v.Down, k.Lines.Top, k.Lines.Bottom, v.PageUp, v.PageDown, v.HalfPageUp, v.HalfPageDown},
		{k.Lines.Search, k.Lines.Next, k.Lines.Prev, k.Pause, k.Lines.Back, k.Help},
		{k.Ban, k.Unban, k.Whitelist, k.ForceQuit},
	}
}
