package firewall

import (
	"context"
	"net/netip"
	"slices"
)

// DryRun is a Backend that changes nothing: it returns the exact commands the ipset (or, with
// PerAddress, the iptables) backend would run, and remembers the bans in memory so a demo can
// list them. The one-time set and rule creation is shown with the first ban of each family.
type DryRun struct {
	Chain      string // default DOCKER-USER
	PerAddress bool   // show the iptables backend's per-address rules instead of ipset
	entries    map[netip.Prefix]Entry
	prepared   [2]bool
}

// Name returns "dry-run".
func (d *DryRun) Name() string { return "dry-run" }

func (d *DryRun) chain() string {
	if d.Chain == "" {
		return DefaultChain
	}
	return d.Chain
}

// Add returns the commands that would ban e.Prefix.
func (d *DryRun) Add(_ context.Context, e Entry) ([]string, error) {
	if d.entries == nil {
		d.entries = map[netip.Prefix]Entry{}
	}
	v6 := e.Prefix.Addr().Is6()
	var cmds []string
	if d.PerAddress {
		if _, ok := d.entries[e.Prefix]; !ok {
			cmds = append(cmds, cmdInsert(v6, d.chain(), addrRuleSpec(e.Prefix)))
		}
		e.Rule = true
	} else {
		if !d.prepared[fam(v6)] {
			cmds = append(cmds, cmdSetCreate(v6, DefaultMaxElem), cmdInsert(v6, d.chain(), setRuleSpec(v6)))
			d.prepared[fam(v6)] = true
		}
		cmds = append(cmds, cmdSetAdd(e))
	}
	d.entries[e.Prefix] = e
	return cmds, nil
}

// Ensure shows nothing: the first Add of each family shows the set and rule creation.
func (d *DryRun) Ensure(context.Context, bool) ([]string, error) { return nil, nil }

// Remove returns the commands that would lift a ban of p.
func (d *DryRun) Remove(_ context.Context, p netip.Prefix) ([]string, error) {
	delete(d.entries, p)
	v6 := p.Addr().Is6()
	if d.PerAddress {
		return []string{cmdDelete(v6, d.chain(), addrRuleSpec(p))}, nil
	}
	return []string{cmdSetDel(p)}, nil
}

// List returns the bans added so far.
func (d *DryRun) List(context.Context) ([]Entry, error) {
	out := make([]Entry, 0, len(d.entries))
	for _, e := range d.entries {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Entry) int { return comparePrefix(a.Prefix, b.Prefix) })
	return out, nil
}

// Health says that nothing is enforced.
func (d *DryRun) Health(context.Context) Health {
	return Health{Backend: "dry-run", Chain: d.chain(), Warnings: []string{"dry-run: bans are shown, not applied"}}
}

func fam(v6 bool) int {
	if v6 {
		return 1
	}
	return 0
}
