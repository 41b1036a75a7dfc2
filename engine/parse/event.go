package parse

import (
	"net/netip"
	"time"
)

// Kind says what a mail-daemon line means for its client IP.
type Kind uint8

// Kinds of line. Only Attack adds to a category counter; the others are evidence or context.
const (
	// Unknown: a mail-daemon line no rule recognised (listed by `mxtop report --unmatched`).
	Unknown Kind = iota
	// NoClient: a recognised mail-daemon line that names no client (qmgr, outbound smtp, …).
	NoClient
	// Attack: one attack event (or Count events) of Category by IP.
	Attack
	// Echo: a second daemon's record of an attempt already counted (Dovecot passdb lines after a
	// SASL failure, postscreen's NOQUEUE enforcement of a PREGREET). Kept as a raw line, never counted.
	Echo
	// Connect: a client connected; Host is its reverse-DNS name as Postfix logged it.
	Connect
	// Disconnect: smtpd's session summary; AuthFailures > 0 means auth=0/N (or M/N with M<N).
	Disconnect
	// Queued: smtpd accepted a message (QueueID: client=host[IP]); SASL user set when it logged in.
	Queued
	// Delivered: a queue ID reached status=sent/delivered. IP is unset: the line names the next hop.
	Delivered
	// Login: a successful SASL or IMAP/POP3 login from IP.
	Login
	// Info: a line about IP that is neither attack nor evidence (postscreen PASS NEW, the one 450
	// 4.3.2 every new sender gets, a HELO warning); kept for the drill-down.
	Info
)

// String returns the kind's name as `mxtop explain` prints it.
func (k Kind) String() string {
	switch k {
	case NoClient:
		return "no-client"
	case Attack:
		return "attack"
	case Echo:
		return "echo"
	case Connect:
		return "connect"
	case Disconnect:
		return "disconnect"
	case Queued:
		return "queued"
	case Delivered:
		return "delivered"
	case Login:
		return "login"
	case Info:
		return "info"
	default:
		return "unknown"
	}
}

// Framing is the envelope a line arrived in.
type Framing uint8

// Framings the parser detects, per line.
const (
	FrameBare     Framing = iota // a bare message, no header
	FrameRFC3339                 // docker-mailserver v14+: 2026-11-27T11:34:48.852857+00:00 mail postfix/…
	FrameSyslog                  // classic syslog: Nov  1 10:25:17 mail postfix/…
	FrameDockerTS                // docker logs -t prefix before either of the above
	FrameJSONFile                // Docker json-file record {"log":"…","stream":…,"time":…}
	FrameTAI64N                  // Dovecot's @4000… stamp
)

// String names the framing for `mxtop explain`.
func (f Framing) String() string {
	switch f {
	case FrameRFC3339:
		return "rfc3339 syslog"
	case FrameSyslog:
		return "bsd syslog"
	case FrameDockerTS:
		return "docker logs -t"
	case FrameJSONFile:
		return "docker json-file"
	case FrameTAI64N:
		return "tai64n"
	default:
		return "bare message"
	}
}

// Event is one parsed line. Byte-slice fields point into the line (or into the decode buffer for
// json-file records) and are valid only as long as it is: copy what you keep.
type Event struct {
	Framing  Framing
	Time     time.Time // from the line's header, else the transport's time, else zero
	Program  []byte    // syslog tag without pid: "postfix/submission/smtpd", "dovecot"
	Daemon   Daemon    // the last path element of Program, classified
	PID      int32     // the tag's [pid], 0 when absent
	Message  []byte    // the text after "prog[pid]: "
	Kind     Kind
	Category Category   // for Attack
	Count    int        // events this line stands for (Dovecot "auth failed, 3 attempts"), ≥ 1 for Attack
	IP       netip.Addr // the client, from its position in the line only; unmapped (::ffff:a.b.c.d → a.b.c.d)
	Host     []byte     // reverse-DNS name from host[IP]; empty when Postfix had none ("unknown")
	Helo     []byte     // helo=<…> when the line carries one
	// HeloSum is a seeded hash of Helo (0 when Helo is empty or the Event was not built by
	// Parse): the store compares it instead of reading its own copy of the name.
	HeloSum uint64
	QueueID []byte // Postfix queue ID for Queued/Delivered
	User    []byte // SASL or Dovecot user name, attacker-controlled
	// AuthFailures is the failed AUTH commands of a Disconnect summary (auth=0/1 → 1).
	AuthFailures int
	// Rule names the rule that matched, for `mxtop explain` and tests: "postscreen PREGREET".
	Rule string

	tagged []byte // the line from its syslog tag on (Dovecot 2.4 puts the client in the tag)
}

// Daemon is the mail daemon that wrote a line, from the last element of its syslog tag.
type Daemon uint8

// Daemons the parser knows. Other programs' lines are not mail-daemon lines.
const (
	DaemonNone Daemon = iota
	DaemonSMTPD
	DaemonPostscreen
	DaemonDNSBLog
	DaemonPostfixOther // qmgr, cleanup, smtp, lmtp, anvil, master, …: no client IPs
	DaemonDovecot
)

// String names the daemon.
func (d Daemon) String() string {
	switch d {
	case DaemonSMTPD:
		return "smtpd"
	case DaemonPostscreen:
		return "postscreen"
	case DaemonDNSBLog:
		return "dnsblog"
	case DaemonPostfixOther:
		return "postfix"
	case DaemonDovecot:
		return "dovecot"
	default:
		return "none"
	}
}
