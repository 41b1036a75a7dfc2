package ui

import (
	"errors"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/parse"
	"github.com/mxtop/mxtop/ui/iptable"
)

func stripANSI(s string) string { return ansi.Strip(s) }

func TestModel_SnapshotFillsTableAndRearms(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 100, 30, snap(1, fixtureRows()...))
	if h.cmd == nil {
		t.Fatal("snapshotMsg did not re-arm waitForSnapshot")
	}
	if got := h.m.SelectedIP(); got != netip.MustParseAddr("45.144.212.19") {
		t.Fatalf("cursor on %v, want the top attacker", got)
	}
	scr := h.screen()
	for _, want := range []string{"45.144.212.19", "botnet", "[ylmf-pc]", "All 7", "PRE 1", "Ban 1", "1234 lines/s"} {
		if !strings.Contains(scr, want) {
			t.Errorf("screen lacks %q:\n%s", want, scr)
		}
	}
}

func TestTable_CursorFollowsIPAcrossResort(t *testing.T) {
	t.Parallel()
	rows := fixtureRows()
	h := newHarness(t, Options{}, 100, 30, snap(1, rows...))
	h.press("down") // 185.220.101.7, second
	want := netip.MustParseAddr("185.220.101.7")
	if h.m.SelectedIP() != want {
		t.Fatalf("after down: %v", h.m.SelectedIP())
	}
	// The relay spammer and the scanner overtake it: it drops to fourth place.
	moved := fixtureRows()
	moved[2].Total, moved[4].Total = 5000, 4000
	h.send(snapshotMsg{snap: snap(2, moved[0], moved[2], moved[4], moved[1], moved[3], moved[5], moved[6])})
	// the engine's order is by Total; ours too
	if h.m.SelectedIP() != want {
		t.Fatalf("cursor moved to %v", h.m.SelectedIP())
	}
	r, _ := h.m.table.Selected()
	if r.IP != want {
		t.Fatalf("highlighted row %v, want %v", r.IP, want)
	}
	if c := h.m.table.Cursor(); c != 3 {
		t.Fatalf("cursor index %d, want 3", c)
	}
	// The IP disappears: the cursor keeps its index.
	h.send(snapshotMsg{snap: snap(3, moved[0], moved[2], moved[4], moved[3], moved[5], moved[6])})
	if c := h.m.table.Cursor(); c != 3 {
		t.Fatalf("cursor index %d after eviction, want 3", c)
	}
}

func TestTable_SortCyclesReversesWithIPTieBreak(t *testing.T) {
	t.Parallel()
	a := row("192.0.2.2", classify.Botnet, parse.Pregreet, 10)
	b := row("192.0.2.1", classify.Botnet, parse.Pregreet, 10)
	c := row("192.0.2.3", classify.Suspicious, parse.Pregreet, 3)
	h := newHarness(t, Options{}, 100, 30, snap(1, b, a, c))
	pos := func() (int, int, int) {
		scr := h.screen()
		return strings.Index(scr, "192.0.2.1 "), strings.Index(scr, "192.0.2.2 "), strings.Index(scr, "192.0.2.3 ")
	}
	p1, p2, p3 := pos()
	if !(p1 < p2 && p2 < p3) {
		t.Fatalf("by events: want .1 < .2 (tie, IP asc) < .3, got %d %d %d", p1, p2, p3)
	}
	h.press("S")
	p1, p2, p3 = pos()
	if !(p3 < p2 && p2 < p1) {
		t.Fatalf("reversed: want .3 < .2 < .1, got %d %d %d", p1, p2, p3)
	}
	if k, rev := h.m.table.Sort(); k != iptable.ByCount || !rev {
		t.Fatalf("sort %v %v", k, rev)
	}
	h.press("S", "s")
	if k, _ := h.m.table.Sort(); k != iptable.ByRate {
		t.Fatalf("s: sort key %v, want rate", k)
	}
	if !strings.Contains(h.screen(), "sort rate▼") {
		t.Error("status bar does not show the sort key")
	}
	for range 5 {
		h.press("s")
	}
	if k, _ := h.m.table.Sort(); k != iptable.ByCount {
		t.Fatalf("six presses of s did not wrap around: %v", k)
	}
}

func TestPause_HoldsSnapshotsAndCountsThem(t *testing.T) {
	t.Parallel()
	first := snap(1, fixtureRows()...)
	h := newHarness(t, Options{}, 100, 30, first)
	h.press("p")
	for i := range 3 {
		h.send(snapshotMsg{snap: snap(uint64(2+i), fixtureRows()[:2]...)})
		if h.cmd == nil {
			t.Fatal("paused model stopped re-arming the snapshot read")
		}
	}
	if h.m.Snapshot() != first {
		t.Fatal("paused model applied a snapshot")
	}
	if !strings.Contains(h.screen(), "PAUSED · 3 updates") {
		t.Fatalf("no pause badge:\n%s", h.screen())
	}
	h.press("p")
	if got := h.m.Snapshot().Seq; got != 4 {
		t.Fatalf("resume applied seq %d, want the newest (4)", got)
	}
	if strings.Contains(h.screen(), "PAUSED") {
		t.Fatal("badge still shown after resume")
	}
}

func TestFilter_CIDRSubstringAndEscClears(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 100, 30, snap(1, fixtureRows()...))
	h.filterBy("198.51.100.0/24")
	if n := h.m.table.Len(); n != 2 {
		t.Fatalf("CIDR filter: %d rows, want 2", n)
	}
	if !strings.Contains(h.screen(), "filter 198.51.100.0/24") {
		t.Error("no filter badge")
	}
	h.press("/")
	for range 20 {
		h.press("backspace")
	}
	for _, r := range "YLMF" {
		h.press(string(r))
	}
	h.run() // the debounce tick applies the filter while typing
	if n := h.m.table.Len(); n != 1 {
		t.Fatalf("HELO substring filter while typing: %d rows, want 1", n)
	}
	h.press("esc")
	if n := h.m.table.Len(); n != 7 {
		t.Fatalf("esc did not clear the filter: %d rows", n)
	}
	h.press("/")
	for _, r := range "shodan" {
		h.press(string(r))
	}
	h.press("enter")
	if r, ok := h.m.table.Selected(); !ok || r.IP != netip.MustParseAddr("198.51.100.23") {
		t.Fatalf("host filter selected %v", r)
	}
}

func TestFilter_TypingDoesNotTriggerActions(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 100, 30, snap(1, fixtureRows()...))
	h.press("/", "b", "q", "u", "w")
	if h.m.confirmOpen {
		t.Fatal("b in the filter input opened the ban dialog")
	}
	if h.m.filterInput.Value() != "bquw" {
		t.Fatalf("input holds %q", h.m.filterInput.Value())
	}
}

func TestTabs_SwitchAndCount(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 120, 30, snap(1, fixtureRows()...))
	h.press("tab") // PREGREET
	if n := h.m.table.Len(); n != 1 {
		t.Fatalf("PREGREET tab: %d rows", n)
	}
	h.press("tab") // AUTH
	if r, _ := h.m.table.Selected(); r.IP != netip.MustParseAddr("185.220.101.7") {
		t.Fatalf("AUTH tab selects %v", r.IP)
	}
	if !strings.Contains(h.screen(), "FAILED") {
		t.Error("AUTH tab lacks its FAILED column")
	}
	h.press("shift+tab", "shift+tab", "shift+tab") // wraps to Whitelist
	if n := h.m.wl.Len(); n != 1 {
		t.Fatalf("Whitelist tab: %d prefixes", n)
	}
	h.press("shift+tab") // Banned
	if n := h.m.bans.Len(); n != 1 {
		t.Fatalf("Banned tab: %d bans", n)
	}
	scr := h.screen()
	for _, want := range []string{"Scanners 1", "Banned 1", "Whitelist 1", "HANGUP 2", "REJECT 1"} {
		if !strings.Contains(scr, want) {
			t.Errorf("tab bar lacks %q", want)
		}
	}
}

func TestConfirm_EnterDoesNotConfirm(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 100, 30, snap(1, fixtureRows()...))
	h.press("b")
	if !h.m.confirmOpen {
		t.Fatal("b did not open the dialog")
	}
	scr := h.screen()
	for _, want := range []string{"Ban 45.144.212.19?", "BOTNET", "pregreet 812"} {
		if !strings.Contains(scr, want) {
			t.Errorf("dialog lacks %q:\n%s", want, scr)
		}
	}
	h.press("enter")
	if h.m.confirmOpen || len(h.eng.banCalls()) != 0 {
		t.Fatal("enter confirmed the ban")
	}
	if !strings.Contains(h.screen(), "cancelled: Ban 45.144.212.19?") {
		t.Fatalf("no cancel notice:\n%s", h.screen())
	}
}

func TestConfirm_YBansAndShowsCommand(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 100, 30, snap(1, fixtureRows()...))
	h.press("b", "y")
	if !strings.Contains(h.screen(), "banning 45.144.212.19") {
		t.Errorf("no progress in the status bar:\n%s", h.screen())
	}
	h.run()
	bans := h.eng.banCalls()
	if len(bans) != 1 || bans[0].IP != netip.MustParseAddr("45.144.212.19") || bans[0].Force {
		t.Fatalf("ban calls %+v", bans)
	}
	if !strings.Contains(h.screen(), "iptables -I DOCKER-USER 1 -s 45.144.212.19 -j DROP") {
		t.Errorf("status bar lacks the command:\n%s", h.screen())
	}
}

func TestConfirm_ScannerNeedsSecondY(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 100, 30, snap(1, fixtureRows()...))
	h.press("/")
	for _, r := range "198.51.100.23" {
		h.press(string(r))
	}
	h.press("enter", "b", "y")
	if !h.m.confirmOpen || !strings.Contains(h.screen(), "SCANNER") {
		t.Fatalf("one y banned a scanner:\n%s", h.screen())
	}
	h.press("y")
	h.run()
	bans := h.eng.banCalls()
	if len(bans) != 1 || !bans[0].Force {
		t.Fatalf("want one forced ban, got %+v", bans)
	}
	// the same with n on the second question: nothing is sent
	h.press("b", "y", "n")
	if len(h.eng.banCalls()) != 1 || h.m.confirmOpen {
		t.Fatal("n on the second question did not cancel")
	}
}

func TestConfirm_WhitelistedNeedsSecondYAndErrorsShow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 100, 30, snap(1, fixtureRows()...))
	h.eng.actErr = errors.New("firewall: 192.0.2.77 is whitelisted")
	h.press("/")
	for _, r := range "192.0.2.77" {
		h.press(string(r))
	}
	h.press("enter", "b", "y")
	if !strings.Contains(h.screen(), "WHITELISTED") {
		t.Fatalf("no whitelist warning:\n%s", h.screen())
	}
	h.press("y")
	h.run()
	if !strings.Contains(h.screen(), "192.0.2.77 is whitelisted") {
		t.Fatalf("error not in the status bar:\n%s", h.screen())
	}
}

func TestActions_UnbanAndWhitelistTargets(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 100, 30, snap(1, fixtureRows()...))
	h.press("u") // top row is not banned
	if h.m.confirmOpen || !strings.Contains(h.screen(), "is not banned") {
		t.Fatal("unban of an unbanned IP opened a dialog")
	}
	h.press("w", "y")
	h.run()
	if got := h.eng.whitelist; len(got) != 1 || !got[0].on || got[0].p != netip.MustParsePrefix("45.144.212.19/32") {
		t.Fatalf("whitelist calls %+v", got)
	}
	h.press("/")
	for _, r := range "198.51.100.99" {
		h.press(string(r))
	}
	h.press("enter", "u", "y")
	h.run()
	if got := h.eng.unbans; len(got) != 1 || got[0] != netip.MustParsePrefix("198.51.100.99/32") {
		t.Fatalf("unban calls %+v", got)
	}
}

func TestReadOnly_HidesAndIgnoresActionKeys(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{ReadOnly: true}, 100, 30, snap(1, fixtureRows()...))
	h.press("b", "u", "w", "B")
	if h.m.confirmOpen {
		t.Fatal("action key opened a dialog in read-only mode")
	}
	scr := h.screen()
	for _, hidden := range []string{"b ban", "u unban", "w whitelist"} {
		if strings.Contains(scr, hidden) {
			t.Errorf("read-only help shows %q", hidden)
		}
	}
	if !strings.Contains(scr, "READ-ONLY") {
		t.Error("no READ-ONLY badge")
	}
	h.press("?")
	if scr := h.screen(); strings.Contains(scr, "unban") || strings.Contains(scr, "whitelist") {
		t.Errorf("full help lists ban in read-only mode:\n%s", h.screen())
	}
}

func TestHelp_ListsEveryKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 120, 40, snap(1, fixtureRows()...))
	h.press("?")
	scr := h.screen()
	for _, want := range []string{"ctrl+d", "pgdn", "g/home", "enter", "/", "tab", "p", "S", "b", "u", "w", "q"} {
		if !strings.Contains(scr, want+" ") {
			t.Errorf("full help lacks %q", want)
		}
	}
	h.press("x")
	if h.m.showHelp {
		t.Fatal("a key did not close the help")
	}
}

func TestQuit_QAndCtrlC(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"q", "ctrl+c"} {
		h := newHarness(t, Options{}, 100, 30, snap(1, fixtureRows()...))
		h.press(k)
		if h.cmd == nil {
			t.Fatalf("%s: no command", k)
		}
		if _, ok := h.cmd().(tea.QuitMsg); !ok {
			t.Fatalf("%s did not quit", k)
		}
	}
	h := newHarness(t, Options{}, 100, 30, snap(1, fixtureRows()...))
	h.press("/", "ctrl+c")
	if _, ok := h.cmd().(tea.QuitMsg); !ok {
		t.Fatal("ctrl+c in the filter input did not quit")
	}
}

func TestDrill_OpensLinesSanitisedAndSearch(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 160, 30, snap(1, fixtureRows()...))
	ip := netip.MustParseAddr("45.144.212.19")
	h.eng.lines[ip] = []engine.RawLine{
		{Time: t0.Add(-3 * time.Minute), Category: parse.Pregreet, Text: "postscreen[1]: PREGREET 11 after 0.1 from [45.144.212.19]:4711: EHLO \x1b]0;PWNED\x07\\r\\n"},
		{Time: t0.Add(-2 * time.Minute), Category: parse.None, Text: "smtpd[2]: connect from unknown[45.144.212.19] helo=<evil\x1b[2J>"},
		{Time: t0.Add(-time.Minute), Category: parse.Hangup, Text: "postscreen[1]: HANGUP after 0.2 from [45.144.212.19]:4711"},
	}
	h.press("enter")
	h.run()
	scr := h.screen()
	for _, want := range []string{`EHLO \x1b]0;PWNED\x07`, `evil\x1b[2J`, "BOTNET", "pregreet 812", "why", "HANGUP after"} {
		if !strings.Contains(scr, want) {
			t.Errorf("drill-down lacks %q:\n%s", want, scr)
		}
	}
	if strings.ContainsAny(h.m.View().Content, "\x07") || strings.Contains(h.m.View().Content, "\x1b]0;") {
		t.Fatal("raw BEL/OSC reached the view")
	}
	h.press("/", "P", "W", "N", "E", "D", "enter")
	if q, n := h.m.drill.Query(); q != "PWNED" || n != 1 {
		t.Fatalf("search %q found %d, want 1", q, n)
	}
	h.press("b")
	if !h.m.confirmOpen || !strings.Contains(h.screen(), "Ban 45.144.212.19?") {
		t.Fatal("b in the drill-down did not ask to ban its IP")
	}
	h.press("n", "esc")
	if h.m.drillOpen {
		t.Fatal("esc did not close the drill-down")
	}
}

func TestEngineStopped_ShowsBannerKeepsData(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 100, 30, snap(1, fixtureRows()...))
	h.send(engineStoppedMsg{err: errors.New("source failed: container gone")})
	if h.cmd != nil {
		t.Fatal("re-armed after the engine stopped")
	}
	scr := h.screen()
	if !strings.Contains(scr, "engine stopped: source failed") || !strings.Contains(scr, "45.144.212.19") {
		t.Fatalf("banner or data missing:\n%s", scr)
	}
}

func TestMouseWheel_MovesCursor(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 100, 30, snap(1, fixtureRows()...))
	h.send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if c := h.m.table.Cursor(); c != 3 {
		t.Fatalf("wheel down: cursor %d, want 3", c)
	}
}

// sgrColor matches an SGR sequence that sets a foreground or background colour.
var sgrColor = regexp.MustCompile(`\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m`)

func TestNoColor_ViewHasNoColourButKeepsMeaning(t *testing.T) {
	t.Parallel()
	colour := newHarness(t, Options{}, 100, 30, snap(1, fixtureRows()...))
	if !sgrColor.MatchString(colour.m.View().Content) {
		t.Fatal("the default styles set no colour: the check below proves nothing")
	}
	plain := newHarness(t, Options{NoColor: true}, 100, 30, snap(1, fixtureRows()...))
	content := plain.m.View().Content
	if loc := sgrColor.FindStringIndex(content); loc != nil {
		t.Fatalf("NO_COLOR view sets a colour: %q", content[loc[0]:loc[1]])
	}
	scr := plain.screen()
	for _, want := range []string{"botnet", "scanner", "BAN", "WL", "[All 7]"} {
		if !strings.Contains(scr, want) {
			t.Errorf("NO_COLOR view lacks %q", want)
		}
	}
}

func TestResize_LiveKeepsCursorAndFitsWidth(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 120, 40, snap(1, fixtureRows()...))
	h.press("down", "down")
	want := h.m.SelectedIP()
	for _, size := range [][2]int{{80, 24}, {200, 60}, {100, 30}} {
		h.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		if h.m.SelectedIP() != want {
			t.Fatalf("%v: cursor moved to %v", size, h.m.SelectedIP())
		}
		lines := strings.Split(h.screen(), "\n")
		if len(lines) != size[1] {
			t.Errorf("%v: %d lines", size, len(lines))
		}
		for i, l := range lines {
			if w := ansi.StringWidth(l); w > size[0] {
				t.Errorf("%v: line %d is %d wide: %q", size, i, w, l)
			}
		}
	}
}

// TestBanAll_BotnetsOfTheViewInOneBatch: B offers exactly the unbanned, non-whitelisted botnet
// rows of the table as shown (tab and filter), says what it leaves out, and y bans them in one
// BanMany; the first refusal is named in the status.
func TestBanAll_BotnetsOfTheViewInOneBatch(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 120, 30, snap(1, fixtureRows()...))
	h.eng.refuse = map[netip.Addr]error{netip.MustParseAddr("185.220.101.7"): errors.New("refusing to ban 185.220.101.7: test")}
	h.press("B")
	if !h.m.confirmOpen {
		t.Fatal("B opened no dialog")
	}
	scr := h.screen()
	for _, want := range []string{"Ban all 2 botnet IPs shown?", "1164 events", "pregreet 812", "45.144.212.19, 185.220.101.7",
		"left out 1 banned, 1 scanner, 1 suspicious, 1 legit, 1 ignored"} {
		if !strings.Contains(scr, want) {
			t.Errorf("dialog lacks %q:\n%s", want, scr)
		}
	}
	h.press("y")
	h.run()
	calls := h.eng.batchCalls()
	if len(calls) != 1 || len(calls[0]) != 2 || calls[0][0].IP != netip.MustParseAddr("45.144.212.19") ||
		calls[0][1].IP != netip.MustParseAddr("185.220.101.7") || calls[0][0].Force || len(h.eng.banCalls()) != 0 {
		t.Fatalf("batches %+v, single bans %+v", calls, h.eng.banCalls())
	}
	if scr := h.screen(); !strings.Contains(scr, "banned 1 of 2 · first refused: refusing to ban 185.220.101.7") {
		t.Errorf("status lacks the outcome:\n%s", scr)
	}

	// Filtered to one /24: only its botnet; n cancels.
	h.filterBy("45.144.212.0/24")
	h.press("B")
	if !strings.Contains(h.screen(), "Ban all 1 botnet IPs shown?") {
		t.Errorf("filtered dialog:\n%s", h.screen())
	}
	h.press("n")
	h.filterBy("192.0.2.0/24") // legit and whitelisted only
	h.press("B")
	if h.m.confirmOpen || !strings.Contains(h.screen(), "no unbanned botnet IP in this view") {
		t.Errorf("B with no botnet in view:\n%s", h.screen())
	}
	if len(h.eng.batchCalls()) != 1 {
		t.Fatal("a cancelled or empty B reached the engine")
	}
}
