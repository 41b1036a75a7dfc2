package demo

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
)

// emit returns n lines of seed's traffic and the generator that made them.
func emit(t testing.TB, n int, seed int64) ([]byte, *Generator) {
	t.Helper()
	g := New(seed, EmitStart)
	buf := make([]byte, 0, n*160)
	for range n {
		buf = g.Append(buf)
	}
	return buf, g
}

func TestEmit_SameSeedSameBytes(t *testing.T) {
	t.Parallel()
	var a, b, c bytes.Buffer
	if err := Emit(&a, 20000, 7); err != nil {
		t.Fatal(err)
	}
	if err := Emit(&b, 20000, 7); err != nil {
		t.Fatal(err)
	}
	if err := Emit(&c, 20000, 8); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same seed gave different bytes")
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Fatal("different seeds gave the same bytes")
	}
	if n := bytes.Count(a.Bytes(), []byte("\n")); n != 20000 {
		t.Fatalf("Emit wrote %d lines, want 20000", n)
	}
	buf, _ := emit(t, 20000, 7)
	if !bytes.Equal(buf, a.Bytes()) {
		t.Fatal("Append and Emit disagree")
	}
}

func TestAppend_LinesAreFramedAndOrdered(t *testing.T) {
	t.Parallel()
	buf, _ := emit(t, 20000, 1)
	last := ""
	for i, l := range strings.Split(strings.TrimSuffix(string(buf), "\n"), "\n") {
		if i < len(bannerLines) {
			continue // docker-mailserver's start-up banner has no syslog header
		}
		// 2026-11-27T11:34:48.852857+00:00 mail prog[pid]: …
		if len(l) < 40 || l[10] != 'T' || l[26:38] != "+00:00 mail " {
			t.Fatalf("line %d not in docker-mailserver framing: %q", i, l)
		}
		if ts := l[:26]; ts < last {
			t.Fatalf("line %d goes back in time: %s after %s", i, ts, last)
		} else {
			last = ts
		}
		if strings.ContainsAny(l, "\r\x00\x1b") {
			t.Fatalf("line %d has a raw control byte: %q", i, l)
		}
	}
}

func TestTruth_EveryCategoryInFirst100k(t *testing.T) {
	t.Parallel()
	_, g := emit(t, 100000, 1)
	tr := g.Truth()
	for _, name := range CategoryNames[1:] {
		if tr.Totals[name] == 0 {
			t.Errorf("category %s never generated in 100k lines", name)
		}
	}
}

func TestTruth_HeavyTail(t *testing.T) {
	t.Parallel()
	g := New(1, EmitStart)
	buf := make([]byte, 0, 4096)
	// 300k lines: stronger than the requirement (within 1M lines) and cheap under -race.
	for range 300000 {
		buf = g.Append(buf[:0])
	}
	tr := g.Truth()
	top, few := int64(0), 0
	for _, ip := range tr.IPs {
		top = max(top, ip.Total)
		if ip.Total > 0 && ip.Total < 5 {
			few++
		}
	}
	if top < 1000 {
		t.Errorf("busiest IP has %d events in 300k lines, want ≥ 1000", top)
	}
	if few < 1000 {
		t.Errorf("%d IPs with 1–4 events in 300k lines, want ≥ 1000", few)
	}
	t.Logf("300k lines: %d client IPs, busiest %d events, %d IPs with 1–4 events", len(tr.IPs), top, few)
}

func TestTruth_AddressesArePublicDecoysNeverClients(t *testing.T) {
	t.Parallel()
	buf, g := emit(t, 100000, 3)
	tr := g.Truth()
	private := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("100.64.0.0/10"),
		netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("169.254.0.0/16"),
		netip.MustParsePrefix("172.16.0.0/12"), netip.MustParsePrefix("192.168.0.0/16"),
		netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("224.0.0.0/3"),
		netip.MustParsePrefix("fc00::/7"), netip.MustParsePrefix("fe80::/10"),
		netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("2001:db8::/32"),
	}
	decoy := map[netip.Addr]bool{}
	for _, d := range tr.Decoys {
		decoy[d] = true
	}
	for _, n := range tr.NotClients {
		decoy[n] = true
	}
	v6 := 0
	for _, ip := range tr.IPs {
		if decoy[ip.Addr] {
			t.Errorf("decoy or server address %s is a client", ip.Addr)
		}
		if ip.Addr.Is6() {
			v6++
		}
		for _, p := range private {
			if p.Contains(ip.Addr) && ip.Addr != netip.MustParseAddr(WebmailIP) {
				t.Errorf("client %s (%s) is in private range %s", ip.Addr, ip.Role, p)
			}
		}
	}
	if v6 == 0 {
		t.Error("no IPv6 client")
	}
	for _, d := range DecoyIPs {
		if !bytes.Contains(buf, []byte(d)) {
			t.Errorf("decoy %s never planted", d)
		}
	}
	for _, want := range []string{"helo=<[6.6.6.6]>", "from=<billing@[7.7.7.7]>", "EHLO [6.66.66.66]",
		"passwd-file(6.6.6.6,", "user=<admin rip=7.7.7.7>", "CONNECT from [2a", "]:25: TLSv1.3"} {
		if !bytes.Contains(buf, []byte(want)) {
			t.Errorf("no line contains %q", want)
		}
	}
}

func TestTruth_TotalsAddUp(t *testing.T) {
	t.Parallel()
	_, g := emit(t, 100000, 5)
	tr := g.Truth()
	if tr.Lines != 100000 {
		t.Fatalf("Truth.Lines = %d", tr.Lines)
	}
	sum := map[string]int64{}
	roles := map[Role]int{}
	for _, ip := range tr.IPs {
		var total int64
		for c, n := range ip.Events {
			sum[c] += n
			total += n
		}
		if total != ip.Total {
			t.Fatalf("%s: Total %d, events add up to %d", ip.Addr, ip.Total, total)
		}
		roles[ip.Role]++
	}
	for c, n := range tr.Totals {
		if sum[c] != n {
			t.Errorf("%s: total %d, per-IP sum %d", c, n, sum[c])
		}
	}
	for r := RoleLegit; r <= RoleProber; r++ {
		if roles[r] == 0 {
			t.Errorf("no client with role %s", r)
		}
	}
}
