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
	var buf [64]byte
	return containsFold(string(r.IP.AppendTo(buf[:0])), f.sub) ||
		containsFold(r.Host, f.sub) || containsFold(r.Helo, f.sub)
}

// containsFold reports whether sub is in s, ignoring case, without allocating. Candidates are
// found by their first byte (ASCII case folded) before the full EqualFold.
func containsFold(s, sub string) bool {
	n := len(sub)
	if n == 0 {
		return true
	}
	first := lowerASCII(sub[0])
	for i := 0; i+n <= len(s); i++ {
		if lowerASCII(s[i]) == first && strings.EqualFold(s[i:i+n], sub) {
			return true
		}
	}
	return false
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
