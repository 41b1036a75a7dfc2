package parse

import (
	"bytes"
	"net/netip"
)

// dovecot parses Dovecot lines. prog is the syslog tag ("dovecot", "imap-login", "auth",
// "auth-worker(123)", or Dovecot 2.4's "auth(user,ip,sasl:login)<session>").
//
//	dovecot: imap-login: Disconnected (auth failed, 2 attempts): user=<bob>, method=PLAIN, rip=192.0.2.9, lip=198.51.100.1, TLS
//	dovecot: auth: passwd-file(bob,192.0.2.9): unknown user
func dovecot(prog, m []byte, ev *Event) {
	sub := prog
	// "dovecot: imap-login: …", "dovecot: auth-worker(12): …", even "dovecot: dovecot: auth: …"
	for k := 0; k < 2 && bytes.Equal(sub, []byte("dovecot")); k++ {
		if i := bytes.Index(m, []byte(": ")); i > 0 && bytes.IndexByte(m[:i], ' ') < 0 {
			sub, m = m[:i], m[i+2:]
		}
	}
	m = stripLevel(m)
	switch {
	case bytes.HasSuffix(sub, []byte("-login")):
		login(m, ev)
	case bytes.HasPrefix(sub, []byte("auth")), bytes.HasPrefix(sub, []byte("dovecot-auth")),
		bytes.HasPrefix(sub, []byte("pam_unix(dovecot")):
		// Backend lines echo a login summary or an smtpd SASL failure: attribute, never count.
		// The IP may sit in the tag itself (2.4), so search from the tag on.
		region := ev.tagged
		if len(region) == 0 {
			region = m
		}
		if ip, ok := pamRhost(region); ok {
			ev.IP = ip
			setClient(ev, Echo, None, "dovecot PAM failure (echo of a login)")
			return
		}
		if ip, ok := passdbIP(region); ok {
			ev.IP = ip
			setClient(ev, Echo, None, "dovecot passdb (echo of a login or SASL attempt)")
			return
		}
		setClient(ev, NoClient, None, "dovecot auth notice")
	default:
		setClient(ev, NoClient, None, "dovecot (no client)")
	}
}

func stripLevel(m []byte) []byte {
	for _, p := range [...]string{"Info: ", "Warning: ", "Error: ", "Debug: "} {
		if r, ok := cut(m, p); ok {
			return r
		}
	}
	return m
}

// login parses a *-login summary. The client is the value of the LAST " rip=": user=<…> comes
// before rip= and is the attacker's text, while everything after rip= (lip, TLS state,
// session) is Dovecot's own. The reason is read only from Dovecot's own text: the part before
// the user field and the part after rip=.
func login(m []byte, ev *Event) {
	i := lastIndex(m, "rip=", 0)
	if i <= 0 || (m[i-1] != ' ' && m[i-1] != ',') {
		setClient(ev, NoClient, None, "dovecot login (no client)")
		return
	}
	v := m[i+4:]
	tail := v
	if j := indexEither(v, ',', ' '); j >= 0 {
		v, tail = v[:j], v[j:]
	} else {
		tail = nil
	}
	ip, ok := parseIP(v)
	if !ok {
		return
	}
	ev.IP = ip
	head := m[:i]
	if j := bytes.Index(head, []byte(": user=<")); j >= 0 {
		if u := head[j+len(": user=<"):]; bytes.IndexByte(u, '>') >= 0 {
			ev.User = u[:bytes.LastIndexByte(u, '>')]
		}
		head = head[:j]
	}
	has := func(s string) bool {
		return bytes.Contains(head, []byte(s)) || bytes.Contains(tail, []byte(s))
	}
	switch {
	case bytes.HasPrefix(m, []byte("Login: ")):
		setClient(ev, Login, None, "dovecot login succeeded")
	case has("(auth failed, "):
		setClient(ev, Attack, AuthFailed, "dovecot login: auth failed")
		k := bytes.Index(head, []byte("(auth failed, "))
		if n, d := atoi(head[k+len("(auth failed, "):]); d > 0 && n > 0 {
			ev.Count = n
		}
	case has(" authentication attempts)"): // 2.2: Aborted login (1 authentication attempts)
		setClient(ev, Attack, AuthFailed, "dovecot login: auth failed")
		if k := bytes.LastIndexByte(head, '('); k >= 0 {
			if n, d := atoi(head[k+1:]); d > 0 && n > 0 {
				ev.Count = n
			}
		}
	case has("(auth_failed)"), has("proxy dest auth failed"),
		has("plaintext auth)"), has("(auth_plaintext_disabled)"):
		setClient(ev, Attack, AuthFailed, "dovecot login: auth failed")
	case has("SSL_accept() failed"), has("during TLS handshake"), has("(tls_handshake_not_finished)"),
		has("TLS handshaking: "):
		setClient(ev, Attack, TLSError, "dovecot login: TLS handshake failed")
	case has("(no auth attempts"), has("(no_auth_attempts)"), has("before auth was ready"),
		has("didn't finish SASL auth"), has("(client_didnt_finish_sasl_auth)"):
		setClient(ev, Attack, Hangup, "dovecot login: disconnected without logging in")
	default:
		setClient(ev, Info, None, "dovecot login notice")
	}
}

// passdbIP finds the client in "driver(user,ip[,session])" groups. The user is the attacker's
// text and may itself contain ",", "(" or ")", so every ")" that ends a group (followed by ":"
// or "<") is read right to left; if two such groups disagree on the address the line is
// ambiguous and nobody is blamed.
func passdbIP(b []byte) (netip.Addr, bool) {
	var found netip.Addr
	for i := 0; i < len(b)-1; i++ {
		j := bytes.IndexByte(b[i:len(b)-1], ')')
		if j < 0 {
			break
		}
		i += j
		if b[i+1] != ':' && b[i+1] != '<' {
			continue
		}
		ip, ok := groupIP(b[:i])
		if !ok {
			continue
		}
		if found.IsValid() && found != ip {
			return netip.Addr{}, false
		}
		found = ip
	}
	return found, found.IsValid()
}

// groupIP reads the address field that ends a "(user,ip" or "(user,ip,session" group.
func groupIP(b []byte) (netip.Addr, bool) {
	last := lastIndexByte(b, ',')
	if last < 0 {
		return netip.Addr{}, false
	}
	if ip, ok := parseIP(b[last+1:]); ok {
		return ip, true
	}
	prev := lastIndexByte(b[:last], ',')
	if prev < 0 {
		return netip.Addr{}, false
	}
	return parseIP(b[prev+1 : last])
}

// pamRhost reads pam_unix's "authentication failure; … ruser=U rhost=IP[ user=U]". ruser and
// user are the attacker's, so a candidate counts only when an address follows "rhost=" and the
// line ends or " user=" follows; two candidates make the line ambiguous.
//
//	pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=rhost=1.2.3.4 rhost=192.0.43.10
func pamRhost(b []byte) (netip.Addr, bool) {
	if !bytes.Contains(b, []byte("pam_unix(")) {
		return netip.Addr{}, false
	}
	var found netip.Addr
	n := 0
	for rest := b; ; {
		i := bytes.Index(rest, []byte("rhost="))
		if i < 0 {
			break
		}
		v := rest[i+6:]
		rest = v
		end := bytes.IndexByte(v, ' ')
		val, after := v, []byte(nil)
		if end >= 0 {
			val, after = v[:end], v[end:]
		}
		ip, ok := parseIP(val)
		if !ok {
			continue
		}
		after = bytes.TrimLeft(after, " ")
		if len(after) != 0 && !bytes.HasPrefix(after, []byte("user=")) {
			continue
		}
		n++
		found = ip
	}
	if n != 1 {
		return netip.Addr{}, false
	}
	return found, true
}
