package demo

import "time"

// Benign sessions: deliveries from real mail servers, our users' logins and outgoing mail,
// the webmail container, and daemon housekeeping lines that name no client.

var senderDomains = []string{"gmail.com", "outlook.com", "gmx.de", "web.de", "example.org", "newsletter.example.net", "github.com", "bank.example"}

// legitFrom appends a plausible sender address.
func (g *Generator) legitFrom(s *session) {
	s.str(g.rng.pickStr(users))
	s.ch('.')
	s.str(g.rng.pickStr(users))
	s.ch('@')
	s.str(g.rng.pickStr(senderDomains))
}

// messageID appends a Message-ID.
func (g *Generator) messageID(s *session, domain string) {
	s.ch('<')
	v := g.rng.next()
	const hex = "0123456789abcdef"
	for range 16 {
		s.ch(hex[v&15])
		v >>= 4
	}
	s.ch('@')
	s.str(domain)
	s.ch('>')
}

// qid appends a fresh queue ID and returns where it sits in s.buf, to be repeated.
func (g *Generator) qid(s *session) (int, int) {
	a := len(s.buf)
	s.buf = g.appendQID(s.buf)
	return a, len(s.buf)
}

func (s *session) rep(a, b int) { s.buf = append(s.buf, s.buf[a:b]...) }

// renderLegitMail is a real mail server delivering one message: postscreen lets it through
// (after the one-time 450 for a new sender), smtpd accepts it, cleanup and qmgr queue it, and
// Dovecot LMTP stores it. status=sent names the next hop (the LMTP socket), not the client:
// only the queue ID links the delivery to the client.
func renderLegitMail(g *Generator, s *session) {
	r := &g.rng
	if !g.psPass(s) {
		return
	}
	g.smtpdConnect(s, tag25)
	if r.chance(0.1) { // a callout or probe: no message
		g.smtpdDisconnect(s, tag25, "ehlo=1 mail=1 rcpt=1 rset=1 quit=1 commands=5", catNone)
		return
	}
	g.smtpdTLS(s, tag25)
	s.prog(tag25)
	q0, q1 := g.qid(s)
	s.str(": client=")
	s.client()
	s.end(catNone, 0)
	cleanup := g.nextPID()
	s.progPID("postfix/cleanup", cleanup)
	s.rep(q0, q1)
	s.str(": message-id=")
	g.messageID(s, "mail.gmail.com")
	s.endNoClient()
	s.progPID("postfix/qmgr", g.qmgrPID)
	s.rep(q0, q1)
	s.str(": from=<")
	g.legitFrom(s)
	s.str(">, size=")
	s.num(r.between(2000, 90000))
	s.str(", nrcpt=1 (queue active)")
	s.endNoClient()
	g.smtpdDisconnect(s, tag25, "ehlo=2 starttls=1 mail=1 rcpt=1 bdat=1 quit=1 commands=7", catNone)
	user := r.pickStr(users)
	lmtp := g.nextPID()
	s.str("dovecot: lmtp(")
	s.num(lmtp)
	s.str("): Connect from local")
	s.endNoClient()
	s.progPID("postfix/lmtp", g.nextPID())
	s.rep(q0, q1)
	s.str(": to=<")
	s.str(user)
	s.str("@example.com>, relay=mail.example.com[/var/run/dovecot/lmtp], delay=0.")
	s.num(r.between(10, 99))
	s.str(", delays=0.1/0.01/0.02/0.0")
	s.num(r.between(1, 9))
	s.str(", dsn=2.0.0, status=sent (250 2.0.0 <")
	s.str(user)
	s.str("@example.com> ")
	g.sessionID(s)
	s.str(" Saved)")
	s.endFor(s.ai, catNone, 0, flagDelivered)
	s.str("dovecot: lmtp(")
	s.num(lmtp)
	s.str("): Disconnect from local: Client has quit the connection (state=READY)")
	s.endNoClient()
	s.progPID("postfix/qmgr", g.qmgrPID)
	s.rep(q0, q1)
	s.str(": removed")
	s.endNoClient()
}

// renderSubmission is one of our users sending mail out through submission: a SASL login
// (evidence), DKIM signing and delivery to a foreign MX (relay=…, never a client).
func renderSubmission(g *Generator, s *session) {
	r := &g.rng
	tag := tag587
	g.smtpdConnect(s, tag)
	g.smtpdTLS(s, tag)
	typo := r.chance(0.04)
	if typo { // a mistyped password first: a real user's single auth failure
		g.dovecotAuthEcho(s, s.a.user)
		g.saslFail(s, tag, s.a.user)
	}
	s.prog(tag)
	q0, q1 := g.qid(s)
	s.str(": client=")
	s.client()
	s.str(", sasl_method=PLAIN, sasl_username=")
	s.str(s.a.user)
	s.endFor(s.ai, catNone, 0, flagLogin)
	s.progPID("postfix/cleanup", g.nextPID())
	s.rep(q0, q1)
	s.str(": message-id=")
	g.messageID(s, "example.com")
	s.endNoClient()
	s.progPID("opendkim", g.dkPID)
	s.rep(q0, q1)
	s.str(": DKIM-Signature field added (s=mail, d=example.com)")
	s.endNoClient()
	s.progPID("postfix/qmgr", g.qmgrPID)
	s.rep(q0, q1)
	s.str(": from=<")
	s.str(s.a.user)
	s.str(">, size=")
	s.num(r.between(800, 40000))
	s.str(", nrcpt=1 (queue active)")
	s.endNoClient()
	if typo {
		g.smtpdDisconnect(s, tag, "ehlo=2 starttls=1 auth=1/2 mail=1 rcpt=1 data=1 quit=1 commands=8/9", catNone)
	} else {
		g.smtpdDisconnect(s, tag, "ehlo=2 starttls=1 auth=1 mail=1 rcpt=1 data=1 quit=1 commands=8", catNone)
	}
	rl := relays[r.intn(len(relays))]
	smtp := g.nextPID()
	s.progPID("postfix/smtp", smtp)
	s.str("Trusted TLS connection established to ")
	s.str(rl.name)
	s.ch('[')
	s.str(rl.ip)
	s.str("]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (P-256) server-digest SHA256")
	s.endNoClient()
	s.progPID("postfix/smtp", smtp)
	s.rep(q0, q1)
	s.str(": to=<")
	s.str(r.pickStr(users))
	s.ch('@')
	s.str(r.pickStr(senderDomains))
	s.str(">, relay=")
	s.str(rl.name)
	s.ch('[')
	s.str(rl.ip)
	s.str("]:25, delay=1.")
	s.num(r.between(1, 9))
	s.str(", delays=0.05/0.01/0.3/0.8, dsn=2.0.0, status=sent (250 2.0.0 OK ")
	s.num(r.between(1000000, 9999999))
	s.str(" - gsmtp)")
	s.endFor(s.ai, catNone, 0, flagDelivered)
	s.progPID("postfix/qmgr", g.qmgrPID)
	s.rep(q0, q1)
	s.str(": removed")
	s.endNoClient()
}

// imapLogin writes a successful login (evidence) and its logout.
func (g *Generator) imapLogin(s *session, tls string) {
	mpid := g.nextPID()
	s.str("dovecot: imap-login: Login: user=<")
	s.str(s.a.user)
	s.str(">, method=PLAIN, ")
	s.ripLip()
	s.str(", mpid=")
	s.num(mpid)
	s.str(tls)
	s.str(", session=<")
	sid := len(s.buf)
	g.sessionID(s)
	sidEnd := len(s.buf)
	s.ch('>')
	s.endFor(s.ai, catNone, 0, flagLogin)
	s.str("dovecot: imap(")
	s.str(s.a.user)
	s.str(")<")
	s.num(mpid)
	s.str("><")
	s.rep(sid, sidEnd)
	s.str(">: Logged out in=")
	s.num(g.rng.between(60, 4000))
	s.str(" out=")
	s.num(g.rng.between(500, 90000))
	s.str(" deleted=0 expunged=0 trashed=0 hdr_count=0 hdr_bytes=0 body_count=0 body_bytes=0")
	s.endNoClient()
}

// renderIMAPLogin is a user's mail client checking mail; one in fifty mistypes first.
func renderIMAPLogin(g *Generator, s *session) {
	if g.rng.chance(0.02) {
		g.dovecotAuthEcho(s, s.a.user)
		s.str("dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<")
		s.str(s.a.user)
		s.str(">, method=PLAIN, ")
		s.ripLip()
		s.str(", TLS, session=<")
		g.sessionID(s)
		s.ch('>')
		s.end(catAuthFailed, 1)
	}
	g.imapLogin(s, ", TLS")
}

// renderWebmail is the webmail container logging in over the Docker network.
func renderWebmail(g *Generator, s *session) { g.imapLogin(s, ", secured") }

// renderNoise writes a line of daemon housekeeping that names no client.
func renderNoise(g *Generator, s *session) {
	r := &g.rng
	switch r.intn(5) {
	case 0:
		s.progPID("postfix/anvil", g.psPID+7)
		s.str("statistics: max cache size ")
		s.num(r.between(3, 40))
		s.str(" at ")
		s.buf = time.UnixMicro(g.nowUS).UTC().AppendFormat(s.buf, time.Stamp)
	case 1:
		g.psLine(s)
		s.str("cache btree:/var/lib/postfix/postscreen_cache full cleanup: retained=")
		s.num(r.between(200, 5000))
		s.str(" dropped=")
		s.num(r.between(0, 90))
		s.str(" entries")
	case 2:
		s.progPID("CRON", g.nextPID())
		s.str("(root) CMD (/usr/local/bin/check-for-changes.sh >/dev/null 2>&1)")
	case 3:
		s.str("dovecot: imap(")
		s.str(r.pickStr(users))
		s.str("@example.com)<")
		s.num(g.nextPID())
		s.str(">: Connection closed (IDLE running for 0.001 + waiting input for ")
		s.num(r.between(30, 1800))
		s.str(".")
		s.num(r.between(100, 999))
		s.str(" secs, 2 B in + 10+10 B out, state=wait-input) in=")
		s.num(r.between(100, 5000))
		s.str(" out=")
		s.num(r.between(1000, 90000))
		s.str(" deleted=0 expunged=0 trashed=0 hdr_count=0 hdr_bytes=0 body_count=0 body_bytes=0")
	default:
		s.progPID("postfix/scache", g.psPID+9)
		s.str("statistics: domain lookup hits=0 miss=")
		s.num(r.between(1, 20))
		s.str(" success=0%")
	}
	s.endNoClient()
}
