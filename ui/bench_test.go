package ui

import (
	"context"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/mxtop/mxtop/demo"
	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/parse"
)

// bigSnapshot returns a snapshot of n tracked IPs in the engine's order, with a mix of
// categories so every tab has rows.
func bigSnapshot(n int, seq uint64) *engine.Snapshot {
	rows := make([]*engine.Row, n)
	for i := range rows {
		ip := netip.AddrFrom4([4]byte{byte(11 + i>>16), byte(i >> 8), byte(i), 7})
		c := parse.Categories[i%len(parse.Categories)]
		r := row(ip.String(), classify.Verdict(1+i%5), c, n-i)
		r.Host = "host-" + strconv.Itoa(i) + ".example.net"
		r.Banned = i%97 == 0
		rows[i] = r
	}
	return snap(seq, rows...)
}

// liveSnapshot is bigSnapshot with per-snapshot pseudo-random rates (seeded by seq): a live
// wave, where the rate order is not the events order and the leaders change.
func liveSnapshot(n int, seq uint64) *engine.Snapshot {
	s := bigSnapshot(n, seq)
	rng := rand.New(rand.NewPCG(seq, 7))
	for _, r := range s.Rows {
		r.RatePerMin = float64(rng.IntN(50_000)) / 10
	}
	return s
}

// BenchmarkSnapshotToRows measures what Update does when a snapshot of 100,000 IPs arrives:
// count every tab, filter and sort the current tab's rows, put the cursor back on its IP and
// format the visible window. Target: < 20 ms.
func BenchmarkSnapshotToRows(b *testing.B) {
	for _, tc := range []struct {
		name string
		keys []string
	}{
		{"all_tab", nil},
		{"auth_tab", []string{"tab", "tab"}},
		{"all_tab_sorted_by_rate", []string{"s"}},
		{"all_tab_filtered", []string{"/", "h", "o", "s", "t", "-", "9", "enter"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			benchSnapshots(b, bigSnapshot(100_000, 1), bigSnapshot(100_000, 2), tc.keys)
		})
	}
}

// BenchmarkRateViewLive is the rate view of a live wave: the rates disagree with the engine's
// order (by events) and change between snapshots, so each snapshot really sorts 100,000 rows
// and redraws the window. BenchmarkSnapshotToRows cannot see this: there the rate order equals
// the events order and two snapshots alike alternate. Target: < 20 ms: 14-20 ms (median ~19)
// with iptable's radix sort on a busy 2-core machine, against 23-27 ms with quickSort alone.
func BenchmarkRateViewLive(b *testing.B) {
	benchSnapshots(b, liveSnapshot(100_000, 1), liveSnapshot(100_000, 2), []string{"s"})
}

// benchSnapshots applies s1 and s2 in turn to a model that had keys pressed.
func benchSnapshots(b *testing.B, s1, s2 *engine.Snapshot, keys []string) {
	b.Helper()
	m := benchModel(b, s1)
	m = pressAll(m, keys...)
	b.ReportAllocs()
	i := 0
	defer reportCPU(b)()
	for b.Loop() {
		s := s1
		if i%2 == 1 {
			s = s2
		}
		i++
		nm, _ := m.Update(snapshotMsg{snap: s})
		m = nm.(Model)
	}
}

// BenchmarkKeyToFrame measures a key press through Update plus the View it produces, with
// 100,000 IPs loaded. Target: < 50 ms.
func BenchmarkKeyToFrame(b *testing.B) {
	for _, k := range []string{"down", "s", "tab", "enter"} {
		b.Run(k, func(b *testing.B) {
			m := benchModel(b, bigSnapshot(100_000, 1))
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				nm, _ := m.Update(keyMsg(k))
				_ = nm.(Model).View()
				if k == "enter" {
					continue // opening the drill-down from the same state each time
				}
				m = nm.(Model)
			}
		})
	}
}

// reportCPU adds the process CPU time per op (user+system, all threads, GC included) to the
// benchmark: on a shared 2-core machine wall time mostly measures the neighbours.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() { b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op") }
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchModel(b *testing.B, s *engine.Snapshot) Model {
	b.Helper()
	m := New(newFakeEngine(), Options{Context: b.Context()})
	m = pressAll(m)
	nm, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	nm, _ = nm.(Model).Update(snapshotMsg{snap: s})
	return nm.(Model)
}

func pressAll(m Model, keys ...string) Model {
	for _, k := range keys {
		nm, _ := m.Update(keyMsg(k))
		m = nm.(Model)
	}
	return m
}

// countingWriter counts the bytes the program sends to the "terminal".
type countingWriter struct{ n atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	return len(p), nil
}

// BenchmarkDemoWave_TerminalBytes runs the real engine on the demo source at 50,000 lines/s
// with a 20 s attack wave and the real program at 120×40 (xterm-256color), and reports the
// bytes written to the terminal per second: the SSH bandwidth cost. Each iteration is one
// second of wall time; run with -benchtime=10x. Target: < 30 KB/s.
func BenchmarkDemoWave_TerminalBytes(b *testing.B) {
	ctx, cancel := context.WithCancel(b.Context())
	src := demo.NewSource(1, demo.WithRate(50_000), demo.WithWavePeriod(20*time.Second))
	eng := engine.New(engine.Config{}, src, nil)
	engDone := make(chan struct{})
	go func() { _ = eng.Run(ctx); close(engDone) }()
	out := &countingWriter{}
	p := tea.NewProgram(New(eng, Options{Context: ctx}),
		tea.WithContext(ctx), tea.WithInput(nil), tea.WithOutput(out), tea.WithoutSignals(),
		tea.WithWindowSize(120, 40), tea.WithEnvironment([]string{"TERM=xterm-256color"}),
		tea.WithColorProfile(colorprofile.ANSI256))
	progDone := make(chan struct{})
	var final tea.Model
	go func() { final, _ = p.Run(); close(progDone) }()
	time.Sleep(2 * time.Second) // warm-up: first full frame and the engine filling up
	start, t0 := out.n.Load(), time.Now()
	for b.Loop() {
		time.Sleep(time.Second)
	}
	b.ReportMetric(float64(out.n.Load()-start)/time.Since(t0).Seconds(), "B/s")
	cancel()
	<-progDone
	<-engDone
	if m, ok := final.(Model); ok && m.Snapshot() != nil {
		b.ReportMetric(m.Snapshot().LinesPerSec, "lines/s")
		b.ReportMetric(float64(len(m.Snapshot().Rows)), "IPs")
	}
}
