package ui

import (
	"net/netip"
	"strings"

	"github.com/mxtop/mxtop/engine"
)

// filter is a parsed filter expression: an IP, a CIDR, or a case-insensitive substring of the
// IP, the host name or the HELO.
type filter struct {
	raw    string
	addr   netip.Addr
	prefix netip.Prefix
	sub    string
	ipText bool // sub could occur in an address's text: only hex digits, '.' and ':'
}

// parseFilter reads what the operator typed after /.
func parseFilter(s string) filter {
	s = strings.TrimSpace(s)
	f := filter{raw: s}
	if p, err := netip.ParsePrefix(s); err == nil {
		f.prefix = p.Masked()
		return f
	}
	if a, err := netip.ParseAddr(s); err == nil {
		f.addr = a.Unmap()
		return f
	}
	f.sub = s
	// No other rune case-folds to one of these, so a sub with any other cannot match an IP.
	f.ipText = strings.Trim(s, "0123456789abcdefABCDEF.:") == ""
	return f
}

// active reports whether the filter hides anything.
func (f filter) active() bool { return f.raw != "" }

// match reports whether r passes the filter. It allocates nothing per row.
func (f filter) match(r *engine.Row) bool {
	switch {
	case f.raw == "":
		return true
	case f.prefix.IsValid():
		return f.prefix.Contains(r.IP)
	case f.addr.IsValid():
		return r.IP == f.addr
	}
	if containsFold(r.Host, f.sub) || containsFold(r.Helo, f.sub) {
		return true
	}
	if !f.ipText {
		return false // no address's text can hold it: skip formatting the IP
	}
	var buf [64]byte
	return containsFold(string(r.IP.AppendTo(buf[:0])), f.sub)
}

// containsFold reports whether sub is in s, ignoring case, without allocating. Candidates are
// the positions of sub's first byte in either ASCII case, found with strings.IndexByte (which
// is vectorised), before the full EqualFold.
func containsFold(s, sub string) bool {
	n := len(sub)
	if n == 0 {
		return true
	}
	last := len(s) - n // the last position sub can start at
	lo := lowerASCII(sub[0])
	up := upperASCII(lo)
	for i := 0; i <= last; i++ {
		j := strings.IndexByte(s[i:last+1], lo)
		if up != lo {
			if k := strings.IndexByte(s[i:last+1], up); k >= 0 && (j < 0 || k < j) {
				j = k
			}
		}
		if j < 0 {
			return false
		}
		i += j
		if strings.EqualFold(s[i:i+n], sub) {
			return true
		}
	}
	return false
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
