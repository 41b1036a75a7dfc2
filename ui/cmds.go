package ui

import (
	"context"
	"net/netip"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mxtop/mxtop/engine"
)

// Timeouts of the engine calls made from Cmds. A ban may wait for the xtables lock.
const (
	actionTimeout  = 15 * time.Second
	linesTimeout   = 5 * time.Second
	statusDuration = 6 * time.Second
	errorDuration  = 15 * time.Second
	filterDebounce = 150 * time.Millisecond
	tickInterval   = time.Second
)

// waitForSnapshot blocks in a Cmd goroutine for the next snapshot. Exactly one is outstanding:
// Init starts it and only the snapshotMsg branch re-arms it.
func waitForSnapshot(eng Engine) tea.Cmd {
	ch := eng.Updates()
	return func() tea.Msg {
		s, ok := <-ch
		if !ok {
			return engineStoppedMsg{err: eng.Err()}
		}
		return snapshotMsg{snap: s}
	}
}

// runAction sends act to the engine. act is captured by value when the Cmd is made.
func runAction(ctx context.Context, eng Engine, act action) tea.Cmd {
	return func() tea.Msg {
		timeout := actionTimeout
		if act.op == opBanMany { // the per-address iptables backend bans ~16 addresses a second
			timeout += time.Duration(len(act.ips)) * 100 * time.Millisecond
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		msg := actionDoneMsg{act: act}
		switch act.op {
		case opBan:
			msg.res, msg.err = eng.Ban(ctx, engine.BanRequest{IP: act.ip, Bits: act.bits, Force: act.force})
		case opBanMany:
			reqs := make([]engine.BanRequest, len(act.ips))
			for i, ip := range act.ips {
				reqs[i] = engine.BanRequest{IP: ip}
			}
			msg.outs, msg.res, msg.err = eng.BanMany(ctx, reqs)
		case opUnban:
			msg.res, msg.err = eng.Unban(ctx, act.prefix)
		case opWhitelistOn:
			msg.res, msg.err = eng.Whitelist(ctx, act.prefix, true)
		case opWhitelistOff:
			msg.res, msg.err = eng.Whitelist(ctx, act.prefix, false)
		}
		return msg
	}
}

// loadLines asks the engine for ip's raw lines.
func loadLines(ctx context.Context, eng Engine, ip netip.Addr) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, linesTimeout)
		defer cancel()
		l, err := eng.Lines(ctx, ip)
		return linesLoadedMsg{ip: ip, lines: l, err: err}
	}
}

// clearStatusAfter clears the status line tagged tag after d.
func clearStatusAfter(tag int, d time.Duration) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return clearStatusMsg{tag: tag} })
}

// applyFilterAfter applies the filter input after a typing pause.
func applyFilterAfter(tag int) tea.Cmd {
	return tea.Tick(filterDebounce, func(time.Time) tea.Msg { return filterAppliedMsg{tag: tag} })
}

// tick drives the relative times once a second.
func tick() tea.Cmd {
	return tea.Tick(tickInterval, func(t time.Time) tea.Msg { return tickMsg(t) })
}
