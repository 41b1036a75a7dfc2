package source

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// sink collects what a source sends, for tests.
type sink struct {
	mu       sync.Mutex
	lines    []string
	times    []time.Time
	statuses []Status
	notify   chan struct{}
}

// waitTimeout bounds every wait of the Docker tests; they normally take milliseconds.
const waitTimeout = 10 * time.Second

// startSource runs src until the test ends and returns the sink and Run's result channel.
func startSource(t *testing.T, src Source) (*sink, context.CancelFunc, chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	s := &sink{notify: make(chan struct{}, 1)}
	out := make(chan Batch, 4)
	errc := make(chan error, 1)
	done := make(chan struct{})
	// errc reports only after every batch the source sent has reached the sink, so a test that
	// reads the sink after <-errc sees all of it.
	go func() { err := src.Run(ctx, out); close(out); <-done; errc <- err }()
	go func() {
		defer close(done)
		for b := range out {
			s.mu.Lock()
			if b.Status != nil {
				s.statuses = append(s.statuses, *b.Status)
			}
			for _, l := range b.Lines {
				s.lines = append(s.lines, string(l.Text))
				s.times = append(s.times, l.Time)
			}
			s.mu.Unlock()
			select {
			case s.notify <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(runTimeout):
			t.Error("Run did not return after its context was cancelled")
		}
	})
	return s, cancel, errc
}

// waitFor waits until cond holds for the sink, failing the test after waitTimeout.
func (s *sink) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		s.mu.Lock()
		ok := cond()
		s.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-s.notify:
		case <-deadline:
			s.mu.Lock()
			defer s.mu.Unlock()
			last := Status{}
			if len(s.statuses) > 0 {
				last = s.statuses[len(s.statuses)-1]
			}
			t.Fatalf("timed out waiting for %s; have %d lines (last %q), status %+v", what, len(s.lines), tailOf(s.lines), last)
		}
	}
}

func tailOf(l []string) string {
	if len(l) == 0 {
		return ""
	}
	last := l[len(l)-1]
	return last[max(0, len(last)-80):]
}

// runTimeout bounds a wait for Run to return. It is long, for loaded CI machines: it is there to
// turn a hang into a failure that names its test, where go test's own timeout would dump every
// goroutine ten minutes later.
const runTimeout = time.Minute

// runResult returns what Run returned, failing the test if it has not returned in runTimeout.
func runResult(t *testing.T, errc <-chan error) error {
	t.Helper()
	select {
	case err := <-errc:
		return err
	case <-time.After(runTimeout):
		t.Fatal("Run did not return")
		return nil
	}
}

func (s *sink) waitLines(t *testing.T, n int) []string {
	t.Helper()
	s.waitFor(t, fmt.Sprintf("%d lines", n), func() bool { return len(s.lines) >= n })
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

func (s *sink) waitState(t *testing.T, st State) Status {
	t.Helper()
	var got Status
	s.waitFor(t, "state "+st.String(), func() bool {
		if len(s.statuses) > 0 && s.statuses[len(s.statuses)-1].State == st {
			got = s.statuses[len(s.statuses)-1]
			return true
		}
		return false
	})
	return got
}

func (s *sink) last() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.statuses[len(s.statuses)-1]
}

// expectLines checks the exact sequence, which proves no gap and no duplicate.
func expectLines(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d lines %q…, want %d %q…", len(got), clip(got), len(want), clip(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("line %d = %.80q, want %.80q", i, got[i], want[i])
		}
	}
}

func clip(l []string) []string {
	out := make([]string, 0, 8)
	for _, s := range l[:min(len(l), 8)] {
		if len(s) > 60 { // the end tells lines apart (tag, run, seq); the start is shared
			s = fmt.Sprintf("(%d)…", len(s)) + s[len(s)-60:]
		}
		out = append(out, s)
	}
	return out
}

func seq(prefix string, from, to int) []string {
	var l []string
	for i := from; i < to; i++ {
		l = append(l, fmt.Sprintf("%s %d postfix/smtpd[%d]: connect from unknown[203.0.113.%d]", prefix, i, 100+i, i%250))
	}
	return l
}

func newTestDocker(f *fakeDocker, follow bool) *Docker {
	return NewDocker(DockerOptions{
		Container: "mailserver", Follow: follow, Host: f.host(),
		backoffMin: 5 * time.Millisecond, poll: 200 * time.Millisecond,
	})
}

func TestDocker_BackfillThenFollow(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tty    bool
		driver string
		detail string
	}{
		{"mux api", false, "local", "log driver local, back-filling through the API"},
		{"tty api", true, "journald", "log driver journald, back-filling through the API"},
		{"mux json-file", false, "json-file", "back-filling from the json-file log"},
		{"tty json-file", true, "json-file", "back-filling from the json-file log"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeDocker(t)
			f.run("mailserver", tc.tty, tc.driver)
			f.log("mailserver", 1, seq("old", 0, 50)...)
			long := strings.Repeat("L", 40000) // 3 pieces of at most 16 KiB
			f.log("mailserver", 2, long, "bad utf8 \xff\xfe ok")
			s, _, _ := startSource(t, newTestDocker(f, true))
			s.waitState(t, StateFollowing)
			f.log("mailserver", 1, seq("new", 0, 20)...)
			got := s.waitLines(t, 72)
			bad := "bad utf8 \xff\xfe ok"
			if tc.driver == "json-file" {
				bad = "bad utf8 \ufffd\ufffd ok" // dockerd's JSON encoder replaces invalid UTF-8
			}
			want := append(append(seq("old", 0, 50), long, bad), seq("new", 0, 20)...)
			expectLines(t, got, want...)
			var sawDetail bool
			s.mu.Lock()
			for _, st := range s.statuses {
				sawDetail = sawDetail || (st.State == StateBackfilling && st.Detail == tc.detail)
			}
			s.mu.Unlock()
			if !sawDetail {
				t.Errorf("no backfilling status with detail %q in %+v", tc.detail, s.statuses)
			}
			if st := s.last(); st.Truncated != 0 || st.Skipped != 0 {
				t.Errorf("counters %+v, want none", st)
			}
		})
	}
}

func TestDocker_JSONFileFollowUsesTailZeroAndTimes(t *testing.T) {
	f := newFakeDocker(t)
	f.run("mailserver", false, "json-file")
	f.log("mailserver", 1, seq("old", 0, 5)...)
	s, _, _ := startSource(t, newTestDocker(f, true))
	s.waitState(t, StateFollowing)
	f.log("mailserver", 1, "new")
	s.waitLines(t, 6)
	f.mu.Lock()
	reqs := append([]string(nil), f.logReqs...)
	f.mu.Unlock()
	if len(reqs) != 1 || !strings.Contains(reqs[0], "tail=0") || !strings.Contains(reqs[0], "follow=1") {
		t.Fatalf("logs requests %q: want one follow with tail=0 (history came from the file)", reqs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 1; i < len(s.times); i++ {
		if !s.times[i].After(s.times[i-1]) {
			t.Fatalf("line %d time %v not after %v", i, s.times[i], s.times[i-1])
		}
	}
}

// TestDocker_IdleSwitchDeliversTheWindowSoon: lines that reached only the file while the follow
// was being attached arrive within switchGrace on an idle container, not with its next line,
// and once: the stream's own lines after them are neither lost nor doubled.
func TestDocker_IdleSwitchDeliversTheWindowSoon(t *testing.T) {
	f := newFakeDocker(t)
	f.run("mailserver", false, "json-file")
	f.log("mailserver", 1, seq("old", 0, 3)...)
	s, _, _ := startSource(t, newTestDocker(f, true))
	s.waitState(t, StateFollowing)
	f.logFileOnly("mailserver", "window")
	start := time.Now()
	s.waitLines(t, 4)
	if d := time.Since(start); d > 5*switchGrace {
		t.Fatalf("the window line took %v", d)
	}
	f.log("mailserver", 1, "after")
	s.waitLines(t, 5)
	time.Sleep(2 * switchGrace)
	s.mu.Lock()
	defer s.mu.Unlock()
	if want := append(seq("old", 0, 3), "window", "after"); !slices.Equal(s.lines, want) {
		t.Fatalf("lines %q, want %q", s.lines, want)
	}
}

// TestDocker_SlowStreamAfterEarlyDrainNoDuplicate: when the stream's first lines come later
// than switchGrace, the early drain has already delivered them from the file; the stream's
// copies are dropped and later lines still arrive once.
func TestDocker_SlowStreamAfterEarlyDrainNoDuplicate(t *testing.T) {
	f := newFakeDocker(t)
	f.run("mailserver", false, "json-file")
	f.log("mailserver", 1, seq("old", 0, 3)...)
	f.lag = switchGrace + 300*time.Millisecond
	s, _, _ := startSource(t, newTestDocker(f, true))
	s.waitState(t, StateFollowing)
	f.log("mailserver", 1, "a", "b")
	s.waitLines(t, 5) // from the early drain, before the stream's copies
	time.Sleep(2 * f.lag)
	f.log("mailserver", 1, "c")
	s.waitLines(t, 6)
	time.Sleep(2 * f.lag)
	s.mu.Lock()
	defer s.mu.Unlock()
	if want := append(seq("old", 0, 3), "a", "b", "c"); !slices.Equal(s.lines, want) {
		t.Fatalf("lines %q, want %q", s.lines, want)
	}
}

func TestDocker_RestartResumesWithoutGapOrDuplicate(t *testing.T) {
	for _, driver := range []string{"local", "json-file"} {
		t.Run(driver, func(t *testing.T) {
			f := newFakeDocker(t)
			f.run("mailserver", false, driver)
			f.log("mailserver", 1, "a1", "a2")
			f.logSameTime("mailserver", "same1", "same2", "same3") // the daemon's since is inclusive
			s, _, _ := startSource(t, newTestDocker(f, true))
			s.waitState(t, StateFollowing)
			s.waitLines(t, 5)
			f.setRunning("mailserver", false)
			s.waitState(t, StateStopped)
			// Written after the follow ended and before the source re-attached (as in a restart).
			f.log("mailserver", 1, "b1", "b2")
			f.setRunning("mailserver", true)
			s.waitState(t, StateFollowing)
			f.log("mailserver", 2, "c1")
			got := s.waitLines(t, 8)
			expectLines(t, got, "a1", "a2", "same1", "same2", "same3", "b1", "b2", "c1")
		})
	}
}

// TestDocker_RestartKeepsAnEarlierStampedLine: a line stamped before the newest delivered one
// but written after it (stdout and stderr are stamped by two goroutines) and after the follow
// ended is delivered on re-attach, and nothing delivered before comes twice. Re-attaching at the
// newest stamp lost it: the daemon's since, or the emitter's replay rule, dropped it as old.
func TestDocker_RestartKeepsAnEarlierStampedLine(t *testing.T) {
	for _, driver := range []string{"local", "json-file"} {
		t.Run(driver, func(t *testing.T) {
			f := newFakeDocker(t)
			f.run("mailserver", false, driver)
			f.log("mailserver", 1, "a1")
			f.log("mailserver", 2, "e1")
			s, _, _ := startSource(t, newTestDocker(f, true))
			s.waitState(t, StateFollowing)
			s.waitLines(t, 2)
			f.setRunning("mailserver", false)
			s.waitState(t, StateStopped)
			f.logEarlier("mailserver", 1, 500*time.Microsecond, "late") // between a1 and e1
			f.setRunning("mailserver", true)
			s.waitState(t, StateFollowing)
			f.log("mailserver", 1, "c1")
			expectLines(t, s.waitLines(t, 4), "a1", "e1", "late", "c1")
			time.Sleep(100 * time.Millisecond)
			if n := len(s.waitLines(t, 4)); n != 4 {
				t.Fatalf("%d lines, want 4", n)
			}
		})
	}
}

func TestDocker_RecreateWithNewIDIsFollowed(t *testing.T) {
	f := newFakeDocker(t)
	old := f.run("mailserver", false, "json-file")
	f.log("mailserver", 1, "old1")
	s, _, _ := startSource(t, newTestDocker(f, true))
	s.waitState(t, StateFollowing)
	s.waitLines(t, 1)
	f.remove("mailserver")
	if st := s.waitState(t, StateWaiting); st.String() != "waiting for container mailserver" {
		t.Fatalf("status text %q", st.String())
	}
	nc := f.run("mailserver", true, "json-file")
	if nc.id == old.id {
		t.Fatal("fake reused the ID")
	}
	f.log("mailserver", 1, "new1", "new2")
	expectLines(t, s.waitLines(t, 3), "old1", "new1", "new2")
}

func TestDocker_DaemonGoneThenBack(t *testing.T) {
	f := newFakeDocker(t)
	f.run("mailserver", false, "local")
	f.log("mailserver", 1, "before")
	s, _, _ := startSource(t, newTestDocker(f, true))
	s.waitState(t, StateFollowing)
	s.waitLines(t, 1)
	f.stop()
	st := s.waitState(t, StateReconnecting)
	if st.Attempt < 1 || !strings.Contains(st.Err, "cannot reach the Docker daemon") {
		t.Fatalf("reconnecting status %+v", st)
	}
	f.log("mailserver", 1, "while down 1", "while down 2") // the container kept writing
	f.start()
	s.waitState(t, StateFollowing)
	f.log("mailserver", 1, "after")
	expectLines(t, s.waitLines(t, 4), "before", "while down 1", "while down 2", "after")
	if st := s.last(); st.Err != "" || st.Attempt != 0 {
		t.Fatalf("error not cleared after reconnect: %+v", st)
	}
}

func TestDocker_GarbledFrameIsCountedAndFollowingContinues(t *testing.T) {
	f := newFakeDocker(t)
	f.run("mailserver", false, "local")
	f.garble = 1
	s, _, _ := startSource(t, newTestDocker(f, true))
	s.waitState(t, StateFollowing)
	f.log("mailserver", 1, "one", "two")
	s.waitLines(t, 2)
	f.log("mailserver", 1, "three")
	expectLines(t, s.waitLines(t, 3), "one", "two", "three")
	s.waitFor(t, "Skipped=1", func() bool { return s.statuses[len(s.statuses)-1].Skipped == 1 })
}

func TestDocker_BadJSONFileRecordAndHugeLine(t *testing.T) {
	f := newFakeDocker(t)
	c := f.run("mailserver", false, "json-file")
	f.log("mailserver", 1, "ok1")
	fh, err := os.OpenFile(c.logPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.WriteString(`{"log":"truncated rec` + "\n")
	fh.Close()
	f.log("mailserver", 1, strings.Repeat("M", 1<<20), "ok2") // a 1 MB line: 64 pieces
	s, _, _ := startSource(t, newTestDocker(f, true))
	got := s.waitLines(t, 3)
	expectLines(t, got, "ok1", strings.Repeat("M", MaxLineBytes), "ok2")
	st := s.waitState(t, StateFollowing)
	if st.Skipped != 1 || st.Truncated != 1 {
		t.Fatalf("counters %+v, want Skipped=1 Truncated=1", st)
	}
}

func TestDocker_ReportModeStopsAfterBackfill(t *testing.T) {
	for _, driver := range []string{"local", "json-file"} {
		t.Run(driver, func(t *testing.T) {
			f := newFakeDocker(t)
			f.run("mailserver", false, driver)
			f.log("mailserver", 1, seq("h", 0, 30)...)
			s, _, errc := startSource(t, newTestDocker(f, false))
			if err := runResult(t, errc); err != nil {
				t.Fatal(err)
			}
			expectLines(t, s.waitLines(t, 30), seq("h", 0, 30)...)
			s.waitState(t, StateDone)
		})
	}
}

func TestDocker_SinceCutsHistory(t *testing.T) {
	for _, driver := range []string{"local", "json-file"} {
		t.Run(driver, func(t *testing.T) {
			f := newFakeDocker(t)
			f.run("mailserver", false, driver)
			f.log("mailserver", 1, seq("x", 0, 100)...) // 12:00:00.001 … 12:00:00.100
			d := newTestDocker(f, false)
			d.opts.Since = 30 * time.Millisecond
			d.opts.now = func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 100e6, time.UTC) }
			s, _, errc := startSource(t, d)
			if err := runResult(t, errc); err != nil {
				t.Fatal(err)
			}
			expectLines(t, s.waitLines(t, 31), seq("x", 69, 100)...)
		})
	}
}

func TestSeekTime_FindsCutoffInBigFile(t *testing.T) {
	f := newFakeDocker(t)
	c := f.run("mailserver", false, "json-file")
	f.log("mailserver", 1, seq("y", 0, 6000)...)
	st, _ := os.Stat(c.logPath)
	cutoff := time.Date(2026, 11, 27, 12, 0, 4, 0, time.UTC) // line 3999 at 12:00:04.000
	off := seekTime(c.logPath, st.Size(), cutoff)
	if off <= 0 || off >= st.Size() {
		t.Fatalf("offset %d of %d", off, st.Size())
	}
	data, _ := os.ReadFile(c.logPath)
	_, ts, ok := DecodeJSONFileRecord(data[off:off+int64(strings.IndexByte(string(data[off:]), '\n'))], nil)
	if !ok || !ts.Before(cutoff) || cutoff.Sub(ts) > 2*time.Second {
		t.Fatalf("record at offset: %v ok=%v, want shortly before %v", ts, ok, cutoff)
	}
}

func TestDocker_WaitsForMissingContainer(t *testing.T) {
	f := newFakeDocker(t)
	d := newTestDocker(f, true)
	d.opts.Wait = true
	d.opts.poll = time.Hour // only the Events API can wake it
	s, _, _ := startSource(t, d)
	s.waitState(t, StateWaiting)
	f.run("mailserver", false, "json-file")
	f.log("mailserver", 1, "hello")
	expectLines(t, s.waitLines(t, 1), "hello")
}

func TestDocker_UnreadableJSONFileFallsBackToTheAPI(t *testing.T) {
	f := newFakeDocker(t)
	c := f.run("mailserver", false, "json-file")
	f.log("mailserver", 1, "h1", "h2")
	f.mu.Lock()
	c.logPath = "/nonexistent/" + c.id + "-json.log" // e.g. a daemon in a VM, or no permission
	f.mu.Unlock()
	s, _, _ := startSource(t, newTestDocker(f, true))
	st := s.waitState(t, StateFollowing)
	if st.Detail != "json-file log unreadable (no such file or directory)" {
		t.Fatalf("following detail %q", st.Detail)
	}
	f.log("mailserver", 1, "f1")
	expectLines(t, s.waitLines(t, 3), "h1", "h2", "f1")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.statuses {
		if st.State == StateBackfilling && st.Detail == "json-file log unreadable (no such file or directory), back-filling through the API" {
			return
		}
	}
	t.Fatalf("no back-fill status names the fallback: %+v", s.statuses)
}

// TestBackfillFiles_MtimeJustBeforeCutoff: the kernel's coarse clock can stamp a log file's
// mtime a few milliseconds before the precise time of the last record written to it. A back-fill
// from a cutoff in that gap must still read the file: skipping it lost every line after the
// cutoff when the source re-attached during a burst.
func TestBackfillFiles_MtimeJustBeforeCutoff(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	var log []byte
	for i := range 10 {
		ts := t0.Add(time.Duration(i) * time.Millisecond).Format(time.RFC3339Nano)
		log = fmt.Appendf(log, `{"log":"line %d\n","stream":"stdout","time":"%s"}`+"\n", i, ts)
	}
	if err := os.WriteFile(path, log, 0o644); err != nil {
		t.Fatal(err)
	}
	// Re-attaching at line 5; the last write (line 9) fell in a clock tick that began just
	// before line 5 was stamped.
	cutoff := t0.Add(5 * time.Millisecond)
	mtime := cutoff.Add(-100 * time.Microsecond)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	out := make(chan Batch, 16)
	e := &emitter{ctx: t.Context(), out: out, cutoff: cutoff}
	if _, err := backfillFiles(e, path, cutoff, false); err != nil {
		t.Fatal(err)
	}
	e.flushPending()
	e.flush()
	close(out)
	var got []string
	for b := range out {
		for _, l := range b.Lines {
			got = append(got, string(l.Text))
		}
	}
	expectLines(t, got, "line 5", "line 6", "line 7", "line 8", "line 9")
}
