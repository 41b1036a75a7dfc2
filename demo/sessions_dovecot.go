package demo

// Dovecot sessions (IMAP/POP3 logins, their failures and TLS handshakes) and TLS probes.

// sessionID appends a Dovecot session=<…> id: 16 base64 characters.
func (g *Generator) sessionID(s *session) {
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	v := g.rng.next()
	w := g.rng.next()
	for i := range 16 {
		if i == 10 {
			v = w
		}
		s.ch(b64[v&63])
		v >>= 6
	}
}

// ripLip appends "rip=<client>, lip=<server>".
func (s *session) ripLip() {
	s.str("rip=")
	s.ip()
	s.str(", lip=")
	s.str(s.localIP())
}

var loginDaemons = []string{"imap-login", "imap-login", "imap-login", "pop3-login", "submission-login"}
var loginReasons = []string{"Disconnected", "Disconnected: Connection closed", "Disconnected: Inactivity",
	"Aborted login", "Disconnected: Too many invalid commands"}

// dovecotUsers are names guessed against IMAP; the last one smuggles a decoy rip= into the user
// name, the classic injection against parsers that take the first rip=.
var dovecotUsers = []string{"admin", "info@example.com", "test", "alice@example.com", "bob@example.com",
	"office@example.com", "support", "backup", "admin rip=7.7.7.7"}

// renderIMAPBrute writes k passdb echoes then the *-login summary "(auth failed, k attempts in
// S secs)", which counts k; one in six is Dovecot 2.4's "Login aborted … (auth_failed)".
func renderIMAPBrute(g *Generator, s *session) {
	r := &g.rng
	k := 1 + attemptsLaw.draw(r)
	user := r.pickStr(dovecotUsers)
	for range k {
		g.dovecotAuthEcho(s, user)
	}
	s.str("dovecot: ")
	s.str(r.pickStr(loginDaemons))
	if r.chance(1.0 / 6) {
		s.str(": Login aborted: Connection closed (auth failed, ")
		s.num(k)
		s.str(" attempts in ")
		s.num(r.between(k, 6*k+4))
		s.str(" secs) (auth_failed): user=<")
	} else {
		s.str(": ")
		s.str(r.pickStr(loginReasons))
		s.str(" (auth failed, ")
		s.num(k)
		s.str(" attempts in ")
		s.num(r.between(k, 6*k+4))
		s.str(" secs): user=<")
	}
	s.str(user)
	s.str(">, method=PLAIN, ")
	s.ripLip()
	s.str(", TLS, session=<")
	g.sessionID(s)
	s.ch('>')
	s.end(catAuthFailed, uint8(k))
}

var sslErrors = []string{"error:0A00006C:SSL routines::bad key share", "error:0A0000C1:SSL routines::no shared cipher",
	"error:0A000102:SSL routines::unsupported protocol", "error:0A00010B:SSL routines::wrong version number"}

// dovecotTLSFail writes an IMAP handshake failure naming the client by rip= (tls_error), in
// Dovecot 2.3 or 2.4 wording.
func (g *Generator) dovecotTLSFail(s *session) {
	e := g.rng.pickStr(sslErrors)
	s.str("dovecot: imap-login: ")
	if g.rng.chance(0.25) {
		s.str("Login aborted: Connection closed: SSL_accept() failed: ")
		s.str(e)
		s.str(" (disconnected during TLS handshake) (tls_handshake_not_finished): user=<>, ")
		s.ripLip()
		s.str(", TLS handshaking, session=<")
	} else {
		s.str("Disconnected: Connection closed: SSL_accept() failed: ")
		s.str(e)
		s.str(" (no auth attempts in 0 secs): user=<>, ")
		s.ripLip()
		s.str(", TLS handshaking: SSL_accept() failed: ")
		s.str(e)
		s.str(", session=<")
	}
	g.sessionID(s)
	s.ch('>')
	s.end(catTLSError, 1)
}

// smtpdTLSFail writes a failed TLS handshake on smtps (implicit TLS, then "lost connection
// after CONNECT") or on submission (after STARTTLS): the library detail without an IP, the
// SSL_accept error (tls_error) and the hang-up (hangup).
func (g *Generator) smtpdTLSFail(s *session, why string) {
	tag, after, counts := tag465, "lost connection after CONNECT", "commands=0/0"
	if g.rng.chance(0.4) {
		tag, after, counts = tag587, "lost connection after STARTTLS", "ehlo=1 starttls=0/1 commands=1/2"
	}
	g.smtpdConnect(s, tag)
	s.prog(tag)
	s.str("warning: TLS library problem: ")
	s.str(g.rng.pickStr(sslErrors))
	s.str(":../ssl/statem/statem_srvr.c:1688:")
	s.endNoClient()
	s.prog(tag)
	s.str("SSL_accept error from ")
	s.client()
	s.str(": ")
	s.str(why)
	s.end(catTLSError, 1)
	g.smtpdEvent(s, tag, after, catHangup)
	g.smtpdDisconnect(s, tag, counts, catNone)
}

var sslAcceptWhy = []string{"-1", "lost connection", "Connection reset by peer", "Connection timed out", "0"}

func renderTLSProbe(g *Generator, s *session) {
	if g.rng.chance(0.45) {
		g.dovecotTLSFail(s)
		return
	}
	g.smtpdTLSFail(s, g.rng.pickStr(sslAcceptWhy))
}

// renderScannerSMTPD is an internet scanner on submission or IMAP: it greets politely and
// leaves, looks at the certificate, or drops the handshake. No protocol violations.
func renderScannerSMTPD(g *Generator, s *session) {
	r := &g.rng
	tag := r.pickStr(submissionTags)
	switch x := r.intn(20); {
	case x < 8:
		g.smtpdConnect(s, tag)
		g.smtpdDisconnect(s, tag, "ehlo=1 quit=1 commands=2", catNone)
	case x < 12:
		g.smtpdConnect(s, tag587)
		g.smtpdTLS(s, tag587)
		g.smtpdDisconnect(s, tag587, "ehlo=2 starttls=1 quit=1 commands=4", catNone)
	case x < 14:
		g.smtpdConnect(s, tag)
		g.smtpdEvent(s, tag, "lost connection after EHLO", catHangup)
		g.smtpdDisconnect(s, tag, "ehlo=1 commands=1", catNone)
	case x < 16:
		g.smtpdTLSFail(s, "Connection reset by peer")
	case x < 18:
		// Connected, looked at the banner and the certificate, left without trying to log in:
		// Dovecot's hang-up.
		s.str("dovecot: imap-login: Disconnected: Connection closed (no auth attempts in 0 secs): user=<>, ")
		s.ripLip()
		s.str(", TLS, session=<")
		g.sessionID(s)
		s.ch('>')
		s.end(catHangup, 1)
	default:
		g.dovecotTLSFail(s)
	}
}

// attemptsLaw draws how many passwords a bot tries per IMAP connection: mostly one, up to six.
var attemptsLaw = newPowerLaw(6, 1.2)
