package jsonfile

import "time"

// ParseTime parses the RFC3339Nano stamps Docker writes ("2026-11-27T12:00:01.123456789Z",
// trailing zeros trimmed in json-file records, fixed nine digits in API log lines, an offset
// instead of Z when the daemon was told so) without time.Parse's generality and allocations.
func ParseTime(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != 't' && b[10] != ' ') ||
		b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(b[0:4])
	mon, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	hour, ok4 := digits(b[11:13])
	mins, ok5 := digits(b[14:16])
	sec, ok6 := digits(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mon < 1 || mon > 12 || day < 1 || day > 31 ||
		hour > 23 || mins > 59 || sec > 60 {
		return time.Time{}, false
	}
	p := 19
	nsec := 0
	if b[p] == '.' || b[p] == ',' {
		p++
		start := p
		for p < len(b) && b[p] >= '0' && b[p] <= '9' {
			if p-start < 9 {
				nsec = nsec*10 + int(b[p]-'0')
			}
			p++
		}
		if p == start {
			return time.Time{}, false
		}
		for k := p - start; k < 9; k++ {
			nsec *= 10
		}
	}
	if p >= len(b) {
		return time.Time{}, false
	}
	offset := 0
	switch b[p] {
	case 'Z', 'z':
		p++
	case '+', '-':
		if len(b)-p != 6 || b[p+3] != ':' {
			return time.Time{}, false
		}
		oh, okh := digits(b[p+1 : p+3])
		om, okm := digits(b[p+4 : p+6])
		if !okh || !okm || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = (oh*60 + om) * 60
		if b[p] == '-' {
			offset = -offset
		}
		p += 6
	default:
		return time.Time{}, false
	}
	if p != len(b) {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(mon), day, hour, mins, sec, nsec, time.UTC)
	if offset != 0 {
		t = t.Add(-time.Duration(offset) * time.Second)
	}
	return t, true
}

// digits parses a short run of ASCII digits.
func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
