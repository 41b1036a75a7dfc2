package ui

import (
	"context"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/firewall"
	"github.com/mxtop/mxtop/engine/parse"
	"github.com/mxtop/mxtop/engine/source"
)

// t0 is the fixed "now" of every fake snapshot, so views are deterministic.
var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// fakeEngine is a hand-written Engine: it records every action and answers with canned
// results. Safe for concurrent use (Cmds run on other goroutines in teatest).
type fakeEngine struct {
	updates chan *engine.Snapshot

	mu        sync.Mutex
	bans      []engine.BanRequest
	batches   [][]engine.BanRequest
	refuse    map[netip.Addr]error // BanMany outcomes that fail
	unbans    []netip.Prefix
	whitelist []wlCall
	actErr    error
	lines     map[netip.Addr][]engine.RawLine
}

type wlCall struct {
	p  netip.Prefix
	on bool
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{updates: make(chan *engine.Snapshot, 1), lines: map[netip.Addr][]engine.RawLine{}}
}

func (f *fakeEngine) Updates() <-chan *engine.Snapshot { return f.updates }
func (f *fakeEngine) Err() error                       { return nil }

func (f *fakeEngine) Ban(_ context.Context, req engine.BanRequest) (firewall.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bans = append(f.bans, req)
	if f.actErr != nil {
		return firewall.Result{}, f.actErr
	}
	return firewall.Result{
		Message:  "banned " + req.IP.String() + " for 7d (dry-run)",
		Commands: []string{"iptables -I DOCKER-USER 1 -s " + req.IP.String() + " -j DROP"},
	}, nil
}

func (f *fakeEngine) BanMany(_ context.Context, reqs []engine.BanRequest) ([]firewall.Outcome, firewall.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, reqs)
	outs := make([]firewall.Outcome, len(reqs))
	banned := 0
	for i, r := range reqs {
		outs[i].Prefix = netip.PrefixFrom(r.IP, r.IP.BitLen())
		if outs[i].Err = f.refuse[r.IP]; outs[i].Err == nil {
			banned++
		}
	}
	return outs, firewall.Result{Message: "banned " + strconv.Itoa(banned) + " of " + strconv.Itoa(len(reqs))}, f.actErr
}

func (f *fakeEngine) batchCalls() [][]engine.BanRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]engine.BanRequest(nil), f.batches...)
}

func (f *fakeEngine) Unban(_ context.Context, p netip.Prefix) (firewall.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unbans = append(f.unbans, p)
	return firewall.Result{Message: "unbanned " + p.String()}, f.actErr
}

func (f *fakeEngine) Whitelist(_ context.Context, p netip.Prefix, on bool) (firewall.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.whitelist = append(f.whitelist, wlCall{p, on})
	return firewall.Result{}, f.actErr
}

func (f *fakeEngine) Lines(_ context.Context, ip netip.Addr) ([]engine.RawLine, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lines[ip], nil
}

func (f *fakeEngine) unbanCalls() []netip.Prefix {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]netip.Prefix(nil), f.unbans...)
}

func (f *fakeEngine) banCalls() []engine.BanRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]engine.BanRequest(nil), f.bans...)
}

// row builds a row; counts are category/count pairs.
func row(ip string, v classify.Verdict, counts ...any) *engine.Row {
	r := &engine.Row{
		IP: netip.MustParseAddr(ip), Verdict: v,
		FirstSeen: t0.Add(-10 * time.Minute), LastSeen: t0.Add(-5 * time.Second),
	}
	r.Prefix = netip.PrefixFrom(r.IP, r.IP.BitLen())
	for i := 0; i+1 < len(counts); i += 2 {
		c := counts[i].(parse.Category)
		n := int64(counts[i+1].(int))
		r.Counts[c] += n
		r.Total += n
	}
	r.Seen = engine.SeenOf(&r.Counts)
	r.RatePerMin = float64(r.Total) / 10
	return r
}

// snap builds a snapshot holding rows in the engine's order (Total desc, LastSeen desc, IP asc).
func snap(seq uint64, rows ...*engine.Row) *engine.Snapshot {
	s := &engine.Snapshot{
		Seq: seq, Taken: t0, LogTime: t0,
		Source:      source.Status{Source: "container mailserver", State: source.StateFollowing},
		LinesPerSec: 1234, EventsPerSec: 56.5,
		Rows: rows,
	}
	s.EventRate = make([]int64, 120)
	for i := range s.EventRate {
		s.EventRate[i] = int64(i % 17)
	}
	for _, r := range rows {
		for c, n := range r.Counts {
			s.Totals[c] += n
		}
		if r.Banned {
			s.Banned++
			s.Bans = append(s.Bans, firewall.Ban{
				Prefix: r.Prefix, Reason: "botnet: " + strconv.FormatInt(r.Total, 10) + " events",
				Since: t0.Add(-time.Hour), Expires: t0.Add(7 * 24 * time.Hour), Verdict: r.Verdict.String(),
				Packets: 1234, Bytes: 56789, Active: true,
			})
		}
		if r.Whitelisted {
			s.Whitelist = append(s.Whitelist, r.Prefix)
		}
	}
	return s
}

// fixtureRows is a small attack wave: a botnet, a brute forcer, a relay spammer, a scanner, a
// legit sender and a whitelisted, banned and HELO-injecting host.
func fixtureRows() []*engine.Row {
	bot := row("45.144.212.19", classify.Botnet, parse.Pregreet, 812, parse.Hangup, 40)
	bot.Helo = "ylmf-pc"
	bot.Reasons = []string{"pregreet 812 (protocol violation)"}
	brute := row("185.220.101.7", classify.Botnet, parse.AuthFailed, 300, parse.LostAfterAuth, 12)
	brute.Host = "tor-exit.example.net"
	relay := row("203.0.113.50", classify.Suspicious, parse.RelayDenied, 25)
	relay.Helo = "[203.0.113.50]"
	scan := row("198.51.100.23", classify.Scanner, parse.Hangup, 9)
	scan.Host = "scanner-23.census.shodan.io"
	legit := row("192.0.2.10", classify.Legit)
	legit.Host = "mail.example.org"
	legit.Delivered = 4
	banned := row("198.51.100.99", classify.Botnet, parse.Pipelining, 7, parse.RejectRBL, 3)
	banned.Banned = true
	wl := row("192.0.2.77", classify.Ignored, parse.TLSError, 2)
	wl.Whitelisted = true
	return []*engine.Row{bot, brute, relay, banned, scan, wl, legit}
}

// keyMsg builds the key press whose String() is s.
func keyMsg(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+d":
		return tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// harness drives a Model synchronously.
type harness struct {
	t   *testing.T
	eng *fakeEngine
	m   Model
	cmd tea.Cmd
}

func newHarness(t *testing.T, opts Options, w, h int, s *engine.Snapshot) *harness {
	t.Helper()
	f := newFakeEngine()
	opts.Context = t.Context()
	hs := &harness{t: t, eng: f, m: New(f, opts)}
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	if s != nil {
		hs.send(snapshotMsg{snap: s})
	}
	return hs
}

func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	nm, cmd := h.m.Update(msg)
	h.m = nm.(Model)
	h.cmd = cmd
}

func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

// filterBy types s into the filter input and applies it with enter.
func (h *harness) filterBy(s string) {
	h.t.Helper()
	h.press("/")
	for _, r := range s {
		h.press(string(r))
	}
	h.press("enter")
}

// run executes the last Cmd and feeds its message back, as the program would.
func (h *harness) run() tea.Msg {
	h.t.Helper()
	if h.cmd == nil {
		h.t.Fatal("no Cmd to run")
	}
	msg := h.cmd()
	h.send(msg)
	return msg
}

func (h *harness) screen() string {
	h.t.Helper()
	return stripANSI(h.m.View().Content)
}
