package store

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mxtop/mxtop/engine/parse"
)

func feed(t *testing.T, s *Store, lines ...string) {
	t.Helper()
	var p parse.Parser
	p.Now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	var ev parse.Event
	for _, l := range lines {
		if !p.Parse([]byte(l), time.Time{}, &ev) {
			t.Fatalf("not a mail line: %s", l)
		}
		s.Add(&ev, []byte(l))
	}
}

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

func TestSession_DisconnectEchoesLoggedSASLFailure(t *testing.T) {
	s := New(Limits{})
	feed(t, s,
		"Nov 27 10:00:00 mail postfix/smtpd[100]: connect from unknown[203.0.113.1]",
		"Nov 27 10:00:01 mail postfix/smtpd[100]: warning: unknown[203.0.113.1]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
		"Nov 27 10:00:01 mail dovecot: auth: passwd-file(admin,203.0.113.1): unknown user",
		"Nov 27 10:00:02 mail postfix/smtpd[100]: disconnect from unknown[203.0.113.1] ehlo=1 auth=0/1 quit=1 commands=2/3",
	)
	if got := s.Get(ip("203.0.113.1")).Counts[parse.AuthFailed]; got != 1 {
		t.Fatalf("auth_failed = %d, want 1 (SASL line counted; passdb and disconnect are echoes)", got)
	}
}

func TestSession_DisconnectAloneCounts(t *testing.T) {
	s := New(Limits{})
	feed(t, s, "Nov 27 10:00:02 mail postfix/submission/smtpd[200]: disconnect from unknown[203.0.113.2] ehlo=1 auth=0/3 commands=1/4")
	if got := s.Get(ip("203.0.113.2")).Counts[parse.AuthFailed]; got != 3 {
		t.Fatalf("auth_failed = %d, want 3", got)
	}
}

// TestSession_KeyedByPIDAndClient: a disconnect summary is an echo only of its own session —
// same smtpd pid and same client, IPv4 or IPv6 — and each session is forgotten at its summary.
func TestSession_KeyedByPIDAndClient(t *testing.T) {
	s := New(Limits{})
	feed(t, s,
		"Nov 27 10:00:01 mail postfix/smtpd[100]: warning: unknown[203.0.113.5]: SASL LOGIN authentication failed: x",
		"Nov 27 10:00:02 mail postfix/smtpd[101]: disconnect from unknown[203.0.113.5] ehlo=1 auth=0/3 commands=1/4", // other pid: counts 3
		"Nov 27 10:00:02 mail postfix/smtpd[100]: disconnect from unknown[203.0.113.6] ehlo=1 auth=0/1 commands=1/2", // other client: counts
		"Nov 27 10:00:03 mail postfix/smtpd[100]: disconnect from unknown[203.0.113.5] ehlo=1 auth=0/1 commands=1/2", // its own: echo
		"Nov 27 10:00:04 mail postfix/smtpd[100]: disconnect from unknown[203.0.113.5] ehlo=1 auth=0/1 commands=1/2", // forgotten: counts
		"Nov 27 10:00:05 mail postfix/smtpd[7]: warning: unknown[2001:db8::5]: SASL PLAIN authentication failed: x",
		"Nov 27 10:00:06 mail postfix/smtpd[7]: disconnect from unknown[2001:db8::5] ehlo=1 auth=0/1 commands=1/2", // echo
		"Nov 27 10:00:06 mail postfix/smtpd[7]: disconnect from unknown[2001:db8::6] ehlo=1 auth=0/1 commands=1/2", // counts
	)
	for a, want := range map[string]int64{"203.0.113.5": 1 + 3 + 1, "203.0.113.6": 1, "2001:db8::5": 1, "2001:db8::6": 1} {
		if got := s.Get(ip(a)).Counts[parse.AuthFailed]; got != want {
			t.Errorf("%s auth_failed = %d, want %d", a, got, want)
		}
	}
}

func TestSession_LostAfterAuthThenDisconnect(t *testing.T) {
	s := New(Limits{})
	feed(t, s,
		"Nov 27 10:00:01 mail postfix/smtpd[300]: lost connection after AUTH from unknown[203.0.113.3]",
		"Nov 27 10:00:01 mail postfix/smtpd[300]: disconnect from unknown[203.0.113.3] ehlo=1 auth=0/1 commands=1/2",
	)
	a := s.Get(ip("203.0.113.3"))
	if a.Counts[parse.LostAfterAuth] != 1 || a.Counts[parse.AuthFailed] != 0 || a.Total != 1 {
		t.Fatalf("counts %v total %d, want one lost_after_auth", a.Counts, a.Total)
	}
}

func TestDelivery_LinkedByQueueIDNotByRelayIP(t *testing.T) {
	s := New(Limits{})
	feed(t, s,
		"Nov 27 10:00:00 mail postfix/smtpd[400]: connect from mail.example.net[198.51.100.5]",
		"Nov 27 10:00:01 mail postfix/smtpd[400]: 4Q2mZT5kVDz1x: client=mail.example.net[198.51.100.5]",
		"Nov 27 10:00:02 mail postfix/lmtp[401]: 4Q2mZT5kVDz1x: to=<a@example.com>, relay=mail[/var/run/dovecot/lmtp], delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 Saved)",
		"Nov 27 10:00:02 mail postfix/lmtp[401]: 4Q2mZT5kVDz1x: to=<b@example.com>, relay=mail[/var/run/dovecot/lmtp], delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 Saved)",
		"Nov 27 10:00:03 mail postfix/smtp[402]: 5A1B2C3D4E: to=<x@example.org>, relay=mx.example.org[203.0.113.50]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)",
	)
	if got := s.Get(ip("198.51.100.5")).Delivered; got != 1 {
		t.Fatalf("delivered = %d, want 1 (one message, two recipients)", got)
	}
	if s.Get(ip("203.0.113.50")) != nil {
		t.Fatal("the next hop of a status=sent line was recorded as a client")
	}
}

// TestDelivery_QueueIDsKeyedExactly: queue IDs are map keys of fixed width, zero-padded; an ID
// that is a prefix of another must not take its delivery, and IDs too long for a key (only from
// events built by hand) join nothing rather than a truncated namesake.
func TestDelivery_QueueIDsKeyedExactly(t *testing.T) {
	s := New(Limits{})
	queued := func(id string, a netip.Addr) *parse.Event {
		return &parse.Event{Kind: parse.Queued, IP: a, QueueID: []byte(id)}
	}
	delivered := func(id string) *parse.Event { return &parse.Event{Kind: parse.Delivered, QueueID: []byte(id)} }
	long := strings.Repeat("A", 24)
	a, b, c := ip("198.51.100.6"), ip("198.51.100.7"), ip("198.51.100.8")
	s.Add(queued("4Q2mZT5kVDz1", a), nil)
	s.Add(queued("4Q2mZT5kVDz1x", b), nil)
	s.Add(queued(long+"B", c), nil)
	s.Add(delivered("4Q2mZT5kVDz1x"), nil)
	s.Add(delivered(long), nil)
	s.Add(delivered(long+"C"), nil)
	if da, db, dc := s.Get(a).Delivered, s.Get(b).Delivered, s.Get(c).Delivered; da != 0 || db != 1 || dc != 0 {
		t.Fatalf("delivered %d %d %d, want 0 1 0", da, db, dc)
	}
	s.Add(delivered("4Q2mZT5kVDz1"), nil)
	if got := s.Get(a).Delivered; got != 1 {
		t.Fatalf("the shorter ID's delivery: %d, want 1", got)
	}
}

func TestEviction_LeastRecentlySeenGoesTotalsStay(t *testing.T) {
	s := New(Limits{MaxIPs: 3})
	for i := 1; i <= 4; i++ {
		feed(t, s, fmt.Sprintf("Nov 27 10:00:0%d mail postfix/postscreen[1]: PREGREET 5 after 0 from [203.0.113.%d]:1: x", i, i))
	}
	if s.Len() != 3 || s.Get(ip("203.0.113.1")) != nil || s.Get(ip("203.0.113.4")) == nil {
		t.Fatalf("len %d; .1 kept=%v", s.Len(), s.Get(ip("203.0.113.1")) != nil)
	}
	if s.Totals()[parse.Pregreet] != 4 || s.Evicted() != 1 {
		t.Fatalf("totals %d evicted %d", s.Totals()[parse.Pregreet], s.Evicted())
	}
	_, removed := s.Drain()
	if len(removed) != 1 || removed[0] != ip("203.0.113.1") {
		t.Fatalf("removed %v", removed)
	}
}

func TestLines_RingAndByteBudget(t *testing.T) {
	s := New(Limits{MaxLinesPerIP: 3, MaxLineBytes: 1000})
	for i := 0; i < 5; i++ {
		feed(t, s, fmt.Sprintf("Nov 27 10:00:0%d mail postfix/postscreen[1]: PREGREET 5 after 0 from [203.0.113.9]:%d: x", i, i))
	}
	l := s.Get(ip("203.0.113.9")).Lines()
	if len(l) != 3 || !strings.Contains(l[0].Text, ":2: x") || !strings.Contains(l[2].Text, ":4: x") {
		t.Fatalf("ring kept %d lines: %v", len(l), l)
	}
	for i := 0; i < 20; i++ {
		feed(t, s, fmt.Sprintf("Nov 27 10:01:00 mail postfix/postscreen[1]: PREGREET 5 after 0 from [198.51.100.%d]:1: x", i))
	}
	if s.lineBytes > 1000 {
		t.Fatalf("line bytes %d over budget 1000", s.lineBytes)
	}
	if got := s.Get(ip("203.0.113.9")); got.Total != 5 || len(got.lines) != 0 {
		t.Fatalf("oldest IP: total %d lines %d; want counters kept, lines dropped", got.Total, len(got.lines))
	}
}

func TestRatePerMin_TenMinuteWindow(t *testing.T) {
	s := New(Limits{})
	for m := 0; m < 20; m++ {
		feed(t, s, fmt.Sprintf("Nov 27 10:%02d:00 mail postfix/postscreen[1]: PREGREET 5 after 0 from [203.0.113.20]:1: x", m))
	}
	a := s.Get(ip("203.0.113.20"))
	if r := a.RatePerMin(s.Newest()); r != 1 {
		t.Fatalf("rate %v/min, want 1", r)
	}
	if r := a.RatePerMin(s.Newest().Add(time.Hour)); r != 0 {
		t.Fatalf("rate an hour later %v, want 0", r)
	}
	rate := s.EventRate()
	if len(rate) != RateSeconds || rate[RateSeconds-1] != 1 {
		t.Fatalf("event rate tail %v", rate[RateSeconds-3:])
	}
}

func TestHostAndHelo_Kept(t *testing.T) {
	s := New(Limits{})
	feed(t, s,
		"Nov 27 10:00:00 mail postfix/smtpd[1]: connect from scan-01.shadowserver.org[203.0.113.30]",
		"Nov 27 10:00:01 mail postfix/smtpd[1]: NOQUEUE: reject: RCPT from scan-01.shadowserver.org[203.0.113.30]: 554 5.7.1 <a@b>: Relay access denied; from=<a@b> to=<a@b> proto=ESMTP helo=<probe>",
		"Nov 27 10:00:02 mail postfix/smtpd[1]: connect from unknown[203.0.113.30]",
	)
	a := s.Get(ip("203.0.113.30"))
	if a.Host != "scan-01.shadowserver.org" || a.Helo() != "probe" {
		t.Fatalf("host %q helo %q", a.Host, a.Helo())
	}
}

// TestHelo_RotationTracked: the store skips comparing HELO names when the parser's sums agree,
// so every change must still be seen — from parsed lines (with sums), from events built by
// hand (no sum) and from the two mixed — and the list keeps distinct names, latest last.
func TestHelo_RotationTracked(t *testing.T) {
	reject := func(helo string) string {
		return "Nov 27 10:00:01 mail postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[203.0.113.31]: 554 5.7.1 <a@b>: Relay access denied; from=<a@b> to=<a@b> proto=ESMTP helo=<" + helo + ">"
	}
	s := New(Limits{})
	a := ip("203.0.113.31")
	step := func(want ...string) {
		t.Helper()
		if got := s.Get(a).Helos; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("helos %q, want %q", got, want)
		}
	}
	feed(t, s, reject("x"), reject("x"))
	step("x")
	feed(t, s, reject("y"))
	step("x", "y")
	feed(t, s, reject("x"))
	step("y", "x")
	hand := &parse.Event{Kind: parse.Attack, Category: parse.RelayDenied, Count: 1, IP: a, Helo: []byte("z")}
	s.Add(hand, nil)
	step("y", "x", "z")
	hand.Helo = []byte("y") // two events without sums: compared by name
	s.Add(hand, nil)
	step("x", "z", "y")
	feed(t, s, reject("x")) // the last sum stored was the hand-built event's zero
	step("z", "y", "x")
	feed(t, s, reject("y"), reject("w"), reject("v"))
	step("x", "y", "w", "v")
}

func TestIPv6_AggregatedPer64(t *testing.T) {
	s := New(Limits{})
	for i := 1; i <= 3; i++ {
		feed(t, s, fmt.Sprintf("Nov 27 10:00:0%d mail postfix/postscreen[1]: PREGREET 5 after 0 from [2001:db8:7:1::%d]:1: x", i, i))
	}
	feed(t, s, "Nov 27 10:00:05 mail postfix/postscreen[1]: PREGREET 5 after 0 from [2001:db8:7:2::1]:1: x")
	nets := s.Nets()
	if len(nets) != 1 || nets[0].Prefix.String() != "2001:db8:7:1::/64" || nets[0].IPs != 3 || nets[0].Total != 3 {
		t.Fatalf("nets %+v", nets)
	}
}

// TestIPv6_NetAfterEviction: a /64 whose addresses were all evicted is forgotten, and addresses
// seen in it later count toward a new aggregate, the one the store lists.
func TestIPv6_NetAfterEviction(t *testing.T) {
	s := New(Limits{MaxIPs: 3})
	pregreet := func(sec int, a string) string {
		return fmt.Sprintf("Nov 27 10:00:%02d mail postfix/postscreen[1]: PREGREET 5 after 0 from [%s]:1: x", sec, a)
	}
	feed(t, s, pregreet(1, "2001:db8:7:1::1"), pregreet(2, "2001:db8:7:1::2"), pregreet(3, "2001:db8:7:1::2"))
	if nets := s.Nets(); len(nets) != 1 || nets[0].IPs != 2 || nets[0].Total != 3 {
		t.Fatalf("before eviction: nets %+v", nets)
	}
	feed(t, s, pregreet(4, "192.0.2.1"), pregreet(5, "192.0.2.2"), pregreet(6, "192.0.2.3"))
	if s.Get(ip("2001:db8:7:1::1")) != nil || s.Get(ip("2001:db8:7:1::2")) != nil || len(s.Nets()) != 0 {
		t.Fatalf("the /64's addresses were not evicted: nets %+v", s.Nets())
	}
	feed(t, s, pregreet(7, "2001:db8:7:1::3"), pregreet(8, "2001:db8:7:1::4"), pregreet(9, "2001:db8:7:1::4"))
	nets := s.Nets()
	if len(nets) != 1 || nets[0].IPs != 2 || nets[0].Total != 3 || !nets[0].Last.Equal(time.Date(2026, 11, 27, 10, 0, 9, 0, time.UTC)) {
		t.Fatalf("after eviction: nets %+v, want one /64 with 2 IPs, 3 events, last 10:00:09", nets)
	}
}

// TestLines_ByteBudgetKeepsNewestRings: over many IPs and lines the budget holds, the newest
// IPs keep their lines and counters of emptied IPs stay, including IPs seen again after their
// lines were dropped.
func TestLines_ByteBudgetKeepsNewestRings(t *testing.T) {
	s := New(Limits{MaxLinesPerIP: 2, MaxLineBytes: 2000})
	for i := 0; i < 250; i++ {
		feed(t, s, fmt.Sprintf("Nov 27 10:01:00 mail postfix/postscreen[1]: PREGREET 5 after 0 from [198.51.%d.%d]:1: x", i%3, i))
		if i%50 == 0 { // an old IP comes back and must get lines again
			feed(t, s, "Nov 27 10:01:00 mail postfix/postscreen[1]: PREGREET 5 after 0 from [203.0.113.1]:1: x")
		}
		if s.lineBytes > 2000 {
			t.Fatalf("line %d: %d bytes over the 2000-byte budget", i, s.lineBytes)
		}
	}
	var sum int64
	s.Each(func(ip *IP) { sum += int64(ip.lineBytes) })
	if sum != s.lineBytes {
		t.Fatalf("per-IP bytes %d, store total %d", sum, s.lineBytes)
	}
	if newest := s.Get(ip("198.51.0.249")); newest == nil || len(newest.Lines()) == 0 {
		t.Fatal("the newest IP lost its lines")
	}
	if back := s.Get(ip("203.0.113.1")); back.Total != 5 {
		t.Fatalf("returning IP total %d, want 5", back.Total)
	}
}

// TestEviction_ByRecencyNotArrival: an old IP that keeps attacking stays; the one that went
// quiet goes.
func TestEviction_ByRecencyNotArrival(t *testing.T) {
	s := New(Limits{MaxIPs: 3})
	line := "Nov 27 10:00:0%d mail postfix/postscreen[1]: PREGREET 5 after 0 from [203.0.113.%d]:1: x"
	for i := 1; i <= 3; i++ {
		feed(t, s, fmt.Sprintf(line, i, i))
	}
	feed(t, s, fmt.Sprintf(line, 4, 1)) // .1 again
	feed(t, s, fmt.Sprintf(line, 5, 4))
	if s.Len() != 3 || s.Get(ip("203.0.113.2")) != nil || s.Get(ip("203.0.113.1")) == nil || s.Get(ip("203.0.113.4")) == nil {
		t.Fatalf("len %d; .1 kept=%v .2 kept=%v", s.Len(), s.Get(ip("203.0.113.1")) != nil, s.Get(ip("203.0.113.2")) != nil)
	}
}

// TestEviction_InBatchesAtLargeCaps: past a big cap, 1% goes at once, oldest first, and the
// count of tracked IPs never exceeds the cap.
func TestEviction_InBatchesAtLargeCaps(t *testing.T) {
	s := New(Limits{MaxIPs: 1000})
	for i := 0; i < 1001; i++ {
		feed(t, s, fmt.Sprintf("Nov 27 10:00:00 mail postfix/postscreen[1]: PREGREET 5 after 0 from [198.51.%d.%d]:1: x", i/256, i%256))
	}
	if s.Len() != 991 || s.Evicted() != 10 {
		t.Fatalf("len %d evicted %d, want 991 and 10", s.Len(), s.Evicted())
	}
	for i := 0; i < 10; i++ {
		if s.Get(ip(fmt.Sprintf("198.51.0.%d", i))) != nil {
			t.Fatalf("198.51.0.%d, among the oldest, was kept", i)
		}
	}
	if s.Get(ip("198.51.0.10")) == nil || s.Get(ip("198.51.3.232")) == nil {
		t.Fatal("an IP newer than the evicted tenth was dropped")
	}
}

// BenchmarkNewIPAtCap measures a new IP once the store holds DefaultMaxIPs: the insert plus its
// share of an eviction batch (1% of the cap at a time).
func BenchmarkNewIPAtCap(b *testing.B) {
	s := New(Limits{NoLines: true})
	ev := parse.Event{Kind: parse.Attack, Category: parse.Pregreet, Count: 1, Time: time.Unix(1e9, 0)}
	for i := 0; i < DefaultMaxIPs; i++ {
		ev.IP = netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		s.Add(&ev, nil)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ev.IP = netip.AddrFrom4([4]byte{11, byte(i >> 16), byte(i >> 8), byte(i)})
		s.Add(&ev, nil)
	}
	if s.Len() > DefaultMaxIPs {
		b.Fatalf("%d IPs tracked, cap %d", s.Len(), DefaultMaxIPs)
	}
}

// TestTimes_FirstLastNewest: an IP's first and last seen and the store's newest follow the
// log's own times whatever their order, and lines without a time change none of them.
func TestTimes_FirstLastNewest(t *testing.T) {
	s := New(Limits{})
	at := func(a string) time.Time { return s.Get(ip(a)).First }
	feed(t, s,
		"postfix/postscreen[1]: CONNECT from [203.0.113.40]:1 to [192.0.2.1]:25", // no time: none set
		"Nov 27 10:00:05 mail postfix/postscreen[1]: CONNECT from [203.0.113.40]:1 to [192.0.2.1]:25",
		"Nov 27 10:00:09 mail postfix/postscreen[1]: CONNECT from [203.0.113.41]:1 to [192.0.2.1]:25", // a new IP moves newest
		"Nov 27 10:00:01 mail postfix/postscreen[1]: CONNECT from [203.0.113.40]:1 to [192.0.2.1]:25", // earlier: moves First only
		"postfix/postscreen[1]: CONNECT from [203.0.113.40]:1 to [192.0.2.1]:25",
		"Nov 27 10:00:07 mail postfix/postscreen[1]: CONNECT from [203.0.113.40]:1 to [192.0.2.1]:25",
	)
	ts := func(sec int) time.Time { return time.Date(2026, 11, 27, 10, 0, sec, 0, time.UTC) }
	a := s.Get(ip("203.0.113.40"))
	if !a.First.Equal(ts(1)) || !a.Last.Equal(ts(7)) || !at("203.0.113.41").Equal(ts(9)) || !s.Newest().Equal(ts(9)) {
		t.Fatalf("first %v last %v, other first %v, newest %v", a.First, a.Last, at("203.0.113.41"), s.Newest())
	}
}

// TestTimeKey_OrdersAsCompare: timeKey orders any two times as time.Time.Compare does (zones,
// the zero Time, nanoseconds within one second, years far apart), and the zero Time is 0, 0.
func TestTimeKey_OrdersAsCompare(t *testing.T) {
	if s, n := timeKey(time.Time{}); s != 0 || n != 0 {
		t.Fatalf("timeKey(zero) = %d, %d", s, n)
	}
	berlin := time.FixedZone("CET", 3600)
	base := []time.Time{{}, time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), time.Date(2026, 11, 27, 11, 0, 0, 0, berlin),
		time.Date(2026, 11, 27, 10, 0, 0, 1, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)}
	rng := rand.New(rand.NewPCG(13, 14))
	for range 2000 {
		base = append(base, time.Unix(rng.Int64N(4e9)-1e9, rng.Int64N(1e9)).In(berlin))
	}
	for _, a := range base {
		for _, b := range base[:50] {
			as, an := timeKey(a)
			bs, bn := timeKey(b)
			got := cmp.Or(cmp.Compare(as, bs), cmp.Compare(an, bn))
			if want := a.Compare(b); got != want {
				t.Fatalf("timeKey orders %v against %v as %d, Compare says %d", a, b, got, want)
			}
		}
	}
}
