package parse

import "bytes"

// parseBare recognises a message that came without any header (grok-style message-only input,
// `docker logs` of a container that prints bare messages) by its own shape. It reports whether
// the message is a mail-daemon line.
func parseBare(m []byte, ev *Event) bool {
	ev.Message = m
	if len(m) == 0 {
		return false
	}
	switch {
	case bytes.HasPrefix(m, []byte("addr ")):
		ev.Daemon = DaemonDNSBLog
		dnsblog(m, ev)
	case bytes.HasPrefix(m, []byte("pam_unix(dovecot")):
		ev.Daemon = DaemonDovecot
		ev.tagged = m
		dovecot([]byte("dovecot-auth"), m, ev)
	case isDovecotTag(m):
		ev.Daemon = DaemonDovecot
		ev.tagged = m
		i := bytes.Index(m, []byte(": "))
		dovecot(m[:i], m[i+2:], ev)
	case postscreenShaped(m):
		ev.Daemon = DaemonPostscreen
		postscreen(m, ev)
	default:
		ev.Daemon = DaemonSMTPD
		smtpd(m, ev)
		if ev.Kind == Unknown {
			ev.Daemon = DaemonPostfixOther
			postfixOther(m, ev)
			if ev.Kind != Delivered {
				*ev = Event{Message: m}
				return false
			}
		}
	}
	if ev.Kind == Unknown {
		*ev = Event{Message: m}
		return false
	}
	return true
}

func isDovecotTag(m []byte) bool {
	i := bytes.Index(m, []byte(": "))
	if i <= 0 || bytes.IndexByte(m[:i], ' ') >= 0 {
		return false
	}
	return daemonOf(m[:i]) == DaemonDovecot
}

// postscreenShaped: postscreen writes its verdicts in capitals and its client as "[ip]:port";
// smtpd writes "host[ip]".
func postscreenShaped(m []byte) bool {
	if r, ok := cut(m, "NOQUEUE: reject: "); ok {
		i := bytes.Index(r, []byte(" from "))
		return i > 0 && i+6 < len(r) && r[i+6] == '['
	}
	return len(m) > 4 && m[0] >= 'A' && m[0] <= 'Z' && m[1] >= 'A' && m[1] <= 'Z' &&
		!bytes.HasPrefix(m, []byte("NOQUEUE")) && !bytes.HasPrefix(m, []byte("SSL_accept")) &&
		bytes.Contains(m, []byte("["))
}
