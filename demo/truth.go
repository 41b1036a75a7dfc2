package demo

import (
	"net/netip"
	"slices"
)

// Category indices mirror engine/parse.Category (demo may not import parse); CategoryNames
// holds the public names, and a test checks both agree with package parse.
const (
	catNone = iota
	catPregreet
	catPipelining
	catNonSMTP
	catBareNewline
	catDNSBL
	catHangup
	catAuthFailed
	catLostAfterAuth
	catTLSError
	catRelayDenied
	catRejectRBL
	catRejectOther
	numCats
)

// CategoryNames are the attack categories' public names in engine/parse order (index 0 is the
// non-event "none").
var CategoryNames = [numCats]string{"none", "pregreet", "pipelining", "non_smtp", "bare_newline",
	"dnsbl", "hangup", "auth_failed", "lost_after_auth", "tls_error", "relay_denied", "reject_rbl",
	"reject_other"}

// Truth is what the generator emitted so far, to check an engine against.
//
// Counting rules (issue 2): every attack ATTEMPT counts once, in the category of the line that
// records it, for the IP in that line's client position:
//   - postscreen PREGREET, COMMAND PIPELINING, NON-SMTP COMMAND, BARE NEWLINE, DNSBL rank and
//     HANGUP lines count 1 each (a PREGREET followed by NON-SMTP in one session counts both);
//   - postscreen's NOQUEUE 550 5.5.1 Protocol error and "blocked using" enforcement lines,
//     dnsblog "addr … listed by" lines and postscreen CONNECT/PASS/DISCONNECT count 0;
//   - the 450 4.3.2 "Service currently unavailable" every new sender gets once counts 0;
//   - smtpd "SASL <MECH> authentication failed" counts 1 (auth_failed); the Dovecot
//     passwd-file echo of the same attempt counts 0;
//   - smtpd "lost connection after AUTH" counts 1 (lost_after_auth); after any other command
//     (CONNECT, EHLO, STARTTLS, UNKNOWN), "timeout after" and "too many errors after" count 1
//     (hangup); the generator never writes "lost connection after DATA";
//   - Dovecot "*-login: Disconnected … (no auth attempts in N secs)" without an SSL_accept()
//     failure counts 1 (hangup), as engine/parse reads it;
//   - smtpd "disconnect … auth=0/1" counts 1 (auth_failed) only when the same session (smtpd
//     pid + IP) logged neither a SASL failure nor "lost connection after AUTH"; the generator
//     writes such orphan summaries only with auth=0/1, so N is never ambiguous;
//   - Dovecot "*-login: … (auth failed, N attempts in S secs)" and 2.4 "Login aborted … (auth
//     failed, N attempts …) (auth_failed)" count N (auth_failed);
//   - smtpd "SSL_accept error from" and Dovecot "SSL_accept() failed … rip=" count 1
//     (tls_error); the "TLS library problem" line without an IP counts 0;
//   - smtpd "NOQUEUE: reject:" lines count 1 each: Relay access denied → relay_denied, "blocked
//     using" → reject_rbl, anything else → reject_other;
//   - smtpd "improper command pipelining" and "non-SMTP command" count 1 (pipelining, non_smtp).
//
// Delivered counts messages accepted from the IP (smtpd QUEUEID: client=host[IP]) whose queue ID
// later logged status=sent; each message has one recipient, so one status=sent line. Logins
// counts Dovecot "*-login: Login:" lines and submission "client=…, sasl_username=" lines.
type Truth struct {
	Lines  int64            // lines emitted
	IPs    []IPTruth        // every client IP named by an emitted line, sorted by address
	Totals map[string]int64 // events per category name over all IPs
	Decoys []netip.Addr     // DecoyIPs: planted in attacker text, never a client
	// NotClients are addresses the lines name that are never clients: the container's own
	// addresses (postscreen's "to [..]:25", Dovecot's lip=) and outbound relays (relay=).
	NotClients []netip.Addr
}

// IPTruth is one client IP's role and what the generator emitted for it.
type IPTruth struct {
	Addr      netip.Addr
	Role      Role
	Host      string           // reverse-DNS name as smtpd logs it, "unknown" when none
	Helo      string           // the name it greets with; only helo=<…> and PREGREET EHLO lines show it
	Events    map[string]int64 // per category name; only non-zero entries
	Total     int64            // sum of Events
	Delivered int64
	Logins    int64
}

// Truth returns the ground truth of everything emitted so far. It allocates; call it after
// generating, not per line.
func (g *Generator) Truth() Truth {
	t := Truth{Lines: g.lines, Totals: map[string]int64{}}
	for i := range g.actors {
		a := &g.actors[i]
		if !a.seen {
			continue
		}
		it := IPTruth{Addr: a.addr, Role: a.role, Host: a.host, Helo: a.helo,
			Events: map[string]int64{}, Delivered: a.delivered, Logins: a.logins}
		for c := 1; c < numCats; c++ {
			if n := a.counts[c]; n > 0 {
				it.Events[CategoryNames[c]] = n
				it.Total += n
				t.Totals[CategoryNames[c]] += n
			}
		}
		t.IPs = append(t.IPs, it)
	}
	slices.SortFunc(t.IPs, func(a, b IPTruth) int { return a.Addr.Compare(b.Addr) })
	for _, d := range DecoyIPs {
		t.Decoys = append(t.Decoys, netip.MustParseAddr(d))
	}
	t.NotClients = append(t.NotClients, netip.MustParseAddr(ContainerIP), netip.MustParseAddr(ContainerIP6))
	for _, ip := range RelayIPs() {
		t.NotClients = append(t.NotClients, netip.MustParseAddr(ip))
	}
	return t
}
