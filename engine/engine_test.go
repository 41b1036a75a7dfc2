package engine

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/firewall"
	"github.com/mxtop/mxtop/engine/source"
	"github.com/mxtop/mxtop/engine/store"
)

// chanSource sends the batches it is given, then waits for ctx (like a live follow), or
// returns err when set.
type chanSource struct {
	in  chan source.Batch
	err error
}

func (c *chanSource) Name() string { return "test" }

func (c *chanSource) Run(ctx context.Context, out chan<- source.Batch) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case b, ok := <-c.in:
			if !ok {
				return c.err
			}
			select {
			case out <- b:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
}

func batch(lines ...string) source.Batch {
	b := source.Batch{}
	for _, l := range lines {
		b.Lines = append(b.Lines, source.Line{Text: []byte(l)})
	}
	return b
}

// fakeFirewall records requests; it is the engine-side double of the firewall Manager.
type fakeFirewall struct {
	mu   sync.Mutex
	reqs []firewall.Request
	bans []firewall.Ban
	err  error
}

func (f *fakeFirewall) Ban(_ context.Context, r firewall.Request) (firewall.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return firewall.Result{}, f.err
	}
	f.reqs = append(f.reqs, r)
	f.bans = append(f.bans, firewall.Ban{Prefix: r.Prefix, Reason: r.Reason})
	return firewall.Result{Commands: []string{"ipset add mxtop4 " + r.Prefix.Addr().String()}}, nil
}

func (f *fakeFirewall) BanMany(ctx context.Context, reqs []firewall.Request) ([]firewall.Outcome, firewall.Result, error) {
	outs := make([]firewall.Outcome, len(reqs))
	for i, r := range reqs {
		outs[i].Prefix = r.Prefix
		outs[i].Result, outs[i].Err = f.Ban(ctx, r)
	}
	return outs, firewall.Result{Message: fmt.Sprintf("banned %d", len(reqs))}, nil
}

func (f *fakeFirewall) Unban(_ context.Context, p netip.Prefix) (firewall.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, b := range f.bans {
		if b.Prefix == p {
			f.bans = append(f.bans[:i], f.bans[i+1:]...)
			break
		}
	}
	return firewall.Result{}, nil
}

func (f *fakeFirewall) SetWhitelist(context.Context, netip.Prefix, bool) (firewall.Result, error) {
	return firewall.Result{}, nil
}

func (f *fakeFirewall) Bans(context.Context) ([]firewall.Ban, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]firewall.Ban(nil), f.bans...), nil
}

func (f *fakeFirewall) Whitelist() []netip.Prefix { return nil }

func pregreet(n int) string {
	return fmt.Sprintf("2026-11-27T11:34:%02d+00:00 mail postfix/postscreen[1]: PREGREET 5 after 0 from [203.0.113.7]:%d: x", n%60, n)
}

func TestPublisher_BurstCoalescesToOneSnapshot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &chanSource{in: make(chan source.Batch)}
		e := New(Config{}, src, nil)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- e.Run(ctx) }()
		for i := 0; i < 50; i++ {
			src.in <- batch(pregreet(i), pregreet(i+1))
		}
		synctest.Wait()
		time.Sleep(100 * time.Millisecond) // one tick of fake time
		synctest.Wait()
		s := <-e.Updates()
		if s.Counters.Lines != 100 || s.Counters.Events != 100 || len(s.Rows) != 1 || s.Rows[0].Total != 100 {
			t.Fatalf("snapshot: %+v rows %d", s.Counters, len(s.Rows))
		}
		select {
		case s2 := <-e.Updates():
			t.Fatalf("a second snapshot (seq %d) for one burst", s2.Seq)
		default:
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if _, ok := <-e.Updates(); ok {
			t.Fatal("Updates not closed after Run returned")
		}
	})
}

func TestRows_UnchangedIPKeepsItsRowPointer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &chanSource{in: make(chan source.Batch)}
		e := New(Config{}, src, nil)
		go e.Run(t.Context())
		src.in <- batch(pregreet(1), "2026-11-27T11:34:01+00:00 mail postfix/smtpd[9]: lost connection after EHLO from unknown[198.51.100.9]")
		time.Sleep(150 * time.Millisecond)
		first := <-e.Updates()
		src.in <- batch(pregreet(2))
		time.Sleep(150 * time.Millisecond)
		second := <-e.Updates()
		byIP := func(s *Snapshot, ip string) *Row {
			for _, r := range s.Rows {
				if r.IP.String() == ip {
					return r
				}
			}
			return nil
		}
		if byIP(first, "198.51.100.9") != byIP(second, "198.51.100.9") {
			t.Fatal("unchanged IP got a new Row")
		}
		if byIP(second, "203.0.113.7").Total != 2 || byIP(first, "203.0.113.7").Total != 1 {
			t.Fatal("changed IP not rebuilt, or an old snapshot was modified")
		}
	})
}

func TestBan_CarriesVerdictEvidenceAndMarksRow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &chanSource{in: make(chan source.Batch)}
		fw := &fakeFirewall{}
		e := New(Config{BanFor: 7 * 24 * time.Hour}, src, fw)
		go e.Run(t.Context())
		src.in <- batch(pregreet(1), pregreet(2))
		synctest.Wait()
		res, err := e.Ban(t.Context(), BanRequest{IP: netip.MustParseAddr("203.0.113.7")})
		if err != nil || len(res.Commands) != 1 {
			t.Fatalf("ban: %v %v", res, err)
		}
		r := fw.reqs[0]
		if r.Verdict != "botnet" || r.Evidence["pregreet"] != 2 || r.Duration != 7*24*time.Hour || r.Prefix.Bits() != 32 {
			t.Fatalf("request %+v", r)
		}
		time.Sleep(150 * time.Millisecond)
		s := <-e.Updates()
		if s.Banned != 1 || !s.Rows[0].Banned {
			t.Fatalf("banned %d row banned %v", s.Banned, s.Rows[0].Banned)
		}
		if _, err := e.Ban(t.Context(), BanRequest{IP: netip.MustParseAddr("203.0.113.7"), Bits: 24}); err != nil {
			t.Fatal(err)
		}
		if p := fw.reqs[1].Prefix; p.String() != "203.0.113.0/24" {
			t.Fatalf("prefix ban %v", p)
		}
	})
}

func TestBanMany_CompletesEachRequestFromTheStore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &chanSource{in: make(chan source.Batch)}
		fw := &fakeFirewall{}
		e := New(Config{BanFor: time.Hour}, src, fw)
		go e.Run(t.Context())
		src.in <- batch(pregreet(1), pregreet(2),
			"2026-11-27T11:34:03+00:00 mail postfix/smtpd[9]: connect from scan-7.shodan.io[198.51.100.9]")
		synctest.Wait()
		outs, sum, err := e.BanMany(t.Context(), []BanRequest{
			{IP: netip.MustParseAddr("203.0.113.7")},
			{IP: netip.MustParseAddr("198.51.100.9"), Force: true},
			{IP: netip.MustParseAddr("192.0.2.99"), Reason: "from a list"}, // never seen
		})
		if err != nil || len(outs) != 3 || sum.Message != "banned 3" {
			t.Fatalf("outcomes %+v summary %q err %v", outs, sum.Message, err)
		}
		want := []struct{ verdict, reason string }{{"botnet", "botnet: "}, {"scanner", "scanner: "}, {"", "from a list"}}
		for i, r := range fw.reqs {
			if r.Verdict != want[i].verdict || !strings.HasPrefix(r.Reason, want[i].reason) || r.Duration != time.Hour {
				t.Errorf("request %d: %+v", i, r)
			}
		}
		if !fw.reqs[1].Force || fw.reqs[0].Evidence["pregreet"] != 2 {
			t.Errorf("force or evidence lost: %+v", fw.reqs)
		}
	})
}

func TestActions_ReadOnlyAndNoFirewall(t *testing.T) {
	e := New(Config{ReadOnly: true}, &chanSource{}, &fakeFirewall{})
	if _, err := e.Ban(t.Context(), BanRequest{IP: netip.MustParseAddr("203.0.113.7")}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("read-only: %v", err)
	}
	e = New(Config{}, &chanSource{}, nil)
	if _, err := e.Unban(t.Context(), netip.MustParsePrefix("203.0.113.7/32")); !errors.Is(err, ErrNoFirewall) {
		t.Fatalf("no firewall: %v", err)
	}
}

func TestLines_ReturnsRawLinesOfOneIP(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &chanSource{in: make(chan source.Batch)}
		e := New(Config{}, src, nil)
		go e.Run(t.Context())
		src.in <- batch(pregreet(1), "2026-11-27T11:34:01+00:00 mail postfix/smtpd[9]: connect from unknown[198.51.100.9]", pregreet(2))
		synctest.Wait()
		l, err := e.Lines(t.Context(), netip.MustParseAddr("203.0.113.7"))
		if err != nil || len(l) != 2 || l[1].Text != pregreet(2) {
			t.Fatalf("lines %v %v", l, err)
		}
	})
}

func TestRun_SourceFailureIsReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &chanSource{in: make(chan source.Batch), err: errors.New("cannot reach the Docker daemon")}
		e := New(Config{}, src, nil)
		done := make(chan error)
		go func() { done <- e.Run(t.Context()) }()
		src.in <- batch(pregreet(1))
		close(src.in)
		if err := <-done; err == nil || e.Err() == nil {
			t.Fatalf("Run: %v, Err: %v", err, e.Err())
		}
		var last *Snapshot
		for s := range e.Updates() {
			last = s
		}
		if last == nil || last.Counters.Events != 1 {
			t.Fatal("events read before the failure were not published")
		}
	})
}

// upkeepFirewall is a fakeFirewall with the Manager's upkeep methods.
type upkeepFirewall struct {
	fakeFirewall
	restores int
}

func (u *upkeepFirewall) Restore(context.Context) (firewall.Result, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.restores++
	return firewall.Result{}, nil
}

func (u *upkeepFirewall) Health(context.Context) firewall.Health {
	return firewall.Health{Warnings: []string{"DOCKER-USER is not jumped to from FORWARD"}}
}

func TestWorker_RunsUpkeepAndPublishesWarnings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fw := &upkeepFirewall{}
		e := New(Config{}, &chanSource{in: make(chan source.Batch)}, fw)
		go e.Run(t.Context())
		time.Sleep(upkeepInterval + time.Second)
		synctest.Wait()
		var s *Snapshot
		for len(e.Updates()) > 0 {
			s = <-e.Updates()
		}
		if s == nil {
			s = <-e.Updates()
		}
		fw.mu.Lock()
		n := fw.restores
		fw.mu.Unlock()
		if n != 1 || len(s.FirewallWarnings) != 1 {
			t.Fatalf("restores %d, warnings %v", n, s.FirewallWarnings)
		}
	})
}

// The firewall Manager is what the CLI wires in; it must keep satisfying both interfaces.
var (
	_ Firewall   = (*firewall.Manager)(nil)
	_ maintainer = (*firewall.Manager)(nil)
)

// TestSetBans_CountersOnlyKeepRows: the firewall reports its bans every minute with fresh packet
// counters; rows are rebuilt only when the banned prefixes change.
func TestSetBans_CountersOnlyKeepRows(t *testing.T) {
	c := NewCore(classify.Config{}, store.Limits{})
	c.Line([]byte(pregreet(1)), time.Time{})
	p := netip.MustParsePrefix("203.0.113.7/32")
	c.SetBans([]firewall.Ban{{Prefix: p, Packets: 1}})
	before := c.Rows()[0]
	c.SetBans([]firewall.Ban{{Prefix: p, Packets: 99}})
	if c.Rows()[0] != before || !before.Banned {
		t.Fatal("a counters-only update rebuilt the row, or the row is not banned")
	}
	c.SetBans(nil)
	if c.Rows()[0].Banned {
		t.Fatal("unban not reflected in the row")
	}
}
