package firewall

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Widest bans the Manager accepts. Anything wider is almost certainly a typo, and ipset's
// hash:net cannot hold a /0 anyway.
const (
	minBitsV4 = 8
	minBitsV6 = 16
)

// Normalize returns p in the form the policy and the kernel use: an IPv4-mapped IPv6 prefix
// (::ffff:203.0.113.7/128) becomes the IPv4 prefix, and host bits are cleared
// (203.0.113.7/24 becomes 203.0.113.0/24). Zoned and too-wide prefixes are refused.
func Normalize(p netip.Prefix) (netip.Prefix, error) {
	if !p.IsValid() {
		return netip.Prefix{}, newErr(ErrInvalid, nil, "invalid prefix")
	}
	a, bits := p.Addr(), p.Bits()
	if a.Zone() != "" {
		return netip.Prefix{}, newErr(ErrInvalid, nil, "%s: zoned addresses cannot be banned", p)
	}
	if a.Is4In6() {
		if bits < 96 {
			return netip.Prefix{}, newErr(ErrInvalid, nil, "%s: IPv4-mapped prefix shorter than /96", p)
		}
		a, bits = a.Unmap(), bits-96
	}
	q := netip.PrefixFrom(a, bits).Masked()
	if (a.Is4() && bits < minBitsV4) || (a.Is6() && bits < minBitsV6) {
		return netip.Prefix{}, newErr(ErrInvalid, nil, "%s: prefix too wide (at most /%d for IPv4, /%d for IPv6)",
			q, minBitsV4, minBitsV6)
	}
	return q, nil
}

// ParseTarget parses an operator's "IP" or "CIDR" into a normalised prefix; a bare address is a
// /32 or /128.
func ParseTarget(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return netip.Prefix{}, newErr(ErrInvalid, nil, "%q is not an IP address or CIDR", s)
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, newErr(ErrInvalid, nil, "%q is not an IP address or CIDR", s)
		}
		if a.Zone() != "" {
			return netip.Prefix{}, newErr(ErrInvalid, nil, "%s: zoned addresses cannot be banned", s)
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	return Normalize(p)
}

// Around returns the network of bits around a: Around(ip, 24) is the /24 an IPv4 attacker
// sits in, Around(ip, 64) the /64 of an IPv6 one. bits 0 means the address itself.
func Around(a netip.Addr, bits int) (netip.Prefix, error) {
	a = a.Unmap()
	if bits == 0 {
		bits = a.BitLen()
	}
	if bits < 0 || bits > a.BitLen() {
		return netip.Prefix{}, newErr(ErrInvalid, nil, "/%d is not a valid prefix length for %s", bits, a)
	}
	return Normalize(netip.PrefixFrom(a, bits))
}

// ParseDuration reads a ban duration: Go durations ("30m", "1h30m"), days ("7d"), weeks ("2w"),
// or "perm"/"permanent"/"0" for a ban that never expires (returned as 0).
func ParseDuration(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "perm", "permanent", "forever", "0":
		return 0, nil
	case "":
		return 0, fmt.Errorf("empty duration (use e.g. 30m, 1h, 7d or perm)")
	}
	unit := time.Duration(0)
	switch {
	case strings.HasSuffix(s, "d"):
		unit = 24 * time.Hour
	case strings.HasSuffix(s, "w"):
		unit = 7 * 24 * time.Hour
	}
	if unit != 0 {
		n, err := strconv.ParseUint(s[:len(s)-1], 10, 16)
		if err != nil || n == 0 {
			return 0, fmt.Errorf("invalid duration %q (use e.g. 30m, 1h, 7d or perm)", s)
		}
		return time.Duration(n) * unit, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("invalid duration %q (use e.g. 30m, 1h, 7d or perm)", s)
	}
	return d, nil
}

// FormatDuration is ParseDuration's inverse for display: "perm", "7d", "36h", "30m".
func FormatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "perm"
	case d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return d.Round(time.Second).String()
}

// guard is one thing a ban must never cover.
type guard struct {
	prefix netip.Prefix
	kind   error  // ErrProtected or ErrWhitelisted
	why    string // "your SSH client address", "Docker network bridge gateway", …
}

// check refuses p when it overlaps any guard: a single address inside a protected range, and a
// CIDR that covers a protected address, are both refused.
func check(p netip.Prefix, guards []guard) error {
	for _, g := range guards {
		if g.prefix.Overlaps(p) {
			return refuse(g.kind, p, g.prefix, g.why)
		}
	}
	return nil
}

// describeProtected names a default protected range for the refusal message.
func describeProtected(p netip.Prefix) string {
	switch p.String() {
	case "0.0.0.0/8", "::/128":
		return "the unspecified range"
	case "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16":
		return "a private range (RFC 1918, where Docker networks live)"
	case "100.64.0.0/10":
		return "the carrier-grade NAT range (RFC 6598)"
	case "127.0.0.0/8", "::1/128":
		return "loopback"
	case "169.254.0.0/16", "fe80::/10":
		return "a link-local range"
	case "224.0.0.0/3", "ff00::/8":
		return "a multicast or reserved range"
	case "fc00::/7":
		return "the unique local range (ULA)"
	}
	return "a protected range"
}

// hostPrefix turns an address into the /32 or /128 that protects exactly it.
func hostPrefix(a netip.Addr) netip.Prefix {
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen())
}
