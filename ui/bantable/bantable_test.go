package bantable

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mxtop/mxtop/engine/firewall"
	"github.com/mxtop/mxtop/ui/iptable"
)

func TestHumanAndUntil(t *testing.T) {
	t.Parallel()
	for n, want := range map[uint64]string{0: "0", 999: "999", 1000: "1.0k", 12_345: "12.3k", 999_499: "999k", 999_500: "1.0M", 99_949: "99.9k", 99_950: "100k", 4_500_000_000: "4.5G"} {
		if got := Human(n); got != want {
			t.Errorf("Human(%d) = %q, want %q", n, got, want)
		}
	}
	now := time.Unix(100_000, 0)
	for in, want := range map[time.Time]string{{}: "perm", now.Add(-time.Second): "expired", now.Add(90 * time.Minute): "in 1h", now.Add(72 * time.Hour): "in 3d"} {
		if got := Until(now, in); got != want {
			t.Errorf("Until(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestTable_FitsWidthAndKeepsPrefix(t *testing.T) {
	t.Parallel()
	now := time.Unix(100_000, 0)
	mk := func(p string, ago time.Duration) Row {
		return Row{Ban: firewall.Ban{Prefix: netip.MustParsePrefix(p), Since: now.Add(-ago), Active: true, Reason: strings.Repeat("x", 60)}}
	}
	for w := 80; w <= 200; w += 9 {
		m := New(iptable.DefaultKeyMap(), iptable.Styles{})
		m.SetSize(w, 10)
		m.SetNow(now)
		m.SetRows([]Row{mk("2001:db8:ffff:ffff:ffff:ffff:ffff:fff1/128", time.Hour), mk("192.0.2.0/24", time.Minute)})
		for _, l := range strings.Split(m.View(), "\n") {
			if lw := lipgloss.Width(l); lw > w {
				t.Fatalf("width %d: line %d wide: %q", w, lw, ansi.Strip(l))
			}
		}
		m.move(1) // the older /128
		m.SetRows([]Row{mk("198.51.100.0/24", 0), mk("2001:db8:ffff:ffff:ffff:ffff:ffff:fff1/128", time.Hour), mk("192.0.2.0/24", time.Minute)})
		if r, _ := m.Selected(); m.Cursor() != 2 || r.Ban.Prefix.Bits() != 128 {
			t.Fatalf("cursor %d on %v after a newer ban arrived", m.Cursor(), r.Ban.Prefix)
		}
	}
}

func TestList_PrefixOrderCountsAndNoBanColumns(t *testing.T) {
	t.Parallel()
	m := NewList(iptable.DefaultKeyMap(), iptable.Styles{}, "empty")
	m.SetSize(60, 10)
	if v := ansi.Strip(m.View()); !strings.Contains(v, "empty") {
		t.Fatalf("no empty text:\n%s", v)
	}
	row := func(p string, ips int, events int64) Row {
		return Row{Ban: firewall.Ban{Prefix: netip.MustParsePrefix(p)}, IPs: ips, Events: events}
	}
	m.SetRows([]Row{row("2001:db8::/64", 0, 0), row("198.51.100.0/24", 2, 19), row("192.0.2.7/32", 1, 2)})
	v := ansi.Strip(m.View())
	lines := strings.Split(v, "\n")
	if len(lines) < 4 || strings.Contains(v, "STATE") || strings.Contains(v, "REASON") {
		t.Fatalf("list layout:\n%s", v)
	}
	for i, want := range [][]string{{"PREFIX", "IPS", "EVENTS"}, {"192.0.2.7/32", "1", "2"}, {"198.51.100.0/24", "2", "19"}, {"2001:db8::/64", "0", "-"}} {
		if got := strings.Fields(lines[i]); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("line %d = %q, want %q", i, got, want)
		}
	}
	for _, l := range lines {
		if lw := lipgloss.Width(l); lw > 60 {
			t.Fatalf("line %d wide: %q", lw, l)
		}
	}
}
