package demo

import (
	"math"
	"strconv"
)

// lineMeta describes one rendered line of a session: where its text ends in session.buf and
// what emitting it adds to the ground truth.
type lineMeta struct {
	end   int32 // end of the line's text in session.buf
	actor int32 // the client the line names (or credits), -1 for none
	cat   uint8 // category counted, catNone for none
	n     uint8 // events counted
	flags uint8
}

const (
	flagDelivered uint8 = 1 << iota // a status=sent line of a message from actor
	flagLogin                       // a successful login by actor
)

// session is one client session rendered ahead of time: its lines' text (without the syslog
// header, which is stamped when the line is emitted) and their truth. Buffers are reused, so a
// warmed-up generator allocates nothing.
type session struct {
	buf   []byte
	lines []lineMeta
	next  int // index of the next line to emit
	ai    int32
	a     *actor
	pid   int
	port  int
}

func (s *session) str(x string)  { s.buf = append(s.buf, x...) }
func (s *session) ch(c byte)     { s.buf = append(s.buf, c) }
func (s *session) num(n int)     { s.buf = strconv.AppendInt(s.buf, int64(n), 10) }
func (s *session) ip()           { s.buf = append(s.buf, s.a.ip...) }
func (s *session) prog(p string) { s.progPID(p, s.pid) }

// progPID starts a line with its syslog tag, "postfix/smtpd[1234]: ".
func (s *session) progPID(p string, pid int) {
	s.buf = append(s.buf, p...)
	s.buf = append(s.buf, '[')
	s.buf = strconv.AppendInt(s.buf, int64(pid), 10)
	s.buf = append(s.buf, "]: "...)
}

// client appends "host[ip]", smtpd's way of naming the client.
func (s *session) client() {
	s.str(s.a.host)
	s.ch('[')
	s.ip()
	s.ch(']')
}

// psClient appends "[ip]:port", postscreen's way of naming the client.
func (s *session) psClient() {
	s.ch('[')
	s.ip()
	s.str("]:")
	s.num(s.port)
}

// dashed appends the client's IPv4 address as "a-b-c-d", the way ISPs spell it in PTR names.
func (s *session) dashed() {
	b := s.a.addr.As4()
	for i, x := range b {
		if i > 0 {
			s.ch('-')
		}
		s.num(int(x))
	}
}

// secs appends a duration in seconds with two decimals, "0.07".
func (s *session) secs(hundredths int) {
	s.num(hundredths / 100)
	s.ch('.')
	s.buf = appendPad(s.buf, hundredths%100, 2)
}

// end finishes a line that names (or credits) the session's client and counts n events of cat.
func (s *session) end(cat, n uint8) { s.endFor(s.ai, cat, n, 0) }

// endNoClient finishes a line that names no client.
func (s *session) endNoClient() { s.endFor(-1, catNone, 0, 0) }

func (s *session) endFor(ai int32, cat, n, flags uint8) {
	s.lines = append(s.lines, lineMeta{end: int32(len(s.buf)), actor: ai, cat: cat, n: n, flags: flags})
}

// kind is a type of session.
type kind uint8

const (
	kLegitMail kind = iota
	kSubmission
	kIMAPLogin
	kWebmail
	kScannerSMTPD
	kScannerPS
	kNoise
	kPregreet
	kPSProto
	kDNSBL
	kPSHangup
	kSMTPDHangup
	kSMTPDProto
	kSASLBrute
	kLostAfterAuth
	kIMAPBrute
	kTLSProbe
	kRelaySpam
	kReject
	numKinds
)

// kinds says, per session kind, which pool its client comes from, its share of sessions
// outside waves (per mille, roughly) and how it is rendered.
var kinds = [numKinds]struct {
	pool   poolID
	weight float64
	render func(g *Generator, s *session)
}{
	kLegitMail:     {pLegit, 90, renderLegitMail},
	kSubmission:    {pUsers, 15, renderSubmission},
	kIMAPLogin:     {pUsers, 90, renderIMAPLogin},
	kWebmail:       {pLocal, 20, renderWebmail},
	kScannerSMTPD:  {pScanners, 25, renderScannerSMTPD},
	kScannerPS:     {pScanners, 15, renderScannerPS},
	kNoise:         {pLocal, 30, renderNoise},
	kPregreet:      {pPregreet, 90, renderPregreet},
	kPSProto:       {pProto, 18, renderPSProto},
	kDNSBL:         {pDNSBL, 40, renderDNSBL},
	kPSHangup:      {pHangup, 22, renderPSHangup},
	kSMTPDHangup:   {pHangup, 35, renderSMTPDHangup},
	kSMTPDProto:    {pProto, 10, renderSMTPDProto},
	kSASLBrute:     {pAuth, 55, renderSASLBrute},
	kLostAfterAuth: {pAuth, 10, renderLostAfterAuth},
	kIMAPBrute:     {pIMAP, 22, renderIMAPBrute},
	kTLSProbe:      {pTLS, 14, renderTLSProbe},
	kRelaySpam:     {pRelay, 8, renderRelaySpam},
	kReject:        {pReject, 20, renderReject},
}

// ramp is 0 before a, rises linearly to 1 at b, stays 1 until c and falls back to 0 at d.
func ramp(x, a, b, c, d float64) float64 {
	switch {
	case x <= a || x >= d:
		return 0
	case x < b:
		return (x - a) / (b - a)
	case x <= c:
		return 1
	default:
		return (d - x) / (d - c)
	}
}

// updateMix sets the session mix for scenario second sec. One wave cycle (g.period): calm,
// then a PREGREET botnet that escalates (more bots join and each connects more often), an AUTH
// brute force ramping up from a few IPs, a burst of relay spam, and the decline.
func (g *Generator) updateMix(sec int64) {
	g.mixSec = sec
	phase := math.Mod(float64(sec), g.period) / g.period
	pre := ramp(phase, 0.10, 0.45, 0.70, 0.90)
	auth := ramp(phase, 0.15, 0.35, 0.60, 0.80)
	relay := ramp(phase, 0.25, 0.35, 0.50, 0.60)
	var w [numKinds]float64
	var base, total float64
	for k := range numKinds {
		w[k] = kinds[k].weight
		base += w[k]
	}
	w[kPregreet] *= 1 + 7*pre
	w[kSASLBrute] *= 1 + 5*auth
	w[kLostAfterAuth] *= 1 + 3*auth
	w[kIMAPBrute] *= 1 + 2*auth
	w[kRelaySpam] *= 1 + 10*relay
	p := &g.pools[pPregreet]
	p.setActive(int(float64(p.n) * (0.1 + 0.9*pre)))
	for k := range numKinds {
		total += w[k]
		g.cum[k] = total
	}
	g.rateMult = total / base
}

// newSession renders a fresh session into s.
func (g *Generator) newSession(s *session) {
	s.buf, s.lines, s.next = s.buf[:0], s.lines[:0], 0
	x := g.rng.float() * g.cum[numKinds-1]
	k := kind(0)
	for k < numKinds-1 && x >= g.cum[k] {
		k++
	}
	p := &g.pools[kinds[k].pool]
	s.ai = int32(p.first + p.law.draw(&g.rng))
	s.a = &g.actors[s.ai]
	s.pid = g.nextPID()
	s.port = g.rng.between(1024, 65535)
	kinds[k].render(g, s)
}
