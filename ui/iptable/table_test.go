package iptable

import (
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/parse"
)

func mkRow(ip string, total int64, lastAgo time.Duration) *engine.Row {
	r := &engine.Row{IP: netip.MustParseAddr(ip), Total: total, LastSeen: time.Unix(1000, 0).Add(-lastAgo)}
	r.Counts[parse.Pregreet] = total
	return r
}

func newTable(t *testing.T, w, h int) Model {
	t.Helper()
	m := New(DefaultKeyMap(), Styles{})
	m.SetSize(w, h)
	m.SetNow(time.Unix(1000, 0))
	return m
}

func ips(m Model) []string {
	out := make([]string, len(m.rows))
	for i, r := range m.rows {
		out[i] = r.IP.String()
	}
	return out
}

func TestTable_CursorFollowsIPAcrossResort(t *testing.T) {
	t.Parallel()
	m := newTable(t, 100, 10)
	m.SetRows([]*engine.Row{mkRow("192.0.2.1", 9, 0), mkRow("192.0.2.2", 5, 0), mkRow("192.0.2.3", 1, 0)})
	m.move(2)
	if got := m.SelectedIP().String(); got != "192.0.2.3" {
		t.Fatalf("selected %s", got)
	}
	m.SetRows([]*engine.Row{mkRow("192.0.2.3", 50, 0), mkRow("192.0.2.1", 9, 0), mkRow("192.0.2.2", 5, 0)})
	if m.Cursor() != 0 || m.SelectedIP().String() != "192.0.2.3" {
		t.Fatalf("cursor %d on %v after re-sort", m.Cursor(), m.SelectedIP())
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "192.0.2.3") {
		t.Fatalf("view lacks the row:\n%s", v)
	}
}

func TestSort_TotalOrderWithIPTieBreak(t *testing.T) {
	t.Parallel()
	rows := func() []*engine.Row {
		return []*engine.Row{
			mkRow("192.0.2.9", 5, time.Second), mkRow("192.0.2.1", 5, time.Second),
			mkRow("192.0.2.5", 5, 0), mkRow("192.0.2.7", 7, time.Hour),
		}
	}
	tests := []struct {
		key     SortKey
		reverse bool
		want    string
	}{
		{ByCount, false, "192.0.2.7 192.0.2.5 192.0.2.1 192.0.2.9"},
		{ByCount, true, "192.0.2.9 192.0.2.1 192.0.2.5 192.0.2.7"},
		{ByLastSeen, false, "192.0.2.5 192.0.2.1 192.0.2.9 192.0.2.7"},
		{ByIP, false, "192.0.2.1 192.0.2.5 192.0.2.7 192.0.2.9"},
	}
	for _, tt := range tests {
		for range 3 { // any input order gives the same result
			r := rows()
			sortRows(r, tt.key, nil, tt.reverse)
			m := Model{rows: r}
			if got := strings.Join(ips(m), " "); got != tt.want {
				t.Errorf("%v reverse=%v: %s, want %s", tt.key, tt.reverse, got, tt.want)
			}
		}
	}
}

// TestSort_ByRateAsShown: the rate column shows tenths, and rows that read the same rate are
// ordered by count (the next key), not by a difference the operator cannot see.
func TestSort_ByRateAsShown(t *testing.T) {
	t.Parallel()
	rate := func(ip string, total int64, perMin float64) *engine.Row {
		r := mkRow(ip, total, 0)
		r.RatePerMin = perMin
		return r
	}
	for range 3 {
		r := []*engine.Row{
			rate("192.0.2.1", 1, 12.3), rate("192.0.2.2", 9, 12.3), rate("192.0.2.3", 1, 12.4),
			rate("192.0.2.4", 50, 0.1), rate("192.0.2.5", 2, 12.34), rate("192.0.2.6", 1, 6553.5),
		}
		rand.Shuffle(len(r), func(i, j int) { r[i], r[j] = r[j], r[i] })
		sortRows(r, ByRate, nil, false)
		m := Model{rows: r}
		// 12.34 reads "12.3": it sorts among the 12.3 rows, by its count.
		want := "192.0.2.6 192.0.2.3 192.0.2.2 192.0.2.5 192.0.2.1 192.0.2.4"
		if got := strings.Join(ips(m), " "); got != want {
			t.Fatalf("by rate: %s, want %s", got, want)
		}
	}
}

func TestLayout_FitsEveryWidth(t *testing.T) {
	t.Parallel()
	counts := []CountColumn{{"PRE", nil}, {"AUTH", nil}, {"TLS", nil}, {"RELAY", nil}, {"REJECT", nil}, {"PROTO", nil}, {"HANGUP", nil}}
	for _, ipw := range []int{15, 39} {
		for w := 80; w <= 240; w += 7 {
			m := newTable(t, w, 10)
			m.SetTab(nil, counts)
			m.ipWidth = ipw
			m.relayout()
			m.SetRows([]*engine.Row{mkRow("2001:db8:ffff:ffff:ffff:ffff:ffff:fff1", 3, 0)})
			for _, l := range strings.Split(m.View(), "\n") {
				if lw := lipgloss.Width(l); lw > w {
					t.Fatalf("ip width %d, width %d: line %d wide: %q", ipw, w, lw, ansi.Strip(l))
				}
			}
		}
	}
}

func TestAgo(t *testing.T) {
	t.Parallel()
	now := time.Unix(100000, 0)
	for d, want := range map[time.Duration]string{
		0: "0s", 59 * time.Second: "59s", 5 * time.Minute: "5m", 3 * time.Hour: "3h", 72 * time.Hour: "3d", -time.Second: "0s",
	} {
		if got := Ago(now, now.Add(-d)); got != want {
			t.Errorf("Ago(%v) = %q, want %q", d, got, want)
		}
	}
	if Ago(now, time.Time{}) != "-" {
		t.Error("zero time")
	}
}

func TestTable_CursorOnFirstRowStaysOnLeader(t *testing.T) {
	t.Parallel()
	m := newTable(t, 100, 10)
	m.SetRows([]*engine.Row{mkRow("192.0.2.1", 9, 0), mkRow("192.0.2.2", 5, 0)})
	m.SetRows([]*engine.Row{mkRow("192.0.2.2", 50, 0), mkRow("192.0.2.1", 9, 0)})
	if m.Cursor() != 0 || m.SelectedIP().String() != "192.0.2.2" {
		t.Fatalf("cursor %d on %v, want the new leader", m.Cursor(), m.SelectedIP())
	}
}

func TestTable_UnchangedWindowKeptChangedOneRedrawn(t *testing.T) {
	t.Parallel()
	m := newTable(t, 100, 10)
	m.SetRows([]*engine.Row{mkRow("192.0.2.1", 9, 0), mkRow("192.0.2.2", 5, 0)})
	before := m.View()
	m.SetRows([]*engine.Row{mkRow("192.0.2.1", 9, 0), mkRow("192.0.2.2", 5, 0)})
	if m.View() != before {
		t.Fatal("the same rows drew a different view")
	}
	m.SetRows([]*engine.Row{mkRow("192.0.2.1", 9, 0), mkRow("192.0.2.2", 7, 0)})
	if v := ansi.Strip(m.View()); !strings.Contains(v, " 7 ") || v == ansi.Strip(before) {
		t.Fatalf("a changed count was not redrawn:\n%s", v)
	}
	m.move(1)
	if r, _ := m.Selected(); r.IP.String() != "192.0.2.2" || m.View() == before {
		t.Fatal("moving the cursor did not redraw")
	}
}
