package parse

import "bytes"

// setClient marks ev with its kind, category and the rule that matched.
func setClient(ev *Event, k Kind, c Category, rule string) {
	ev.Kind, ev.Category, ev.Rule = k, c, rule
	if k == Attack && ev.Count == 0 {
		ev.Count = 1
	}
}

// postfixOther handles Postfix daemons that never log a client: qmgr, cleanup, smtp, lmtp,
// local, … Their one line that matters is a delivery, linked to its client by queue ID.
//
//	4F3A2B1C2D: to=<a@example.org>, relay=dovecot, delay=0.1, delays=…, dsn=2.0.0, status=sent (…)
func postfixOther(m []byte, ev *Event) {
	setClient(ev, NoClient, None, "postfix (no client)")
	prog := ev.Program
	if i := bytes.LastIndexByte(prog, '/'); i >= 0 {
		prog = prog[i+1:]
	}
	switch string(prog) {
	case "tlsproxy":
		// tlsproxy mirrors postscreen's flow markers: CONNECT from [ip]:port, DISCONNECT [ip]:port
		for _, p := range [...]string{"CONNECT from ", "DISCONNECT "} {
			if r, ok := cut(m, p); ok {
				if ip, _, ok := bracketIP(r); ok {
					ev.IP = ip
					setClient(ev, Info, None, "tlsproxy "+p[:len(p)-1])
				}
			}
		}
		return
	case "anvil":
		anvil(m, ev)
		return
	case "postgrey":
		// action=greylist, reason=new, client_name=x.example, client_address=192.0.2.1, sender=…
		// The first client_address= precedes the attacker's sender= and recipient=.
		if i := bytes.Index(m, []byte(", client_address=")); i >= 0 {
			v := m[i+len(", client_address="):]
			if j := bytes.IndexByte(v, ','); j >= 0 {
				v = v[:j]
			}
			if ip, ok := parseIP(v); ok {
				ev.IP = ip
				setClient(ev, Info, None, "postgrey greylisting (not an attack)")
			}
		}
		return
	}
	qid, rest, ok := queueID(m)
	if !ok || !bytes.HasPrefix(rest, []byte("to=<")) {
		return
	}
	i := bytes.Index(rest, []byte(", dsn="))
	if i < 0 {
		return
	}
	st := rest[i+len(", dsn="):]
	j := bytes.Index(st, []byte(", status="))
	if j < 0 || j > 12 {
		return
	}
	st = st[j+len(", status="):]
	if bytes.HasPrefix(st, []byte("sent ")) || bytes.HasPrefix(st, []byte("delivered ")) || string(st) == "sent" {
		ev.QueueID = qid
		setClient(ev, Delivered, None, "delivery status=sent (next hop, not the client)")
	}
}

// anvil: "statistics: max connection rate 1/60s for (smtpd:192.0.2.1) at Oct 26 18:13:50" names
// the client that reached the maximum; the group is (service:ip), where the service may itself
// be host:port.
func anvil(m []byte, ev *Event) {
	r, ok := cut(m, "statistics: max ")
	if !ok {
		return
	}
	i := bytes.Index(r, []byte(" for ("))
	if i < 0 {
		return
	}
	g := r[i+len(" for ("):]
	j := bytes.IndexByte(g, ')')
	if j < 0 {
		return
	}
	g = g[:j]
	for k := 0; k < 2; k++ {
		c := bytes.IndexByte(g, ':')
		if c < 0 {
			return
		}
		g = g[c+1:]
		if ip, ok := parseIP(g); ok {
			ev.IP = ip
			setClient(ev, Info, None, "anvil statistics (client at the maximum)")
			return
		}
	}
}
