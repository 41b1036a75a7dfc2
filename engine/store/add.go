package store

import (
	"cmp"
	"slices"
	"time"

	"github.com/mxtop/mxtop/engine/parse"
)

// Add records one parsed line. raw is the line as read (kept for the drill-down unless the
// store keeps no lines). It returns the number of attack events the line added.
func (s *Store) Add(ev *parse.Event, raw []byte) int {
	switch ev.Kind {
	case parse.Unknown, parse.NoClient:
		return 0
	case parse.Delivered:
		s.delivered(ev)
		return 0
	}
	if !ev.IP.IsValid() {
		return 0
	}
	ip := s.touch(ev)
	cat, n := s.count(ev)
	if n > 0 {
		ip.Counts[cat] += int64(n)
		ip.Total += int64(n)
		s.totals[cat] += int64(n)
		s.events += int64(n)
		s.rate(ip, ev, n)
		if nt := ip.net; nt != nil {
			nt.Total += int64(n)
			if ip.Last.After(nt.Last) {
				nt.Last = ip.Last
			}
		}
	}
	switch ev.Kind {
	case parse.Queued:
		if k, ok := queueKeyOf(ev.QueueID); ok {
			if len(s.queue) >= maxQueueIDs {
				clear(s.queue)
			}
			s.queue[k] = ev.IP
		}
		if len(ev.User) > 0 {
			ip.Logins++ // a SASL-authenticated submission
		}
	case parse.Login:
		ip.Logins++
	}
	if !s.lim.NoLines {
		s.keepLine(ip, ev, cat, raw)
	}
	return n
}

// count decides how many events a line adds and in which category, joining an smtpd session's
// disconnect summary (auth=0/N) with the SASL failures it echoes.
func (s *Store) count(ev *parse.Event) (parse.Category, int) {
	switch ev.Kind {
	case parse.Attack:
		if ev.Daemon == parse.DaemonSMTPD && (ev.Category == parse.AuthFailed || ev.Category == parse.LostAfterAuth) {
			s.sessions.add(ev.PID, ev.IP)
		}
		return ev.Category, ev.Count
	case parse.Disconnect:
		logged := s.sessions.take(ev.PID, ev.IP)
		if ev.AuthFailures > 0 && !logged {
			// The summary is the only trace of these attempts (submission port setups that
			// log no SASL line, or a log that starts mid-session).
			return parse.AuthFailed, ev.AuthFailures
		}
	}
	return parse.None, 0
}

func (s *Store) delivered(ev *parse.Event) {
	k, ok := queueKeyOf(ev.QueueID)
	if !ok {
		return
	}
	addr, ok := s.queue[k]
	if !ok {
		return
	}
	delete(s.queue, k) // count a message once, not once per recipient
	if ip := s.ips.get(addr); ip != nil {
		ip.Delivered++
		s.mark(ip)
	}
}

// touch returns addr's aggregate, created if new (evicting the oldest past the cap), with its
// times and names updated from ev.
func (s *Store) touch(ev *parse.Event) *IP {
	ip := s.last
	if ip == nil || ip.Addr != ev.IP {
		ip = s.ips.get(ev.IP)
	}
	if ip == nil {
		ip = &IP{Addr: ev.IP} // its times are set below, with the store's newest
		s.ips.put(ip)
		if ev.IP.Is6() {
			p := net64(ev.IP)
			nt := s.v6[p]
			if nt == nil {
				nt = &Net{Prefix: p}
				s.v6[p] = nt
			}
			nt.IPs++
			ip.net = nt
		}
		if s.ips.len() > s.lim.MaxIPs {
			s.evictOldest(ip)
		}
	}
	s.last = ip
	// Lines come in time order, so nearly every line moves Last and no other time: test that
	// first. First <= Last <= newest always holds, so a time not after Last can only move First.
	// The comparisons are on the times' seconds and nanoseconds, kept beside Last and newest:
	// time.Time.After is a call, twice per line on the store's one goroutine.
	t := ev.Time
	sec, nsec := timeKey(t)
	if sec > ip.lastSec || sec == ip.lastSec && nsec > ip.lastNsec { // t.After(ip.Last)
		ip.Last, ip.lastSec, ip.lastNsec = t, sec, nsec
		if ip.First.IsZero() { // the IP's earlier lines had no time
			ip.First = t
		}
		if sec > s.newestSec || sec == s.newestSec && nsec > s.newestNsec {
			s.newest, s.newestSec, s.newestNsec = t, sec, nsec
		}
	} else if !t.IsZero() && t.Before(ip.First) {
		ip.First = t
	}
	// Postfix resolves a client's name once, at connect, and repeats it on every line of the
	// session: the name changes only with a new connect line. Comparing it on every line would
	// read a string elsewhere in memory for nothing, the costliest step here.
	if len(ev.Host) > 0 && (ev.Kind == parse.Connect || ip.Host == "") && string(ev.Host) != ip.Host {
		ip.Host = string(ev.Host)
	}
	// The same goes for the HELO name, which a client repeats on every reject line: compare
	// the sums the parser took, and the names only when they differ or one is unknown. Two
	// names with one sum are a 1-in-2^63 chance, and the seed is not the attacker's to know.
	if len(ev.Helo) > 0 {
		if (ev.HeloSum == 0 || ev.HeloSum != ip.heloSum) && string(ev.Helo) != ip.Helo() {
			s.addHelo(ip, ev.Helo)
		}
		ip.heloSum = ev.HeloSum // ev.Helo is the last HELO now
	}
	s.mark(ip)
	return ip
}

// timeKey orders times as time.Time.Compare does, as seconds since the zero Time (so that the
// zero Time is 0, the value of a field never set) and nanoseconds.
func timeKey(t time.Time) (int64, int32) {
	return t.Unix() + zeroUnix, int32(t.Nanosecond())
}

// zeroUnix is minus the Unix time of the zero Time (January 1, year 1, UTC).
const zeroUnix = 62135596800

func (s *Store) addHelo(ip *IP, helo []byte) {
	for i, h := range ip.Helos {
		if h == string(helo) { // seen before: move it to the end as the latest
			copy(ip.Helos[i:], ip.Helos[i+1:])
			ip.Helos[len(ip.Helos)-1] = h
			return
		}
	}
	if len(ip.Helos) == maxHelos {
		copy(ip.Helos, ip.Helos[1:])
		ip.Helos = ip.Helos[:maxHelos-1]
	}
	ip.Helos = append(ip.Helos, string(helo))
}

// mark bumps ip's version and lists it as changed, once per Drain.
func (s *Store) mark(ip *IP) {
	if ip.Version <= s.drainedAt {
		s.changed = append(s.changed, ip)
	}
	s.version++
	ip.Version = s.version
}

func (s *Store) rate(ip *IP, ev *parse.Event, n int) {
	if ev.Time.IsZero() {
		return
	}
	sec := ev.Time.Unix()
	bump(ip.minutes[:], &ip.minuteLast, sec/60, int32(n))
	bump(s.secRing[:], &s.secLast, sec, int64(n))
}

// bump adds n to the bucket of time unit t in ring, a window of len(ring) units ending at
// *last. A newer t slides the window, clearing the buckets it passes; a t older than the window
// is dropped.
func bump[T int32 | int64](ring []T, last *int64, t int64, n T) {
	size := int64(len(ring))
	switch {
	case t > *last:
		for x := max(*last+1, t-size+1); x <= t; x++ {
			ring[x%size] = 0
		}
		*last = t
		ring[t%size] = n
	case t > *last-size:
		ring[t%size] += n
	}
}

func (s *Store) keepLine(ip *IP, ev *parse.Event, cat parse.Category, raw []byte) {
	l := Line{Time: ev.Time, Category: cat, Text: string(raw)}
	s.lineBytes += int64(len(l.Text))
	ip.lineBytes += len(l.Text)
	if len(ip.lines) < s.lim.MaxLinesPerIP {
		ip.lines = append(ip.lines, l)
	} else {
		old := ip.lines[ip.lineHead]
		s.lineBytes -= int64(len(old.Text))
		ip.lineBytes -= len(old.Text)
		ip.lines[ip.lineHead] = l
		ip.lineHead = (ip.lineHead + 1) % len(ip.lines)
	}
	if s.lineBytes > s.lim.MaxLineBytes {
		s.trimLines(ip)
	}
}

// trimLines drops whole rings of raw lines, least recently updated IPs first and never keep's
// (the line just written), until they fit in 15/16 of the byte budget: the slack makes the sort
// this takes rare. The IPs' counters stay.
func (s *Store) trimLines(keep *IP) {
	goal := s.lim.MaxLineBytes - s.lim.MaxLineBytes/16
	for _, v := range s.oldestFirst(func(x *IP) bool { return x != keep && x.lineBytes > 0 }) {
		if s.lineBytes <= goal {
			break
		}
		s.lineBytes -= int64(v.ip.lineBytes)
		v.ip.lines, v.ip.lineHead, v.ip.lineBytes = nil, 0, 0
	}
	clear(s.byAge)
}

// evictOldest drops the least recently updated IPs, never keep (the IP just added). It drops a
// hundredth of the cap at a time, so that the pass over every IP it takes is paid once per many
// new IPs; the oldest are found by bisecting on the version (versions are unique), a few passes
// over a flat slice instead of a sort.
func (s *Store) evictOldest(keep *IP) {
	n := max(1, s.lim.MaxIPs/100)
	all := s.collect(func(x *IP) bool { return x != keep })
	lo, hi := uint64(0), s.version+1 // find lo: exactly min(n, len) versions lie below it
	for lo < hi {
		mid := lo + (hi-lo)/2
		below := 0
		for _, a := range all {
			if a.version < mid {
				below++
			}
		}
		if below >= n {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	for _, a := range all {
		if a.version < lo {
			s.evict(a.ip)
		}
	}
	clear(s.byAge)
}

// aged is an IP with its Version copied next to it, so that ordering by age reads neighbouring
// memory instead of chasing a pointer per comparison.
type aged struct {
	version uint64
	ip      *IP
}

// collect returns the IPs for which ok holds, with their versions, in a scratch slice that the
// caller clears when done.
func (s *Store) collect(ok func(*IP) bool) []aged {
	s.byAge = s.byAge[:0]
	s.ips.each(func(ip *IP) {
		if ok(ip) {
			s.byAge = append(s.byAge, aged{ip.Version, ip})
		}
	})
	return s.byAge
}

// oldestFirst is collect sorted by age, least recently updated first.
func (s *Store) oldestFirst(ok func(*IP) bool) []aged {
	all := s.collect(ok)
	slices.SortFunc(all, func(a, b aged) int { return cmp.Compare(a.version, b.version) })
	return all
}

func (s *Store) evict(ip *IP) {
	s.ips.remove(ip.Addr)
	if s.last == ip {
		s.last = nil
	}
	if nt := ip.net; nt != nil {
		if nt.IPs--; nt.IPs == 0 {
			delete(s.v6, nt.Prefix)
		}
	}
	s.lineBytes -= int64(ip.lineBytes)
	s.evicted++
	s.removed = append(s.removed, ip.Addr)
}
