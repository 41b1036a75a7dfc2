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
	outs, err := m.ban(ctx, []Request{req})
	if len(outs) == 0 {
		return Result{}, err
	}
	o := outs[0]
	if o.Err != nil {
		return o.Result, o.Err
	}
	if err != nil {
		return o.Result, err
	}
	return m.persist(ctx, o.Result)
}

// Outcome is what BanMany did with one request.
type Outcome struct {
	Prefix netip.Prefix // as banned (normalised); the request's own when it was invalid
	Result Result
	Err    error // the refusal or failure for this request alone; nil when banned
}

// BanMany bans every request, each after the same policy checks as Ban, in one pass: the
// whitelist and protected ranges are read once, the kernel is changed entry by entry and the
// state file is written in a single transaction. A wave of ten thousand addresses then costs
// one state-file commit instead of ten thousand. A refused or failed request does not stop the
// others; its Outcome says why. The error is for the batch as a whole (the state file could not
// be read or written, in which case no ban of the batch is kept), or the persist step.
// The returned Result sums the batch up in one line.
func (m *Manager) BanMany(ctx context.Context, reqs []Request) ([]Outcome, Result, error) {
	outs, err := m.ban(ctx, reqs)
	banned, refused := 0, 0
	for _, o := range outs {
		if o.Err == nil {
			banned++
		} else {
			refused++
		}
	}
	sum := Result{Message: fmt.Sprintf("banned %d of %d", banned, len(reqs))}
	if refused > 0 {
		sum.Message += fmt.Sprintf("; %d refused or failed", refused)
	}
	if err != nil || banned == 0 {
		return outs, sum, err
	}
	sum, err = m.persist(ctx, sum)
	return outs, sum, err
}

// ban does Ban and BanMany's work, without the persist step.
func (m *Manager) ban(ctx context.Context, reqs []Request) ([]Outcome, error) {
	if err := m.loadWhitelist(); err != nil {
		return nil, err
	}
	guards := m.guards(ctx)
	now := m.cfg.Now()
	type todo struct {
		i   int
		p   netip.Prefix
		dur time.Duration
	}
	outs := make([]Outcome, len(reqs))
	var admitted []todo
	for i, req := range reqs {
		outs[i].Prefix = req.Prefix
		p, dur, err := m.admit(req, guards)
		if err != nil {
			outs[i].Err = err
			continue
		}
		outs[i].Prefix = p
		admitted = append(admitted, todo{i, p, dur})
	}
	old := make(map[netip.Prefix]record)
	if err := m.st.view(func(tx *bbolt.Tx) error {
		for _, t := range admitted {
			r, ok, err := getBan(tx, t.p)
			if err != nil {
				return err
			}
			if ok {
				old[t.p] = r
			}
		}
		return nil
	}); err != nil {
		return outs, err
	}
	var added []todo
	for _, t := range admitted {
		cmds, err := m.be.Add(ctx, Entry{Prefix: t.p, Timeout: t.dur})
		outs[t.i].Result.Commands = cmds
		if err != nil {
			outs[t.i].Err = typed(err, "ban "+t.p.String())
			continue
		}
		added = append(added, t)
	}
	if len(added) == 0 {
		return outs, nil
	}
	err := m.st.update(func(tx *bbolt.Tx) error {
		for _, t := range added {
			req := reqs[t.i]
			rec := record{Reason: req.Reason, Since: now, Verdict: req.Verdict, Evidence: req.Evidence}
			if o, ok := old[t.p]; ok {
				rec.Since = o.Since
			}
			if t.dur > 0 {
				rec.Expires = now.Add(t.dur)
			}
			if err := putJSON(tx, bucketBans, t.p, rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		for _, t := range added { // undo the kernel changes so kernel and state agree
			if _, existed := old[t.p]; !existed {
				rb, _ := m.be.Remove(ctx, t.p)
				outs[t.i].Result.Commands = append(outs[t.i].Result.Commands, rb...)
			}
			outs[t.i].Err = err
		}
		return outs, err
	}
	for _, t := range added {
		how := "for " + FormatDuration(t.dur)
		if t.dur == 0 {
			how = "permanently"
		}
		msg := fmt.Sprintf("banned %s %s", Show(t.p), how)
		if _, existed := old[t.p]; existed {
			msg = fmt.Sprintf("%s was already banned; now banned %s", Show(t.p), how)
		}
		outs[t.i].Result.Message = msg
	}
	return outs, nil
}

// admit checks one request against the policy and returns its normalised prefix and duration.
func (m *Manager) admit(req Request, guards []guard) (netip.Prefix, time.Duration, error) {
	p, err := Normalize(req.Prefix)
	if err != nil {
		return netip.Prefix{}, 0, err
	}
	if err := check(p, guards); err != nil {
		return netip.Prefix{}, 0, err
	}
	if req.Verdict == classify.Scanner.String() && !req.Force {
		return netip.Prefix{}, 0, newErr(ErrScanner, nil,
			"refusing to ban %s: it is a known internet scanner; confirm to ban it anyway (--force)", p)
	}
	dur := req.Duration
	if dur == UseDefault {
		dur = m.cfg.DefaultDuration
	}
	if dur < 0 {
		return netip.Prefix{}, 0, newErr(ErrInvalid, nil, "negative ban duration")
	}
	return p, dur, nil
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
