package ui

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/mxtop/mxtop/engine"
)

// toWhitelist switches from All to the Whitelist tab (the last one).
func toWhitelist(h *harness) {
	h.t.Helper()
	h.press("shift+tab")
	if h.m.tabs[h.m.tab].kind != tabWhitelist {
		h.t.Fatalf("tab %d is not Whitelist", h.m.tab)
	}
}

// whitelistSnapshot is the fixture plus whitelisted prefixes: a /24 holding the scanner and a
// banned botnet, a /64 and a /32 no tracked IP falls in.
func whitelistSnapshot(seq uint64) *engine.Snapshot {
	s := snap(seq, fixtureRows()...)
	s.Whitelist = append(s.Whitelist,
		netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("2001:db8:aaaa:1::/64"),
		netip.MustParsePrefix("198.18.0.9/32"),
	)
	return s
}

func TestWhitelistTab_ListsEveryPrefixWithTrackedCounts(t *testing.T) {
	t.Parallel()
	s := whitelistSnapshot(1)
	h := newHarness(t, Options{}, 120, 30, s)
	toWhitelist(h)
	if n := h.m.wl.Len(); n != len(s.Whitelist) {
		t.Fatalf("Whitelist tab: %d prefixes, want %d", n, len(s.Whitelist))
	}
	scr := h.screen()
	if want := "Whitelist " + strconv.Itoa(len(s.Whitelist)); !strings.Contains(scr, want) {
		t.Errorf("tab bar lacks %q:\n%s", want, scr)
	}
	for _, p := range s.Whitelist {
		var ips int
		var events int64
		for _, r := range s.Rows {
			if p.Contains(r.IP) {
				ips++
				events += r.Total
			}
		}
		l := banLine(t, scr, p.String())
		f := strings.Fields(l)
		if len(f) < 3 || f[1] != strconv.Itoa(ips) {
			t.Errorf("%s: line %q, want %d IPs", p, l, ips)
		}
		if ips > 0 && f[2] != strconv.FormatInt(events, 10) {
			t.Errorf("%s: line %q, want %d events", p, l, events)
		}
	}
	h.send(snapshotMsg{snap: func() *engine.Snapshot {
		s2 := whitelistSnapshot(2)
		s2.Whitelist = s2.Whitelist[:len(s2.Whitelist)-1]
		return s2
	}()})
	if n := h.m.wl.Len(); n != len(s.Whitelist)-1 {
		t.Fatalf("after a refresh: %d prefixes, want %d", n, len(s.Whitelist)-1)
	}
}

func TestWhitelistTab_WRemovesExactPrefixAfterY(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 120, 30, whitelistSnapshot(1))
	toWhitelist(h)
	want := netip.MustParsePrefix("2001:db8:aaaa:1::/64")
	h.press("g")
	for range h.m.wl.Len() {
		if h.m.wl.SelectedPrefix() == want {
			break
		}
		h.press("down")
	}
	if h.m.wl.SelectedPrefix() != want {
		t.Fatalf("cursor on %v, want %v", h.m.wl.SelectedPrefix(), want)
	}
	h.press("w")
	if !h.m.confirmOpen || !strings.Contains(h.screen(), "Remove from the whitelist "+want.String()+"?") {
		t.Fatalf("no dialog for %v:\n%s", want, h.screen())
	}
	h.press("enter") // enter does not confirm
	if h.m.confirmOpen || len(h.eng.whitelist) != 0 {
		t.Fatalf("enter: open %v, calls %+v", h.m.confirmOpen, h.eng.whitelist)
	}
	h.press("w", "y")
	h.run()
	if got := h.eng.whitelist; len(got) != 1 || got[0].on || got[0].p != want {
		t.Fatalf("whitelist calls %+v, want one removal of %v", got, want)
	}
}

func TestWhitelistTab_ReadOnlyHidesW(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{ReadOnly: true}, 120, 30, whitelistSnapshot(1))
	toWhitelist(h)
	h.press("w")
	if h.m.confirmOpen {
		t.Fatal("read-only: w opened a dialog")
	}
}

func TestWhitelistTab_FilterCountsPrefixes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 120, 30, whitelistSnapshot(1))
	toWhitelist(h)
	h.filterBy("2001:db8:aaaa:1::5")
	if n := h.m.wl.Len(); n != 1 {
		t.Fatalf("filtered: %d prefixes, want 1", n)
	}
	if !strings.Contains(h.screen(), "Whitelist 1") {
		t.Errorf("tab bar does not count the filtered prefixes:\n%s", h.screen())
	}
}
