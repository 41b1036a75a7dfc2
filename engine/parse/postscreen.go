package parse

import (
	"bytes"
	"encoding/binary"
)

type psRule struct {
	prefix string
	kind   Kind
	cat    Category
	skip   int    // tokens between prefix and "from "/"for ": "<n> after <s>", "<s>", "<n>"
	name   string // for explain
}

var psRules = [...]psRule{
	{"CONNECT from ", Connect, None, 0, "postscreen CONNECT"},
	{"PASS NEW ", Info, None, 0, "postscreen PASS NEW"},
	{"PASS OLD ", Info, None, 0, "postscreen PASS OLD"},
	{"DISCONNECT ", Info, None, 0, "postscreen DISCONNECT"},
	{"PREGREET ", Attack, Pregreet, 3, "postscreen PREGREET"},
	{"HANGUP after ", Attack, Hangup, 1, "postscreen HANGUP"},
	{"COMMAND PIPELINING from ", Attack, Pipelining, 0, "postscreen COMMAND PIPELINING"},
	{"NON-SMTP COMMAND from ", Attack, NonSMTP, 0, "postscreen NON-SMTP COMMAND"},
	{"BARE NEWLINE from ", Attack, BareNewline, 0, "postscreen BARE NEWLINE"},
	{"DNSBL rank ", Attack, DNSBL, 1, "postscreen DNSBL rank"},
	{"COMMAND TIME LIMIT from ", Attack, Hangup, 0, "postscreen COMMAND TIME LIMIT"},
	{"COMMAND COUNT LIMIT from ", Info, None, 0, "postscreen COMMAND COUNT LIMIT"},
	{"COMMAND LENGTH LIMIT from ", Info, None, 0, "postscreen COMMAND LENGTH LIMIT"},
	{"WHITELISTED ", Info, None, 0, "postscreen WHITELISTED"},
	{"ALLOWLISTED ", Info, None, 0, "postscreen ALLOWLISTED"},
	{"BLACKLISTED ", Info, None, 0, "postscreen BLACKLISTED"},
	{"DENYLISTED ", Info, None, 0, "postscreen DENYLISTED"},
	{"WHITELIST VETO ", Info, None, 0, "postscreen WHITELIST VETO"},
	{"ALLOWLIST VETO ", Info, None, 0, "postscreen ALLOWLIST VETO"},
}

// psRuleWords[i] is the first eight bytes of psRules[i].prefix, read as postscreen reads a
// message's: one compare rules a rule out, where comparing prefixes called memequal for every
// rule whose first byte matched (PREGREET tried both PASS rules first).
var psRuleWords = func() (w [len(psRules)]uint64) {
	for i, r := range psRules {
		w[i] = binary.LittleEndian.Uint64([]byte(r.prefix[:8]))
	}
	return w
}()

// postscreen parses postscreen's messages; its client field is "[ip]:port".
//
//	PREGREET 14 after 0.08 from [192.0.2.2]:59415: EHLO ylmf-pc\r\n
//	HANGUP after 16 from [192.0.2.3]:48119 in tests after SMTP handshake
func postscreen(m []byte, ev *Event) {
	var w0 uint64 // the message's first eight bytes, against each rule's (every prefix has 8)
	if len(m) >= 8 {
		w0 = binary.LittleEndian.Uint64(m)
	}
	for i := range psRules {
		r := &psRules[i]
		if psRuleWords[i] != w0 {
			continue
		}
		rest, ok := cut(m, r.prefix)
		if !ok {
			continue
		}
		// PREGREET <n> after <s> from [ip]; HANGUP after <s> from; DNSBL rank <n> for [ip].
		for i := 0; i < r.skip && ok; i++ {
			rest, ok = skipToken(rest)
		}
		if r.skip > 0 {
			rest, ok = cutAny(rest, "from ", "for ")
		}
		if !ok {
			break
		}
		ip, _, ok := bracketIP(rest)
		if !ok {
			break
		}
		ev.IP = ip
		setClient(ev, r.kind, r.cat, r.name)
		return
	}
	if rest, ok := cut(m, "NOQUEUE: reject: "); ok {
		postscreenReject(rest, ev)
		return
	}
	if bytes.HasPrefix(m, []byte("warning: ")) || bytes.HasPrefix(m, []byte("cache ")) ||
		bytes.HasPrefix(m, []byte("fatal: ")) || bytes.HasPrefix(m, []byte("error: ")) {
		setClient(ev, NoClient, None, "postscreen notice")
	}
}

// postscreenReject: postscreen's own "NOQUEUE: reject: RCPT from [ip]:port: …" enforces a test
// the client already failed (PREGREET, pipelining, DNSBL), so it is an echo, not a new event —
// except the 450 4.3.2 that every new legitimate sender gets once (greylisting by postscreen).
func postscreenReject(m []byte, ev *Event) {
	rest, ok := skipToken(m) // RCPT, CONNECT, …
	if ok {
		rest, ok = cut(rest, "from ")
	}
	if !ok {
		return
	}
	ip, rest, ok := bracketIP(rest)
	if !ok {
		return
	}
	ev.IP = ip
	setHelo(ev, lastField(rest, " helo=<", '>'))
	if bytes.Contains(rest, []byte(" 450 4.3.2 ")) || bytes.Contains(rest, []byte("too many connections")) {
		setClient(ev, Info, None, "postscreen 450 4.3.2 (new sender, not an attack)")
		return
	}
	setClient(ev, Echo, None, "postscreen NOQUEUE reject (enforces an event already counted)")
}

func cutAny(b []byte, a, c string) ([]byte, bool) {
	if r, ok := cut(b, a); ok {
		return r, true
	}
	return cut(b, c)
}

// dnsblog: "addr 192.0.2.1 listed by domain zen.spamhaus.org as 127.0.0.2" echoes the DNSBL
// rank postscreen logs for the same client.
func dnsblog(m []byte, ev *Event) {
	rest, ok := cut(m, "addr ")
	if !ok {
		setClient(ev, NoClient, None, "dnsblog notice")
		return
	}
	sp := bytes.IndexByte(rest, ' ')
	if sp <= 0 {
		return
	}
	if ip, ok := parseIP(rest[:sp]); ok && bytes.HasPrefix(rest[sp:], []byte(" listed by domain ")) {
		ev.IP = ip
		setClient(ev, Echo, None, "dnsblog listed (echo of postscreen DNSBL rank)")
	}
}
