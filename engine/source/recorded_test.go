package source

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The files in testdata were recorded from a real dockerd 20.10 (Debian 12) with
// .ci/start-dockerd's busybox image, for one container without and one with a TTY, printing a
// postfix line, a stderr line, a 40000-byte line (Docker split it at 16 KiB), a line with invalid
// UTF-8 and an escape sequence, and a dovecot line:
//
//	*_timestamps.bin  GET /containers/NAME/logs?stdout=1&stderr=1&timestamps=1, body as sent
//	*-json.log        the container's json-file log (LogPath)
//	*.want            `docker logs NAME 2>&1`
//
// Both paths of the Docker source must decode them to exactly what docker logs prints.

// drainEmitter returns an emitter whose batches are collected into lines.
func drainEmitter(t *testing.T) (*emitter, func() []string) {
	t.Helper()
	out := make(chan Batch, 1)
	var lines []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range out {
			for _, l := range b.Lines {
				lines = append(lines, string(l.Text))
			}
		}
	}()
	e := &emitter{ctx: t.Context(), out: out}
	return e, func() []string {
		e.flushPending()
		if err := e.flush(); err != nil {
			t.Fatal(err)
		}
		close(out)
		<-done
		return lines
	}
}

func TestRecorded_DockerStreamsDecodeLikeDockerLogs(t *testing.T) {
	for _, c := range []struct {
		name string
		tty  bool
	}{{"mux", false}, {"tty", true}} {
		t.Run(c.name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", c.name+".want"))
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
			for i := range want {
				want[i] = strings.TrimSuffix(want[i], "\r")
			}
			if len(want) != 5 || len(want[2]) != 40000 {
				t.Fatalf("recording: %d lines", len(want))
			}

			body, err := os.Open(filepath.Join("testdata", c.name+"_timestamps.bin"))
			if err != nil {
				t.Fatal(err)
			}
			defer body.Close()
			e, done := drainEmitter(t)
			if err := readAPIStream(body, c.tty, false, e); err != nil {
				t.Fatal(err)
			}
			expectLines(t, done(), want...)

			log, err := os.Open(filepath.Join("testdata", c.name+"-json.log"))
			if err != nil {
				t.Fatal(err)
			}
			defer log.Close()
			e, done = drainEmitter(t)
			cut := cutter{max: maxRecord}
			if _, err := readRecords(e, log, &cut, 0, 0); err != nil {
				t.Fatal(err)
			}
			expectLines(t, done(), want...)
			if e.st.Skipped != 0 || e.st.Truncated != 0 {
				t.Fatalf("counters %+v", e.st)
			}
		})
	}
}
