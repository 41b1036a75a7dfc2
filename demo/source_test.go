package demo

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mxtop/mxtop/engine/source"
)

// collect runs src for d of fake time and returns every batch and Run's error.
func collect(t *testing.T, src source.Source, d time.Duration) ([]source.Batch, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	out := make(chan source.Batch, 4)
	errc := make(chan error, 1)
	go func() { errc <- src.Run(ctx, out) }()
	var batches []source.Batch
	for {
		select {
		case b := <-out:
			batches = append(batches, b)
		case err := <-errc:
			return batches, err
		}
	}
}

func TestSource_PlaysInRealTimeAndStopsOnCancel(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		src := NewSource(1, WithRate(1000))
		if src.Name() != "demo" {
			t.Errorf("Name() = %q", src.Name())
		}
		batches, err := collect(t, src, 2*time.Second)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Run returned %v, want the context's error", err)
		}
		if len(batches) == 0 || batches[0].Status == nil {
			t.Fatal("first batch carries no status")
		}
		if st := batches[0].Status; st.State != source.StateFollowing || st.Source != "demo" {
			t.Errorf("status = %+v, want following demo", st)
		}
		lines, prev := 0, start
		for _, b := range batches {
			for _, l := range b.Lines {
				lines++
				if l.Time.Before(prev) || l.Time.After(start.Add(2*time.Second)) {
					t.Fatalf("line time %v outside [%v, start+2s] or going back", l.Time, prev)
				}
				prev = l.Time
				if len(l.Text) == 0 || bytes.IndexByte(l.Text, '\n') >= 0 {
					t.Fatalf("bad line text %q", l.Text)
				}
				if bytes.HasPrefix(l.Text, []byte("20")) {
					if hdr := l.Time.UTC().Format("2006-01-02T15:04:05.000000"); string(l.Text[:26]) != hdr {
						t.Fatalf("header %q, transport time %s", l.Text[:26], hdr)
					}
				}
			}
		}
		// 2 s at 1000 lines/s; the tick that lands on the deadline may or may not be sent.
		if lines < 1950 || lines > 2000 {
			t.Errorf("%d lines in 2 s at 1000 lines/s", lines)
		}
	})
}

func TestSource_ScalesTo50kLinesPerSecond(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		batches, _ := collect(t, NewSource(2, WithRate(50000)), time.Second)
		lines := 0
		for _, b := range batches {
			lines += len(b.Lines)
		}
		if lines < 47500 || lines > 50000 {
			t.Errorf("%d lines in 1 s at 50000 lines/s", lines)
		}
	})
}

func TestSource_StopsWhenConsumerStalls(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		out := make(chan source.Batch) // nobody reads after the first batch
		done := make(chan error, 1)
		go func() { done <- NewSource(3).Run(ctx, out) }()
		<-out
		time.Sleep(5 * time.Second) // fake time: the source is blocked sending
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("Run returned early: %v", err)
		default:
		}
		cancel()
		synctest.Wait()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Run returned %v, want context.Canceled", err)
			}
		default:
			t.Fatal("Run did not return after cancel")
		}
	})
}

func TestSource_AttackWaveEscalates(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		batches, _ := collect(t, NewSource(4, WithRate(2000), WithWavePeriod(time.Minute)), 40*time.Second)
		start := batches[1].Lines[0].Time
		var calm, peak int // PREGREET lines in the first 5 s and at 30–35 s (phase 0.5–0.58)
		for _, b := range batches {
			for _, l := range b.Lines {
				if !bytes.Contains(l.Text, []byte(": PREGREET ")) {
					continue
				}
				switch at := l.Time.Sub(start); {
				case at < 5*time.Second:
					calm++
				case at >= 30*time.Second && at < 35*time.Second:
					peak++
				}
			}
		}
		t.Logf("PREGREET lines: %d calm, %d at the peak", calm, peak)
		if peak < 2*calm {
			t.Errorf("PREGREET lines: %d calm, %d at the wave's peak; want the peak ≥ 2× calm", calm, peak)
		}
	})
}
