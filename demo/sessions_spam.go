package demo

import "strings"

// Spam sessions on port 25: relay attempts and smtpd NOQUEUE rejects, after postscreen.

var spamLocals = []string{"info", "news", "promo", "admin", "hr", "billing", "noreply", "ceo"}
var relayVictims = []string{"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "qq.com", "mail.ru", "web.de"}
var ourUsers = []string{"alice", "bob", "carol", "info", "postmaster", "sales", "admin"}

// spamFrom appends a sender address of the kind spam carries; a few are decoy IP literals
// (x@[7.7.7.7]) that must never be taken for the client.
func (g *Generator) spamFrom(s *session) {
	r := &g.rng
	if r.chance(0.05) {
		s.str("billing@[7.7.7.7]")
		return
	}
	s.str(r.pickStr(spamLocals))
	s.ch('@')
	s.str(r.pickStr(spamWords))
	s.num(r.between(10, 999))
	s.ch('.')
	s.str(r.pickStr(spamTLDs))
}

// victim appends one of our recipients.
func (g *Generator) victim(s *session) {
	s.str(g.rng.pickStr(ourUsers))
	s.str("@example.com")
}

// smtpdReject starts "NOQUEUE: reject: RCPT from host[ip]: ".
func (g *Generator) smtpdReject(s *session) {
	s.prog(tag25)
	s.str("NOQUEUE: reject: RCPT from ")
	s.client()
	s.str(": ")
}

// rejectTail ends a reject line: "; from=<…> to=<…> proto=ESMTP helo=<…>". The recipient is
// s.buf[to0:to1] when to0 >= 0 (the address the reject line already named), else one of ours.
func (g *Generator) rejectTail(s *session, to0, to1 int) {
	s.str("; from=<")
	g.spamFrom(s)
	s.str("> to=<")
	if to0 >= 0 {
		s.buf = append(s.buf, s.buf[to0:to1]...)
	} else {
		g.victim(s)
	}
	s.str("> proto=ESMTP helo=<")
	s.str(s.a.helo)
	s.ch('>')
}

// renderRelaySpam is an open-relay test: several RCPT TO foreign domains, each rejected.
func renderRelaySpam(g *Generator, s *session) {
	r := &g.rng
	if !g.psPass(s) {
		return
	}
	g.smtpdConnect(s, tag25)
	k := r.between(1, 6)
	for range k {
		g.smtpdReject(s)
		s.str("454 4.7.1 <")
		mark := len(s.buf)
		if r.chance(0.05) {
			s.str("postmaster@[6.6.6.7]")
		} else {
			s.str(r.pickStr(spamLocals))
			s.num(r.between(1, 99))
			s.ch('@')
			s.str(r.pickStr(relayVictims))
		}
		end := len(s.buf)
		s.str(">: Relay access denied")
		g.rejectTail(s, mark, end)
		s.end(catRelayDenied, 1)
	}
	g.smtpdSummary(s, k)
}

// smtpdSummary writes the disconnect line of a port-25 session whose k RCPTs were rejected.
func (g *Generator) smtpdSummary(s *session, k int) {
	s.prog(tag25)
	s.str("disconnect from ")
	s.client()
	s.str(" ehlo=1 mail=1 rcpt=0/")
	s.num(k)
	s.str(" rset=1 quit=1 commands=4/")
	s.num(4 + k)
	s.end(catNone, 0)
}

var rbls = []string{"zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org"}

// renderReject writes smtpd's own rejects: an RBL hit (reject_rbl) or a HELO, sender,
// recipient or client-host rule (reject_other); a dictionary attack rejects several RCPTs.
func renderReject(g *Generator, s *session) {
	r := &g.rng
	if !g.psPass(s) {
		return
	}
	g.smtpdConnect(s, tag25)
	x := r.intn(10)
	switch {
	case x < 3:
		g.smtpdReject(s)
		s.str("554 5.7.1 Service unavailable; Client host [")
		s.ip()
		s.str("] blocked using ")
		s.str(r.pickStr(rbls))
		g.rejectTail(s, -1, 0)
		s.end(catRejectRBL, 1)
		g.smtpdSummary(s, 1)
	case x < 5 || len(s.a.helo) > 4 && s.a.helo[:4] == "WIN-":
		g.smtpdReject(s)
		if strings.ContainsAny(s.a.helo, ".[") {
			s.str("450 4.7.1 <")
			s.str(s.a.helo)
			s.str(">: Helo command rejected: Host not found")
		} else {
			s.str("504 5.5.2 <")
			s.str(s.a.helo)
			s.str(">: Helo command rejected: need fully-qualified hostname")
		}
		g.rejectTail(s, -1, 0)
		s.end(catRejectOther, 1)
		g.smtpdSummary(s, 1)
	case x < 7:
		k := r.between(1, 5)
		for range k {
			g.smtpdReject(s)
			s.str("550 5.1.1 <")
			mark := len(s.buf)
			s.str(r.pickStr(guessLocals))
			s.str("@example.com")
			end := len(s.buf)
			s.str(">: Recipient address rejected: User unknown in virtual mailbox table")
			g.rejectTail(s, mark, end)
			s.end(catRejectOther, 1)
		}
		g.smtpdSummary(s, k)
	case x < 8:
		g.smtpdReject(s)
		s.str("450 4.1.8 <")
		g.spamFrom(s)
		s.str(">: Sender address rejected: Domain not found")
		g.rejectTail(s, -1, 0)
		s.end(catRejectOther, 1)
		g.smtpdSummary(s, 1)
	default:
		s.prog(tag25)
		s.str("NOQUEUE: reject: CONNECT from ")
		s.client()
		s.str(": 450 4.7.25 Client host rejected: cannot find your hostname, [")
		s.ip()
		s.str("]; proto=SMTP")
		s.end(catRejectOther, 1)
		s.prog(tag25)
		s.str("disconnect from ")
		s.client()
		s.str(" commands=0/0")
		s.end(catNone, 0)
	}
}

var guessLocals = []string{"sales", "jobs", "marketing", "hello", "kontakt", "service", "accounting", "j.smith", "m.mueller"}
