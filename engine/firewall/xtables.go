package firewall

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/coreos/go-iptables/iptables"
)

// xtablesWaitSeconds is how long iptables waits for the xtables lock (iptables -w 5) before
// failing with ErrLocked instead of hanging the action worker.
const xtablesWaitSeconds = 5

// builtinChains are reached by every packet of their hook, so no jump is needed.
var builtinChains = []string{"INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING"}

// xtables drives iptables and ip6tables (through go-iptables, which execs them with argument
// vectors and captures stderr) for one chain of the filter table.
type xtables struct {
	chain string
	ipt   [2]*iptables.IPTables // by fam(v6), created on first use
}

// needRoot fails early and clearly: without CAP_NET_ADMIN every kernel call would fail.
func needRoot(what string) error {
	if os.Geteuid() != 0 {
		return newErr(ErrNotRoot, nil, "the %s firewall needs root (CAP_NET_ADMIN); run mxtop with sudo or use --firewall dry-run", what)
	}
	return nil
}

func newXtables(chain string) (*xtables, error) {
	if chain == "" {
		chain = DefaultChain
	}
	if _, err := exec.LookPath("iptables"); err != nil {
		return nil, newErr(ErrNoBinary, err, "iptables is not installed (apt install iptables)")
	}
	return &xtables{chain: chain}, nil
}

func (x *xtables) cmd(v6 bool) (*iptables.IPTables, error) {
	if t := x.ipt[fam(v6)]; t != nil {
		return t, nil
	}
	proto := iptables.ProtocolIPv4
	if v6 {
		proto = iptables.ProtocolIPv6
	}
	t, err := iptables.New(iptables.IPFamily(proto), iptables.Timeout(xtablesWaitSeconds))
	if err != nil {
		return nil, typed(err, iptablesCmd(v6))
	}
	x.ipt[fam(v6)] = t
	return t, nil
}

// ensureChain returns ErrChainMissing when the chain does not exist. mxtop never creates
// DOCKER-USER itself: Docker does not add its FORWARD jump to a chain that already exists
// (moby/libnetwork#2631), so creating it early would make every ban fail open.
func (x *xtables) ensureChain(v6 bool) error {
	t, err := x.cmd(v6)
	if err != nil {
		return err
	}
	ok, err := t.ChainExists("filter", x.chain)
	if err != nil {
		return typed(err, iptablesCmd(v6)+" -S "+x.chain)
	}
	if !ok {
		return newErr(ErrChainMissing, nil, "%s: chain %s does not exist (is Docker running? use --chain INPUT for a mail server outside Docker)",
			iptablesCmd(v6), x.chain)
	}
	return nil
}

// insertUnique inserts spec at the top of the chain unless it is there already, and returns the
// command when it ran.
func (x *xtables) insertUnique(v6 bool, spec []string) ([]string, error) {
	t, err := x.cmd(v6)
	if err != nil {
		return nil, err
	}
	ok, err := t.Exists("filter", x.chain, spec...)
	if err != nil {
		return nil, typed(err, iptablesCmd(v6)+" -C "+x.chain)
	}
	if ok {
		return nil, nil
	}
	if err := t.Insert("filter", x.chain, 1, spec...); err != nil {
		return nil, typed(err, cmdInsert(v6, x.chain, spec))
	}
	return []string{cmdInsert(v6, x.chain, spec)}, nil
}

// deleteIfExists deletes spec from the chain when present (every copy, in case a hand-made
// rule was added twice) and returns the commands that ran. A missing chain deletes nothing.
func (x *xtables) deleteIfExists(v6 bool, spec []string) ([]string, error) {
	t, err := x.cmd(v6)
	if err != nil {
		return nil, err
	}
	var cmds []string
	for range 16 {
		ok, err := t.Exists("filter", x.chain, spec...)
		if err != nil {
			if isNotExist(err) {
				return cmds, nil
			}
			return cmds, typed(err, iptablesCmd(v6)+" -C "+x.chain)
		}
		if !ok {
			return cmds, nil
		}
		if err := t.Delete("filter", x.chain, spec...); err != nil {
			return cmds, typed(err, cmdDelete(v6, x.chain, spec))
		}
		cmds = append(cmds, cmdDelete(v6, x.chain, spec))
	}
	return cmds, nil
}

func isNotExist(err error) bool {
	var e *iptables.Error
	return errors.As(err, &e) && e.IsNotExist()
}

// dropRules lists the chain's plain "-s PREFIX -j DROP" rules with their counters: the iptables
// backend's bans and the operator's hand-made ones (the seed's `iptables -I DOCKER-USER 1 -s IP
// -j DROP`). A missing chain has none.
func (x *xtables) dropRules(v6 bool) ([]Entry, error) {
	t, err := x.cmd(v6)
	if err != nil {
		return nil, err
	}
	if ok, err := t.ChainExists("filter", x.chain); err != nil || !ok {
		return nil, typed(err, iptablesCmd(v6)+" -S "+x.chain)
	}
	stats, err := t.StructuredStats("filter", x.chain)
	if err != nil {
		return nil, typed(err, iptablesCmd(v6)+" -L "+x.chain+" -n -v -x")
	}
	var out []Entry
	for _, s := range stats {
		if s.Target != "DROP" || strings.TrimSpace(s.Options) != "" || s.Input != "*" || s.Output != "*" ||
			s.Source == nil || s.Destination == nil {
			continue
		}
		if ones, _ := s.Destination.Mask.Size(); ones != 0 {
			continue
		}
		if s.Protocol != "all" && s.Protocol != "0" {
			continue
		}
		src, ok := netip.AddrFromSlice(s.Source.IP)
		ones, _ := s.Source.Mask.Size()
		if !ok || ones == 0 {
			continue
		}
		p, err := Normalize(netip.PrefixFrom(src.Unmap(), ones))
		if err != nil {
			continue
		}
		out = append(out, Entry{Prefix: p, Packets: s.Packets, Bytes: s.Bytes, Rule: true})
	}
	return out, nil
}

// health checks the iptables variant, the chain and the jump to it, for IPv4 (the family
// every mail server has).
func (x *xtables) health(ctx context.Context, backend string) Health {
	h := Health{Backend: backend, Chain: x.chain, Mode: iptablesMode(ctx)}
	t, err := x.cmd(false)
	if err != nil {
		h.Warnings = append(h.Warnings, err.Error())
		return h
	}
	h.ChainExists, err = t.ChainExists("filter", x.chain)
	if err != nil {
		h.Warnings = append(h.Warnings, typed(err, "iptables -S "+x.chain).Error())
		return h
	}
	if !h.ChainExists {
		w := "chain " + x.chain + " does not exist: bans cannot be applied"
		if x.chain == DefaultChain {
			w += " (is Docker running? Docker's nftables backend has no DOCKER-USER; use --chain INPUT outside Docker)"
		}
		if other := otherVariantHas(ctx, h.Mode, x.chain); other != "" {
			w += "; it exists in " + other + ", so Docker uses the other iptables variant"
		}
		h.Warnings = append(h.Warnings, w)
		return h
	}
	if slices.Contains(builtinChains, x.chain) {
		h.Jumped = true
		return h
	}
	from := []string{"FORWARD", "INPUT", "OUTPUT"}
	if x.chain == DefaultChain {
		from = from[:1] // Docker's published ports are forwarded: only FORWARD counts
	}
	for _, from := range from {
		rules, err := t.List("filter", from)
		if err != nil {
			continue
		}
		for _, r := range rules {
			if strings.HasSuffix(r, " -j "+x.chain) || strings.Contains(r, " -j "+x.chain+" ") {
				h.Jumped = true
			}
		}
	}
	if !h.Jumped {
		h.Warnings = append(h.Warnings, "chain "+x.chain+" exists but FORWARD does not jump to it: "+
			"bans are silently not enforced; restart Docker to restore its jump")
	}
	return h
}

// iptablesMode reports "nf_tables" or "legacy" from `iptables --version`.
func iptablesMode(ctx context.Context) string {
	out, err := output(ctx, "iptables", "--version")
	if err != nil {
		return ""
	}
	s := string(out)
	switch {
	case strings.Contains(s, "nf_tables"):
		return "nf_tables"
	case strings.Contains(s, "legacy"):
		return "legacy"
	}
	return "legacy" // iptables before 1.8 had only the legacy variant and did not say so
}

// otherVariantHas returns the name of the other iptables variant when it holds chain.
func otherVariantHas(ctx context.Context, mode, chain string) string {
	other := "iptables-legacy"
	if mode == "legacy" {
		other = "iptables-nft"
	}
	if _, err := exec.LookPath(other); err != nil {
		return ""
	}
	if _, err := output(ctx, other, "-w", "-n", "-L", chain); err != nil {
		return ""
	}
	return other
}
