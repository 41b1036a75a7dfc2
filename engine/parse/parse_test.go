package parse

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFixtures_EveryCategory reads testdata/categories.log: each line names the category it
// must count as (or "-") and its client IP (or "-").
func TestFixtures_EveryCategory(t *testing.T) {
	f, err := os.Open("testdata/categories.log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[Category]bool{}
	var p Parser
	var ev Event
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if strings.HasPrefix(text, "#") || text == "" {
			continue
		}
		fields := strings.SplitN(text, " ", 3)
		wantCat, wantIP, line := fields[0], fields[1], fields[2]
		if !p.Parse([]byte(line), time.Time{}, &ev) {
			t.Errorf("line %d: not recognised as a mail-daemon line: %s", n, line)
			continue
		}
		gotCat := "-"
		if ev.Kind == Attack {
			gotCat = ev.Category.String()
			seen[ev.Category] = true
		}
		if gotCat != wantCat {
			t.Errorf("line %d: category %s (rule %q), want %s", n, gotCat, ev.Rule, wantCat)
		}
		gotIP := "-"
		if ip, ok := attributed(&ev); ok {
			gotIP = ip.String()
		}
		if gotIP != wantIP {
			t.Errorf("line %d: IP %s, want %s", n, gotIP, wantIP)
		}
	}
	for _, c := range Categories {
		if !seen[c] {
			t.Errorf("no fixture line for category %s", c)
		}
	}
}

func TestFramings_AllReadTheSameEvent(t *testing.T) {
	const msg = `postfix/postscreen[1686]: PREGREET 11 after 0.21 from [203.0.113.7]:51234: EHLO User\r\n`
	want := time.Date(2026, 11, 27, 11, 34, 48, 0, time.UTC)
	cases := map[string]struct {
		line    string
		framing Framing
	}{
		"dms rfc3339":    {"2026-11-27T11:34:48.000000+00:00 mail " + msg, FrameRFC3339},
		"rfc3339 offset": {"2026-11-27T12:34:48+01:00 mail " + msg, FrameRFC3339},
		"bsd syslog":     {"Nov 27 11:34:48 mail " + msg, FrameSyslog},
		"docker -t":      {"2026-11-27T11:34:48.000000123Z 2026-11-27T11:34:48.000000+00:00 mail " + msg, FrameDockerTS},
		"docker -t bsd":  {"2026-11-27T11:34:49.000000123Z Nov 27 11:34:48 mail " + msg, FrameDockerTS},
		"json-file": {`{"log":"2026-11-27T11:34:48.000000+00:00 mail postfix/postscreen[1686]: PREGREET 11 after 0.21 from [203.0.113.7]:51234: EHLO User\\r\\n\n","stream":"stdout","time":"2026-11-27T11:34:48.1Z"}`,
			FrameJSONFile},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := Parser{Now: want.Add(time.Hour)}
			var ev Event
			if !p.Parse([]byte(c.line), time.Time{}, &ev) {
				t.Fatal("not a mail line")
			}
			if ev.Framing != c.framing {
				t.Errorf("framing %v, want %v", ev.Framing, c.framing)
			}
			if !ev.Time.Equal(want) {
				t.Errorf("time %v, want %v", ev.Time, want)
			}
			if ev.Category != Pregreet || ev.IP != netip.MustParseAddr("203.0.113.7") {
				t.Errorf("got %v %v", ev.Category, ev.IP)
			}
		})
	}
}

func TestBSDYear_DecemberLineReadInJanuary(t *testing.T) {
	p := Parser{Now: time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)}
	var ev Event
	p.Parse([]byte("Dec 31 23:59:59 mail postfix/smtpd[1]: connect from unknown[203.0.113.1]"), time.Time{}, &ev)
	if ev.Time.Year() != 2026 {
		t.Fatalf("year %d, want 2026", ev.Time.Year())
	}
}

func TestNotMailLines_AreIgnored(t *testing.T) {
	for _, line := range []string{
		"\x1b[34m[   INF   ]\x1b[0m  Welcome to docker-mailserver 15.1.0",
		"2026-11-27T11:34:48+00:00 mail CRON[123]: (root) CMD (run-parts /etc/cron.hourly)",
		"2026-11-27T11:34:48+00:00 mail amavis[99]: (00099-01) Passed CLEAN {RelayedInbound}, [203.0.113.5]:1234 <a@b> -> <c@d>",
		"", "{", "{\"log\":", "@4000", "Nov", "\xff\xfe\x00binary",
	} {
		var p Parser
		var ev Event
		if p.Parse([]byte(line), time.Time{}, &ev) {
			t.Errorf("%q read as a mail line (rule %q)", line, ev.Rule)
		}
	}
}

// TestInjection_IPNeverFromAttackerText: fail2ban's classic log-injection bug class. Each line
// carries an attacker-written address; only the client slot may be attributed.
func TestInjection_IPNeverFromAttackerText(t *testing.T) {
	const client, decoy = "203.0.113.10", "6.6.6.6"
	lines := []string{
		`Nov 27 11:34:48 mail postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[203.0.113.10]: 554 5.7.1 <x@[6.6.6.6]>: Relay access denied; from=<a@[6.6.6.6]> to=<x@[6.6.6.6]> proto=ESMTP helo=<[6.6.6.6]>`,
		`Nov 27 11:34:48 mail postfix/smtpd[1]: warning: unknown[203.0.113.10]: SASL LOGIN authentication failed: unknown[6.6.6.6]: x, sasl_username=unknown[6.6.6.6]`,
		`Nov 27 11:34:48 mail postfix/postscreen[1]: PREGREET 20 after 0 from [203.0.113.10]:1: EHLO [6.6.6.6] from [6.6.6.6]:25\r\n`,
		`Nov 27 11:34:48 mail postfix/smtpd[1]: improper command pipelining after EHLO from unknown[203.0.113.10]: from unknown[6.6.6.6]\r\n`,
		`Nov 27 11:34:48 mail postfix/smtpd[1]: warning: non-SMTP command from unknown[203.0.113.10]: GET /?from unknown[6.6.6.6] HTTP/1.1`,
		`Nov 27 11:34:48 mail dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<x, rip=6.6.6.6, >, method=PLAIN, rip=203.0.113.10, lip=192.0.2.1, TLS`,
		`Nov 27 11:34:48 mail dovecot: auth: passwd-file(bob,6.6.6.6,x,203.0.113.10): unknown user`,
		`Nov 27 11:34:48 mail dovecot: auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=rhost=6.6.6.6 rhost=203.0.113.10`,
		`Nov 27 11:34:48 mail postfix/smtpd[1]: connect from 6.6.6.6.example[203.0.113.10]`,
		`Nov 27 11:34:48 mail postfix/smtpd[1]: lost connection after AUTH from unknown[203.0.113.10]`,
	}
	for _, line := range lines {
		var p Parser
		var ev Event
		p.Parse([]byte(line), time.Time{}, &ev)
		got, ok := attributed(&ev)
		if !ok || got.String() != client {
			t.Errorf("got %v (ok %v, rule %q), want %s\n  %s", got, ok, ev.Rule, client, line)
		}
	}
	// Ambiguous lines blame nobody rather than guess.
	for _, line := range []string{
		`Nov 27 11:34:48 mail dovecot: auth: passwd-file(x,6.6.6.6): y,203.0.113.10): unknown user`,
		`Nov 27 11:34:48 mail dovecot: auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser= rhost=203.0.113.10 user=x rhost=6.6.6.6`,
	} {
		var p Parser
		var ev Event
		p.Parse([]byte(line), time.Time{}, &ev)
		if got, ok := attributed(&ev); ok {
			t.Errorf("ambiguous line attributed to %v: %s", got, line)
		}
	}
}

func TestIPv6_AndMappedIPv4(t *testing.T) {
	var p Parser
	var ev Event
	p.Parse([]byte(`Nov 27 11:34:48 mail dovecot: pop3-login: Disconnected (auth failed, 2 attempts): user=<u>, method=PLAIN, rip=::ffff:203.0.113.9, lip=::ffff:192.0.2.1`), time.Time{}, &ev)
	if ev.IP != netip.MustParseAddr("203.0.113.9") || ev.Count != 2 {
		t.Errorf("mapped: got %v ×%d", ev.IP, ev.Count)
	}
	p.Parse([]byte(`Nov 27 11:34:48 mail postfix/postscreen[1]: PREGREET 5 after 0 from [2001:db8:1::7]:4444: x`), time.Time{}, &ev)
	if ev.IP != netip.MustParseAddr("2001:db8:1::7") {
		t.Errorf("v6: got %v", ev.IP)
	}
}

func TestHugeLine_IsCutNotBuffered(t *testing.T) {
	line := "Nov 27 11:34:48 mail postfix/postscreen[1]: PREGREET 5 after 0 from [203.0.113.7]:4444: " + strings.Repeat("A", 1<<20)
	var p Parser
	var ev Event
	if !p.Parse([]byte(line), time.Time{}, &ev) || ev.Category != Pregreet {
		t.Fatal("huge line not parsed")
	}
	if len(ev.Message) > MaxLineBytes {
		t.Fatalf("message %d bytes, cap %d", len(ev.Message), MaxLineBytes)
	}
}

// fuzzPrime is the line FuzzParse parses before each input on a second parser, to fill its
// caches: docker-mailserver's stamp, host "mail" and postscreen's tag.
const fuzzPrime = "2026-11-27T11:34:48.852857+00:00 mail postfix/postscreen[1598]: CONNECT from [192.0.2.1]:4653 to [172.30.0.2]:25"

func FuzzParse(f *testing.F) {
	f.Add([]byte("Nov 27 11:34:48 mail postfix/postscreen[1]: PREGREET 5 after 0 from [203.0.113.7]:4444: x"))
	f.Add([]byte(`2026-11-27T11:34:48+00:00 mail dovecot: auth: passwd-file(a,(b,1.2.3.4)<x,203.0.113.1): unknown user`))
	f.Add([]byte(`{"log":"x\u001b]52;c;AAAA\u0007\n","stream":"stdout","time":"2026-11-27T11:34:48Z"}`))
	f.Add([]byte("@4000000063f1a2b31c2d3e4f imap-login: Disconnected: rip=1.2.3.4"))
	f.Add([]byte(fuzzPrime))
	f.Add([]byte("2026-11-27T11:34:48.852858+00:00 mail postfix/smtpd[26]: lost connection after AUTH from unknown[192.0.2.9]"))
	f.Add([]byte("2026-11-27T11:34:48.900001+00:00 mail dovecot: imap-login: Disconnected (auth failed, 2 attempts in 4 secs): user=<a>, method=PLAIN, rip=192.0.2.8, lip=172.30.0.2, TLS"))
	f.Add([]byte("Nov 27 11:34:48 mail postfix/submission/smtpd[7]: warning: unknown[192.0.2.7]: SASL LOGIN authentication failed: UGFzc3dvcmQ6"))
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, line []byte) {
		p := Parser{Now: now}
		var ev Event
		ok := p.Parse(line, time.Time{}, &ev)
		// The same line after another one, through the caches of the stamp's second, the host
		// and the tag, reads exactly as it does on a fresh parser.
		primed := Parser{Now: now}
		var prime, ev2 Event
		primed.Parse([]byte(fuzzPrime), time.Time{}, &prime)
		ok2 := primed.Parse(line, time.Time{}, &ev2)
		if ok2 != ok || ev2.Framing != ev.Framing || !ev2.Time.Equal(ev.Time) || string(ev2.Program) != string(ev.Program) ||
			ev2.PID != ev.PID || ev2.Daemon != ev.Daemon || string(ev2.Message) != string(ev.Message) || ev2.Kind != ev.Kind ||
			ev2.Category != ev.Category || ev2.Count != ev.Count || ev2.IP != ev.IP || string(ev2.Host) != string(ev.Host) ||
			string(ev2.Helo) != string(ev.Helo) || string(ev2.User) != string(ev.User) || ev2.Rule != ev.Rule {
			t.Fatalf("%q: after a primed parser %v %+v, fresh %v %+v", line, ok2, ev2, ok, ev)
		}
		if ip, ok := attributed(&ev); ok {
			if !ip.IsValid() || ip.Is4In6() {
				t.Fatalf("bad IP %v", ip)
			}
			if !strings.Contains(string(line), ip.String()) && !strings.Contains(string(line), "::ffff:"+ip.String()) &&
				!strings.Contains(strings.ToLower(string(line)), strings.ToLower(ip.StringExpanded())) {
				// Any IPv6 spelling is fine, but the address must come from the line.
				if ip.Is4() {
					t.Fatalf("IP %v not in line %q", ip, line)
				}
			}
		}
		if ev.Kind == Attack && ev.Count < 1 {
			t.Fatalf("attack with count %d", ev.Count)
		}
	})
}

func TestLastIndex_MatchesBytesLastIndex(t *testing.T) {
	cases := []struct{ b, key string }{
		{"", "rip="}, {"rip=", "rip="}, {"a rip=1 rip=2", "rip="}, {"aaaa", "aa"}, {"x rip", "rip="},
		{"helo=<a> helo=<b>", " helo=<"}, {"rip=rip=", "rip="}, {"rrip=", "rip="}, {"rip=r", "rip="}, {"ri", "rip="},
		{"rip=1, lip=2, mpid=3, session=<rip>", "rip="}, {"user=<rip=9>, rip=1, lip=2", "rip="},
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 3000 { // random text over the keys' own bytes, so that near misses abound
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = "rip= ,<helo"[rng.IntN(11)]
		}
		cases = append(cases, struct{ b, key string }{string(b), "rip="}, struct{ b, key string }{string(b), " helo=<"})
	}
	for _, c := range cases {
		for k := range len(c.key) { // stepping on any byte of the key finds the same occurrence
			if got, want := lastIndex([]byte(c.b), c.key, k), strings.LastIndex(c.b, c.key); got != want {
				t.Fatalf("lastIndex(%q, %q, %d) = %d, want %d", c.b, c.key, k, got, want)
			}
		}
	}
}

// TestParseIPv4_AgreesWithNetip: parseIPv4 accepts exactly the dotted quads netip accepts, with
// the same value, over systematic and random inputs.
func TestParseIPv4_AgreesWithNetip(t *testing.T) {
	check := func(s string) {
		t.Helper()
		got, ok := parseIPv4([]byte(s))
		want, err := netip.ParseAddr(s)
		wantOK := err == nil && want.Is4()
		if ok != wantOK || ok && got != want {
			t.Fatalf("parseIPv4(%q) = %v %v, netip says %v %v", s, got, ok, want, err)
		}
	}
	fields := []string{"0", "1", "9", "10", "99", "100", "199", "249", "255", "256", "300", "999", "00", "01", "007", "1000", "", "a", "1a", "-1", " 1", "1 "}
	for _, a := range fields {
		for _, b := range fields {
			check(a + "." + b + ".2.3")
			check("4." + a + "." + b + ".255")
			check("203.0." + a + "." + b)
		}
	}
	for _, s := range []string{"1.2.3", "1.2.3.4.5", "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4\x00", "\xff.2.3.4", "1.2.3.\xb4",
		"1.2.3.4:25", "::ffff:1.2.3.4", "111.222.233.244", "1.1.1.1", "255.255.255.255", "0.0.0.0", "12345678901234567"} {
		check(s)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := "0123456789.......a:/\xff"
	for range 200000 {
		b := make([]byte, 1+rng.IntN(16))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		check(string(b))
	}
}

// TestKnownTag_AgreesWithTag: the shortcut for docker-mailserver's tags accepts only tags the
// general rule accepts, with the same program, pid, daemon and message, over every known tag
// with well-formed, odd and broken pids and endings.
func TestKnownTag_AgreesWithTag(t *testing.T) {
	tails := []string{"[1]: m", "[1686]: m", ": m", "[]: m", "[123456789]: m", "[1234567890]: m", "[12a]: m",
		"[1]:m", "[1] : m", "[1]", "[1]:", ": ", ":", "[", "x[1]: m", "d[1]: m", "[1]x: m", "[-1]: m", "[1]: ", "[ 1]: m",
		"[1234567]: m", "[12345678]: m", "[0]: m", "[007]: m", "[9999999]: m", "[12:]: m", "[1]]: m", "[1]:\x00 m"}
	for _, tail := range tails[:len(tails):len(tails)] { // each again before a message as long as a real line's
		tails = append(tails, tail+" connect from unknown[192.0.2.1]")
	}
	// Every known name, and every name one byte away from one (which the shortcut must leave
	// alone or read as tag does).
	var names []string
	for _, k := range knownTags {
		names = append(names, k.name)
		for i := range len(k.name) {
			for _, c := range []byte{'x', k.name[i] + 1, '['} {
				names = append(names, k.name[:i]+string(c)+k.name[i+1:])
			}
		}
		names = append(names, k.name[:len(k.name)-1], k.name+"d")
	}
	accepted := 0
	for _, name := range names {
		for _, tail := range tails {
			b := []byte(name + tail)
			var got, want Event
			gotMsg, gotOK := knownTag(b, &got)
			wantMsg, wantOK := tag(b, &want, false)
			if !gotOK {
				continue // the general rule decides
			}
			accepted++
			if !wantOK || string(gotMsg) != string(wantMsg) || string(got.Program) != string(want.Program) ||
				got.PID != want.PID || got.Daemon != want.Daemon || string(got.tagged) != string(want.tagged) {
				t.Errorf("%q: knownTag %q %q pid %d %v, tag %v %q %q pid %d %v", b, gotMsg, got.Program, got.PID, got.Daemon,
					wantOK, wantMsg, want.Program, want.PID, want.Daemon)
			}
		}
	}
	if accepted < 5*len(knownTags) {
		t.Fatalf("the shortcut accepted only %d tags", accepted)
	}
}

// TestHostCache_OtherHosts: the remembered host of the last line changes no result: a parser
// fed lines of varying hosts in a row reads each exactly as a fresh parser does.
func TestHostCache_OtherHosts(t *testing.T) {
	var shared Parser
	for i, line := range []string{
		"2026-11-27T11:34:48.852857+00:00 mail postfix/smtpd[1]: connect from a[192.0.2.1]",
		"2026-11-27T11:34:48.852857+00:00 mail2 postfix/smtpd[2]: connect from a[192.0.2.2]",
		"2026-11-27T11:34:48.852857+00:00 mail postfix/smtpd[3]: connect from a[192.0.2.3]",
		"2026-11-27T11:34:48.852857+00:00 mail mail postfix/smtpd[4]: connect from a[192.0.2.4]",
		"2026-11-27T11:34:48.852857+00:00 mail custom-daemon[5]: x",
		"2026-11-27T11:34:48.852857+00:00 mail postfix/smtpd[6]x: connect from a[192.0.2.6]",
		"2026-11-27T11:34:48.852857+00:00 mail: postfix/smtpd[7]: connect from a[192.0.2.7]",
		"2026-11-27T11:34:48.852857+00:00 " + strings.Repeat("h", 100) + " dovecot: imap-login: Login: user=<a>, rip=192.0.2.8",
		"2026-11-27T11:34:48.852857+00:00 mail dovecot: imap-login: Login: user=<a>, rip=192.0.2.9",
		"2026-11-27T11:34:48.852857+00:00 ma postfix/smtpd[10]: connect from a[192.0.2.10]",
		"2026-11-27T11:34:48.852857+00:00 mail postfix/smtpd[11]: connect from a[192.0.2.11]",
		"2026-11-27T11:34:48.852857+00:00 mailXpostfix/smtpd[12]: connect from a[192.0.2.12]",
		"2026-11-27T11:34:48.852857+00:00 mailhost postfix/smtpd[13]: connect from a[192.0.2.13]",
		"2026-11-27T11:34:48.852857+00:00 mailhost postfix/smtpd[14]: connect from a[192.0.2.14]",
		"2026-11-27T11:34:48.852857+00:00 mailhost1 postfix/smtpd[15]: connect from a[192.0.2.15]",
		"2026-11-27T11:34:48.852857+00:00 mailhostpostfix/smtpd[16]: connect from a[192.0.2.16]",
		"2026-11-27T11:34:48.852857+00:00 mailhos postfix/smtpd[17]: connect from a[192.0.2.17]",
	} {
		var got, want Event
		gotOK := shared.Parse([]byte(line), time.Time{}, &got)
		var fresh Parser
		wantOK := fresh.Parse([]byte(line), time.Time{}, &want)
		if gotOK != wantOK || string(got.Program) != string(want.Program) || got.PID != want.PID ||
			string(got.Message) != string(want.Message) || got.IP != want.IP || got.Kind != want.Kind {
			t.Errorf("line %d: %v %q[%d] %q %v, fresh parser %v %q[%d] %q %v", i, gotOK, got.Program, got.PID, got.Message, got.IP,
				wantOK, want.Program, want.PID, want.Message, want.IP)
		}
	}
}

// TestStampCache_AgreesWithFresh: a line read through the cached second of the line before it
// (dms) gets the same framing, time and message as a fresh parser gives it, for stamps that
// differ from the cached one anywhere in their seconds, fraction and zone.
func TestStampCache_AgreesWithFresh(t *testing.T) {
	const base = "2026-11-27T11:34:48.852857+00:00 mail postfix/postscreen[1598]: CONNECT from [192.0.2.1]:1 to [172.30.0.2]:25"
	rng := rand.New(rand.NewPCG(5, 6))
	alphabet := "0123456789012345678901234567890123456789.+-:Z \x00\xff/"
	accepted := 0
	for range 100000 {
		b := []byte(base)
		for range 1 + rng.IntN(3) { // the second's last digit, the fraction, the zone
			b[18+rng.IntN(14)] = alphabet[rng.IntN(len(alphabet))]
		}
		var shared, fresh Parser
		var got, want Event
		shared.Parse([]byte(base), time.Time{}, &got)
		gotOK := shared.Parse(b, time.Time{}, &got)
		wantOK := fresh.Parse(b, time.Time{}, &want)
		if gotOK != wantOK || got.Framing != want.Framing || !got.Time.Equal(want.Time) || got.Time.Location() != want.Time.Location() ||
			string(got.Message) != string(want.Message) || got.IP != want.IP {
			t.Fatalf("%q: %v %v %v %q, fresh parser %v %v %v %q", b, gotOK, got.Framing, got.Time, got.Message, wantOK, want.Framing, want.Time, want.Message)
		}
		if gotOK && got.Framing == FrameRFC3339 {
			accepted++
		}
	}
	if accepted < 10000 {
		t.Fatalf("only %d mutated stamps were read as stamps", accepted)
	}
}

// TestDecimal8_MatchesAtoi: a run of 1 to 8 digits read as one word, shifted up as knownTag and
// the stamp cache do, is the number strconv reads; nonDigits marks exactly the other bytes.
func TestDecimal8_MatchesAtoi(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 100000 {
		var b [8]byte
		for i := range b {
			b[i] = byte(rng.IntN(256))
			if rng.IntN(4) > 0 {
				b[i] = '0' + byte(rng.IntN(10))
			}
		}
		x := binary.LittleEndian.Uint64(b[:]) ^ zeros
		d := bits.TrailingZeros64(nonDigits(x)) / 8
		want := 0
		for want < 8 && b[want] >= '0' && b[want] <= '9' {
			want++
		}
		if d != want {
			t.Fatalf("%q: %d leading digits, want %d", b, d, want)
		}
		if d == 0 {
			continue
		}
		n, err := strconv.Atoi(string(b[:d]))
		if got := decimal8(x << (64 - 8*d)); err != nil || got != n {
			t.Fatalf("%q: decimal8 %d, strconv %d %v", b[:d], got, n, err)
		}
	}
}

// TestLastIndexByte_MatchesBytes: the word-at-a-time search agrees with bytes.LastIndexByte on
// every length around the word size, with the byte at every position, high bytes included.
func TestLastIndexByte_MatchesBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n < 40; n++ {
		for trial := 0; trial < 300; trial++ {
			b := make([]byte, n)
			for i := range b {
				b[i] = "ab=,\x00\x80\xff\x7f"[rng.IntN(8)]
			}
			for _, c := range []byte("=,\x00\x80\xff\x7fz") {
				if got, want := lastIndexByte(b, c), bytes.LastIndexByte(b, c); got != want {
					t.Fatalf("lastIndexByte(%q, %q) = %d, want %d", b, c, got, want)
				}
			}
		}
	}
}
