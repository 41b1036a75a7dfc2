// Package firewall bans and unbans addresses in the kernel's packet filter, safely: a Manager
// checks every ban against what must never be banned (the operator's SSH address, this host,
// private and Docker ranges, the whitelist), keeps bans and whitelist in a bbolt state file, and
// drives a Backend (ipset with one DROP rule per family, per-address iptables rules, or dry-run).
//
//	fw, err := firewall.NewIPSet(firewall.IPSetConfig{Chain: "DOCKER-USER"})
//	m, err := firewall.NewManager(ctx, firewall.Config{Backend: fw, StatePath: "/var/lib/mxtop/state.db"})
//	defer m.Close()
//	_, err = m.Restore(ctx) // re-apply what a reboot lost, drop expired bans
//	res, err := m.Ban(ctx, firewall.Request{Prefix: p, Duration: firewall.UseDefault, Reason: "sasl brute force"})
//	if errors.Is(err, firewall.ErrProtected) { … } // err.Error() is the one-line reason
//	bans, err := m.Bans(ctx) // with the kernel's packet and byte counters
//
// Crash consistency: every action changes the kernel first and commits the state file second,
// in one transaction. The state file is the truth; Restore makes the kernel match it. A crash
// between the two leaves the old state: after an interrupted ban, Restore removes the orphan
// set member (the per-address iptables backend cannot tell it from a hand-made rule, so it is
// listed as manual); after an interrupted unban, Restore re-adds the ban. A failing backend
// call never touches the state file.
package firewall

import (
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"path/filepath"
	"time"

	"go.etcd.io/bbolt"

	"github.com/mxtop/mxtop/engine/classify"
)

// UseDefault as Request.Duration asks for the Manager's default ban duration; 0 is permanent.
const UseDefault time.Duration = -1

// netfilterPluginDir holds netfilter-persistent's plugins (Debian's iptables-persistent).
const netfilterPluginDir = "/usr/share/netfilter-persistent/plugins.d"

// DefaultBanDuration is the ban length when the configuration names none.
const DefaultBanDuration = 7 * 24 * time.Hour

// guardTTL is how long the looked-up protected addresses (host, Docker) are reused: a wave of
// bans must not query the Docker daemon once per address.
const guardTTL = 10 * time.Second

// Config configures a Manager. Zero values give the production defaults.
type Config struct {
	Backend         Backend
	StatePath       string        // bbolt file; "" = a temporary file removed by Close
	Chain           string        // for messages; the backend holds the chain it uses
	DefaultDuration time.Duration // for Request.Duration == UseDefault; 0 = DefaultBanDuration
	// DefaultPermanent makes UseDefault mean permanent (--ban-for perm).
	DefaultPermanent bool
	Persist          string         // "netfilter-persistent": run `netfilter-persistent save` after changes
	Whitelist        []netip.Prefix // configured CIDRs, never banned; cannot be removed at run time
	// Protected ranges are never banned. nil means classify.DefaultProtected() unless
	// NoDefaultProtected is set, which also turns the Docker lookup off (test labs).
	Protected          []netip.Prefix
	NoDefaultProtected bool
	SSHClients         Lookup // nil = SSHClients (environment)
	HostAddrs          Lookup // nil = HostAddrs (net.InterfaceAddrs)
	DockerNets         Lookup // nil = DockerNetworks (the daemon, when reachable)
	Now                func() time.Time
	// StateLockWait bounds the wait for another mxtop's transaction; 0 = 3 s.
	StateLockWait time.Duration
	// Run executes the persist command; nil = exec.CommandContext with captured output.
	Run func(ctx context.Context, name string, args ...string) error
}

// Manager applies the ban policy, keeps the state file and drives the backend.
//
// Manager is not safe for concurrent use: call it from one goroutine at a time (the engine
// serialises all firewall calls on its action worker). Several processes may share one state
// file; each action is one short transaction.
type Manager struct {
	cfg       Config
	be        Backend
	st        *store
	protected []guard
	whitelist []netip.Prefix // state file whitelist, refreshed by every action
	looked    []guard        // SSH, host and Docker guards, refreshed after guardTTL
	lookedAt  time.Time
	lookWarn  []string
}

// NewManager opens (or creates) the state file. It changes nothing in the kernel; call Restore
// to re-apply the stored bans.
func NewManager(ctx context.Context, cfg Config) (*Manager, error) {
	if cfg.Backend == nil {
		return nil, newErr(ErrInvalid, nil, "no firewall backend configured")
	}
	if cfg.DefaultDuration <= 0 {
		cfg.DefaultDuration = DefaultBanDuration
	}
	if cfg.DefaultPermanent {
		cfg.DefaultDuration = 0
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Run == nil {
		cfg.Run = runCommand
	}
	if cfg.SSHClients == nil {
		cfg.SSHClients = SSHClients
	}
	if cfg.HostAddrs == nil {
		cfg.HostAddrs = HostAddrs
	}
	if cfg.DockerNets == nil {
		cfg.DockerNets = DockerNetworks
	}
	if cfg.NoDefaultProtected {
		cfg.DockerNets = None
	} else if cfg.Protected == nil {
		cfg.Protected = classify.DefaultProtected()
	}
	switch cfg.Persist {
	case "":
	case "netfilter-persistent":
		if _, err := exec.LookPath("netfilter-persistent"); err != nil {
			return nil, newErr(ErrNoBinary, err, "--persist netfilter-persistent: netfilter-persistent is not installed")
		}
		// Without the ipset plugin the saved rules name sets that do not exist at boot, and
		// iptables-restore then rejects the whole table: the host would boot with no firewall.
		if plugins, _ := filepath.Glob(netfilterPluginDir + "/*ipset*"); cfg.Backend.Name() == "ipset" && len(plugins) == 0 {
			return nil, newErr(ErrNoBinary, nil, "--persist netfilter-persistent with the ipset backend needs ipset-persistent "+
				"(apt install ipset-persistent): otherwise the saved rules reference sets that do not exist at boot")
		}
	default:
		return nil, newErr(ErrInvalid, nil, "unknown persist mode %q", cfg.Persist)
	}
	st, err := openStore(cfg.StatePath, cfg.StateLockWait)
	if err != nil {
		return nil, err
	}
	m := &Manager{cfg: cfg, be: cfg.Backend, st: st}
	for _, p := range cfg.Protected {
		m.protected = append(m.protected, guard{prefix: p.Masked(), kind: ErrProtected, why: describeProtected(p)})
	}
	if err := m.loadWhitelist(); err != nil {
		st.close()
		return nil, err
	}
	_ = ctx // lookups run lazily on the first ban, with the caller's context
	return m, nil
}

// DefaultDuration is the configured default ban length; 0 is permanent.
func (m *Manager) DefaultDuration() time.Duration { return m.cfg.DefaultDuration }

// Close releases the Manager. It changes nothing in the kernel: bans outlive mxtop.
func (m *Manager) Close() error {
	m.st.close()
	return nil
}

// guards returns everything a ban must not overlap, most specific first so the refusal names
// the most useful reason (the SSH session before "private range").
func (m *Manager) guards(ctx context.Context) []guard {
	now := m.cfg.Now()
	if m.lookedAt.IsZero() || now.Sub(m.lookedAt) >= guardTTL {
		m.looked, m.lookWarn = m.looked[:0], nil
		for _, l := range []struct {
			name string
			fn   Lookup
		}{{"SSH client", m.cfg.SSHClients}, {"host addresses", m.cfg.HostAddrs}, {"Docker networks", m.cfg.DockerNets}} {
			ps, err := l.fn(ctx)
			if err != nil {
				m.lookWarn = append(m.lookWarn, fmt.Sprintf("%s lookup failed (%s); only the other ranges are protected",
					l.name, oneLine(err.Error())))
			}
			for _, p := range ps {
				m.looked = append(m.looked, guard{prefix: p.Prefix, kind: ErrProtected, why: p.Why})
			}
		}
		m.lookedAt = now
	}
	out := make([]guard, 0, len(m.looked)+len(m.cfg.Whitelist)+len(m.whitelist)+len(m.protected))
	out = append(out, m.looked...)
	for _, p := range m.cfg.Whitelist {
		out = append(out, guard{prefix: p, kind: ErrWhitelisted, why: "a range whitelisted in the configuration"})
	}
	for _, p := range m.whitelist {
		out = append(out, guard{prefix: p, kind: ErrWhitelisted, why: "a whitelisted range"})
	}
	return append(out, m.protected...)
}

// Ban bans req.Prefix after the policy checks. Banning an address that is already banned
// refreshes its expiry and reason and leaves one entry.
func (m *Manager) Ban(ctx context.Context, req Request) (Result, error) {
	p, err := Normalize(req.Prefix)
	if err != nil {
		return Result{}, err
	}
	if err := m.loadWhitelist(); err != nil {
		return Result{}, err
	}
	if err := check(p, m.guards(ctx)); err != nil {
		return Result{}, err
	}
	if req.Verdict == classify.Scanner.String() && !req.Force {
		return Result{}, newErr(ErrScanner, nil,
			"refusing to ban %s: it is a known internet scanner; confirm to ban it anyway (--force)", p)
	}
	dur := req.Duration
	if dur == UseDefault {
		dur = m.cfg.DefaultDuration
	}
	if dur < 0 {
		return Result{}, newErr(ErrInvalid, nil, "negative ban duration")
	}
	now := m.cfg.Now()
	var old record
	var existed bool
	if err := m.st.view(func(tx *bbolt.Tx) (err error) {
		old, existed, err = getBan(tx, p)
		return err
	}); err != nil {
		return Result{}, err
	}
	cmds, err := m.be.Add(ctx, Entry{Prefix: p, Timeout: dur})
	res := Result{Commands: cmds}
	if err != nil {
		return res, typed(err, "ban "+p.String())
	}
	rec := record{Reason: req.Reason, Since: now, Verdict: req.Verdict, Evidence: req.Evidence}
	if existed {
		rec.Since = old.Since
	}
	if dur > 0 {
		rec.Expires = now.Add(dur)
	}
	if err := m.st.update(func(tx *bbolt.Tx) error { return putJSON(tx, bucketBans, p, rec) }); err != nil {
		if !existed { // undo the kernel change so kernel and state agree
			rb, _ := m.be.Remove(ctx, p)
			res.Commands = append(res.Commands, rb...)
		}
		return res, err
	}
	how := "for " + FormatDuration(dur)
	if dur == 0 {
		how = "permanently"
	}
	res.Message = fmt.Sprintf("banned %s %s", Show(p), how)
	if existed {
		res.Message = fmt.Sprintf("%s was already banned; now banned %s", Show(p), how)
	}
	return m.persist(ctx, res)
}

// Unban lifts a ban: mxtop's own, or a hand-made "-s PREFIX -j DROP" rule in the chain.
// Unbanning what is not banned is not an error.
func (m *Manager) Unban(ctx context.Context, p netip.Prefix) (Result, error) {
	p, err := Normalize(p)
	if err != nil {
		return Result{}, err
	}
	cmds, err := m.be.Remove(ctx, p)
	res := Result{Commands: cmds}
	if err != nil {
		return res, typed(err, "unban "+p.String())
	}
	var existed bool
	err = m.st.update(func(tx *bbolt.Tx) error {
		existed = tx.Bucket(bucketBans).Get([]byte(p.String())) != nil
		return del(tx, bucketBans, p)
	})
	if err != nil {
		return res, err
	}
	res.Message = "unbanned " + Show(p)
	if !existed {
		res.Message = Show(p) + " was not banned by mxtop; removed any kernel entry for it"
	}
	return m.persist(ctx, res)
}

// persist runs `netfilter-persistent save` when configured. The change itself has happened;
// a failure here is returned with the result so the operator knows the rules are not saved.
func (m *Manager) persist(ctx context.Context, res Result) (Result, error) {
	if m.cfg.Persist != "netfilter-persistent" || m.be.Name() == "dry-run" {
		return res, nil
	}
	res.Commands = append(res.Commands, "netfilter-persistent save")
	if err := m.cfg.Run(ctx, "netfilter-persistent", "save"); err != nil {
		return res, newErr(ErrBackend, err, "%s, but netfilter-persistent save failed", res.Message)
	}
	return res, nil
}

// Health reports the backend's health plus warnings from the protected-range lookups.
func (m *Manager) Health(ctx context.Context) Health {
	h := m.be.Health(ctx)
	m.guards(ctx)
	h.Warnings = append(h.Warnings, m.lookWarn...)
	return h
}
