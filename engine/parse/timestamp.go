package parse

import (
	"encoding/binary"
	"time"
)

// tsCache remembers the last header timestamp parsed to the second, because consecutive log
// lines almost always share it: a hit costs a few word compares instead of a calendar
// conversion.
type tsCache struct {
	// The last classic syslog stamp, "Jan _2 15:04:05" and the inferred year, and its second.
	bsdKey [17]byte
	bsdSet bool
	bsdSec int64

	// The last RFC 3339 stamp: its first 19 bytes as three (overlapping) words, its zone
	// packed into a word, and its Unix second.
	w0, w1 uint64
	w2     uint32
	zone   uint64
	rfcSet bool
	rfcSec int64
}

func digits2(b []byte) (int, bool) {
	if b[0] < '0' || b[0] > '9' || b[1] < '0' || b[1] > '9' {
		return 0, false
	}
	return int(b[0]-'0')*10 + int(b[1]-'0'), true
}

var pow10 = [10]int{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

// rfc3339 parses "2006-01-02T15:04:05[.frac](Z|±hh:mm)" at the start of b and returns the time
// and the length consumed.
func (c *tsCache) rfc3339(b []byte) (time.Time, int, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return time.Time{}, 0, false
	}
	i := 19
	var nsec int
	if b[i] == '.' || b[i] == ',' {
		i++
		start := i
		for i < len(b) && b[i]-'0' <= 9 {
			if i-start < 9 { // nanoseconds; finer digits are dropped
				nsec = nsec*10 + int(b[i]-'0')
			}
			i++
		}
		if i == start {
			return time.Time{}, 0, false
		}
		if d := i - start; d < 9 {
			nsec *= pow10[9-d]
		}
	}
	zoneStart := i
	zone := uint64(1) // the zone's bytes packed, behind a 1 that tells "Z" from no zone apart
	switch {
	case i < len(b) && b[i] == 'Z':
		zone = 1<<8 | 'Z'
		i++
	case i+6 <= len(b) && (b[i] == '+' || b[i] == '-') && b[i+3] == ':':
		zone = 1<<48 | uint64(binary.LittleEndian.Uint32(b[i:]))<<16 | uint64(binary.LittleEndian.Uint16(b[i+4:]))
		i += 6
	default:
		// No zone ("2013-08-11 03:56:40 auth-worker…"): read as UTC.
	}
	w0, w1, w2 := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:]), binary.LittleEndian.Uint32(b[15:])
	if c.rfcSet && w0 == c.w0 && w1 == c.w1 && w2 == c.w2 && zone == c.zone {
		return time.Unix(c.rfcSec, int64(nsec)).UTC(), i, true
	}
	year, ok1 := digits2(b[0:2])
	year2, ok2 := digits2(b[2:4])
	mon, ok3 := digits2(b[5:7])
	day, ok4 := digits2(b[8:10])
	hh, ok5 := digits2(b[11:13])
	mm, ok6 := digits2(b[14:16])
	ss, ok7 := digits2(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}, 0, false
	}
	offset := 0
	if zoneStart < i && b[zoneStart] != 'Z' {
		oh, ok8 := digits2(b[zoneStart+1 : zoneStart+3])
		om, ok9 := digits2(b[zoneStart+4 : zoneStart+6])
		if !ok8 || !ok9 {
			return time.Time{}, 0, false
		}
		offset = oh*3600 + om*60
		if b[zoneStart] == '-' {
			offset = -offset
		}
	}
	sec := time.Date(year*100+year2, time.Month(mon), day, hh, mm, ss, 0, time.UTC).Unix() - int64(offset)
	c.w0, c.w1, c.w2, c.zone, c.rfcSet, c.rfcSec = w0, w1, w2, zone, true, sec
	return time.Unix(sec, int64(nsec)).UTC(), i, true
}

// dmsStampLen is the length of docker-mailserver's stamp, "2006-01-02T15:04:05.000000+00:00".
const dmsStampLen = 32

// dms reads docker-mailserver's stamp and the space after it when its second (and zone) is the
// one cached by the last rfc3339 call: the common case, answered with a few word compares and
// six digits. Anything else, including a line that may carry a second stamp (docker logs -t)
// after this one, is left to rfc3339.
func (c *tsCache) dms(b []byte) (time.Time, bool) {
	const n = dmsStampLen
	if !c.rfcSet || len(b) < n+6 || b[19] != '.' || b[n] != ' ' || b[n-3] != ':' || (b[26] != '+' && b[26] != '-') ||
		b[n+4] == ' ' || b[n+5] == '-' {
		return time.Time{}, false
	}
	zone := 1<<48 | uint64(binary.LittleEndian.Uint32(b[26:]))<<16 | uint64(binary.LittleEndian.Uint16(b[30:]))
	if binary.LittleEndian.Uint64(b) != c.w0 || binary.LittleEndian.Uint64(b[8:]) != c.w1 ||
		binary.LittleEndian.Uint32(b[15:]) != c.w2 || zone != c.zone {
		return time.Time{}, false
	}
	// The microseconds as one word: b[18:26] is the second's last digit (compared above), the
	// '.', then the six digits, read as decimal8 reads eight with the first two zeroed.
	x := (binary.LittleEndian.Uint64(b[18:]) ^ zeros) &^ 0xffff
	if nonDigits(x) != 0 {
		return time.Time{}, false
	}
	us := int64(decimal8(x))
	return time.Unix(c.rfcSec, us*1000).UTC(), true
}

var months = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// bsd parses "Jan _2 15:04:05" (classic syslog, no year, no zone). The year is the one that
// puts the time closest before ref (plus a day of clock skew): a December line read in January
// belongs to last year.
func (c *tsCache) bsd(b []byte, ref time.Time, loc *time.Location) (time.Time, int, bool) {
	if len(b) >= 15 && b[3] == ' ' && b[4] >= '1' && b[4] <= '9' && b[5] == ' ' && b[8] == ':' {
		// "Mar 7 02:09:33": some syslogs do not pad the day; re-read it padded.
		var padded [16]byte
		copy(padded[:4], b[:4])
		padded[4] = ' '
		copy(padded[5:15], b[4:14])
		padded[15] = ' '
		if len(b) > 14 {
			padded[15] = b[14]
		}
		t, n, ok := c.bsd(padded[:], ref, loc)
		return t, n - 1, ok
	}
	if len(b) < 16 || b[3] != ' ' || b[6] != ' ' || b[9] != ':' || b[12] != ':' || b[15] != ' ' {
		return time.Time{}, 0, false
	}
	mon := 0
	for i, m := range months {
		if string(b[:3]) == m {
			mon = i + 1
			break
		}
	}
	if mon == 0 {
		return time.Time{}, 0, false
	}
	dayb := [2]byte{b[4], b[5]}
	if dayb[0] == ' ' {
		dayb[0] = '0'
	}
	day, ok1 := digits2(dayb[:])
	hh, ok2 := digits2(b[7:9])
	mm, ok3 := digits2(b[10:12])
	ss, ok4 := digits2(b[13:15])
	if !(ok1 && ok2 && ok3 && ok4) || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}, 0, false
	}
	if ref.IsZero() {
		ref = time.Now()
	}
	year := ref.In(loc).Year()
	var key [17]byte
	copy(key[:], b[:15])
	key[15], key[16] = byte(year%256), byte(year/256)
	if c.bsdSet && c.bsdKey == key {
		return time.Unix(c.bsdSec, 0).UTC(), 15, true
	}
	t := time.Date(year, time.Month(mon), day, hh, mm, ss, 0, loc)
	if t.After(ref.Add(24 * time.Hour)) {
		t = time.Date(year-1, time.Month(mon), day, hh, mm, ss, 0, loc)
	}
	c.bsdKey, c.bsdSet, c.bsdSec = key, true, t.Unix()
	return t.UTC(), 15, true
}

// tai64n parses Dovecot's "@4000000063f1a2b31c2d3e4f" stamp.
func tai64n(b []byte) (time.Time, int, bool) {
	if len(b) < 25 || b[0] != '@' {
		return time.Time{}, 0, false
	}
	var v [24]uint64
	for i := 0; i < 24; i++ {
		c := b[1+i]
		switch {
		case c >= '0' && c <= '9':
			v[i] = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			v[i] = uint64(c-'a') + 10
		default:
			return time.Time{}, 0, false
		}
	}
	var sec, nsec uint64
	for i := 0; i < 16; i++ {
		sec = sec<<4 | v[i]
	}
	for i := 16; i < 24; i++ {
		nsec = nsec<<4 | v[i]
	}
	const tai64Base = 1 << 62
	if sec < tai64Base+10 || nsec >= 1e9 {
		return time.Time{}, 0, false
	}
	// daemontools' convention, which Dovecot's stamps follow: label = 2^62 + 10 + Unix seconds.
	return time.Unix(int64(sec-tai64Base)-10, int64(nsec)).UTC(), 25, true
}
