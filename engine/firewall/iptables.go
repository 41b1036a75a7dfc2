package firewall

import (
	"context"
	"errors"
	"net/netip"
)

// IPTables is the seed's backend: one "-I CHAIN 1 -s PREFIX -j DROP" rule per ban, through
// iptables or ip6tables. It needs no ipset support, but every packet walks every rule and every
// ban forks iptables, so prefer IPSet beyond a few hundred bans. The kernel has no timeouts
// here: Manager.Restore removes expired bans.
//
// IPTables is not safe for concurrent use.
type IPTables struct {
	x       *xtables
	checked [2]bool // the family's chain was seen; a later deletion fails the insert with ErrChainMissing
}

// NewIPTables checks for root and iptables; it changes nothing until the first ban.
func NewIPTables(chain string) (*IPTables, error) {
	if err := needRoot("iptables"); err != nil {
		return nil, err
	}
	x, err := newXtables(chain)
	if err != nil {
		return nil, err
	}
	return &IPTables{x: x}, nil
}

// Name returns "iptables".
func (b *IPTables) Name() string { return "iptables" }

// Ensure checks that the chain exists.
func (b *IPTables) Ensure(_ context.Context, v6 bool) ([]string, error) {
	b.checked[fam(v6)] = false
	err := b.x.ensureChain(v6)
	b.checked[fam(v6)] = err == nil
	return nil, err
}

// Add inserts the rule unless it is there already.
func (b *IPTables) Add(ctx context.Context, e Entry) ([]string, error) {
	v6 := e.Prefix.Addr().Is6()
	if !b.checked[fam(v6)] {
		if _, err := b.Ensure(ctx, v6); err != nil {
			return nil, err
		}
	}
	return b.x.insertUnique(v6, addrRuleSpec(e.Prefix))
}

// Remove deletes the rule if present.
func (b *IPTables) Remove(_ context.Context, p netip.Prefix) ([]string, error) {
	return b.x.deleteIfExists(p.Addr().Is6(), addrRuleSpec(p))
}

// List returns every plain DROP rule of the chain with its counters.
func (b *IPTables) List(_ context.Context) ([]Entry, error) {
	var out []Entry
	for _, v6 := range []bool{false, true} {
		rules, err := b.x.dropRules(v6)
		if err != nil && !errors.Is(err, ErrChainMissing) {
			return nil, err
		}
		out = append(out, rules...)
	}
	return out, nil
}

// Health reports the iptables variant and whether the chain is in the packet path.
func (b *IPTables) Health(ctx context.Context) Health { return b.x.health(ctx, "iptables") }
