package engine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/source"
	"github.com/mxtop/mxtop/engine/store"
)

// smallReads returns at most 4 KiB per Read: one small batch each from a source.Reader.
type smallReads struct{ r io.Reader }

func (s smallReads) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), 4096)]) }

// TestIngestAll_SameResultAsSerial: parsing on several goroutines must not change a single
// count, time or name, including json-file records whose decoded text must outlive the parse.
func TestIngestAll_SameResultAsSerial(t *testing.T) {
	var log bytes.Buffer
	// Lines 5k+1 and 5k+2 are one smtpd session (SASL failure, then its disconnect summary,
	// which must not count again), and connect lines rename hosts: applied out of order, the
	// counts and names differ.
	for i := 0; i < 20000; i++ {
		ip := fmt.Sprintf("203.0.%d.%d", i%7, i%251)
		k := i / 5
		sess := fmt.Sprintf("203.0.%d.%d", k%7, k%251)
		switch i % 5 {
		case 0:
			fmt.Fprintf(&log, "2026-11-27T11:%02d:%02d+00:00 mail postfix/postscreen[1]: PREGREET 5 after 0 from [%s]:1: x\n", i/60%60, i%60, ip)
		case 1:
			fmt.Fprintf(&log, "2026-11-27T11:%02d:%02d+00:00 mail postfix/smtpd[%d]: warning: unknown[%s]: SASL LOGIN authentication failed: x\n", i/60%60, i%60, k%13, sess)
		case 2:
			fmt.Fprintf(&log, "2026-11-27T11:%02d:%02d+00:00 mail postfix/smtpd[%d]: disconnect from unknown[%s] ehlo=1 auth=0/1 commands=1/2\n", i/60%60, i%60, k%13, sess)
		case 3:
			fmt.Fprintf(&log, `{"log":"2026-11-27T11:%02d:%02d+00:00 mail postfix/smtpd[9]: connect from h%d.example[%s]\n","stream":"stdout","time":"2026-11-27T11:00:00Z"}`+"\n", i/60%60, i%60, i, ip)
		default:
			fmt.Fprintf(&log, "2026-11-27T11:%02d:%02d+00:00 mail postfix/qmgr[3]: 4Q2mZT5kVDz1x: removed\n", i/60%60, i%60)
		}
	}
	// Both with raw lines kept (the live engine's store) and without (report's, where the
	// workers hand over no lines).
	for _, lim := range []store.Limits{{NoLines: true}, {}} {
		serial := NewCore(classify.Config{}, lim)
		for _, l := range bytes.Split(bytes.TrimSuffix(log.Bytes(), []byte("\n")), []byte("\n")) {
			serial.Line(l, time.Time{})
		}
		par := NewCore(classify.Config{}, lim)
		// Small reads make hundreds of batches, so the workers really do overtake each other.
		if err := par.IngestAll(context.Background(), source.NewReader("test", smallReads{bytes.NewReader(log.Bytes())})); err != nil {
			t.Fatal(err)
		}
		a, b := serial.Rows(), par.Rows()
		if len(a) != len(b) || len(a) == 0 {
			t.Fatalf("rows %d vs %d", len(a), len(b))
		}
		for i := range a {
			if !reflect.DeepEqual(*a[i], *b[i]) {
				t.Fatalf("row %d differs:\n%+v\n%+v", i, *a[i], *b[i])
			}
			la, lb := serial.Store().Get(a[i].IP).Lines(), par.Store().Get(b[i].IP).Lines()
			if !reflect.DeepEqual(la, lb) || lim.NoLines != (len(la) == 0) {
				t.Fatalf("NoLines %v: %v kept lines differ:\n%q\n%q", lim.NoLines, a[i].IP, la, lb)
			}
		}
		sc, pc := serial.Counters(), par.Counters()
		if sc.Lines != pc.Lines || sc.MailLines != pc.MailLines || sc.Events != pc.Events {
			t.Fatalf("counters %+v vs %+v", sc, pc)
		}
	}
}

// TestIngest_ReleasesAndKeepsNothingOfTheBatch: Ingest gives the batch back, and what the store
// kept (raw lines, host, HELO) survives the source overwriting that memory.
func TestIngest_ReleasesAndKeepsNothingOfTheBatch(t *testing.T) {
	buf := []byte("2026-11-27T11:34:48+00:00 mail postfix/smtpd[9]: connect from bad.example[203.0.113.7]\n" +
		"2026-11-27T11:34:49+00:00 mail postfix/smtpd[9]: NOQUEUE: reject: RCPT from bad.example[203.0.113.7]: 554 5.7.1 <a@b>: Relay access denied; from=<a@b> to=<a@b> proto=ESMTP helo=<probe>\n")
	var lines []source.Line
	for _, l := range bytes.SplitAfter(buf, []byte("\n")) {
		if len(l) > 0 {
			lines = append(lines, source.Line{Text: l[:len(l)-1]})
		}
	}
	released := 0
	core := NewCore(classify.Config{}, store.Limits{})
	core.Ingest(source.Batch{Lines: lines, Release: func() { released++ }})
	if released != 1 {
		t.Fatalf("released %d times, want once", released)
	}
	for i := range buf {
		buf[i] = 'X' // the source reuses the chunk
	}
	ip := core.Store().Get(netip.MustParseAddr("203.0.113.7"))
	if ip == nil || ip.Host != "bad.example" || ip.Helo() != "probe" {
		t.Fatalf("aggregate %+v", ip)
	}
	if l := ip.Lines(); len(l) != 2 || !strings.Contains(l[1].Text, "Relay access denied") {
		t.Fatalf("kept lines %q", l)
	}
}

// endless yields the same mail line forever.
type endless struct{ line []byte }

func (e endless) Read(p []byte) (int, error) {
	n := 0
	for n+len(e.line) <= len(p) {
		n += copy(p[n:], e.line)
	}
	return n, nil
}

// TestIngestAll_StopsWhenCancelled: a cancelled report (Ctrl-C on a pipe that never ends)
// returns the context's error once the batches in flight are applied, with no goroutine left
// waiting on a full queue.
func TestIngestAll_StopsWhenCancelled(t *testing.T) {
	src := source.NewReader("test", endless{[]byte("2026-11-27T11:34:48.000001+00:00 mail postfix/postscreen[1]: PREGREET 11 after 0.1 from [203.0.113.7]:4444: EHLO x\n")})
	core := NewCore(classify.Config{}, store.Limits{NoLines: true})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- core.IngestAll(ctx, src) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != context.Canceled {
			t.Fatalf("IngestAll returned %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("IngestAll still running 10 s after its context was cancelled")
	}
	c := core.Counters()
	if c.Lines == 0 || c.Events != c.Lines {
		t.Fatalf("counters %+v: every line read before the cancel should be one event", c)
	}
}
