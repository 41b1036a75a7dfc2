package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mxtop/mxtop/ui/confirm"
	"github.com/mxtop/mxtop/ui/lines"
)

// handleKey routes a key to the focused thing first (STYLE.md B5): ctrl+c, the confirm
// dialog, the filter input, the help sheet, the drill-down, the global keys, then the table.
func (m Model) handleKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.ForceQuit):
		return m, tea.Quit
	case m.confirmOpen:
		return m.confirmKey(msg)
	case m.filterInput.Focused():
		return m.filterKey(msg)
	case m.showHelp:
		m.showHelp = false
		return m, nil
	case m.drillOpen:
		return m.drillKey(msg)
	}
	if m2, cmd, ok := m.globalKey(msg); ok {
		return m2, cmd
	}
	if t := m.prefixTab(); t != nil {
		*t, _ = t.Update(msg)
		return m, nil
	}
	m.table, _ = m.table.Update(msg)
	return m, nil
}

// globalKey handles the keys of the table scope that are not navigation.
func (m Model) globalKey(msg tea.KeyPressMsg) (Model, tea.Cmd, bool) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit, true
	case key.Matches(msg, k.Help):
		m.showHelp = true
		return m, nil, true
	case key.Matches(msg, k.NextTab):
		return m.switchTab(1), nil, true
	case key.Matches(msg, k.PrevTab):
		return m.switchTab(-1), nil, true
	case key.Matches(msg, k.Filter):
		m.filterInput.SetValue(m.filter.raw)
		m.filterInput.Focus()
		return m, nil, true
	case key.Matches(msg, k.Pause):
		return m.togglePause(), nil, true
	case key.Matches(msg, k.Sort):
		m.table.CycleSort()
		return m, nil, true
	case key.Matches(msg, k.Reverse):
		m.table.ToggleReverse()
		return m, nil, true
	case key.Matches(msg, k.Open):
		m2, cmd := m.openDrill()
		return m2, cmd, true
	case key.Matches(msg, k.BanAll):
		m2, cmd := m.askBanAll()
		return m2, cmd, true
	}
	if m2, cmd, ok := m.actionKey(msg); ok {
		return m2, cmd, true
	}
	return m, nil, false
}

// actionKey opens the confirm dialog for b, u and w (disabled bindings never match).
func (m Model) actionKey(msg tea.KeyPressMsg) (Model, tea.Cmd, bool) {
	switch {
	case key.Matches(msg, m.keys.Ban):
		m2, cmd := m.askAction(opBan)
		return m2, cmd, true
	case key.Matches(msg, m.keys.Unban):
		m2, cmd := m.askAction(opUnban)
		return m2, cmd, true
	case key.Matches(msg, m.keys.Whitelist):
		m2, cmd := m.askAction(opWhitelistOn)
		return m2, cmd, true
	}
	return m, nil, false
}

func (m Model) drillKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	if !m.drill.Searching() {
		switch {
		case key.Matches(msg, m.keys.Help):
			m.showHelp = true
			return m, nil
		case key.Matches(msg, m.keys.Pause):
			return m.togglePause(), nil
		}
		if m2, cmd, ok := m.actionKey(msg); ok {
			return m2, cmd
		}
	}
	var res lines.Result
	var cmd tea.Cmd
	m.drill, res, cmd = m.drill.Update(msg)
	if res == lines.Closed {
		m.drillOpen = false
	}
	return m, cmd
}

func (m Model) filterKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Input.Apply):
		m.filterInput.Blur()
		return m.setFilter(m.filterInput.Value()), nil
	case key.Matches(msg, m.keys.Input.Cancel):
		m.filterInput.Blur()
		m.filterInput.SetValue("")
		return m.setFilter(""), nil
	}
	m.filterInput = m.filterInput.Update(msg)
	m.filterTag++
	return m, applyFilterAfter(m.filterTag)
}

func (m Model) handlePaste(msg tea.PasteMsg) Model {
	switch {
	case m.filterInput.Focused():
		m.filterInput = m.filterInput.Update(msg)
		m.filterTag++
		return m.setFilter(m.filterInput.Value())
	case m.drillOpen && m.drill.Searching():
		m.drill, _, _ = m.drill.Update(msg)
	}
	return m
}

// filterTyped applies the filter being typed once the operator pauses (debounced by tag).
func (m Model) filterTyped(tag int) Model {
	if tag != m.filterTag || !m.filterInput.Focused() {
		return m
	}
	return m.setFilter(m.filterInput.Value())
}

func (m Model) setFilter(s string) Model {
	m.filter = parseFilter(s)
	return m.rebuildRows()
}

func (m Model) handleWheel(msg tea.MouseWheelMsg) Model {
	switch {
	case m.confirmOpen || m.showHelp:
	case m.drillOpen:
		m.drill, _, _ = m.drill.Update(msg)
	case m.prefixTab() != nil:
		t := m.prefixTab()
		*t, _ = t.Update(msg)
	default:
		m.table, _ = m.table.Update(msg)
	}
	return m
}

func (m Model) switchTab(d int) Model {
	m.tab = (m.tab + d + len(m.tabs)) % len(m.tabs)
	t := &m.tabs[m.tab]
	m.table.SetTab(t.cats, t.cols)
	return m.rebuildRows()
}

// togglePause freezes or resumes the view. Snapshots keep arriving (the engine never waits for
// the UI); the newest is kept and applied on resume.
func (m Model) togglePause() Model {
	if !m.paused {
		m.paused = true
		m.pendingCount = 0
		return m
	}
	m.paused = false
	p := m.pending
	m.pending, m.pendingCount = nil, 0
	if p != nil {
		return m.applySnapshot(p)
	}
	m.header = m.renderHeader()
	return m
}

func (m Model) openDrill() (Model, tea.Cmd) {
	r, ok := m.target()
	if !ok {
		return m, nil
	}
	m.drill = lines.New(m.keys.Lines, m.styles.Lines, r.IP, r)
	m.drill.SetSize(m.width, m.mainHeight())
	m.refreshDrill()
	m.drillOpen = true
	return m, loadLines(m.ctx, m.eng, r.IP)
}

// confirmKey gives the key to the dialog: y confirms (or moves to the second question), every
// other key, enter included, cancels.
func (m Model) confirmKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	var res confirm.Result
	m.confirm, res = m.confirm.Update(msg)
	switch res {
	case confirm.Confirmed, confirm.ConfirmedAlt:
		m.confirmOpen = false
		act := m.pendingAct
		act.force = act.needsForce
		if res == confirm.ConfirmedAlt { // y bans the address; the alternative its prefix
			act.bits = subnetBits(act.ip)
		}
		return m.startAction(act)
	case confirm.Cancelled:
		m.confirmOpen = false
		return m.setStatus(statusInfo, "cancelled: "+m.confirm.Title())
	default:
		return m, nil
	}
}
