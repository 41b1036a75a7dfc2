package demo

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
)

// Role is what a generated client IP is, the ground truth a classifier is measured against.
type Role uint8

// Roles of generated clients.
const (
	RoleLegit      Role = iota + 1 // a mail server that delivers mail to us
	RoleUser                       // one of our users: IMAP logins, submission, a rare typo
	RoleLocal                      // a container on the Docker network (webmail): never an attacker
	RoleScanner                    // an internet scanner with its real reverse-DNS name
	RoleBotnet                     // protocol violators, DNSBL-listed bots, hang-ups
	RoleBruteForce                 // SASL and IMAP password guessing
	RoleSpammer                    // relay attempts and rejected spam
	RoleProber                     // TLS probers
)

// String names the role.
func (r Role) String() string {
	switch r {
	case RoleLegit:
		return "legit"
	case RoleUser:
		return "user"
	case RoleLocal:
		return "local"
	case RoleScanner:
		return "scanner"
	case RoleBotnet:
		return "botnet"
	case RoleBruteForce:
		return "bruteforce"
	case RoleSpammer:
		return "spammer"
	case RoleProber:
		return "prober"
	default:
		return "none"
	}
}

// actor is one client IP and what it has done so far.
type actor struct {
	addr   netip.Addr
	ip     string // addr as text, appended to lines
	host   string // reverse-DNS name as Postfix logs it; "unknown" when none
	helo   string // the name it greets with
	user   string // a user's own login; empty for attackers
	role   Role
	passed bool // postscreen has it in its cache (PASS OLD); new senders get the 450 once

	seen      bool // a line naming it as the client was emitted
	counts    [numCats]int64
	delivered int64
	logins    int64
}

// poolID names a group of actors that behave alike.
type poolID uint8

const (
	pLegit poolID = iota
	pUsers
	pLocal
	pScanners
	pPregreet
	pProto
	pDNSBL
	pHangup
	pAuth
	pIMAP
	pTLS
	pRelay
	pReject
	numPools
)

// pool is a contiguous range of g.actors; members are drawn by rank with a power law, so rank
// 0 is the busiest. active limits draws to the first active members (an escalating botnet
// grows its active part).
type pool struct {
	first, n int
	alpha    float64
	active   int      // members that may be drawn: the first active ranks
	law      powerLaw // over active
}

// setActive limits draws to the first n members.
func (p *pool) setActive(n int) {
	n = min(max(n, 1), p.n)
	if n != p.active || p.law.n == 0 {
		p.active = n
		p.law = newPowerLaw(n, p.alpha)
	}
}

// poolSpec says how to build one pool.
type poolSpec struct {
	role   Role
	n      int
	alpha  float64
	v6     float64 // share of IPv6 members
	blocks []v4block
	pIn    float64 // share of IPv4 members inside blocks
	mk     func(g *Generator, a *actor, i int)
}

// Botnets cluster in a few hosting neighbourhoods; the rest are spread over the address space.
var botBlocks = blocks("45.144.212.0/22", "91.92.240.0/22", "185.196.8.0/22", "80.94.95.0/24",
	"141.98.10.0/24", "193.32.162.0/24", "87.120.84.0/22", "103.145.12.0/22", "218.92.0.0/16",
	"61.177.172.0/24", "222.186.0.0/16", "5.188.206.0/24")

var poolSpecs = [numPools]poolSpec{
	pLegit:    {role: RoleLegit, n: 400, alpha: 1.1, mk: mkLegit},
	pUsers:    {role: RoleUser, n: 60, alpha: 0.8, v6: 0.3, blocks: blocks("84.128.0.0/10", "88.64.0.0/12"), pIn: 0.8, mk: mkUser},
	pLocal:    {role: RoleLocal, n: 1, alpha: 1, mk: mkLocal},
	pScanners: {role: RoleScanner, n: 90, alpha: 0.6, mk: mkScanner},
	pPregreet: {role: RoleBotnet, n: 7000, alpha: 1.15, v6: 0.03, blocks: botBlocks, pIn: 0.5, mk: mkBot},
	pProto:    {role: RoleBotnet, n: 2000, alpha: 1.0, v6: 0.05, blocks: botBlocks, pIn: 0.3, mk: mkBot},
	pDNSBL:    {role: RoleBotnet, n: 4500, alpha: 0.9, v6: 0.02, blocks: botBlocks, pIn: 0.3, mk: mkBot},
	pHangup:   {role: RoleBotnet, n: 4500, alpha: 0.9, v6: 0.05, blocks: botBlocks, pIn: 0.3, mk: mkBot},
	pAuth:     {role: RoleBruteForce, n: 1500, alpha: 1.3, v6: 0.1, blocks: botBlocks, pIn: 0.4, mk: mkBot},
	pIMAP:     {role: RoleBruteForce, n: 600, alpha: 1.2, v6: 0.08, blocks: botBlocks, pIn: 0.4, mk: mkBot},
	pTLS:      {role: RoleProber, n: 400, alpha: 1.0, v6: 0.05, mk: mkBot},
	pRelay:    {role: RoleSpammer, n: 200, alpha: 1.4, v6: 0.02, blocks: botBlocks, pIn: 0.3, mk: mkSpammer},
	pReject:   {role: RoleSpammer, n: 800, alpha: 1.0, v6: 0.03, mk: mkSpammer},
}

// buildActors fills g.actors and g.pools from poolSpecs. Addresses are unique across pools and
// never private (except the webmail container), a decoy or a relay.
func (g *Generator) buildActors() {
	r := &g.rng
	taken := make(map[netip.Addr]bool, 16384)
	for _, d := range DecoyIPs {
		taken[netip.MustParseAddr(d)] = true
	}
	for _, rl := range relays {
		taken[netip.MustParseAddr(rl.ip)] = true
	}
	// Sized once: grown by append, the ~4 MB of actors were copied into fresh memory again and
	// again, and a copy that long cannot be preempted, so the collector and with it the TUI
	// waited for it (key→frame up to 80 ms on the first key after `mxtop demo` started).
	total := 0
	for _, spec := range poolSpecs {
		total += spec.n
	}
	g.actors = slices.Grow(g.actors, total)
	var fam netip.Addr // the /64 a rotating IPv6 attacker walks through
	for id := range numPools {
		spec := poolSpecs[id]
		p := pool{first: len(g.actors), n: spec.n, alpha: spec.alpha}
		p.setActive(spec.n)
		for i := range spec.n {
			a := actor{role: spec.role}
			for {
				a.host = "unknown" // a retry must not keep the name made for a taken address
				switch {
				case spec.v6 > 0 && r.chance(spec.v6):
					if fam.IsValid() && spec.role == RoleBruteForce && r.chance(0.7) {
						a.addr = sibling6(r, fam)
					} else {
						a.addr = randV6(r)
						fam = a.addr
					}
				default:
					a.addr = randV4(r, spec.blocks, spec.pIn)
				}
				spec.mk(g, &a, i) // may replace addr (named ranges)
				if !taken[a.addr] {
					break
				}
			}
			taken[a.addr] = true
			a.ip = a.addr.String()
			g.actors = append(g.actors, a)
		}
		g.pools[id] = p
	}
}

var users = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan",
	"judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter"}

var ispDomains = []string{"dyn.telecom-br.net.br", "static.vps-hosting.net", "pool.vnpt-isp.vn",
	"broadband.rt-home.ru", "static.cnc-net.cn", "adsl.tedata-eg.net", "cust.ovh-like.net"}

var botHelos = []string{"User", "User", "User", "ylmf-pc", "localhost", "ADMIN", "mail.example.com", "WIN", "WIN",
	"[6.6.6.6]", "[IPv6:2a0f:6666::6]"}

func mkBot(g *Generator, a *actor, _ int) {
	r := &g.rng
	if a.addr.Is4() && r.chance(0.15) {
		a.host = "ip-" + dashed(a.addr) + "." + r.pickStr(ispDomains)
	}
	a.helo = r.pickStr(botHelos)
	if a.helo == "WIN" {
		a.helo = "WIN-" + randUpper(r, 11)
	}
}

var spamWords = []string{"promo", "deals", "news", "mailer", "offer", "info", "bulk", "smtp"}
var spamTLDs = []string{"top", "xyz", "click", "shop", "ru", "cn", "info", "biz"}

func mkSpammer(g *Generator, a *actor, i int) {
	r := &g.rng
	mkBot(g, a, i)
	if r.chance(0.4) {
		a.helo = "mx" + strconv.Itoa(r.between(1, 9)) + "." + r.pickStr(spamWords) + strconv.Itoa(r.between(10, 999)) + "." + r.pickStr(spamTLDs)
		if r.chance(0.5) {
			a.host = a.helo
		}
	}
}

func mkUser(_ *Generator, a *actor, i int) {
	a.user = users[i%len(users)] + "@example.com"
	if a.addr.Is4() {
		b := a.addr.As4()
		a.host = fmt.Sprintf("p%02x%02x%02x%02x.dip0.t-ipconnect.de", b[0], b[1], b[2], b[3])
	}
	// A user's HELO never reaches a line the generator writes (submission logs no helo=).
}

func mkLocal(_ *Generator, a *actor, _ int) {
	a.addr = netip.MustParseAddr(WebmailIP)
	a.host = "webmail.mail_default"
	a.helo = "webmail.example.com"
	a.user = "alice@example.com"
}

// randUpper returns n characters of [A-Z0-9], like Windows' default computer names.
func randUpper(r *rng, n int) string {
	const set = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = set[r.intn(len(set))]
	}
	return string(b)
}
