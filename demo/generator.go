// Package demo generates realistic docker-mailserver log traffic: a seeded stream of Postfix,
// postscreen and Dovecot lines in docker-mailserver's v14+ framing, mostly benign (deliveries,
// logins, scanners) with a heavy-tailed population of attackers in every category mxtop counts,
// IPv6 clients and decoy IP literals planted in attacker-controlled text. The same seed gives
// the same bytes, and the generator records the ground truth (role and events per IP) so tests
// can check the engine against it. It powers `mxtop demo`, `make bench` and UI tests.
//
//	g := demo.New(1, start)
//	buf := g.Append(nil) // one line, with '\n'
//	truth := g.Truth()
//
// NewSource plays the generator live, stamped with the wall clock, as a source.Source.
package demo

import (
	"io"
	"math"
	"time"
)

// BaseRate is the generator's log-time line rate outside attack waves, in lines per second: a
// busy small mail server under the usual background attack noise.
const BaseRate = 2000

// DefaultWavePeriod is the length of one attack wave cycle in log time.
const DefaultWavePeriod = 10 * time.Minute

// EmitStart is the fixed log time Emit starts at, so that its output is reproducible.
var EmitStart = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// numSlots is the number of sessions in flight at once; their lines interleave as real
// concurrent SMTP and IMAP sessions do.
const numSlots = 48

// Generator produces log lines. It is not safe for concurrent use.
type Generator struct {
	rng     rng
	actors  []actor
	pools   [numPools]pool
	slots   [numSlots]session
	startUS int64 // log time of the first line, Unix microseconds
	nowUS   int64 // log time of the last line
	lines   int64
	banner  int // start-up banner lines still to emit

	period   float64 // wave period in seconds
	mixSec   int64   // scenario second the mix was computed for
	cum      [numKinds]float64
	rateMult float64 // line rate relative to BaseRate

	hdrSec int64
	hdr    []byte // "2026-11-27T11:34:48" for hdrSec

	pidSeq, qidSeq    uint64
	psPID, qmgrPID    int
	dnsblogPID, dkPID int
}

// New returns a generator whose first line is stamped start. The same seed and start give the
// same lines.
func New(seed int64, start time.Time) *Generator {
	g := &Generator{
		rng:     newRNG(seed),
		startUS: start.UnixMicro(),
		period:  DefaultWavePeriod.Seconds(),
		mixSec:  -1,
		hdrSec:  math.MinInt64,
		banner:  len(bannerLines),
	}
	g.nowUS = g.startUS
	g.buildActors()
	g.pidSeq = uint64(2000 + g.rng.intn(4000))
	g.qidSeq = g.rng.next()
	g.psPID = 900 + g.rng.intn(900)
	g.qmgrPID = g.psPID - 3 - g.rng.intn(20)
	g.dnsblogPID = g.psPID + 1 + g.rng.intn(5)
	g.dkPID = 300 + g.rng.intn(300)
	g.updateMix(0)
	return g
}

// Append appends one line, with its trailing '\n', to dst and returns the extended slice. It
// allocates nothing once the generator has warmed up (when dst has room).
func (g *Generator) Append(dst []byte) []byte {
	if g.lines > 0 {
		g.nowUS += int64(g.rng.exp() * 1e6 / (BaseRate * g.rateMult))
	}
	return g.appendLine(dst)
}

// appendAt appends one line stamped with the log time us (Unix microseconds); the live source
// uses it to stamp lines with the wall clock.
func (g *Generator) appendAt(dst []byte, us int64) []byte {
	g.nowUS = us
	return g.appendLine(dst)
}

func (g *Generator) appendLine(dst []byte) []byte {
	g.lines++
	if g.banner > 0 {
		dst = append(dst, bannerLines[len(bannerLines)-g.banner]...)
		g.banner--
		return append(dst, '\n')
	}
	if sec := (g.nowUS - g.startUS) / 1e6; sec != g.mixSec {
		g.updateMix(sec)
	}
	s := &g.slots[g.rng.intn(numSlots)]
	if s.next >= len(s.lines) {
		g.newSession(s)
	}
	dst = g.appendHeader(dst)
	start := int32(0)
	if s.next > 0 {
		start = s.lines[s.next-1].end
	}
	m := s.lines[s.next]
	s.next++
	dst = append(dst, s.buf[start:m.end]...)
	if m.actor >= 0 {
		a := &g.actors[m.actor]
		a.seen = true
		a.counts[m.cat] += int64(m.n)
		if m.flags&flagDelivered != 0 {
			a.delivered++
		}
		if m.flags&flagLogin != 0 {
			a.logins++
		}
	}
	return append(dst, '\n')
}

// appendHeader appends "2026-11-27T11:34:48.852857+00:00 mail ", docker-mailserver's rsyslog
// framing, formatting the date only when the second changes.
func (g *Generator) appendHeader(dst []byte) []byte {
	sec, us := g.nowUS/1e6, g.nowUS%1e6
	if us < 0 {
		sec, us = sec-1, us+1e6
	}
	if sec != g.hdrSec {
		g.hdrSec = sec
		g.hdr = time.Unix(sec, 0).UTC().AppendFormat(g.hdr[:0], "2006-01-02T15:04:05")
	}
	dst = append(dst, g.hdr...)
	dst = append(dst, '.')
	dst = appendPad(dst, int(us), 6)
	return append(dst, "+00:00 mail "...)
}

// appendPad appends n ≥ 0 in decimal, zero-padded to width digits (width ≤ 20).
func appendPad(dst []byte, n, width int) []byte {
	var b [20]byte
	i := len(b)
	for n >= 100 || i > len(b)-width+1 {
		i -= 2
		copy(b[i:], digits2[(n%100)*2:(n%100)*2+2])
		n /= 100
	}
	for n > 0 || i > len(b)-width {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, b[i:]...)
}

// digits2 holds "00".."99" for formatting two digits at a time.
const digits2 = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// Emit writes n lines of the seed's traffic, starting at EmitStart, to w.
func Emit(w io.Writer, n int64, seed int64) error {
	g := New(seed, EmitStart)
	buf := make([]byte, 0, 256<<10)
	for i := int64(0); i < n; i++ {
		buf = g.Append(buf)
		if len(buf) > 240<<10 {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	_, err := w.Write(buf)
	return err
}

// bannerLines are what docker-mailserver prints on start-up before syslog takes over: not
// mail-daemon lines, with the ANSI colours its start script uses. Engines count them as read
// and ignore them.
var bannerLines = []string{
	"\x1b[34m[   INF   ]\x1b[0m  Welcome to docker-mailserver 15.1.0",
	"\x1b[34m[   INF   ]\x1b[0m  Checking configuration",
	"\x1b[34m[   INF   ]\x1b[0m  Configuring mail server",
	"\x1b[34m[   INF   ]\x1b[0m  mail.example.com is up and running",
}

// nextPID returns a fresh process id for a short-lived daemon (smtpd, cleanup, lmtp): Postfix
// forks new processes as sessions come and go, so pids climb and wrap.
func (g *Generator) nextPID() int {
	g.pidSeq += uint64(1 + g.rng.intn(7))
	if g.pidSeq > 32000 {
		g.pidSeq = 2000
	}
	return int(g.pidSeq)
}

// appendQID appends a fresh Postfix queue ID: ten upper-case hex digits, unique for 2^40
// messages (an odd multiplier is a bijection modulo 2^40).
func (g *Generator) appendQID(dst []byte) []byte {
	g.qidSeq++
	v := (g.qidSeq * 0x9E3779B97F4A7C15) & (1<<40 - 1)
	const hex = "0123456789ABCDEF"
	for i := 36; i >= 0; i -= 4 {
		dst = append(dst, hex[(v>>uint(i))&0xf])
	}
	return dst
}
