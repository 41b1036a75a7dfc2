package store

import "github.com/mxtop/mxtop/engine/parse"

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
		if ip.Addr.Is6() {
			nt := s.v6[net64(ip.Addr)]
			nt.Total += int64(n)
			if ip.Last.After(nt.Last) {
				nt.Last = ip.Last
			}
		}
	}
	switch ev.Kind {
	case parse.Queued:
		if len(s.queue) >= maxQueueIDs {
			clear(s.queue)
		}
		s.queue[string(ev.QueueID)] = ev.IP
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
			if len(s.sessions) >= maxSessions {
				clear(s.sessions)
			}
			s.sessions[sessionKey{ev.PID, ev.IP}] = true
		}
		return ev.Category, ev.Count
	case parse.Disconnect:
		k := sessionKey{ev.PID, ev.IP}
		logged := s.sessions[k]
		delete(s.sessions, k)
		if ev.AuthFailures > 0 && !logged {
			// The summary is the only trace of these attempts (submission port setups that
			// log no SASL line, or a log that starts mid-session).
			return parse.AuthFailed, ev.AuthFailures
		}
	}
	return parse.None, 0
}

func (s *Store) delivered(ev *parse.Event) {
	addr, ok := s.queue[string(ev.QueueID)]
	if !ok {
		return
	}
	delete(s.queue, string(ev.QueueID)) // count a message once, not once per recipient
	if ip := s.ips[addr]; ip != nil {
		ip.Delivered++
		s.mark(ip)
	}
}

// touch returns addr's aggregate, created if new, moved to the head of the LRU list, with its
// times and names updated from ev.
func (s *Store) touch(ev *parse.Event) *IP {
	ip := s.head // a session's lines come in runs: the IP just seen is the likeliest next
	if ip == nil || ip.Addr != ev.IP {
		ip = s.ips[ev.IP]
	}
	if ip == nil {
		ip = &IP{Addr: ev.IP, First: ev.Time, Last: ev.Time}
		s.ips[ev.IP] = ip
		s.pushFront(ip)
		if ev.IP.Is6() {
			p := net64(ev.IP)
			nt := s.v6[p]
			if nt == nil {
				nt = &Net{Prefix: p}
				s.v6[p] = nt
			}
			nt.IPs++
		}
		if len(s.ips) > s.lim.MaxIPs {
			s.evict(s.tail)
		}
	} else if ip != s.head {
		s.unlink(ip)
		s.pushFront(ip)
	}
	if !ev.Time.IsZero() {
		if ip.First.IsZero() || ev.Time.Before(ip.First) {
			ip.First = ev.Time
		}
		if ev.Time.After(ip.Last) {
			ip.Last = ev.Time
		}
		if ev.Time.After(s.newest) {
			s.newest = ev.Time
		}
	}
	if len(ev.Host) > 0 && string(ev.Host) != "unknown" && string(ev.Host) != ip.Host {
		ip.Host = string(ev.Host)
	}
	if len(ev.Helo) > 0 && string(ev.Helo) != ip.Helo() {
		s.addHelo(ip, ev.Helo)
	}
	s.mark(ip)
	return ip
}

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
	// Over the byte budget: drop whole rings of the least recently seen IPs; their counters stay.
	// The walk starts past the IPs already emptied (tail … s.bare), so once the budget is reached
	// each new line costs O(1) instead of a walk over every emptied IP.
	victim := s.tail
	if s.bare != nil {
		victim = s.bare.prev
	}
	for ; s.lineBytes > s.lim.MaxLineBytes && victim != nil && victim != ip; victim = victim.prev {
		s.lineBytes -= int64(victim.lineBytes)
		victim.lines, victim.lineHead, victim.lineBytes = nil, 0, 0
		s.bare = victim
	}
}

func (s *Store) evict(ip *IP) {
	s.unlink(ip)
	delete(s.ips, ip.Addr)
	if ip.Addr.Is6() {
		p := net64(ip.Addr)
		if nt := s.v6[p]; nt != nil {
			if nt.IPs--; nt.IPs == 0 {
				delete(s.v6, p)
			}
		}
	}
	s.lineBytes -= int64(ip.lineBytes)
	s.evicted++
	s.removed = append(s.removed, ip.Addr)
}

func (s *Store) pushFront(ip *IP) {
	ip.prev, ip.next = nil, s.head
	if s.head != nil {
		s.head.prev = ip
	}
	s.head = ip
	if s.tail == nil {
		s.tail = ip
	}
}

func (s *Store) unlink(ip *IP) {
	if ip == s.bare { // the emptied run at the tail shrinks by its newest member
		s.bare = ip.next
	}
	if ip.prev != nil {
		ip.prev.next = ip.next
	} else {
		s.head = ip.next
	}
	if ip.next != nil {
		ip.next.prev = ip.prev
	} else {
		s.tail = ip.prev
	}
	ip.prev, ip.next = nil, nil
}
