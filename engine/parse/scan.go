package parse

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"net/netip"
)

// parseIP parses an IPv4 or IPv6 literal and unmaps IPv4-mapped IPv6. IPv4, the common case,
// is parsed by hand without allocating; IPv6 goes through netip.
func parseIP(b []byte) (netip.Addr, bool) {
	if len(b) == 0 || len(b) > 45 {
		return netip.Addr{}, false
	}
	if a, ok := parseIPv4(b); ok {
		return a, true
	}
	if bytes.IndexByte(b, ':') < 0 || bytes.IndexByte(b, '%') >= 0 {
		return netip.Addr{}, false // not v6, or a zone, which no client address carries
	}
	a, err := netip.ParseAddr(string(b))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// parseIPv4 parses a dotted quad. It runs on nearly every line, and client addresses vary in
// digit count from line to line, so a byte loop mispredicts a branch at each dot; instead the
// dots and digits of the (at most 15) bytes are classified with word arithmetic, and each field
// is converted by a multiplier table. It accepts exactly what netip.ParseAddr accepts for IPv4
// (no leading zeros, fields up to 255); the fuzz and table tests hold the two equal.
func parseIPv4(b []byte) (netip.Addr, bool) {
	n := len(b)
	if n < 7 || n > 15 {
		return netip.Addr{}, false
	}
	var buf [18]byte // 15 bytes and room for a field's three-byte window
	copy(buf[:], b)
	lo, hi := binary.LittleEndian.Uint64(buf[0:]), binary.LittleEndian.Uint64(buf[8:])
	dots := byteMask(isDot(lo)) | byteMask(isDot(hi))<<8
	digits := byteMask(isDigit(lo)) | byteMask(isDigit(hi))<<8
	used := uint16(1)<<n - 1
	if bits.OnesCount16(dots) != 3 || (dots|digits)&used != used {
		return netip.Addr{}, false
	}
	d1 := bits.TrailingZeros16(dots)
	dots &= dots - 1
	d2 := bits.TrailingZeros16(dots)
	dots &= dots - 1
	d3 := bits.TrailingZeros16(dots)
	a, ok1 := ipv4Field(&buf, 0, d1)
	b2, ok2 := ipv4Field(&buf, d1+1, d2)
	c, ok3 := ipv4Field(&buf, d2+1, d3)
	d, ok4 := ipv4Field(&buf, d3+1, n)
	if !(ok1 && ok2 && ok3 && ok4) {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4([4]byte{a, b2, c, d}), true
}

// fieldMul[k] weighs the first three bytes of a k-digit field.
var fieldMul = [4][3]int{{}, {1, 0, 0}, {10, 1, 0}, {100, 10, 1}}

// ipv4Field converts the digits buf[s:e] (already known to be digits) of one field.
func ipv4Field(buf *[18]byte, s, e int) (byte, bool) {
	k := e - s
	if k < 1 || k > 3 || (k > 1 && buf[s] == '0') {
		return 0, false
	}
	m := &fieldMul[k]
	v := (int(buf[s])-'0')*m[0] + (int(buf[s+1])-'0')*m[1] + (int(buf[s+2])-'0')*m[2]
	if v > 255 {
		return 0, false
	}
	return byte(v), true
}

const (
	lows  = 0x0101010101010101
	highs = 0x8080808080808080
)

// isDot sets the high bit of every byte of v that is '.' (and no other bit): a byte of x is zero
// exactly when adding 0x7f to its low seven bits leaves the high bit clear and so did x.
func isDot(v uint64) uint64 {
	const sevens = 0x7f * lows
	x := v ^ ('.' * lows)
	return ^((x&sevens + sevens) | x | sevens)
}

// isDigit sets the high bit of every byte of v that is '0'…'9'.
func isDigit(v uint64) uint64 {
	x := v &^ highs
	ge0 := x + (0x80-'0')*lows   // high bit set where x >= '0'; no carry: x <= 0x7f
	gt9 := x + (0x80-'9'-1)*lows // high bit set where x > '9'
	return ge0 &^ gt9 &^ v & highs
}

// byteMask packs the high bits of v's eight bytes into bits 0…7, byte 0 first.
func byteMask(v uint64) uint16 {
	return uint16((v >> 7 & lows) * 0x0102040810204080 >> 56)
}

// hostIP parses Postfix's client field "host[ip]" at the start of b, with an optional ":port"
// after the bracket. It returns the host name, the address and the rest of b after the field.
// The host is a DNS name, never containing '[' or a space, or empty: Postfix's "unknown" (no
// reverse name) is returned as empty, so that no later stage has to compare it again.
func hostIP(b []byte) (host []byte, ip netip.Addr, rest []byte, ok bool) {
	open := -1
	for i, c := range b { // host names are short: one pass beats two IndexByte calls
		if c == '[' {
			open = i
			break
		}
		if c == ' ' {
			break
		}
	}
	if open < 0 {
		return nil, netip.Addr{}, nil, false
	}
	end := bytes.IndexByte(b[open:], ']')
	if end < 0 {
		return nil, netip.Addr{}, nil, false
	}
	end += open
	ip, ok = parseIP(b[open+1 : end])
	if !ok {
		return nil, netip.Addr{}, nil, false
	}
	rest = skipPort(b[end+1:])
	host = b[:open]
	if string(host) == "unknown" {
		host = nil
	}
	return host, ip, rest, true
}

// bracketIP parses postscreen's client field "[ip]:port" at the start of b.
func bracketIP(b []byte) (netip.Addr, []byte, bool) {
	if len(b) == 0 || b[0] != '[' {
		return netip.Addr{}, nil, false
	}
	_, ip, rest, ok := hostIP(b)
	return ip, rest, ok
}

func skipPort(b []byte) []byte {
	if len(b) < 2 || b[0] != ':' || b[1] < '0' || b[1] > '9' {
		return b
	}
	i := 1
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return b[i:]
}

// cut returns what follows prefix when b starts with it.
func cut(b []byte, prefix string) ([]byte, bool) {
	// The first-byte test rejects most candidates without a call to memequal.
	if len(b) < len(prefix) || b[0] != prefix[0] || string(b[:len(prefix)]) != prefix {
		return nil, false
	}
	return b[len(prefix):], true
}

// skipToken skips one space-free token and the single space after it.
func skipToken(b []byte) ([]byte, bool) {
	i := bytes.IndexByte(b, ' ')
	if i <= 0 {
		return nil, false
	}
	return b[i+1:], true
}

// atoi parses a small non-negative decimal at the start of b.
func atoi(b []byte) (int, int) {
	n, i := 0, 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' && i < 9 {
		n = n*10 + int(b[i]-'0')
		i++
	}
	return n, i
}

// lastField returns the value of the last "key" occurrence (e.g. " helo=<"), up to closing
// byte end. Postfix writes helo= last, after attacker-controlled from=/to=, so the last
// occurrence is the real one.
func lastField(b []byte, key string, end byte) []byte {
	i := lastIndex(b, key)
	if i < 0 {
		return nil
	}
	v := b[i+len(key):]
	if j := bytes.IndexByte(v, end); j >= 0 {
		return v[:j]
	}
	return nil
}

// indexEither is bytes.IndexAny for two bytes, without IndexAny's per-call set construction; it
// ends short address fields.
func indexEither(b []byte, c1, c2 byte) int {
	for i, c := range b {
		if c == c1 || c == c2 {
			return i
		}
	}
	return -1
}

// lastIndex is bytes.LastIndex without its Rabin-Karp hash of every byte: it steps back from
// one occurrence of the key's last byte to the previous. The keys searched for last (rip=,
// helo=<, sasl_username=) sit near the end of the line, so this takes a few steps.
func lastIndex(b []byte, key string) int {
	last := key[len(key)-1]
	for end := len(b); ; {
		i := bytes.LastIndexByte(b[:end], last)
		if i < 0 {
			return -1
		}
		if start := i + 1 - len(key); start >= 0 && string(b[start:i+1]) == key {
			return start
		}
		end = i
	}
}

// isQueueIDByte[c] holds for the bytes of a Postfix queue ID: [0-9A-Za-z].
var isQueueIDByte = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
	}
	return t
}()
