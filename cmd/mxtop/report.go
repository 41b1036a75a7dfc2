package main

import (
	"context"
	"net/netip"
	"runtime/debug"
	"time"

	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/store"
)

// ReportCmd reads a log once and prints the attackers.
type ReportCmd struct {
	SourceFlags `embed:""`
	PolicyFlags `embed:""`
	Format      string   `help:"Output format: table, json or csv." enum:"table,json,csv" default:"table"`
	Top         int      `help:"Print at most N IPs (0 = all)." default:"0" placeholder:"N"`
	Unmatched   bool     `help:"Also list mail-daemon lines no rule recognised, grouped by shape."`
	Path        []string `arg:"" optional:"" help:"Log file to read, or - for stdin." placeholder:"FILE|-"`
}

// Run reads the whole input through the engine core and prints the result.
func (c *ReportCmd) Run(env *Env) error {
	cls, err := c.PolicyFlags.classify()
	if err != nil {
		return err
	}
	if c.Top < 0 {
		return usageError("--top must be 0 or more")
	}
	src, err := openSource(c.SourceFlags, c.Path, env.Stdin, false)
	if err != nil {
		return err
	}
	// A one-shot run allocates read chunks at disk speed and keeps little: let the heap grow
	// to a fixed ceiling between collections instead of collecting every few megabytes.
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(80 << 20)
	core := engine.NewCore(cls, store.Limits{NoLines: true})
	if c.Unmatched {
		core.KeepUnmatched()
	}
	var cutoff time.Time
	if env.FlagSet("since") && c.Since > 0 {
		cutoff = time.Now().Add(-c.Since)
	}
	core.SetCutoff(cutoff)
	if err := core.IngestAll(context.Background(), src); err != nil {
		return err
	}
	rows := core.Rows()
	if c.Top > 0 && len(rows) > c.Top {
		rows = rows[:c.Top]
	}
	switch c.Format {
	case "json":
		return writeJSON(env.Stdout, core, rows)
	case "csv":
		return writeCSV(env.Stdout, rows)
	default:
		return writeTable(env.Stdout, core, rows, c.Unmatched)
	}
}

// classify turns the policy flags into verdict rules, rejecting bad CIDRs with a usage error.
func (p PolicyFlags) classify() (classify.Config, error) {
	cfg := classify.Config{
		NoDefaultProtected: p.NoDefaultWhitelist,
		ScannerSuffixes:    p.ScannerSuffix,
		AuthThreshold:      p.AuthThreshold,
		EventThreshold:     p.EventThreshold,
	}
	for _, s := range p.Whitelist {
		pfx, err := parsePrefix(s)
		if err != nil {
			return cfg, usageError("--whitelist %q: not an IP or CIDR", s)
		}
		cfg.Whitelist = append(cfg.Whitelist, pfx)
	}
	return cfg, nil
}

// parsePrefix accepts "192.0.2.0/24", "2001:db8::/48" or a single address.
func parsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}
