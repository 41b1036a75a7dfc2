package demo

// smtpd sessions: port 25 after postscreen ("postfix/smtpd"), submission on 587
// ("postfix/submission/smtpd") and submissions on 465 ("postfix/smtps/smtpd"). smtpd names
// clients "host[ip]".

const (
	tag25  = "postfix/smtpd"
	tag587 = "postfix/submission/smtpd"
	tag465 = "postfix/smtps/smtpd"
)

var submissionTags = []string{tag587, tag587, tag465}

// smtpdConnect writes "connect from host[ip]", preceded for some nameless clients by the
// warning that their PTR name does not resolve back.
func (g *Generator) smtpdConnect(s *session, tag string) {
	if s.a.host == "unknown" && s.a.addr.Is4() && g.rng.chance(0.08) {
		s.prog(tag)
		s.str("warning: hostname ip-")
		s.dashed()
		s.str(".broadband.example-isp.net does not resolve to address ")
		s.ip()
		s.str(": Name or service not known")
		s.end(catNone, 0)
	}
	s.prog(tag)
	s.str("connect from ")
	s.client()
	s.end(catNone, 0)
}

func (g *Generator) smtpdTLS(s *session, tag string) {
	s.prog(tag)
	s.str("Anonymous TLS connection established from ")
	s.client()
	s.str(": TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256")
	s.end(catNone, 0)
}

// smtpdDisconnect writes the session summary, "disconnect from host[ip] ehlo=1 … commands=n/m".
func (g *Generator) smtpdDisconnect(s *session, tag, counts string, cat uint8) {
	s.prog(tag)
	s.str("disconnect from ")
	s.client()
	s.ch(' ')
	s.str(counts)
	n := uint8(0)
	if cat != catNone {
		n = 1
	}
	s.end(cat, n)
}

// smtpdLine starts an smtpd line "… <what> from host[ip]" and counts it.
func (g *Generator) smtpdEvent(s *session, tag, what string, cat uint8) {
	s.prog(tag)
	s.str(what)
	s.str(" from ")
	s.client()
	s.end(cat, 1)
}

var hangups = []struct{ what, counts string }{
	{"lost connection after CONNECT", "commands=0/0"},
	{"lost connection after EHLO", "ehlo=1 commands=1"},
	{"lost connection after STARTTLS", "ehlo=1 starttls=0/1 commands=1/2"},
	{"lost connection after UNKNOWN", "unknown=0/1 commands=0/1"},
	{"timeout after CONNECT", "commands=0/0"},
	{"timeout after EHLO", "ehlo=1 commands=1"},
	{"too many errors after RCPT", "ehlo=1 mail=1 rcpt=0/3 commands=2/5"},
}

func renderSMTPDHangup(g *Generator, s *session) {
	tag := g.rng.pickStr(submissionTags)
	g.smtpdConnect(s, tag)
	h := hangups[g.rng.intn(len(hangups))]
	g.smtpdEvent(s, tag, h.what, catHangup)
	g.smtpdDisconnect(s, tag, h.counts, catNone)
}

var smtpdNonSMTP = []string{"GET / HTTP/1.1", "GET /.env HTTP/1.1", "CONNECT 6.6.6.6:25 HTTP/1.0",
	"\\026\\003\\001\\002\\000\\001\\000\\001\\374\\003\\003", "OPTIONS / RTSP/1.0"}

var smtpdPipelined = []string{`EHLO %h\r\nMAIL FROM:<x@[7.7.7.7]>\r\n`, `QUIT\r\n`,
	`MAIL FROM:<>\r\nRCPT TO:<postmaster@example.com>\r\nDATA\r\n`}

// renderSMTPDProto writes smtpd's own protocol violations: non-SMTP command, improper
// command pipelining.
func renderSMTPDProto(g *Generator, s *session) {
	r := &g.rng
	tag := r.pickStr(submissionTags)
	g.smtpdConnect(s, tag)
	s.prog(tag)
	if r.chance(0.55) {
		s.str("warning: non-SMTP command from ")
		s.client()
		s.str(": ")
		s.str(r.pickStr(smtpdNonSMTP))
		s.end(catNonSMTP, 1)
		g.smtpdDisconnect(s, tag, "unknown=0/1 commands=0/1", catNone)
		return
	}
	cmd := "CONNECT"
	p := smtpdPipelined[r.intn(len(smtpdPipelined))]
	if p[0] != 'E' {
		cmd = "EHLO"
	}
	s.str("improper command pipelining after ")
	s.str(cmd)
	s.str(" from ")
	s.client()
	s.str(": ")
	s.payload(p, s.a.helo)
	s.end(catPipelining, 1)
	g.smtpdDisconnect(s, tag, "ehlo=1 quit=1 commands=2", catNone)
}

var guessedUsers = []string{"admin", "info", "test", "postmaster", "sales", "support", "contact",
	"webmaster", "office", "user", "root", "admin@example.com", "info@example.com",
	"alice@example.com", "bob@example.com", "noreply@example.com", "6.6.6.6", "root@[7.7.7.7]"}

// dovecotAuthEcho writes Dovecot's passdb record of a failed attempt, which echoes the smtpd or
// *-login line and counts nothing: "dovecot: auth: passwd-file(user,ip): unknown user".
func (g *Generator) dovecotAuthEcho(s *session, user string) {
	s.str("dovecot: auth: passwd-file(")
	s.str(user)
	s.ch(',')
	s.ip()
	if len(user) > 12 && user[len(user)-12:] == "@example.com" && user[0] >= 'a' && user[0] <= 'c' {
		s.str("): Password mismatch")
	} else {
		s.str("): unknown user")
	}
	s.end(catNone, 0)
}

// saslFail writes smtpd's "warning: host[ip]: SASL LOGIN authentication failed: …".
func (g *Generator) saslFail(s *session, tag, user string) {
	s.prog(tag)
	s.str("warning: ")
	s.client()
	switch g.rng.intn(3) {
	case 0:
		s.str(": SASL LOGIN authentication failed: UGFzc3dvcmQ6")
	case 1:
		s.str(": SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=")
		s.str(user)
	default:
		s.str(": SASL PLAIN authentication failed: (reason unavailable), sasl_username=")
		s.str(user)
	}
	s.end(catAuthFailed, 1)
}

// renderSASLBrute writes a password-guessing session on submission: k failed AUTH commands,
// each echoed by Dovecot, then the summary (auth=0/k, not counted again) or a lost connection
// after AUTH; one session in ten is the summary alone (the client gave up mid-AUTH), which is
// then the only trace and counts.
func renderSASLBrute(g *Generator, s *session) {
	r := &g.rng
	tag := r.pickStr(submissionTags)
	g.smtpdConnect(s, tag)
	if r.chance(0.1) {
		g.smtpdDisconnect(s, tag, "ehlo=1 auth=0/1 quit=1 commands=2/3", catAuthFailed)
		return
	}
	tls := tag == tag587 && r.chance(0.6)
	if tls {
		g.smtpdTLS(s, tag)
	}
	k := 1
	if r.chance(0.35) {
		k = r.between(2, 3)
	}
	for range k {
		user := r.pickStr(guessedUsers)
		g.dovecotAuthEcho(s, user)
		g.saslFail(s, tag, user)
	}
	lost := r.chance(0.15)
	if lost {
		g.smtpdEvent(s, tag, "lost connection after AUTH", catLostAfterAuth)
	}
	g.authDisconnect(s, tag, tls, k, lost)
}

// authDisconnect writes the summary of a session with k failed AUTH commands; it never counts,
// because the session already logged its failures.
func (g *Generator) authDisconnect(s *session, tag string, tls bool, k int, lost bool) {
	s.prog(tag)
	s.str("disconnect from ")
	s.client()
	ok := 1
	if tls {
		s.str(" ehlo=2 starttls=1")
		ok = 3
	} else {
		s.str(" ehlo=1")
	}
	s.str(" auth=0/")
	s.num(k)
	if !lost {
		s.str(" quit=1")
		ok++
	}
	s.str(" commands=")
	s.num(ok)
	s.ch('/')
	s.num(ok + k)
	s.end(catNone, 0)
}

// renderLostAfterAuth is a client that starts AUTH and drops the connection.
func renderLostAfterAuth(g *Generator, s *session) {
	tag := g.rng.pickStr(submissionTags)
	g.smtpdConnect(s, tag)
	g.smtpdEvent(s, tag, "lost connection after AUTH", catLostAfterAuth)
	g.smtpdDisconnect(s, tag, "ehlo=1 auth=0/1 commands=1/2", catNone)
}
