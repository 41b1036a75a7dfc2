package demo

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// oracle recounts events from the emitted text alone, by the counting rules documented on
// Truth, so the test proves that the truth describes the bytes (not just the generator's
// intentions). It knows only the shapes this generator writes; it is not a parser.
type oracle struct {
	counts map[netip.Addr]*[numCats]int64
	// smtpd sessions (pid + IP) that logged a SASL failure or lost connection after AUTH.
	authLogged map[string]bool
}

func (o *oracle) add(t *testing.T, ip string, cat int, n int64, line string) {
	t.Helper()
	a, err := netip.ParseAddr(ip)
	if err != nil {
		t.Fatalf("bad client %q in %q", ip, line)
	}
	c := o.counts[a]
	if c == nil {
		c = new([numCats]int64)
		o.counts[a] = c
	}
	c[cat] += n
}

// between returns the text after the last occurrence of open and before the next close.
func between(s, open, close string) string {
	i := strings.LastIndex(s, open)
	if i < 0 {
		return ""
	}
	s = s[i+len(open):]
	if j := strings.Index(s, close); j >= 0 {
		return s[:j]
	}
	return s
}

func (o *oracle) line(t *testing.T, l string) {
	t.Helper()
	if !strings.HasPrefix(l, "2026-") {
		return
	}
	msg := l[38:]
	prog, rest, _ := strings.Cut(msg, ": ")
	switch {
	case strings.HasPrefix(prog, "postfix/postscreen"):
		ip := between(rest, " [", "]:")
		for _, r := range []struct {
			prefix string
			cat    int
		}{{"PREGREET ", catPregreet}, {"COMMAND PIPELINING ", catPipelining}, {"NON-SMTP COMMAND ", catNonSMTP},
			{"BARE NEWLINE ", catBareNewline}, {"DNSBL rank ", catDNSBL}, {"HANGUP after ", catHangup}} {
			if strings.HasPrefix(rest, r.prefix) {
				// PREGREET payloads contain no " [", so the first [ is the client.
				ip = rest[strings.Index(rest, "[")+1 : strings.Index(rest, "]:")]
				o.add(t, ip, r.cat, 1, l)
			}
		}
	case strings.Contains(prog, "/smtpd["):
		o.smtpd(t, prog, rest, l)
	case prog == "dovecot":
		o.dovecot(t, rest, l)
	}
}

// smtpdClient returns the IP of "host[IP]" after marker.
func smtpdClient(rest, marker string) string {
	i := strings.Index(rest, marker)
	s := rest[i+len(marker):]
	return s[strings.Index(s, "[")+1 : strings.Index(s, "]")]
}

func (o *oracle) smtpd(t *testing.T, prog, rest, l string) {
	t.Helper()
	pid := between(prog, "[", "]")
	switch {
	case strings.HasPrefix(rest, "connect from "):
		ip := smtpdClient(rest, "connect from ")
		delete(o.authLogged, pid+ip)
	case strings.Contains(rest, "authentication failed"):
		ip := smtpdClient(rest, "warning: ")
		o.authLogged[pid+ip] = true
		o.add(t, ip, catAuthFailed, 1, l)
	case strings.HasPrefix(rest, "lost connection after AUTH from "):
		ip := smtpdClient(rest, " from ")
		o.authLogged[pid+ip] = true
		o.add(t, ip, catLostAfterAuth, 1, l)
	case strings.HasPrefix(rest, "lost connection after "), strings.HasPrefix(rest, "timeout after "),
		strings.HasPrefix(rest, "too many errors after "):
		o.add(t, smtpdClient(rest, " from "), catHangup, 1, l)
	case strings.HasPrefix(rest, "SSL_accept error from "):
		o.add(t, smtpdClient(rest, " from "), catTLSError, 1, l)
	case strings.HasPrefix(rest, "improper command pipelining"):
		o.add(t, smtpdClient(rest, " from "), catPipelining, 1, l)
	case strings.HasPrefix(rest, "warning: non-SMTP command from "):
		o.add(t, smtpdClient(rest, " from "), catNonSMTP, 1, l)
	case strings.HasPrefix(rest, "NOQUEUE: reject: "):
		ip := smtpdClient(rest, " from ")
		switch {
		case strings.Contains(rest, "Relay access denied"):
			o.add(t, ip, catRelayDenied, 1, l)
		case strings.Contains(rest, " blocked using "):
			o.add(t, ip, catRejectRBL, 1, l)
		default:
			o.add(t, ip, catRejectOther, 1, l)
		}
	case strings.HasPrefix(rest, "disconnect from "):
		ip := smtpdClient(rest, "disconnect from ")
		if strings.Contains(rest, " auth=0/") && !o.authLogged[pid+ip] {
			if !strings.Contains(rest, " auth=0/1 ") {
				t.Fatalf("orphan summary with more than one failure: %q", l)
			}
			o.add(t, ip, catAuthFailed, 1, l)
		}
		delete(o.authLogged, pid+ip)
	}
}

func (o *oracle) dovecot(t *testing.T, rest, l string) {
	t.Helper()
	if !strings.Contains(rest, "-login: ") {
		return
	}
	ip := between(rest, ", rip=", ",") // ", rip=": a user name may carry " rip=" as a decoy
	switch {
	case strings.Contains(rest, "(auth failed, "):
		n, err := strconv.Atoi(between(rest, "(auth failed, ", " attempts"))
		if err != nil {
			t.Fatalf("attempts in %q: %v", l, err)
		}
		o.add(t, ip, catAuthFailed, int64(n), l)
	case strings.Contains(rest, "SSL_accept() failed"):
		o.add(t, ip, catTLSError, 1, l)
	case strings.Contains(rest, "(no auth attempts in "):
		o.add(t, ip, catHangup, 1, l)
	}
}

func TestTruth_MatchesTextRecount(t *testing.T) {
	t.Parallel()
	for _, seed := range []int64{1, 2} {
		buf, g := emit(t, 100000, seed)
		o := oracle{counts: map[netip.Addr]*[numCats]int64{}, authLogged: map[string]bool{}}
		for _, l := range strings.Split(string(buf), "\n") {
			o.line(t, l)
		}
		tr := g.Truth()
		inTruth := map[netip.Addr]bool{}
		for _, ip := range tr.IPs {
			inTruth[ip.Addr] = true
			got := o.counts[ip.Addr]
			for c := 1; c < numCats; c++ {
				var n int64
				if got != nil {
					n = got[c]
				}
				if n != ip.Events[CategoryNames[c]] {
					t.Errorf("seed %d %s %s: text has %d, truth %d", seed, ip.Addr, CategoryNames[c], n, ip.Events[CategoryNames[c]])
				}
			}
		}
		for a, c := range o.counts {
			var n int64
			for _, x := range c {
				n += x
			}
			if n > 0 && !inTruth[a] {
				t.Errorf("seed %d: %s has %d events in the text but is not in the truth", seed, a, n)
			}
		}
	}
}
