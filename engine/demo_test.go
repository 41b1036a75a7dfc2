package engine

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/mxtop/mxtop/demo"
	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/parse"
	"github.com/mxtop/mxtop/engine/source"
	"github.com/mxtop/mxtop/engine/store"
)

var demoStart = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

func demoLog(n int) ([]byte, demo.Truth) {
	g := demo.New(1, demoStart)
	var buf []byte
	for i := 0; i < n; i++ {
		buf = g.Append(buf)
	}
	return buf, g.Truth()
}

// TestDemoTruth_EveryIPCountedExactly runs the generator's traffic through the whole pipeline
// (reader source, parallel parse, store) and compares every IP's counts with what the generator
// says it emitted: no attempt lost, none counted twice, no decoy or server address blamed.
func TestDemoTruth_EveryIPCountedExactly(t *testing.T) {
	log, truth := demoLog(300_000)
	core := NewCore(classify.Config{}, store.Limits{NoLines: true})
	core.SetParserNow(demoStart.Add(24 * time.Hour))
	if err := core.IngestAll(context.Background(), source.NewReader("demo", bytes.NewReader(log))); err != nil {
		t.Fatal(err)
	}
	rows := core.Rows()
	byIP := make(map[string]*Row, len(rows))
	for _, r := range rows {
		byIP[r.IP.String()] = r
	}
	mismatches := 0
	for _, want := range truth.IPs {
		got := byIP[want.Addr.String()]
		if got == nil {
			t.Errorf("%s (%v) never attributed", want.Addr, want.Role)
			mismatches++
			continue
		}
		for _, c := range parse.Categories {
			if got.Counts[c] != want.Events[c.String()] {
				t.Errorf("%s (%v) %s: got %d, want %d", want.Addr, want.Role, c, got.Counts[c], want.Events[c.String()])
				mismatches++
			}
			if seen := got.Seen>>c&1 == 1; seen != (want.Events[c.String()] > 0) {
				t.Errorf("%s (%v) %s: Seen bit %v with %d events", want.Addr, want.Role, c, seen, want.Events[c.String()])
				mismatches++
			}
		}
		if int64(got.Delivered) != want.Delivered || int64(got.Logins) != want.Logins {
			t.Errorf("%s (%v): delivered %d logins %d, want %d %d", want.Addr, want.Role, got.Delivered, got.Logins, want.Delivered, want.Logins)
			mismatches++
		}
		if mismatches > 20 {
			t.Fatal("too many mismatches")
		}
	}
	for _, a := range append(truth.Decoys, truth.NotClients...) {
		if r := byIP[a.String()]; r != nil {
			t.Errorf("%s is never a client but was attributed: %+v", a, r.Counts)
		}
	}
	if len(rows) != len(truth.IPs) {
		t.Errorf("%d IPs attributed, generator named %d clients", len(rows), len(truth.IPs))
	}
	totals := core.Store().Totals()
	for _, c := range parse.Categories {
		if totals[c] != truth.Totals[c.String()] {
			t.Errorf("total %s: %d, want %d", c, totals[c], truth.Totals[c.String()])
		}
	}
}

// BenchmarkCore measures one line through parse and store on the demo mix (the report path
// without the reader), reporting allocations per line.
func BenchmarkCore(b *testing.B) {
	log, _ := demoLog(200_000)
	lines := bytes.Split(bytes.TrimSuffix(log, []byte("\n")), []byte("\n"))
	core := NewCore(classify.Config{}, store.Limits{NoLines: true})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		core.Line(lines[i%len(lines)], time.Time{})
	}
}

// BenchmarkParseDemo measures the parse stage alone on the demo mix: ns per line on one core.
func BenchmarkParseDemo(b *testing.B) {
	log, _ := demoLog(200_000)
	lines := bytes.Split(bytes.TrimSuffix(log, []byte("\n")), []byte("\n"))
	var p parse.Parser
	var ev parse.Event
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Parse(lines[i%len(lines)], time.Time{}, &ev)
	}
}

// BenchmarkApplyDemo measures the serial stage alone: pre-parsed demo events into the store,
// the part of `mxtop report` that cannot be spread over cores.
func BenchmarkApplyDemo(b *testing.B) {
	log, _ := demoLog(200_000)
	lines := bytes.Split(bytes.TrimSuffix(log, []byte("\n")), []byte("\n"))
	p := parse.Parser{StableJSON: true}
	evs := make([]parse.Event, len(lines))
	for i, l := range lines {
		p.Parse(l, time.Time{}, &evs[i])
	}
	core := NewCore(classify.Config{}, store.Limits{NoLines: true})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(lines)
		core.record(&evs[k], lines[k])
	}
}
