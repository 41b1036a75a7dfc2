package firewall

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Backend changes the kernel's packet filter. The Manager checks the policy and keeps the state;
// a Backend only does what it is told, idempotently: adding an entry that exists refreshes it,
// removing one that is absent is not an error. Every method returns the commands it ran (or, for
// netlink calls, the equivalent ipset command line), so the operator can see and repeat them.
//
// Backends are not safe for concurrent use; the Manager serialises calls.
type Backend interface {
	// Name is "ipset", "iptables", "dry-run" or a fake's name.
	Name() string
	// Add bans e.Prefix for e.Timeout (0 = permanent). It creates what the family needs (the
	// set, the one rule) on first use.
	Add(ctx context.Context, e Entry) ([]string, error)
	// Ensure creates, or re-creates after Docker or a reboot removed them, what bans of one
	// family need (the set, the one rule); the chain itself must exist (ErrChainMissing).
	Ensure(ctx context.Context, v6 bool) ([]string, error)
	// Remove lifts a ban, including a hand-made "-s PREFIX -j DROP" rule in the chain.
	Remove(ctx context.Context, p netip.Prefix) ([]string, error)
	// List returns every ban the kernel holds, with counters where the backend can read them,
	// including hand-made DROP rules in the chain (Rule=true).
	List(ctx context.Context) ([]Entry, error)
	// Health says which iptables variant runs and whether the chain is in the packet path.
	Health(ctx context.Context) Health
}

// Entry is one ban as the kernel holds it.
type Entry struct {
	Prefix  netip.Prefix
	Timeout time.Duration // on Add: how long; on List: time left (0 = permanent)
	Packets uint64
	Bytes   uint64
	// Rule is true for a per-address "-s PREFIX -j DROP" rule in the chain (the iptables
	// backend's bans and hand-made rules); false for a member of mxtop's ipset.
	Rule bool
}

// Health describes the firewall path. Warnings are human lines for the status bar, e.g. that
// DOCKER-USER is not jumped to from FORWARD, so bans would silently fail open.
type Health struct {
	Backend     string
	Mode        string // "nf_tables" or "legacy" (the iptables variant), "" when unknown
	Chain       string
	ChainExists bool
	Jumped      bool // the chain is reached: a built-in chain, or FORWARD jumps to it
	Warnings    []string
}

// Names of mxtop's ipsets, one per family.
const (
	SetV4 = "mxtop4"
	SetV6 = "mxtop6"
)

// DefaultMaxElem is the ipset maxelem, set explicitly: the kernel default of 65536 makes an
// attack wave fail with "Hash is full" (fail2ban #3549). 1 Mi entries of hash:net cost about
// 100 MiB at worst, and a wave of that size is far beyond what we have seen.
const DefaultMaxElem = 1 << 20

// MaxTimeout is the longest timeout the ipset tool accepts (2^31/1000 s, about 24.8 days).
// Longer bans are added with this timeout; Manager.Restore re-adds them with the time left.
const MaxTimeout = 2147483 * time.Second

func setName(p netip.Prefix) string {
	if p.Addr().Is4() {
		return SetV4
	}
	return SetV6
}

func iptablesCmd(v6 bool) string {
	if v6 {
		return "ip6tables"
	}
	return "iptables"
}

// timeoutSeconds clamps d to what ipset accepts; 0 stays 0 (permanent).
func timeoutSeconds(d time.Duration) uint32 {
	if d <= 0 {
		return 0
	}
	if d > MaxTimeout {
		d = MaxTimeout
	}
	s := uint32(d / time.Second)
	if s == 0 {
		s = 1
	}
	return s
}

// Command lines as an operator would type them. They are shown, never run through a shell.

func cmdSetCreate(v6 bool, maxElem uint32) string {
	family := "inet"
	name := SetV4
	if v6 {
		family, name = "inet6", SetV6
	}
	return "ipset create " + name + " hash:net family " + family + " timeout 0 counters comment maxelem " +
		strconv.FormatUint(uint64(maxElem), 10) + " -exist"
}

func cmdSetAdd(e Entry) string {
	return "ipset add " + setName(e.Prefix) + " " + e.Prefix.String() + " timeout " +
		strconv.FormatUint(uint64(timeoutSeconds(e.Timeout)), 10) + " comment mxtop -exist"
}

func cmdSetDel(p netip.Prefix) string {
	return "ipset del " + setName(p) + " " + p.String() + " -exist"
}

func setRuleSpec(v6 bool) []string {
	name := SetV4
	if v6 {
		name = SetV6
	}
	return []string{"-m", "set", "--match-set", name, "src", "-j", "DROP"}
}

func addrRuleSpec(p netip.Prefix) []string {
	return []string{"-s", p.String(), "-j", "DROP"}
}

func cmdInsert(v6 bool, chain string, spec []string) string {
	return joinCmd(append([]string{iptablesCmd(v6), "-w", "-I", chain, "1"}, spec...))
}

func cmdDelete(v6 bool, chain string, spec []string) string {
	return joinCmd(append([]string{iptablesCmd(v6), "-w", "-D", chain}, spec...))
}

func joinCmd(args []string) string { return strings.Join(args, " ") }

// DefaultChain is where Docker sends forwarded traffic for user rules before its own.
const DefaultChain = "DOCKER-USER"
