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
	year, ok1 := digits4(b[0:4])
	mon, ok2 := digits2(b[5:7])
	day, ok3 := digits2(b[8:10])
	hour, ok4 := digits2(b[11:13])
	mins, ok5 := digits2(b[14:16])
	sec, ok6 := digits2(b[17:19])
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
		oh, okh := digits2(b[p+1 : p+3])
		om, okm := digits2(b[p+4 : p+6])
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
	// Unix seconds straight from the civil date: time.Date's normalisation and zone lookup were a
	// quarter of the json-file back-fill's CPU time.
	unix := daysFromCivil(year, mon, day)*86400 + int64(hour*3600+mins*60+sec-offset)
	return time.Unix(unix, int64(nsec)).UTC(), true
}

// daysFromCivil returns the days from 1970-01-01 to the given proleptic Gregorian date
// (H. Hinnant's algorithm). An out-of-range day rolls over as time.Date does.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 { // year 0 in January or February
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097 + doe - 719468)
}

// digits2 and digits4 parse fixed-width ASCII numbers.
func digits2(b []byte) (int, bool) {
	d0, d1 := b[0]-'0', b[1]-'0'
	return int(d0)*10 + int(d1), d0 <= 9 && d1 <= 9
}

func digits4(b []byte) (int, bool) {
	d0, d1, d2, d3 := b[0]-'0', b[1]-'0', b[2]-'0', b[3]-'0'
	return int(d0)*1000 + int(d1)*100 + int(d2)*10 + int(d3), d0 <= 9 && d1 <= 9 && d2 <= 9 && d3 <= 9
}
