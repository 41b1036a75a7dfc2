package demo

import (
	"net/netip"
	"strconv"
)

// scannerOrgs are the internet-measurement projects every mail server on the internet sees.
// Their PTR names and neighbourhoods are modelled on what they really use; the addresses are
// drawn at random inside those neighbourhoods.
var scannerOrgs = []struct {
	blocks []v4block
	name   func(n int) string
}{
	{blocks("184.105.139.0/24", "65.49.1.0/24", "74.82.47.0/24", "216.218.206.0/24"),
		func(n int) string { return "scan-" + twoDigits(n) + ".shadowserver.org" }},
	{blocks("167.94.138.0/24", "162.142.125.0/24", "206.168.34.0/24", "199.45.154.0/24"),
		func(n int) string { return "scanner-" + twoDigits(n) + ".ch1.censys-scanner.com" }},
	{blocks("192.241.192.0/19", "162.243.128.0/19"),
		func(n int) string { return "zg-0125a-" + strconv.Itoa(n) + ".stretchoid.com" }},
	{blocks("198.20.69.0/24", "71.6.135.0/24", "66.240.192.0/24", "185.165.190.0/24"),
		func(n int) string { return "census" + strconv.Itoa(n%12+1) + ".shodan.io" }},
	{blocks("170.187.144.0/20", "45.79.64.0/20"),
		func(n int) string { return "scan-" + twoDigits(n) + "b.binaryedge.ninja" }},
	{blocks("87.236.176.0/24", "193.235.141.0/24"),
		func(n int) string { return strconv.Itoa(n) + ".scan.internet-measurement.com" }},
	{blocks("91.231.89.0/24", "91.230.168.0/24"),
		func(n int) string { return "probe-" + twoDigits(n) + ".onyphe.net" }},
}

func mkScanner(g *Generator, a *actor, i int) {
	org := scannerOrgs[i%len(scannerOrgs)]
	a.addr = randV4(&g.rng, org.blocks, 1)
	n := int(a.addr.As4()[3])
	a.host = org.name(n)
	a.helo = a.host
}

// legitProviders are the big senders whose servers deliver most real mail.
var legitProviders = []struct {
	blocks []v4block
	name   func(r *rng, a netip.Addr) string
}{
	{blocks("209.85.128.0/17"), func(r *rng, a netip.Addr) string {
		return "mail-" + lower(r, 2) + strconv.Itoa(r.between(1, 9)) + "-f" + strconv.Itoa(int(a.As4()[3])) + ".google.com"
	}},
	{blocks("40.107.0.0/16", "52.100.0.0/16"), func(r *rng, _ netip.Addr) string {
		return "mail-" + r.pickStr(outlookRegions) + "on" + strconv.Itoa(r.between(2040, 2200)) + ".outbound.protection.outlook.com"
	}},
	{blocks("54.240.0.0/18"), func(_ *rng, a netip.Addr) string {
		b := a.As4()
		return "a" + strconv.Itoa(int(b[2])) + "-" + strconv.Itoa(int(b[3])) + ".smtp-out.eu-west-1.amazonses.com"
	}},
	{blocks("212.227.17.0/24", "212.227.126.0/24"), func(_ *rng, _ netip.Addr) string { return "mout.gmx.net" }},
	{blocks("217.72.192.0/24"), func(_ *rng, _ netip.Addr) string { return "mout.web.de" }},
	{blocks("159.135.224.0/20"), func(_ *rng, a netip.Addr) string {
		b := a.As4()
		return "m" + strconv.Itoa(int(b[2])) + "-" + strconv.Itoa(int(b[3])) + ".mailgun.net"
	}},
	{nil, func(r *rng, _ netip.Addr) string {
		return "mail." + r.pickStr(smallOrgs) + "." + r.pickStr(smallTLDs)
	}},
}

var outlookRegions = []string{"am6pr04", "db8eur05", "vi1eur04", "dbaeur03", "eur02", "fra01", "nam12", "bn8nam11"}
var smallOrgs = []string{"stadtwerke-nord", "bakery-ops", "fewo-ostsee", "cityclinic", "lawfirm-hansen", "uni-campus", "kita-sonnenschein", "sportverein"}
var smallTLDs = []string{"de", "nl", "fr", "org", "com", "at", "ch"}

func mkLegit(g *Generator, a *actor, _ int) {
	r := &g.rng
	if r.chance(0.08) { // Google delivers over IPv6 to dual-stack servers
		b := [16]byte{0x2a, 0x00, 0x14, 0x50, 0x48, 0x64, 0x00, 0x20}
		b[14], b[15] = byte(r.between(6, 8)), byte(r.next())
		a.addr = netip.AddrFrom16(b)
		a.host = "mail-" + lower(r, 2) + strconv.Itoa(r.between(1, 9)) + "-x" + strconv.FormatUint(uint64(b[14])<<8|uint64(b[15]), 16) + ".google.com"
		a.helo = a.host
		return
	}
	p := legitProviders[r.intn(len(legitProviders))]
	a.addr = randV4(r, p.blocks, 1)
	a.host = p.name(r, a.addr)
	a.helo = a.host
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func lower(r *rng, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + r.intn(26))
	}
	return string(b)
}
