package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/mxtop/mxtop/engine/firewall"
)

// banPolicy holds the two policy flags the firewall commands honour. They carry the same names
// as PolicyFlags, so the config file's `whitelist` and `no_default_whitelist` apply to
// `mxtop ban` exactly as they do to the TUI.
type banPolicy struct {
	Whitelist          []string `help:"CIDR never counted as an attacker and never banned (repeatable)." placeholder:"CIDR"`
	NoDefaultWhitelist bool     `help:"Do not protect loopback, private, link-local and Docker ranges (for test labs)."`
}

// BanCmd bans one or many IPs or CIDRs.
type BanCmd struct {
	FirewallFlags `embed:""`
	banPolicy     `embed:""`
	Targets       []string `arg:"" help:"IPs or CIDRs to ban; - reads them from stdin, one per line (first field; # starts a comment)." placeholder:"IP|CIDR|-"`
	For           string   `help:"How long: 30m, 1h, 7d, perm (default: --ban-for)." placeholder:"DURATION"`
	Reason        string   `help:"Why, shown by mxtop bans." placeholder:"TEXT"`
	Force         bool     `help:"Ban even an address whose verdict is scanner."`
	Subnet        bool     `help:"Ban the /24 (IPv4) or /64 (IPv6) around the address."`
	Verdict       string   `help:"Verdict to record with the ban (scanner needs --force)." hidden:""`
}

// Run bans. One target is one ban; several (or -) are one batch: one state-file transaction
// for the whole wave, each refusal reported on its own line, the others banned.
func (c *BanCmd) Run(env *Env) error {
	dur := firewall.UseDefault
	if c.For != "" {
		var err error
		if dur, err = firewall.ParseDuration(c.For); err != nil {
			return usageError("--for: %v", err)
		}
	}
	reason := c.Reason
	if reason == "" {
		reason = "manual ban"
	}
	if len(c.Targets) == 1 && c.Targets[0] != "-" {
		p, err := c.target(c.Targets[0])
		if err != nil {
			return usageError("%v", err)
		}
		return withManager(env, c.FirewallFlags, c.banPolicy, true, func(ctx context.Context, m *firewall.Manager) error {
			res, err := m.Ban(ctx, firewall.Request{Prefix: p, Duration: dur, Reason: reason, Verdict: c.Verdict, Force: c.Force})
			printResult(env.Stdout, res)
			return err
		})
	}
	reqs, bad, err := c.requests(env)
	if err != nil {
		return err
	}
	return withManager(env, c.FirewallFlags, c.banPolicy, true, func(ctx context.Context, m *firewall.Manager) error {
		for i := range reqs {
			reqs[i].Duration, reqs[i].Reason, reqs[i].Verdict, reqs[i].Force = dur, reason, c.Verdict, c.Force
		}
		outs, sum, err := m.BanMany(ctx, reqs)
		failed := bad
		for _, o := range outs {
			if o.Err != nil {
				fmt.Fprintln(env.Stderr, "mxtop:", o.Err)
				if !isRefusal(o.Err) {
					failed++
				}
				continue
			}
			printResult(env.Stdout, o.Result)
		}
		printResult(env.Stdout, sum)
		if err != nil {
			return err
		}
		if failed > 0 {
			return fmt.Errorf("%d of %d targets failed (see above)", failed, len(reqs)+bad)
		}
		return nil
	})
}

// target parses one IP or CIDR, widened by --subnet.
func (c *BanCmd) target(s string) (netip.Prefix, error) {
	p, err := firewall.ParseTarget(s)
	if err != nil {
		return p, err
	}
	if c.Subnet {
		bits := 24
		if p.Addr().Is6() {
			bits = 64
		}
		if p.Bits() > bits {
			p, _ = firewall.Around(p.Addr(), bits)
		}
	}
	return p, nil
}

// requests reads the targets of a batch. A bad command-line target is a usage error before
// anything is banned; a bad line on stdin is reported and skipped (counted in bad), so one
// typo does not stop a wave.
func (c *BanCmd) requests(env *Env) (reqs []firewall.Request, bad int, err error) {
	for _, t := range c.Targets {
		if t != "-" {
			p, err := c.target(t)
			if err != nil {
				return nil, 0, usageError("%v", err)
			}
			reqs = append(reqs, firewall.Request{Prefix: p})
			continue
		}
		sc := bufio.NewScanner(env.Stdin)
		for n := 1; sc.Scan(); n++ {
			f := strings.Fields(sc.Text())
			if len(f) == 0 || strings.HasPrefix(f[0], "#") {
				continue
			}
			p, err := c.target(f[0])
			if err != nil {
				fmt.Fprintf(env.Stderr, "mxtop: stdin line %d: %v\n", n, err)
				bad++
				continue
			}
			reqs = append(reqs, firewall.Request{Prefix: p})
		}
		if err := sc.Err(); err != nil {
			return nil, 0, fmt.Errorf("reading targets from stdin: %w", err)
		}
	}
	return reqs, bad, nil
}

// isRefusal reports a ban the policy refused (protected, whitelisted, a scanner without
// --force): expected in a wave read from a report, so not a failure of the batch.
func isRefusal(err error) bool {
	return errors.Is(err, firewall.ErrProtected) || errors.Is(err, firewall.ErrWhitelisted) || errors.Is(err, firewall.ErrScanner)
}

// UnbanCmd lifts a ban.
type UnbanCmd struct {
	FirewallFlags `embed:""`
	Target        string `arg:"" help:"IP or CIDR to unban." placeholder:"IP|CIDR"`
}

// Run unbans.
func (c *UnbanCmd) Run(env *Env) error {
	p, err := firewall.ParseTarget(c.Target)
	if err != nil {
		return usageError("%v", err)
	}
	return withManager(env, c.FirewallFlags, banPolicy{}, true, func(ctx context.Context, m *firewall.Manager) error {
		res, err := m.Unban(ctx, p)
		printResult(env.Stdout, res)
		return err
	})
}

// BansCmd lists bans.
type BansCmd struct {
	FirewallFlags `embed:""`
	Format        string `help:"Output format: table or json." enum:"table,json" default:"table"`
}

// Run lists mxtop's bans and the chain's hand-made DROP rules with the kernel's counters. It
// changes nothing; a ban the kernel lost is marked NOT ENFORCED until the next ban, unban or
// start of the TUI restores it.
func (c *BansCmd) Run(env *Env) error {
	return withManager(env, c.FirewallFlags, banPolicy{}, false, func(ctx context.Context, m *firewall.Manager) error {
		bans, err := m.Bans(ctx)
		if err != nil {
			return err
		}
		if c.Format == "json" {
			return writeBansJSON(env.Stdout, bans)
		}
		fmt.Fprintln(env.Stderr, "mxtop:", healthLine(m.Health(ctx)))
		return writeBansTable(env.Stdout, bans, time.Now())
	})
}

// WhitelistCmd manages the whitelist.
type WhitelistCmd struct {
	FirewallFlags `embed:""`
	banPolicy     `embed:""`
	Action        string `arg:"" enum:"add,rm,list" default:"list" help:"add, rm or list."`
	Target        string `arg:"" optional:"" help:"IP or CIDR to add or remove." placeholder:"IP|CIDR"`
}

// Run manages.
func (c *WhitelistCmd) Run(env *Env) error {
	var p netip.Prefix
	if c.Action != "list" {
		if c.Target == "" {
			return usageError("whitelist %s needs an IP or CIDR", c.Action)
		}
		var err error
		if p, err = parseWhitelistTarget(c.Target); err != nil {
			return usageError("%q is not an IP address or CIDR", c.Target)
		}
	}
	return withManager(env, c.FirewallFlags, c.banPolicy, c.Action != "list", func(ctx context.Context, m *firewall.Manager) error {
		if c.Action == "list" {
			for _, w := range m.Whitelist() {
				fmt.Fprintln(env.Stdout, w)
			}
			return nil
		}
		res, err := m.SetWhitelist(ctx, p, c.Action == "add")
		printResult(env.Stdout, res)
		return err
	})
}

func parseWhitelistTarget(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("not an IP address or CIDR")
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// withManager builds the backend and Manager from the flags and runs fn. When restore is set
// it first re-applies the stored bans (this run may be the first mxtop since a reboot) and
// expires old ones. Health warnings (chain not jumped to, dry-run) go to stderr.
func withManager(env *Env, ff FirewallFlags, pol banPolicy, restore bool, fn func(context.Context, *firewall.Manager) error) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := managerConfig(ff, pol)
	if err != nil {
		return err
	}
	m, err := firewall.NewManager(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() { _ = m.Close() }()
	for _, w := range m.Health(ctx).Warnings {
		fmt.Fprintln(env.Stderr, "mxtop: warning:", w)
	}
	if restore {
		res, err := m.Restore(ctx)
		if err != nil {
			return err
		}
		if len(res.Commands) > 0 {
			printResult(env.Stdout, res)
		}
	}
	return fn(ctx, m)
}

// managerConfig turns the firewall and policy flags into a Manager configuration.
func managerConfig(ff FirewallFlags, pol banPolicy) (firewall.Config, error) {
	def, err := firewall.ParseDuration(ff.BanFor)
	if err != nil {
		return firewall.Config{}, usageError("--ban-for: %v", err)
	}
	cfg := firewall.Config{
		StatePath: ff.State, Chain: ff.Chain, DefaultDuration: def, DefaultPermanent: def == 0,
		Persist: ff.Persist, NoDefaultProtected: pol.NoDefaultWhitelist,
	}
	for _, s := range pol.Whitelist {
		p, err := parseWhitelistTarget(s)
		if err != nil {
			return cfg, usageError("--whitelist %q: not an IP or CIDR", s)
		}
		cfg.Whitelist = append(cfg.Whitelist, p.Masked())
	}
	switch ff.Firewall {
	case "dry-run":
		cfg.Backend = &firewall.DryRun{Chain: ff.Chain}
		cfg.StatePath = "" // a dry run leaves the real state file alone
	case "iptables":
		cfg.Backend, err = firewall.NewIPTables(ff.Chain)
	default:
		cfg.Backend, err = firewall.NewIPSet(firewall.IPSetConfig{Chain: ff.Chain})
	}
	return cfg, err
}

// healthLine says which firewall path the bans live in: "firewall ipset in chain DOCKER-USER
// (iptables nf_tables, reached from FORWARD)".
func healthLine(h firewall.Health) string {
	mode := h.Mode
	if mode == "" {
		mode = "variant unknown"
	}
	reach := "reached"
	switch {
	case !h.ChainExists:
		reach = "MISSING"
	case !h.Jumped:
		reach = "NOT REACHED: bans are not enforced"
	}
	if h.Backend == "dry-run" {
		return "firewall dry-run: nothing is applied"
	}
	return fmt.Sprintf("firewall %s in chain %s (iptables %s, %s)", h.Backend, h.Chain, mode, reach)
}

func printResult(w io.Writer, res firewall.Result) {
	if res.Message != "" {
		fmt.Fprintln(w, res.Message)
	}
	for _, c := range res.Commands {
		fmt.Fprintln(w, "  "+c)
	}
}

// clean makes free text (a ban reason, possibly built from log data) safe for one terminal cell.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return ' '
		}
		return r
	}, s)
}

func writeBansTable(w io.Writer, bans []firewall.Ban, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PREFIX\tSINCE\tEXPIRES\tPACKETS\tBYTES\tVERDICT\tREASON")
	for _, b := range bans {
		since, expires, verdict := "-", "never", b.Verdict
		if !b.Since.IsZero() {
			since = b.Since.Local().Format("2006-01-02 15:04")
		}
		switch {
		case b.Manual:
			expires = "manual rule"
		case !b.Expires.IsZero() && !b.Expires.After(now):
			expires = "expired"
		case !b.Expires.IsZero():
			expires = "in " + firewall.FormatDuration(b.Expires.Sub(now).Round(time.Minute))
		}
		if verdict == "" {
			verdict = "-"
		}
		reason := clean(b.Reason)
		if !b.Active {
			reason = "NOT ENFORCED " + reason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", b.Prefix, since, expires, b.Packets, b.Bytes, clean(verdict), reason)
	}
	return tw.Flush()
}

type banJSON struct {
	Prefix   string           `json:"prefix"`
	Reason   string           `json:"reason,omitempty"`
	Since    *time.Time       `json:"since,omitempty"`
	Expires  *time.Time       `json:"expires"` // null = permanent
	Verdict  string           `json:"verdict,omitempty"`
	Evidence map[string]int64 `json:"evidence,omitempty"`
	Packets  uint64           `json:"packets"`
	Bytes    uint64           `json:"bytes"`
	Manual   bool             `json:"manual"`
	Active   bool             `json:"active"`
}

func writeBansJSON(w io.Writer, bans []firewall.Ban) error {
	out := make([]banJSON, 0, len(bans))
	for _, b := range bans {
		j := banJSON{Prefix: b.Prefix.String(), Reason: b.Reason, Verdict: b.Verdict, Evidence: b.Evidence,
			Packets: b.Packets, Bytes: b.Bytes, Manual: b.Manual, Active: b.Active}
		if !b.Since.IsZero() {
			j.Since = &b.Since
		}
		if !b.Expires.IsZero() {
			j.Expires = &b.Expires
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
