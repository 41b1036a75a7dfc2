package source

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"testing"
	"time"
)

// frame builds one multiplexed frame.
func frame(stream byte, payload string) []byte {
	h := make([]byte, 8, 8+len(payload))
	h[0] = stream
	binary.BigEndian.PutUint32(h[4:], uint32(len(payload)))
	return append(h, payload...)
}

// FuzzReadAPIStream feeds arbitrary bytes as a log stream: whatever arrives, the reader must not
// panic, must not deliver a line over MaxLineBytes, and must end.
func FuzzReadAPIStream(f *testing.F) {
	ts := "2026-11-27T12:00:01.000000001Z "
	f.Add(append(frame(1, ts+"hello\n"), frame(2, ts+"part")...), false)
	f.Add(frame(9, "garbage"), false)
	f.Add([]byte(ts+"tty line\r\n"+ts+"next"), true)
	f.Add(append(frame(3, "daemon error"), frame(1, "no stamp\n")...), false)
	f.Fuzz(func(t *testing.T, data []byte, tty bool) {
		out := make(chan Batch, 1)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for b := range out {
				for _, l := range b.Lines {
					if len(l.Text) > MaxLineBytes {
						t.Errorf("line of %d bytes", len(l.Text))
					}
				}
			}
		}()
		e := &emitter{ctx: context.Background(), out: out}
		readAPIStream(bytes.NewReader(data), tty, true, e)
		e.flushPending()
		e.flush()
		close(out)
		<-done
	})
}

func TestReadMux_SystemErrorFrameSetsStatusErr(t *testing.T) {
	out := make(chan Batch, 8)
	e := &emitter{ctx: t.Context(), out: out}
	data := append(frame(3, "error from daemon in stream: log file is corrupted\x1b[31m\n"), frame(1, "2026-11-27T12:00:01Z ok\n")...)
	if err := readAPIStream(bytes.NewReader(data), false, true, e); err != nil {
		t.Fatal(err)
	}
	close(out)
	var lines []string
	var last Status
	for b := range out {
		if b.Status != nil {
			last = *b.Status
		}
		for _, l := range b.Lines {
			lines = append(lines, string(l.Text))
		}
	}
	if len(lines) != 1 || lines[0] != "ok" {
		t.Fatalf("lines %q", lines)
	}
	if last.Err != "error from daemon in stream: log file is corrupted [31m" {
		t.Fatalf("Err %q (control characters must not reach the terminal)", last.Err)
	}
}

// TestEmitter_ReplayRecognisedPastTheRing: with more pieces delivered than the ring holds, a
// re-attach starts just after the newest piece the ring forgot; the replay from there is dropped
// whole, a new piece stamped inside the replayed span is kept, and one stamped before the
// re-attach point (which the daemon would not replay) is dropped as history.
func TestEmitter_ReplayRecognisedPastTheRing(t *testing.T) {
	out := make(chan Batch, 1)
	e := &emitter{ctx: t.Context(), out: out}
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	const n = recentPieces + 500
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Microsecond) }
	text := func(i int) []byte { return fmt.Appendf(nil, "line %d", i) }
	for i := range n {
		e.piece(1, at(i), text(i), false)
	}
	forgot := n - recentPieces - 1 // the newest piece the ring let go
	if want := at(forgot).Add(time.Nanosecond); !e.since().Equal(want) {
		t.Fatalf("since %v, want %v (just after piece %d)", e.since(), want, forgot)
	}
	e.lines = e.lines[:0]
	e.resume()
	for i := forgot + 1; i < n; i++ { // the transport's replay from since
		e.piece(1, at(i), text(i), false)
		if i == n-100 {
			e.piece(2, at(i).Add(-time.Nanosecond), []byte("written late"), false)
			e.piece(2, at(forgot), []byte("before since"), false)
		}
	}
	e.piece(1, at(n), text(n), false)
	var got []string
	for _, l := range e.lines {
		got = append(got, string(l.Text))
	}
	if want := []string{"written late", string(text(n))}; !slices.Equal(got, want) {
		t.Fatalf("after the replay: %q, want %q", got, want)
	}
	if e.dropped != int64(recentPieces)+1 {
		t.Fatalf("dropped %d, want %d", e.dropped, recentPieces+1)
	}
}

// TestEmitter_ReplayMidSplitLine: re-attached between two pieces of a split line that share
// one time and the same bytes (dockerd stamps every piece with the first one's time), the
// replayed first piece is dropped and the new second one is kept: the line is whole, once.
func TestEmitter_ReplayMidSplitLine(t *testing.T) {
	out := make(chan Batch, 1)
	e := &emitter{ctx: t.Context(), out: out}
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	piece := bytes.Repeat([]byte("L"), 64)
	e.piece(1, t0, []byte("before"), false)
	e.piece(1, t0.Add(time.Millisecond), piece, true)
	e.resume()
	e.piece(1, t0, []byte("before"), false) // the replay
	e.piece(1, t0.Add(time.Millisecond), piece, true)
	e.piece(1, t0.Add(time.Millisecond), piece, true) // new from here
	e.piece(1, t0.Add(time.Millisecond), []byte("end"), false)
	var got []string
	for _, l := range e.lines {
		got = append(got, string(l.Text))
	}
	want := []string{"before", string(piece) + string(piece) + "end"}
	if !slices.Equal(got, want) {
		t.Fatalf("lines %q, want %q", got, want)
	}
}
