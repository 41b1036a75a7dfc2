package main

import "time"

// SourceFlags choose where log lines come from. A positional FILE or "-" (stdin), --file or
// --stdin wins over --container.
type SourceFlags struct {
	Container string        `help:"Docker container to follow through the Engine API (honours DOCKER_HOST)." default:"mailserver" placeholder:"NAME"`
	File      []string      `help:"Follow a plain log file like tail -F (repeatable)." placeholder:"PATH"`
	Stdin     bool          `help:"Read lines from standard input (same as the argument -)."`
	Since     time.Duration `help:"How much history to read first (0 = all)." default:"24h"`
}

// PolicyFlags tune the verdicts and the protected ranges.
type PolicyFlags struct {
	Whitelist          []string `help:"CIDR never counted as an attacker and never banned (repeatable)." placeholder:"CIDR"`
	NoDefaultWhitelist bool     `help:"Do not protect loopback, private, link-local and Docker ranges (for test labs)."`
	ScannerSuffix      []string `help:"Reverse-DNS suffix of an internet scanner, added to the built-in list (repeatable)." placeholder:"DOMAIN"`
	AuthThreshold      int      `help:"Authentication failures from one IP that make it a botnet." default:"10"`
	EventThreshold     int      `help:"Attack events of any kind from one IP that make it a botnet." default:"50"`
}

// FirewallFlags choose and configure the ban backend.
type FirewallFlags struct {
	Firewall string `help:"Ban backend: ipset (one set per family, one rule), iptables (one rule per IP) or dry-run." enum:"ipset,iptables,dry-run" default:"ipset"`
	Chain    string `help:"Chain that holds mxtop's DROP rule (INPUT for a mail server outside Docker)." default:"DOCKER-USER"`
	State    string `help:"State file holding bans and whitelist." default:"/var/lib/mxtop/state.db" placeholder:"FILE"`
	Persist  string `help:"Also persist the kernel rules after each change." enum:",netfilter-persistent" default:""`
	BanFor   string `help:"Default ban duration: 1h, 7d, perm." default:"7d" placeholder:"DURATION"`
}
