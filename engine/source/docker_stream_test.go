package source

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"
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
