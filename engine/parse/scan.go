package parse

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"net/netip"
	"unsafe"
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
	// A string over b's bytes instead of a copy: ParseAddr keeps its argument only in the error,
	// which is dropped here before b can change.
	a, err := netip.ParseAddr(unsafe.String(&b[0], len(b)))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// parseIPv4 parses a dotted quad as netip.ParseAddr does for IPv4 (no leading zeros, fields
// up to 255), without allocating; a test holds the two equal.
func parseIPv4(b []byte) (netip.Addr, bool) {
	a, n, ok := ipv4Prefix(b)
	return a, ok && n == len(b)
}

// ipv4Prefix parses the dotted quad at the start of b and returns its length; what follows it
// is the caller's to check. Field by field, each at most three digits: about half the
// instructions of a loop that classifies every byte (an address is parsed on nearly every line).
func ipv4Prefix(b []byte) (netip.Addr, int, bool) {
	var v uint32 // the fields so far, big-endian
	i := 0
	for f := range 4 {
		if f > 0 {
			if i >= len(b) || b[i] != '.' {
				return netip.Addr{}, 0, false
			}
			i++
		}
		if i >= len(b) || b[i]-'0' > 9 {
			return netip.Addr{}, 0, false
		}
		n := uint32(b[i] - '0')
		i++
		// A field that starts with 0 is "0": netip rejects leading zeros. Otherwise up to two
		// more digits, unrolled (a loop's bounds cost more than the digits).
		if n != 0 && i < len(b) && b[i]-'0' <= 9 {
			n = n*10 + uint32(b[i]-'0')
			i++
			if i < len(b) && b[i]-'0' <= 9 {
				n = n*10 + uint32(b[i]-'0')
				i++
				if n > 255 {
					return netip.Addr{}, 0, false
				}
			}
		}
		v = v<<8 | n
	}
	// One 4-byte store for AddrFrom4's 4-byte load: filled byte by byte, the array made the
	// load wait for four stores to drain (no store forwarding), 44 % of this function's time
	// in a perf profile of `mxtop report`.
	var ip [4]byte
	binary.BigEndian.PutUint32(ip[:], v)
	return netip.AddrFrom4(ip), i, true
}

// hostIP parses Postfix's client field "host[ip]" at the start of b, with an optional ":port"
// after the bracket. It returns the host name, the address and the rest of b after the field.
// The host is a DNS name, never containing '[' or a space, or empty: Postfix's "unknown" (no
// reverse name) is returned as empty, so that no later stage has to compare it again.
func hostIP(b []byte) (host []byte, ip netip.Addr, rest []byte, ok bool) {
	open := -1
	if len(b) > 8 && string(b[:8]) == "unknown[" { // most attackers have no reverse name
		open = 7
	} else {
		for i, c := range b { // host names are short: one pass beats two IndexByte calls
			if c == '[' {
				open = i
				break
			}
			if c == ' ' {
				break
			}
		}
	}
	if open < 0 {
		return nil, netip.Addr{}, nil, false
	}
	if a, n, ok := ipv4Prefix(b[open+1:]); ok && open+1+n < len(b) && b[open+1+n] == ']' {
		ip, rest = a, skipPort(b[open+1+n+1:]) // the common case, without searching for the ']'
	} else if ip, rest, ok = ipBracketed(b[open:]); !ok {
		return nil, netip.Addr{}, nil, false
	}
	if host = b[:open]; string(host) == "unknown" {
		host = nil
	}
	return host, ip, rest, true
}

// ipBracketed parses "[address]" at the start of b and returns what follows the ']' and a port.
func ipBracketed(b []byte) (netip.Addr, []byte, bool) {
	end := bytes.IndexByte(b, ']')
	if end < 0 {
		return netip.Addr{}, nil, false
	}
	ip, ok := parseIP(b[1:end])
	if !ok {
		return netip.Addr{}, nil, false
	}
	return ip, skipPort(b[end+1:]), true
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

// heloSeed seeds HeloSum, per process: a HELO chosen to collide with another needs the seed.
var heloSeed = maphash.MakeSeed()

// setHelo sets ev.Helo and its sum.
func setHelo(ev *Event, helo []byte) {
	ev.Helo = helo
	if len(helo) > 0 {
		ev.HeloSum = maphash.Bytes(heloSeed, helo) | 1 // never 0, which means "no sum"
	}
}

// lastField returns the value of the last "key" occurrence (e.g. " helo=<"), up to closing
// byte end. Postfix writes helo= last, after attacker-controlled from=/to=, so the last
// occurrence is the real one.
func lastField(b []byte, key string, end byte) []byte {
	i := lastIndex(b, key, len(key)-1)
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
// one occurrence of the key's byte at index k to the previous. The keys searched for last
// (rip=, helo=<, sasl_username=) sit near the end of the line, so this takes a few steps when k
// names a byte that is rare after the key: the 'r' of rip=, not its '=', which every field of
// Dovecot's after it repeats.
func lastIndex(b []byte, key string, k int) int {
	c := key[k]
	for end := len(b) - (len(key) - 1 - k); end > 0; {
		i := lastIndexByte(b[:end], c)
		if i < 0 {
			return -1
		}
		if start := i - k; start >= 0 && string(b[start:start+len(key)]) == key {
			return start
		}
		end = i
	}
	return -1
}

// lastIndexByte is bytes.LastIndexByte eight bytes at a time: the library's is a byte loop on
// amd64, and the fields read last (rip=, helo=<, a passdb group's address) sit behind up to a
// hundred bytes of Dovecot's and Postfix's own text.
func lastIndexByte(b []byte, c byte) int {
	rep := uint64(c) * 0x0101010101010101
	i := len(b)
	for ; i >= 8; i -= 8 {
		x := binary.LittleEndian.Uint64(b[i-8:]) ^ rep // zero bytes where b holds c
		if m := ^((x&low7s + low7s) | x) & highBits; m != 0 {
			return i - 8 + (63-bits.LeadingZeros64(m))/8
		}
	}
	for i--; i >= 0; i-- {
		if b[i] == c {
			return i
		}
	}
	return -1
}

// Word-at-a-time byte tests: low7s is each byte's low seven bits, highBits each byte's top bit,
// and zeros eight '0' bytes (a word of digits XORed with it holds their values, 0-9).
const (
	low7s    = 0x7f7f7f7f7f7f7f7f
	highBits = 0x8080808080808080
	zeros    = 0x3030303030303030
)

// nonDigits returns the high bit of every byte of x (a word XORed with zeros) that held no
// digit.
func nonDigits(x uint64) uint64 {
	return (x&low7s + 0x7676767676767676 | x) & highBits
}

// decimal8 is the number written by eight digit values (0-9), the most significant in the
// lowest byte (as they sit in a little-endian word loaded from the text).
func decimal8(x uint64) int {
	x = x*10 + x>>8 // pairs
	x = (x&0x000000ff000000ff)*(100+(1000000<<32)) + (x>>16&0x000000ff000000ff)*(1+(10000<<32))
	return int(x >> 32)
}

// isQueueIDByte[c] holds for the bytes of a Postfix queue ID: [0-9A-Za-z].
var isQueueIDByte = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
	}
	return t
}()
