package store

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/mxtop/mxtop/engine/parse"
)

// TestPrefetch_ChangesNothing feeds the same events to two stores, one with Prefetch before
// every Add, and requires the same state: IPv4 and IPv6 clients, deliveries (no client), new
// clients that grow the table and a cap that evicts from it while prefetched slots are in flight.
func TestPrefetch_ChangesNothing(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var p parse.Parser
	p.Now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	var evs []parse.Event
	var raws [][]byte
	for i := range 20_000 {
		var line string
		switch n := r.IntN(600); {
		case i%50 == 0:
			line = fmt.Sprintf("Nov 27 10:%02d:%02d mail postfix/smtp[9]: 4Q%06X: to=<a@b>, relay=mx.example.net[198.51.100.9]:25, delay=1, dsn=2.0.0, status=sent (250 ok)", i/3600%60, i/60%60, r.IntN(100))
		case n < 50:
			line = fmt.Sprintf("Nov 27 10:%02d:%02d mail postfix/postscreen[1]: PREGREET 11 after 0.1 from [2001:db8:%x::%x]:4000: EHLO x", i/3600%60, i/60%60, n%7, n)
		default:
			line = fmt.Sprintf("Nov 27 10:%02d:%02d mail postfix/smtpd[2]: warning: unknown[203.0.%d.%d]: SASL LOGIN authentication failed: x", i/3600%60, i/60%60, n/250, n%250)
		}
		var ev parse.Event
		if !p.Parse([]byte(line), time.Time{}, &ev) {
			t.Fatalf("not a mail line: %s", line)
		}
		evs = append(evs, ev)
		raws = append(raws, []byte(line))
	}
	evs = append(evs, parse.Event{}) // no address at all
	raws = append(raws, nil)
	for _, lim := range []Limits{{}, {MaxIPs: 200}} {
		plain, hinted := New(lim), New(lim)
		for i := range evs {
			plain.Add(&evs[i], raws[i])
			hinted.Prefetch(evs, i)
			hinted.Add(&evs[i], raws[i])
		}
		if got, want := dump(hinted), dump(plain); got != want {
			t.Fatalf("MaxIPs %d: state with Prefetch differs:\n%s\nwithout:\n%s", lim.MaxIPs, got, want)
		}
		if lim.MaxIPs > 0 && hinted.Evicted() == 0 {
			t.Fatalf("MaxIPs %d: nothing evicted, the test does not cover eviction", lim.MaxIPs)
		}
	}
	New(Limits{}).Prefetch(evs, len(evs)-1) // nothing ahead: no hint, no panic
}

func dump(s *Store) string {
	out := fmt.Sprint(s.Len(), s.Evicted(), s.Totals(), s.Newest())
	var ips []netip.Addr
	s.Each(func(ip *IP) { ips = append(ips, ip.Addr) })
	slices.SortFunc(ips, netip.Addr.Compare) // each table has its own hash seed, so its own order
	for _, a := range ips {
		ip := s.Get(a)
		out += fmt.Sprintf("\n%v %d %v %v %v %q %d %d %d", a, ip.Version, ip.Counts, ip.First, ip.Last, ip.Helos, ip.Delivered, ip.Logins, len(ip.Lines()))
	}
	return out
}
