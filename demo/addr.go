package demo

import (
	"net/netip"
	"strconv"
)

// Addresses the generator writes that are never clients. Tests assert that the engine never
// attributes an event to any of them.
const (
	// ContainerIP is the mail container on its Docker bridge network: postscreen's local address
	// ("CONNECT from [client]:port to [172.30.0.2]:25") and Dovecot's lip= for IPv4 clients.
	ContainerIP = "172.30.0.2"
	// ContainerIP6 is the container's IPv6 address (a ULA on a dual-stack Docker network): the
	// local address for IPv6 clients.
	ContainerIP6 = "fd00:30::2"
	// WebmailIP is a webmail container on the same Docker network. It is a real client (IMAP
	// logins and submission, role local), the only private client address the generator writes.
	WebmailIP = "172.30.0.3"
)

// DecoyIPs are the IP literals planted in attacker-controlled text: HELO names (helo=<[6.6.6.6]>),
// from=/to= addresses (from=<x@[7.7.7.7]>), PREGREET payloads (EHLO [6.66.66.66]\r\n, an HTTP
// Host: header), non-SMTP command text, SASL and Dovecot user names (passwd-file(6.6.6.6,client),
// user=<admin rip=7.7.7.7>). No client ever has one of these addresses: 6.0.0.0/8, 7.0.0.0/8 and
// 2a0f:6666::/32 are excluded from client generation. An engine that attributes an event to a
// decoy has the fail2ban log-injection bug.
var DecoyIPs = []string{"6.6.6.6", "6.6.6.7", "6.66.66.66", "7.7.7.7", "2a0f:6666::6"}

// relays are the next hops of outbound mail, named by relay= in status=sent lines. They are
// never clients and are excluded from client generation.
var relays = []struct{ name, ip string }{
	{"gmail-smtp-in.l.google.com", "142.250.102.27"},
	{"alt1.gmail-smtp-in.l.google.com", "142.250.153.26"},
	{"gmail-smtp-in.l.google.com", "2a00:1450:400c:c0b::1b"},
	{"example-org.mail.protection.outlook.com", "52.101.73.18"},
	{"mx00.emig.gmx.net", "212.227.15.9"},
	{"mta6.am0.yahoodns.net", "67.195.204.77"},
}

// RelayIPs returns the next-hop addresses named by relay= in outbound status=sent lines; none of
// them is ever a client.
func RelayIPs() []string {
	out := make([]string, len(relays))
	for i, r := range relays {
		out[i] = r.ip
	}
	return out
}

// v4block is an IPv4 prefix clients are drawn from.
type v4block struct {
	base uint32
	bits int
}

func block(s string) v4block {
	p := netip.MustParsePrefix(s)
	b := p.Addr().As4()
	return v4block{base: uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]), bits: p.Bits()}
}

func blocks(ss ...string) []v4block {
	out := make([]v4block, len(ss))
	for i, s := range ss {
		out[i] = block(s)
	}
	return out
}

// excluded4 lists the IPv4 ranges no generated client may come from: private, loopback,
// CGNAT, link-local, documentation, benchmarking, multicast and reserved space, and the decoy
// ranges 6/8 and 7/8.
var excluded4 = blocks(
	"0.0.0.0/8", "6.0.0.0/8", "7.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
	"169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24",
	"192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3",
)

func (b v4block) contains(u uint32) bool {
	return u>>(32-b.bits) == b.base>>(32-b.bits)
}

// publicV4 reports whether u may be a generated client address.
func publicV4(u uint32) bool {
	for _, b := range excluded4 {
		if b.contains(u) {
			return false
		}
	}
	return u&0xff != 0 && u&0xff != 255
}

// randV4 returns a public address: inside one of bs with probability pIn, else anywhere.
func randV4(r *rng, bs []v4block, pIn float64) netip.Addr {
	for {
		u := uint32(r.next())
		if len(bs) > 0 && r.chance(pIn) {
			b := bs[r.intn(len(bs))]
			mask := uint32(1)<<(32-b.bits) - 1
			u = b.base | u&mask
		}
		if publicV4(u) {
			return netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)})
		}
	}
}

// v6prefixes are public /32s (hosting and access networks) IPv6 clients are drawn from.
var v6prefixes = [][2]byte{{0x2a, 0x01}, {0x26, 0x04}, {0x2a, 0x03}, {0x20, 0x01}, {0x24, 0x0e}, {0x2a, 0x06}}

var v6second = [][2]byte{{0x04, 0xf8}, {0xa8, 0x80}, {0xb0, 0xc0}, {0x41, 0xd0}, {0x03, 0xc0}, {0x48, 0x80}}

// randV6 returns a public IPv6 address in a /64 of a hosting or access network. Host parts
// are either small (::1a) as on servers or random as with SLAAC privacy addresses.
func randV6(r *rng) netip.Addr {
	var b [16]byte
	i := r.intn(len(v6prefixes))
	b[0], b[1] = v6prefixes[i][0], v6prefixes[i][1]
	b[2], b[3] = v6second[i][0], v6second[i][1]
	for j := 4; j < 8; j++ {
		b[j] = byte(r.next())
	}
	if r.chance(0.5) {
		b[15] = byte(r.between(1, 250))
	} else {
		for j := 8; j < 16; j++ {
			b[j] = byte(r.next())
		}
	}
	return netip.AddrFrom16(b)
}

// sibling6 returns another address in a's /64: how an attacker rotates through the 2^64
// addresses its provider gave it.
func sibling6(r *rng, a netip.Addr) netip.Addr {
	b := a.As16()
	for j := 8; j < 16; j++ {
		b[j] = byte(r.next())
	}
	return netip.AddrFrom16(b)
}

// dashed returns a.b.c.d as "a-b-c-d", the way ISPs spell addresses in PTR names.
func dashed(a netip.Addr) string {
	b := a.As4()
	return strconv.Itoa(int(b[0])) + "-" + strconv.Itoa(int(b[1])) + "-" + strconv.Itoa(int(b[2])) + "-" + strconv.Itoa(int(b[3]))
}
