package ui

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/firewall"
)

// bansSnapshot is the fixture plus bans no tracked row stands for: a /24 with no tracked IP, a
// /24 holding the relay spammer, an IPv6 /64, a hand-added DROP rule and a ban the kernel lost.
func bansSnapshot(seq uint64) *engine.Snapshot {
	s := snap(seq, fixtureRows()...)
	extra := []firewall.Ban{
		{Prefix: netip.MustParsePrefix("203.0.113.0/24"), Reason: "pregreet wave\x1b]0;pwned\x07", Since: t0.Add(-2 * time.Hour), Packets: 2_500_000, Bytes: 3_000_000_000, Active: true},
		{Prefix: netip.MustParsePrefix("2001:db8:dead:beef::/64"), Reason: "auth brute force", Since: t0.Add(-3 * time.Hour), Expires: t0.Add(30 * time.Minute), Active: true},
		{Prefix: netip.MustParsePrefix("192.0.2.200/32"), Since: t0.Add(-4 * time.Hour), Manual: true, Active: true, Packets: 17},
		{Prefix: netip.MustParsePrefix("198.51.100.200/32"), Reason: "evicted botnet", Since: t0.Add(-5 * time.Hour), Active: false},
	}
	s.Bans = append(s.Bans, extra...)
	s.Banned = len(s.Bans)
	return s
}

// toBanned switches from All to the Banned tab.
func toBanned(h *harness) {
	h.t.Helper()
	h.press("shift+tab", "shift+tab")
	if !h.m.onBans() {
		h.t.Fatalf("tab %d is not Banned", h.m.tab)
	}
}

// selectBan moves the cursor down to the ban of prefix p.
func selectBan(h *harness, p string) {
	h.t.Helper()
	want := netip.MustParsePrefix(p)
	h.press("g")
	for range h.m.bans.Len() {
		if h.m.bans.SelectedPrefix() == want {
			return
		}
		h.press("down")
	}
	h.t.Fatalf("no ban %s on the Banned tab", p)
}

// banLine returns the screen line showing prefix p.
func banLine(t *testing.T, scr, p string) string {
	t.Helper()
	for _, l := range strings.Split(scr, "\n") {
		if strings.Contains(l, p+" ") {
			return l
		}
	}
	t.Fatalf("screen lacks %s:\n%s", p, scr)
	return ""
}

func TestBannedTab_ListsEveryBanOfTheSnapshot(t *testing.T) {
	t.Parallel()
	s := bansSnapshot(1)
	h := newHarness(t, Options{}, 120, 30, s)
	toBanned(h)
	if n := h.m.bans.Len(); n != len(s.Bans) {
		t.Fatalf("Banned tab lists %d bans, want %d", n, len(s.Bans))
	}
	scr := h.screen()
	if !strings.Contains(scr, "Banned 5") {
		t.Errorf("tab title count is not len(Bans)=5:\n%s", scr)
	}
	// a /24 with no tracked row, its counters in short units, its reason escaped
	l := banLine(t, scr, "203.0.113.0/24")
	for _, want := range []string{"active", "2h", "perm", "2.5M", "3.0G", `pregreet wave\x1b]0;pwned\x07`} {
		if !strings.Contains(l, want) {
			t.Errorf("203.0.113.0/24 line lacks %q: %q", want, l)
		}
	}
	// the relay spammer 203.0.113.50 (25 events) is inside it only if it is tracked: it is
	if !strings.Contains(l, " 25 ") {
		t.Errorf("203.0.113.0/24 line lacks the tracked events 25: %q", l)
	}
	if l := banLine(t, scr, "2001:db8:dead:beef::/64"); !strings.Contains(l, "in 30m") || !strings.Contains(l, " - ") {
		t.Errorf("/64 line lacks its expiry or the no-tracked-IP dash: %q", l)
	}
	if l := banLine(t, scr, "192.0.2.200/32"); !strings.Contains(l, "manual") {
		t.Errorf("hand-added rule not marked manual: %q", l)
	}
	if l := banLine(t, scr, "198.51.100.200/32"); !strings.Contains(l, "NOT ENFORCED") {
		t.Errorf("inactive ban not marked NOT ENFORCED: %q", l)
	}
	if l := banLine(t, scr, "198.51.100.99/32"); !strings.Contains(l, " 10 ") || !strings.Contains(l, "active") {
		t.Errorf("tracked ban lacks its 10 events: %q", l)
	}
	if strings.Contains(scr, "\x1b]") {
		t.Error("raw escape from a ban reason reached the screen")
	}
}

func TestBannedTab_UnbanNotEnforcedCallsExactPrefix(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 120, 30, bansSnapshot(1))
	toBanned(h)
	selectBan(h, "198.51.100.200/32")
	h.press("u")
	if !h.m.confirmOpen || !strings.Contains(h.screen(), "Unban 198.51.100.200/32?") ||
		!strings.Contains(h.screen(), "NOT ENFORCED") {
		t.Fatalf("no unban dialog for the untracked ban:\n%s", h.screen())
	}
	h.press("y")
	h.run()
	if got := h.eng.unbanCalls(); len(got) != 1 || got[0] != netip.MustParsePrefix("198.51.100.200/32") {
		t.Fatalf("unban calls %v", got)
	}
	// a wide ban is lifted as the /24, not as the tracked address inside it
	selectBan(h, "203.0.113.0/24")
	h.press("u", "y")
	h.run()
	if got := h.eng.unbanCalls(); len(got) != 2 || got[1] != netip.MustParsePrefix("203.0.113.0/24") {
		t.Fatalf("unban calls %v", got)
	}
}

func TestBannedTab_CursorStaysOnPrefixAcrossRefresh(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 120, 30, bansSnapshot(1))
	toBanned(h)
	selectBan(h, "192.0.2.200/32")
	// a newer ban arrives at the top and one before the cursor goes away
	s := bansSnapshot(2)
	s.Bans = append(s.Bans, firewall.Ban{Prefix: netip.MustParsePrefix("192.0.2.1/32"), Since: t0, Active: true})
	s.Bans = slicesDeleteBan(s.Bans, "203.0.113.0/24")
	s.Banned = len(s.Bans)
	h.send(snapshotMsg{snap: s})
	if got := h.m.bans.SelectedPrefix(); got != netip.MustParsePrefix("192.0.2.200/32") {
		t.Fatalf("cursor moved to %v", got)
	}
	if b, _ := h.m.bans.Selected(); b.Ban.Prefix != netip.MustParsePrefix("192.0.2.200/32") {
		t.Fatalf("highlighted ban %v", b.Ban.Prefix)
	}
	if !strings.Contains(h.screen(), "Banned 5") {
		t.Errorf("count not refreshed:\n%s", h.screen())
	}
}

func TestBannedTab_FilterAndActionsOnUntrackedBan(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 120, 30, bansSnapshot(1))
	toBanned(h)
	h.press("/")
	for _, r := range "203.0.113.7" {
		h.press(string(r))
	}
	h.press("enter")
	if n := h.m.bans.Len(); n != 1 || !strings.Contains(h.screen(), "Banned 1") {
		t.Fatalf("filter by an IP inside the /24: %d bans\n%s", n, h.screen())
	}
	h.press("b") // no tracked row to ban: a notice, no dialog
	if h.m.confirmOpen || !strings.Contains(h.screen(), "no tracked IP") {
		t.Fatalf("b on a /24 ban:\n%s", h.screen())
	}
}

func slicesDeleteBan(bans []firewall.Ban, p string) []firewall.Ban {
	out := bans[:0:0]
	for _, b := range bans {
		if b.Prefix != netip.MustParsePrefix(p) {
			out = append(out, b)
		}
	}
	return out
}
