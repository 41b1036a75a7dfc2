package ui

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/parse"
	"github.com/mxtop/mxtop/engine/store"
)

// net6Snapshot puts three rotating addresses of one /64 on top of the fixture, with the /64 in
// Nets6 (events as the engine counts them, evicted addresses included), and a lone IPv6 client.
func net6Snapshot(seq uint64, total int64) *engine.Snapshot {
	rows := []*engine.Row{
		row("2001:db8:7:1::a", classify.Botnet, parse.AuthFailed, 3000),
		row("2001:db8:7:1::b", classify.Botnet, parse.AuthFailed, 2900),
		row("2001:db8:7:1::c", classify.Botnet, parse.AuthFailed, 2800),
		row("2001:db8:9:9::1", classify.Suspicious, parse.AuthFailed, 2700),
	}
	s := snap(seq, append(rows, fixtureRows()...)...)
	s.Nets6 = []store.Net{{Prefix: netip.MustParsePrefix("2001:db8:7:1::/64"), IPs: 3, Total: total, Last: t0}}
	return s
}

func TestDrill_ShowsTheIPv6SlashSixtyFourItShares(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 100, 30, net6Snapshot(1, 8700))
	h.press("down", "enter") // 2001:db8:7:1::b
	if ip := h.m.drill.IP().String(); ip != "2001:db8:7:1::b" {
		t.Fatalf("drill-down of %s", ip)
	}
	const line = "its /64 2001:db8:7:1::/64: 3 addresses, 8700 events"
	if !strings.Contains(h.screen(), line) {
		t.Fatalf("card lacks %q:\n%s", line, h.screen())
	}
	h.send(snapshotMsg{snap: net6Snapshot(2, 8800)})
	if !strings.Contains(h.screen(), "3 addresses, 8800 events") {
		t.Fatalf("card not refreshed by the next snapshot:\n%s", h.screen())
	}
}

func TestDrill_NoSlashSixtyFourLineForLoneOrIPv4Clients(t *testing.T) {
	t.Parallel()
	for ip, keys := range map[string][]string{"2001:db8:9:9::1": {"down", "down", "down", "enter"}, "192.0.2.10": {"G", "enter"}} {
		h := newHarness(t, Options{}, 100, 30, net6Snapshot(1, 8700))
		h.press(keys...)
		if !h.m.drillOpen || h.m.drill.IP().String() != ip {
			t.Fatalf("%v: drill-down open %v of %s, want %s", keys, h.m.drillOpen, h.m.drill.IP(), ip)
		}
		if scr := h.screen(); strings.Contains(scr, "its /64") {
			t.Errorf("%v: drill-down of %s shows a /64:\n%s", keys, h.m.drill.IP(), scr)
		}
	}
}

// TestBan_AltBansTheSlash64WithPreview: the ban dialog of a rotating IPv6 client offers its /64
// with the tracked addresses and events it covers; p bans the /64, y only the address.
func TestBan_AltBansTheSlash64WithPreview(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, 120, 30, net6Snapshot(1, 8700))
	h.press("b")
	const preview = "p: ban all of 2001:db8:7:1::/64 (3 tracked addresses, 8700 events)"
	if !strings.Contains(h.screen(), preview) {
		t.Fatalf("dialog lacks %q:\n%s", preview, h.screen())
	}
	h.press("p")
	h.run()
	h.press("b", "y")
	h.run()
	bans := h.eng.banCalls()
	if len(bans) != 2 || bans[0].IP != netip.MustParseAddr("2001:db8:7:1::a") || bans[0].Bits != 64 || bans[1].Bits != 0 {
		t.Fatalf("ban calls %+v", bans)
	}
}
