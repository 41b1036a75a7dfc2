package classify

import "net/netip"

// DefaultProtected returns the ranges mxtop never counts as attackers and never bans: loopback,
// RFC 1918 private, CGNAT (RFC 6598), link-local, IPv6 ULA, unspecified and multicast, and the
// IPv4-mapped/-compatible forms are unmapped before any check. Docker's bridge networks live in
// 172.16.0.0/12 and 192.168.0.0/16 by default, so they are covered; custom Docker subnets are
// added from the daemon by the firewall layer.
func DefaultProtected() []netip.Prefix {
	return []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("100.64.0.0/10"),
		netip.MustParsePrefix("127.0.0.0/8"),
		netip.MustParsePrefix("169.254.0.0/16"),
		netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("192.168.0.0/16"),
		netip.MustParsePrefix("224.0.0.0/3"), // multicast, reserved and broadcast
		netip.MustParsePrefix("::/128"),
		netip.MustParsePrefix("::1/128"),
		netip.MustParsePrefix("fc00::/7"),
		netip.MustParsePrefix("fe80::/10"),
		netip.MustParsePrefix("ff00::/8"),
	}
}
