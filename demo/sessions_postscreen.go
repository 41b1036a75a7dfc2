package demo

// Postscreen sessions on port 25. Postscreen names clients "[ip]:port" and has no host names.

// psLocal returns the server address a client of s's family connects to.
func (s *session) localIP() string {
	if s.a.addr.Is4() {
		return ContainerIP
	}
	return ContainerIP6
}

func (g *Generator) psLine(s *session) { s.progPID("postfix/postscreen", g.psPID) }

// psConnect writes "CONNECT from [ip]:port to [server]:25".
func (g *Generator) psConnect(s *session) {
	g.psLine(s)
	s.str("CONNECT from ")
	s.psClient()
	s.str(" to [")
	s.str(s.localIP())
	s.str("]:25")
	s.end(catNone, 0)
}

func (g *Generator) psDisconnect(s *session) {
	g.psLine(s)
	s.str("DISCONNECT ")
	s.psClient()
	s.end(catNone, 0)
}

// psNoqueue writes postscreen's enforcement echo "NOQUEUE: reject: RCPT from [ip]:port: <why>;
// from=<…>, to=<…>, proto=ESMTP, helo=<…>", which counts nothing.
func (g *Generator) psNoqueue(s *session, why string) {
	g.psLine(s)
	s.str("NOQUEUE: reject: RCPT from ")
	s.psClient()
	s.str(": ")
	s.str(why)
	g.psRejectTail(s, g.spamFrom)
	s.end(catNone, 0)
}

// psPass lets the client through postscreen. A client postscreen has not seen before passes
// the deep protocol tests, gets the 450 4.3.2 every new sender gets once and must come back:
// psPass reports false, and the session ends there.
func (g *Generator) psPass(s *session) bool {
	g.psConnect(s)
	g.psLine(s)
	if !s.a.passed {
		s.a.passed = true
		s.str("PASS NEW ")
		s.psClient()
		s.end(catNone, 0)
		g.psLine(s)
		s.str("NOQUEUE: reject: RCPT from ")
		s.psClient()
		s.str(": 450 4.3.2 Service currently unavailable")
		g.psRejectTail(s, g.legitFrom)
		s.end(catNone, 0)
		g.psDisconnect(s)
		return false
	}
	s.str("PASS OLD ")
	s.psClient()
	s.end(catNone, 0)
	return true
}

// pregreetPayloads are what bots send before the greeting, escaped as postscreen logs them
// (C escapes for CR/LF, octal for other bytes). "%h" is replaced with the bot's HELO name.
var pregreetPayloads = []string{
	`EHLO %h\r\n`, `EHLO %h\r\n`, `EHLO %h\r\n`, `HELO %h\r\n`,
	`EHLO [6.66.66.66]\r\n`,
	`GET / HTTP/1.1\r\nHost: 6.6.6.7:25\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n`,
	`\003\000\000+&\340\000\000\000\000\000Cookie: mstshash=hello\r\n\001\000\010\000\003\000\000\000`,
	`\026\003\001\000\365\001\000\000\361\003\003\221\017Z\306`,
	`\r\n`,
}

// unescapedLen is the byte count of a postscreen-escaped payload, for "PREGREET <n>".
func unescapedLen(p string, helo string) int {
	n := 0
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '%' && i+1 < len(p) && p[i+1] == 'h':
			n += len(helo)
			i++
		case p[i] == '\\' && i+1 < len(p) && p[i+1] >= '0' && p[i+1] <= '7':
			n++
			i += 3
		case p[i] == '\\':
			n++
			i++
		default:
			n++
		}
	}
	return n
}

// appendPayload appends p with %h replaced by helo.
func (s *session) payload(p, helo string) {
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+1 < len(p) && p[i+1] == 'h' {
			s.str(helo)
			i++
			continue
		}
		s.ch(p[i])
	}
}

func renderPregreet(g *Generator, s *session) {
	r := &g.rng
	g.psConnect(s)
	p := pregreetPayloads[r.intn(len(pregreetPayloads))]
	g.psLine(s)
	s.str("PREGREET ")
	s.num(unescapedLen(p, s.a.helo))
	s.str(" after ")
	if r.chance(0.3) {
		s.num(0)
	} else {
		s.secs(r.between(1, 250))
	}
	s.str(" from ")
	s.psClient()
	s.str(": ")
	s.payload(p, s.a.helo)
	s.end(catPregreet, 1)
	switch {
	case p[0] == 'G' && r.chance(0.7):
		g.psLine(s)
		s.str("NON-SMTP COMMAND from ")
		s.psClient()
		s.str(" after CONNECT: GET / HTTP/1.1")
		s.end(catNonSMTP, 1)
	case r.chance(0.25):
		g.psNoqueue(s, "550 5.5.1 Protocol error")
	}
	g.psDisconnect(s)
}

var psPipelined = []string{`MAIL FROM:<%h@example.net>\r\nRCPT TO:<info@example.com>\r\n`,
	`RCPT TO:<admin@example.com>\r\nDATA\r\n`, `QUIT\r\n`}

var psNonSMTP = []string{"GET / HTTP/1.1", "GET http://6.6.6.7/ HTTP/1.1", "CONNECT 7.7.7.7:443 HTTP/1.1",
	"POST /cgi-bin/.%2e/.%2e/bin/sh HTTP/1.1", "USER anonymous"}

// renderPSProto writes a postscreen deep-protocol-test failure: COMMAND PIPELINING, NON-SMTP
// COMMAND or BARE NEWLINE.
func renderPSProto(g *Generator, s *session) {
	r := &g.rng
	g.psConnect(s)
	g.psLine(s)
	switch x := r.intn(10); {
	case x < 4:
		s.str("COMMAND PIPELINING from ")
		s.psClient()
		s.str(" after EHLO: ")
		s.payload(psPipelined[r.intn(len(psPipelined))], s.a.helo)
		s.end(catPipelining, 1)
	case x < 7:
		s.str("NON-SMTP COMMAND from ")
		s.psClient()
		s.str(" after CONNECT: ")
		s.str(r.pickStr(psNonSMTP))
		s.end(catNonSMTP, 1)
	default:
		s.str("BARE NEWLINE from ")
		s.psClient()
		s.str(" after ")
		s.str(r.pickStr(bareAfter))
		s.end(catBareNewline, 1)
	}
	if r.chance(0.4) {
		g.psNoqueue(s, "550 5.5.1 Protocol error")
	}
	g.psDisconnect(s)
}

// dnsbls are docker-mailserver's default postscreen DNSBL sites with their weights.
var dnsbls = []struct {
	zone, answer string
	weight       int
}{
	{"zen.spamhaus.org", "127.0.0.4", 3},
	{"zen.spamhaus.org", "127.0.0.3", 3},
	{"bl.mailspike.net", "127.0.0.2", 2},
	{"b.barracudacentral.org", "127.0.0.2", 2},
	{"bl.spamcop.net", "127.0.0.2", 1},
	{"psbl.surriel.com", "127.0.0.2", 1},
}

// renderDNSBL writes the dnsblog answers, the DNSBL rank (at least the threshold 3) and,
// sometimes, postscreen's "blocked using" enforcement echo.
func renderDNSBL(g *Generator, s *session) {
	r := &g.rng
	g.psConnect(s)
	rank, first := 0, ""
	for i := 0; rank < 3 || (i < 3 && r.chance(0.3)); i++ {
		d := dnsbls[r.intn(len(dnsbls))]
		if first == "" || d.weight == 3 {
			first = d.zone
		}
		rank += d.weight
		s.progPID("postfix/dnsblog", g.dnsblogPID+i)
		s.str("addr ")
		s.ip()
		s.str(" listed by domain ")
		s.str(d.zone)
		s.str(" as ")
		s.str(d.answer)
		s.end(catNone, 0)
	}
	g.psLine(s)
	s.str("DNSBL rank ")
	s.num(rank)
	s.str(" for ")
	s.psClient()
	s.end(catDNSBL, 1)
	if r.chance(0.35) {
		g.psLine(s)
		s.str("NOQUEUE: reject: RCPT from ")
		s.psClient()
		s.str(": 550 5.7.1 Service unavailable; client [")
		s.ip()
		s.str("] blocked using ")
		s.str(first)
		g.psRejectTail(s, g.spamFrom)
		s.end(catNone, 0)
	}
	g.psDisconnect(s)
}

func renderPSHangup(g *Generator, s *session) {
	r := &g.rng
	g.psConnect(s)
	g.psLine(s)
	s.str("HANGUP after ")
	s.secs(r.between(1, 2500))
	s.str(" from ")
	s.psClient()
	if r.chance(0.6) {
		s.str(" in tests before SMTP handshake")
	} else {
		s.str(" in tests after SMTP handshake")
	}
	s.end(catHangup, 1)
	g.psDisconnect(s)
}

// renderScannerPS is a scanner touching port 25: it connects and leaves before completing the
// deep protocol tests, so it never passes postscreen; sometimes before the greeting (HANGUP).
func renderScannerPS(g *Generator, s *session) {
	g.psConnect(s)
	if g.rng.chance(0.3) {
		g.psLine(s)
		s.str("HANGUP after ")
		s.secs(g.rng.between(1, 400))
		s.str(" from ")
		s.psClient()
		s.str(" in tests before SMTP handshake")
		s.end(catHangup, 1)
	}
	g.psDisconnect(s)
}

var bareAfter = []string{"EHLO", "MAIL", "RCPT", "."}

// psRejectTail ends a postscreen reject line: "; from=<…>, to=<…>, proto=ESMTP, helo=<…>".
// postscreen separates the fields with commas where smtpd uses spaces (see rejectTail).
func (g *Generator) psRejectTail(s *session, from func(*session)) {
	s.str("; from=<")
	from(s)
	s.str(">, to=<")
	g.victim(s)
	s.str(">, proto=ESMTP, helo=<")
	s.str(s.a.helo)
	s.str(">")
}
