package firewall

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"go.etcd.io/bbolt"
)

func (m *Manager) loadWhitelist() error {
	return m.st.view(func(tx *bbolt.Tx) (err error) {
		m.whitelist, err = loadWhitelist(tx)
		return err
	})
}

// Whitelist returns the configured and the stored whitelist, as of the last action.
func (m *Manager) Whitelist() []netip.Prefix {
	out := slices.Concat(m.cfg.Whitelist, m.whitelist)
	slices.SortFunc(out, comparePrefix)
	return slices.Compact(out)
}

func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}

// normalizeWhitelist unmaps and masks p; unlike a ban, a whitelist entry may be wide.
func normalizeWhitelist(p netip.Prefix) (netip.Prefix, error) {
	if !p.IsValid() {
		return netip.Prefix{}, newErr(ErrInvalid, nil, "invalid prefix")
	}
	a, bits := p.Addr().WithZone(""), p.Bits()
	if a.Is4In6() && bits >= 96 {
		a, bits = a.Unmap(), bits-96
	}
	return netip.PrefixFrom(a, bits).Masked(), nil
}

// SetWhitelist adds (on) or removes a whitelisted prefix. Adding lifts every ban that overlaps
// it, so the whitelist always wins; the kernel changes first, then one transaction records the
// whitelist entry and drops those bans. A prefix from the configuration cannot be removed.
func (m *Manager) SetWhitelist(ctx context.Context, p netip.Prefix, on bool) (Result, error) {
	p, err := normalizeWhitelist(p)
	if err != nil {
		return Result{}, err
	}
	if !on {
		if slices.Contains(m.cfg.Whitelist, p) {
			return Result{}, newErr(ErrInvalid, nil, "%s is whitelisted in the configuration file; remove it there", p)
		}
		err := m.st.update(func(tx *bbolt.Tx) error { return del(tx, bucketWhitelist, p) })
		if err != nil {
			return Result{}, err
		}
		_ = m.loadWhitelist()
		return Result{Message: "removed " + Show(p) + " from the whitelist"}, nil
	}
	var bans map[netip.Prefix]record
	if err := m.st.view(func(tx *bbolt.Tx) (err error) { bans, err = loadBans(tx); return err }); err != nil {
		return Result{}, err
	}
	var res Result
	var lifted []netip.Prefix
	for b := range bans {
		if !b.Overlaps(p) {
			continue
		}
		cmds, err := m.be.Remove(ctx, b)
		res.Commands = append(res.Commands, cmds...)
		if err != nil {
			return res, typed(err, "unban "+b.String()+" before whitelisting")
		}
		lifted = append(lifted, b)
	}
	err = m.st.update(func(tx *bbolt.Tx) error {
		for _, b := range lifted {
			if err := del(tx, bucketBans, b); err != nil {
				return err
			}
		}
		return putJSON(tx, bucketWhitelist, p, wlRecord{Since: m.cfg.Now()})
	})
	if err != nil {
		return res, err
	}
	_ = m.loadWhitelist()
	res.Message = "whitelisted " + Show(p)
	if len(lifted) > 0 {
		res.Message += fmt.Sprintf(" and lifted %d ban(s)", len(lifted))
		return m.persist(ctx, res)
	}
	return res, nil
}

// Bans lists mxtop's bans joined with the kernel's view (Active, counters), followed by DROP
// rules found in the chain that mxtop did not make (Manual). mxtop's bans come newest first.
func (m *Manager) Bans(ctx context.Context) ([]Ban, error) {
	var recs map[netip.Prefix]record
	if err := m.st.view(func(tx *bbolt.Tx) (err error) { recs, err = loadBans(tx); return err }); err != nil {
		return nil, err
	}
	entries, err := m.be.List(ctx)
	if err != nil {
		return nil, typed(err, "list bans")
	}
	kernel := make(map[netip.Prefix]Entry, len(entries))
	out := make([]Ban, 0, len(recs))
	var manual []Ban
	for _, e := range entries {
		if _, ours := recs[e.Prefix]; ours {
			k := kernel[e.Prefix] // a ban may be both a set member and a rule; add them up
			e.Packets += k.Packets
			e.Bytes += k.Bytes
			kernel[e.Prefix] = e
			continue
		}
		manual = append(manual, Ban{Prefix: e.Prefix, Packets: e.Packets, Bytes: e.Bytes, Manual: true, Active: true})
	}
	for p, r := range recs {
		e, active := kernel[p]
		out = append(out, Ban{Prefix: p, Reason: r.Reason, Since: r.Since, Expires: r.Expires, Verdict: r.Verdict,
			Evidence: r.Evidence, Packets: e.Packets, Bytes: e.Bytes, Active: active})
	}
	slices.SortFunc(out, func(a, b Ban) int {
		if c := b.Since.Compare(a.Since); c != 0 {
			return c
		}
		return comparePrefix(a.Prefix, b.Prefix)
	})
	slices.SortFunc(manual, func(a, b Ban) int { return comparePrefix(a.Prefix, b.Prefix) })
	return append(out, manual...), nil
}

// Restore makes the kernel match the state file: it re-adds bans the kernel lost (a reboot, a
// flushed set, a ban longer than ipset's maximum timeout), without duplicates, removes expired
// bans from kernel and state, and removes members of mxtop's sets that the state does not know
// (left by a crash between the kernel change and the commit). Hand-made rules are left alone.
// Call it at start and then periodically (every minute) so bans expire even with the iptables
// backend, which has no kernel timeouts, and so the one set rule comes back if Docker dropped it.
func (m *Manager) Restore(ctx context.Context) (Result, error) {
	var recs map[netip.Prefix]record
	if err := m.st.view(func(tx *bbolt.Tx) (err error) { recs, err = loadBans(tx); return err }); err != nil {
		return Result{}, err
	}
	entries, err := m.be.List(ctx)
	if err != nil {
		return Result{}, typed(err, "list bans")
	}
	kernel := make(map[netip.Prefix]Entry, len(entries))
	for _, e := range entries {
		if old, ok := kernel[e.Prefix]; !ok || !e.Rule || old.Rule {
			kernel[e.Prefix] = e
		}
	}
	now := m.cfg.Now()
	var res Result
	var expired []netip.Prefix
	var restored, orphans int
	run := func(cmds []string, err error) error {
		res.Commands = append(res.Commands, cmds...)
		return typed(err, "restore bans")
	}
	var families [2]bool
	for p, r := range recs {
		if !r.expired(now) {
			families[fam(p.Addr().Is6())] = true
		}
	}
	for i, used := range families {
		if used {
			if err := run(m.be.Ensure(ctx, i == 1)); err != nil {
				return res, err
			}
		}
	}
	for _, p := range sortedKeys(recs) {
		r := recs[p]
		e, inKernel := kernel[p]
		switch {
		case r.expired(now):
			if err := run(m.be.Remove(ctx, p)); err != nil {
				return res, err
			}
			expired = append(expired, p)
		case !inKernel || needsRefresh(e, r, now):
			left := time.Duration(0)
			if !r.Expires.IsZero() {
				left = r.Expires.Sub(now)
			}
			if err := run(m.be.Add(ctx, Entry{Prefix: p, Timeout: left})); err != nil {
				return res, err
			}
			restored++
		}
	}
	for p, e := range kernel {
		if _, ours := recs[p]; !ours && !e.Rule {
			if err := run(m.be.Remove(ctx, p)); err != nil {
				return res, err
			}
			orphans++
		}
	}
	if len(expired) > 0 {
		err := m.st.update(func(tx *bbolt.Tx) error {
			for _, p := range expired {
				if err := del(tx, bucketBans, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
	}
	res.Message = fmt.Sprintf("restored %d ban(s), expired %d, removed %d orphan set member(s)", restored, len(expired), orphans)
	if restored+len(expired)+orphans > 0 {
		return m.persist(ctx, res)
	}
	return res, nil
}

// needsRefresh is true when a set member will time out long before the stored expiry (a ban
// longer than MaxTimeout, re-added with the time left).
func needsRefresh(e Entry, r record, now time.Time) bool {
	if e.Rule || e.Timeout == 0 {
		return false
	}
	if r.Expires.IsZero() {
		return true // permanent in the state, timing out in the kernel
	}
	return r.Expires.Sub(now)-e.Timeout > time.Hour && e.Timeout < MaxTimeout/2
}

func sortedKeys(m map[netip.Prefix]record) []netip.Prefix {
	out := make([]netip.Prefix, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	slices.SortFunc(out, comparePrefix)
	return out
}
