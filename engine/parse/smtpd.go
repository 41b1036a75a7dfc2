package parse

import (
	"bytes"
	"net/netip"
)

// smtpd parses smtpd's messages; its client field is "host[ip]" with an optional ":port".
//
//	warning: unknown[192.0.2.237]:55729: SASL LOGIN authentication failed: authentication failure
//	lost connection after AUTH from unknown[192.0.2.23]
func smtpd(m []byte, ev *Event) {
	if len(m) == 0 {
		return
	}
	switch m[0] {
	case 'c':
		clientAfter(m, "connect from ", ev, Connect, None, "smtpd connect")
	case 'd':
		if rest, ok := clientAfter(m, "disconnect from ", ev, Disconnect, None, "smtpd disconnect"); ok {
			ev.AuthFailures = authFailures(rest)
		}
	case 'l':
		afterCommand(m, "lost connection after ", ev)
	case 't':
		if !afterCommand(m, "timeout after ", ev) {
			afterCommand(m, "too many errors after ", ev)
		}
	case 'i':
		afterCommand(m, "improper command pipelining after ", ev)
	case 'w':
		smtpdWarning(m, ev)
	case 'S':
		clientAfter(m, "SSL_accept error from ", ev, Attack, TLSError, "smtpd SSL_accept error")
	case 'A', 'T', 'U', 'V':
		if i := bytes.Index(m, []byte(" TLS connection established from ")); i > 0 && i < 16 {
			clientAfter(m[i+1:], "TLS connection established from ", ev, Info, None, "smtpd TLS established")
		}
	case 'N':
		if rest, ok := cut(m, "NOQUEUE: "); ok {
			if !afterCommand(rest, "lost connection after ", ev) {
				smtpdReject(rest, ev)
			}
		}
	case 'b':
		// Postfix 3.9 smuggling defence; broken mailers send bare LF too, so it is not counted.
		if i := bytes.Index(m, []byte(" from ")); i > 0 && bytes.HasPrefix(m, []byte("bare <LF> received after ")) {
			clientAfter(m[i+1:], "from ", ev, Info, None, "smtpd bare <LF> received (not counted)")
		}
	}
	if ev.Kind == Unknown {
		// A queue ID can start with any of the letters above: "A2792B22C9: client=…".
		if qid, rest, ok := queueID(m); ok {
			ev.QueueID = qid
			if r, ok := cut(rest, "client="); ok {
				queued(r, ev)
				return
			}
			smtpdReject(rest, ev)
		}
	}
	if ev.Kind == Unknown && isSmtpdNoise(m) {
		setClient(ev, NoClient, None, "smtpd notice")
	}
}

// clientAfter parses "prefix host[ip]" and marks ev.
func clientAfter(m []byte, prefix string, ev *Event, k Kind, c Category, rule string) ([]byte, bool) {
	rest, ok := cut(m, prefix)
	if !ok {
		return nil, false
	}
	host, ip, rest, ok := hostIP(rest)
	if !ok {
		return nil, false
	}
	ev.IP, ev.Host = ip, host
	setClient(ev, k, c, rule)
	return rest, true
}

// afterCommand parses "<prefix><CMD>[ (N bytes)] from host[ip]", the shape of lost connection,
// timeout, too many errors and improper pipelining lines.
func afterCommand(m []byte, prefix string, ev *Event) bool {
	rest, ok := cut(m, prefix)
	if !ok {
		return false
	}
	sp := bytes.IndexByte(rest, ' ')
	if sp <= 0 {
		return false
	}
	cmd := rest[:sp]
	rest = rest[sp+1:]
	if len(rest) > 0 && rest[0] == '(' { // "(0 bytes) "
		if i := bytes.Index(rest, []byte(") ")); i > 0 && i < 24 {
			rest = rest[i+2:]
		}
	}
	host, ip, _, ok := hostIPAfter(rest, "from ")
	if !ok {
		return false
	}
	ev.IP, ev.Host = ip, host
	switch {
	case prefix == "improper command pipelining after ":
		setClient(ev, Attack, Pipelining, "smtpd improper command pipelining")
	case string(cmd) == "AUTH" && prefix == "lost connection after ":
		setClient(ev, Attack, LostAfterAuth, "smtpd lost connection after AUTH")
	case string(cmd) == "DATA" || string(cmd) == "BDAT" || string(cmd) == "END-OF-MESSAGE":
		// Dropping during DATA is how slow links and big messages fail; fail2ban stopped
		// counting it (gh-1813).
		setClient(ev, Info, None, "smtpd lost or timed out during DATA (not counted)")
	case prefix == "timeout after ":
		setClient(ev, Attack, Hangup, "smtpd timeout after")
	case prefix == "too many errors after ":
		setClient(ev, Attack, Hangup, "smtpd too many errors after")
	default:
		setClient(ev, Attack, Hangup, "smtpd lost connection (not after AUTH)")
	}
	return true
}

func hostIPAfter(b []byte, prefix string) ([]byte, netip.Addr, []byte, bool) {
	rest, ok := cut(b, prefix)
	if !ok {
		return nil, netip.Addr{}, nil, false
	}
	return hostIP(rest)
}

// authFailures reads "auth=A/B" from a disconnect summary: B-A failed AUTH commands.
//
//	disconnect from unknown[192.0.2.23] ehlo=1 auth=0/1 rset=1 commands=2/3
func authFailures(rest []byte) int {
	i := bytes.Index(rest, []byte(" auth="))
	if i < 0 {
		return 0
	}
	v := rest[i+6:]
	good, n := atoi(v)
	if n == 0 || n >= len(v) || v[n] != '/' {
		return 0
	}
	total, m := atoi(v[n+1:])
	if m == 0 || total <= good {
		return 0
	}
	return total - good
}

// smtpdWarning parses smtpd's "warning: …" lines.
func smtpdWarning(m []byte, ev *Event) {
	w, _ := cut(m, "warning: ")
	switch {
	case bytes.HasPrefix(w, []byte("non-SMTP command from ")):
		clientAfter(w, "non-SMTP command from ", ev, Attack, NonSMTP, "smtpd non-SMTP command")
	case bytes.HasPrefix(w, []byte("hostname ")):
		// warning: hostname x.example does not resolve to address 192.0.2.1: Name or service not known
		if i := bytes.Index(w, []byte(" does not resolve to address ")); i > 0 {
			v := w[i+len(" does not resolve to address "):]
			if j := indexEither(v, ':', ' '); j >= 0 {
				v = v[:j]
			}
			if ip, ok := parseIP(v); ok {
				ev.IP = ip
				setClient(ev, Info, None, "smtpd hostname does not resolve")
			}
		}
	case bytes.HasPrefix(w, []byte("Connection rate limit exceeded: ")),
		bytes.HasPrefix(w, []byte("Connection concurrency limit exceeded: ")),
		bytes.HasPrefix(w, []byte("Message delivery request rate limit exceeded: ")),
		bytes.HasPrefix(w, []byte("Recipient address rate limit exceeded: ")):
		// warning: Connection rate limit exceeded: 31 from spamhost.example[192.0.2.123] for service smtpd
		if i := bytes.Index(w, []byte(": ")); i > 0 {
			if rest, ok := skipToken(w[i+2:]); ok {
				if host, ip, _, ok := hostIPAfter(rest, "from "); ok {
					ev.IP, ev.Host = ip, host
					setClient(ev, Info, None, "smtpd rate limit")
				}
			}
		}
	case bytes.HasPrefix(w, []byte("Illegal address syntax from ")):
		clientAfter(w, "Illegal address syntax from ", ev, Info, None, "smtpd illegal address syntax")
	default:
		host, ip, rest, ok := hostIP(w)
		if !ok {
			// warning: 192.0.2.1: hostname x.example verification failed: …
			if i := bytes.Index(w, []byte(": hostname ")); i > 0 {
				if ip, ok := parseIP(w[:i]); ok {
					ev.IP = ip
					setClient(ev, Info, None, "smtpd hostname verification failed")
					return
				}
			}
		}
		if !ok || !bytes.HasPrefix(rest, []byte(": ")) {
			setClient(ev, NoClient, None, "smtpd warning")
			return
		}
		ev.IP, ev.Host = ip, host
		rest = rest[2:]
		// warning: unknown[1.1.1.1]: SASL LOGIN authentication failed: Password:
		if r, ok := cut(rest, "SASL "); ok && saslFailed(r) {
			setClient(ev, Attack, AuthFailed, "smtpd SASL authentication failed")
			if i := lastIndex(r, ", sasl_username=", len(", sasl_username=")-1); i >= 0 {
				ev.User = r[i+len(", sasl_username="):]
			}
			return
		}
		setClient(ev, Info, None, "smtpd client warning")
	}
}

// saslFailed reports "<MECH> authentication failed: <reason>" where the reason is the client's
// fault: a lost connection to the auth server is ours, not an attack.
func saslFailed(r []byte) bool {
	sp := bytes.IndexByte(r, ' ')
	if sp <= 0 {
		return false
	}
	reason, ok := cut(r[sp+1:], "authentication failed")
	if !ok {
		return false
	}
	return !bytes.HasPrefix(reason, []byte(": Connection lost to authentication server"))
}

// smtpdReject parses "reject: RCPT from host[ip]: 554 5.7.1 <x>: Relay access denied; …" (the
// text after "NOQUEUE: " or "QUEUEID: ").
func smtpdReject(m []byte, ev *Event) {
	kind := Attack
	rest, ok := cut(m, "reject: ")
	if !ok {
		rest, ok = cut(m, "milter-reject: ")
	}
	if !ok {
		// reject_warning, discard, filter, hold, redirect, warn: an access action that is not a
		// rejection of the client.
		for _, a := range [...]string{"reject_warning: ", "discard: ", "filter: ", "hold: ", "redirect: ", "warn: ", "milter-discard: ", "milter-hold: "} {
			if rest, ok = cut(m, a); ok {
				kind = Info
				break
			}
		}
	}
	if !ok {
		if len(ev.QueueID) > 0 {
			setClient(ev, NoClient, None, "smtpd queue notice")
		}
		return
	}
	rest, ok = skipToken(rest) // RCPT, CONNECT, EHLO, HELO, MAIL, DATA, END-OF-MESSAGE, …
	if !ok {
		return
	}
	host, ip, rest, ok := hostIPAfter(rest, "from ")
	if !ok {
		return
	}
	ev.IP, ev.Host = ip, host
	setHelo(ev, lastField(rest, " helo=<", '>'))
	switch {
	case kind == Info:
		setClient(ev, Info, None, "smtpd access action other than reject (not counted)")
	case bytes.Contains(rest, []byte("Relay access denied")):
		setClient(ev, Attack, RelayDenied, "smtpd Relay access denied")
	case bytes.Contains(rest, []byte(" blocked using ")):
		setClient(ev, Attack, RejectRBL, "smtpd reject blocked using an RBL")
	default:
		setClient(ev, Attack, RejectOther, "smtpd reject")
	}
}

// queueID reads a Postfix queue ID ("4F3A2B1C2D" or the long form "4Q2mZT5kVDz1x") followed
// by ": ".
func queueID(m []byte) ([]byte, []byte, bool) {
	i := 0
	for i < len(m) && i <= 20 && isQueueIDByte[m[i]] {
		i++
	}
	if i < 5 || i > 20 || i+2 > len(m) || m[i] != ':' || m[i+1] != ' ' {
		return nil, nil, false
	}
	return m[:i], m[i+2:], true
}

// queued parses "client=host[ip][, sasl_method=PLAIN, sasl_username=user]".
func queued(r []byte, ev *Event) {
	host, ip, rest, ok := hostIP(r)
	if !ok {
		return
	}
	ev.IP, ev.Host = ip, host
	setClient(ev, Queued, None, "smtpd client= (message accepted)")
	if i := bytes.Index(rest, []byte(", sasl_username=")); i >= 0 {
		ev.User = rest[i+len(", sasl_username="):]
	}
}

func isSmtpdNoise(m []byte) bool {
	for _, p := range [...]string{"warning: ", "fatal: ", "error: ", "panic: ", "discarding EHLO", "proxy-", "table ", "Anonymous", "dict_", "initializing", "NOQUEUE: "} {
		if bytes.HasPrefix(m, []byte(p)) {
			return true
		}
	}
	return false
}
