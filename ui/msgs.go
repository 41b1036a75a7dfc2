package ui

import (
	"net/netip"
	"time"

	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/firewall"
)

// snapshotMsg carries the newest engine snapshot.
type snapshotMsg struct{ snap *engine.Snapshot }

// engineStoppedMsg says Updates was closed; err is the engine's Err().
type engineStoppedMsg struct{ err error }

// actionDoneMsg is the engine's answer to a ban, unban or whitelist change.
type actionDoneMsg struct {
	act  action
	res  firewall.Result
	outs []firewall.Outcome // opBanMany: one per IP
	err  error
}

// linesLoadedMsg carries an IP's raw lines for the drill-down.
type linesLoadedMsg struct {
	ip    netip.Addr
	lines []engine.RawLine
	err   error
}

// clearStatusMsg clears the status line if no newer status replaced it (tag debounce).
type clearStatusMsg struct{ tag int }

// filterAppliedMsg applies the filter typed so far if no key was typed since (tag debounce).
type filterAppliedMsg struct{ tag int }

// tickMsg moves the clock of the relative FIRST/LAST columns and refreshes the drill-down.
type tickMsg time.Time
