package firewall_test

import (
	"context"
	"errors"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/mxtop/mxtop/engine/firewall"
	"github.com/mxtop/mxtop/engine/firewall/firewalltest"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

type fixture struct {
	m     *firewall.Manager
	rec   *firewalltest.Recorder
	clk   *clock
	state string
	cfg   firewall.Config
}

func static(ps ...firewall.Protect) firewall.Lookup {
	return func(context.Context) ([]firewall.Protect, error) { return ps, nil }
}

func newFixture(t *testing.T, mod func(*firewall.Config)) *fixture {
	t.Helper()
	f := &fixture{rec: firewalltest.New(), clk: &clock{now: t0}, state: filepath.Join(t.TempDir(), "state.db")}
	f.cfg = firewall.Config{
		Backend:    f.rec,
		StatePath:  f.state,
		SSHClients: static(firewall.Protect{Prefix: netip.MustParsePrefix("198.51.100.77/32"), Why: "your SSH client address"}),
		HostAddrs:  static(firewall.Protect{Prefix: netip.MustParsePrefix("192.0.2.10/32"), Why: "an address of this host"}),
		DockerNets: static(
			firewall.Protect{Prefix: netip.MustParsePrefix("203.0.113.128/25"), Why: "the subnet of Docker network mail"},
			firewall.Protect{Prefix: netip.MustParsePrefix("2001:db8:d0c::1/128"), Why: "the gateway of Docker network mail"}),
		Whitelist: []netip.Prefix{netip.MustParsePrefix("192.0.2.64/26")},
		Now:       f.clk.Now,
		Run:       func(context.Context, string, ...string) error { return errors.New("persist must not run") },
	}
	if mod != nil {
		mod(&f.cfg)
	}
	f.reopen(t)
	return f
}

// reopen builds a new Manager on the same state file and backend, as a restart does.
func (f *fixture) reopen(t *testing.T) {
	t.Helper()
	m, err := firewall.NewManager(t.Context(), f.cfg)
	if err != nil {
		t.Fatalf("NewManager: %v", err)
	}
	t.Cleanup(func() { _ = m.Close() })
	f.m = m
}

func pfx(s string) netip.Prefix {
	p, err := firewall.ParseTarget(s)
	if err != nil {
		panic(err)
	}
	return p
}

func TestManager_RefusesProtectedWithReason(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	cases := []struct {
		target string
		kind   error
		reason string
	}{
		{"198.51.100.77", firewall.ErrProtected, "SSH client"},
		{"198.51.100.0/24", firewall.ErrProtected, "SSH client"}, // a CIDR that covers the SSH client
		{"192.0.2.10", firewall.ErrProtected, "this host"},
		{"203.0.113.200", firewall.ErrProtected, "subnet of Docker network mail"},
		{"203.0.113.0/24", firewall.ErrProtected, "subnet of Docker network mail"},
		{"2001:db8:d0c::/64", firewall.ErrProtected, "gateway of Docker network mail"},
		{"192.0.2.70", firewall.ErrWhitelisted, "whitelisted"},
		{"192.0.2.64/27", firewall.ErrWhitelisted, "whitelisted"},
		{"127.0.0.1", firewall.ErrProtected, "loopback"},
		{"10.1.2.3", firewall.ErrProtected, "RFC 1918"},
		{"172.20.0.1", firewall.ErrProtected, "RFC 1918"},
		{"192.168.1.1", firewall.ErrProtected, "RFC 1918"},
		{"100.64.1.1", firewall.ErrProtected, "carrier-grade NAT"},
		{"169.254.1.1", firewall.ErrProtected, "link-local"},
		{"fe80::1", firewall.ErrProtected, "link-local"},
		{"fd00::1", firewall.ErrProtected, "unique local"},
		{"::1", firewall.ErrProtected, "loopback"},
		{"::ffff:10.0.0.1", firewall.ErrProtected, "RFC 1918"},  // IPv4-mapped is unmapped first
		{"169.254.0.0/15", firewall.ErrProtected, "link-local"}, // covers 169.254.0.0/16
	}
	for _, c := range cases {
		res, err := f.m.Ban(t.Context(), firewall.Request{Prefix: pfx(c.target), Duration: time.Hour})
		if !errors.Is(err, c.kind) {
			t.Errorf("Ban(%s) err = %v, want %v", c.target, err, c.kind)
			continue
		}
		if !strings.Contains(err.Error(), c.reason) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Ban(%s) reason %q lacks %q or is not one line", c.target, err, c.reason)
		}
		if len(res.Commands) != 0 {
			t.Errorf("Ban(%s) ran %v", c.target, res.Commands)
		}
	}
	if calls := f.rec.Calls(); len(calls) != 0 {
		t.Errorf("backend was called: %v", calls)
	}
}

func TestManager_BanUnmapsAndStores(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	res, err := f.m.Ban(t.Context(), firewall.Request{
		Prefix: netip.MustParsePrefix("::ffff:203.0.113.7/128"), Duration: firewall.UseDefault,
		Reason: "sasl brute force", Verdict: "botnet", Evidence: map[string]int64{"auth": 42},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := netip.MustParsePrefix("203.0.113.7/32")
	if !f.rec.Has(want) {
		t.Fatalf("kernel lacks %s: %v", want, f.rec.Entries())
	}
	if res.Message != "banned 203.0.113.7 for 7d" {
		t.Errorf("message = %q", res.Message)
	}
	bans, err := f.m.Bans(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(bans) != 1 || bans[0].Prefix != want || bans[0].Reason != "sasl brute force" ||
		bans[0].Evidence["auth"] != 42 || !bans[0].Expires.Equal(t0.Add(7*24*time.Hour)) || !bans[0].Active {
		t.Errorf("bans = %+v", bans)
	}
}

func TestManager_ScannerNeedsForce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	req := firewall.Request{Prefix: pfx("198.18.0.9"), Verdict: "scanner", Duration: time.Hour}
	if _, err := f.m.Ban(t.Context(), req); !errors.Is(err, firewall.ErrScanner) {
		t.Fatalf("err = %v, want ErrScanner", err)
	}
	if f.rec.Has(req.Prefix) {
		t.Fatal("scanner banned without force")
	}
	req.Force = true
	if _, err := f.m.Ban(t.Context(), req); err != nil {
		t.Fatalf("forced ban: %v", err)
	}
	if !f.rec.Has(req.Prefix) {
		t.Fatal("forced scanner ban not applied")
	}
}

func TestManager_BanIsIdempotent(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	req := firewall.Request{Prefix: pfx("203.0.113.7"), Duration: time.Hour, Reason: "first"}
	if _, err := f.m.Ban(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	f.clk.now = t0.Add(time.Minute)
	req.Reason, req.Duration = "second", 2*time.Hour
	res, err := f.m.Ban(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Message, "already banned") {
		t.Errorf("message = %q", res.Message)
	}
	bans, _ := f.m.Bans(t.Context())
	if len(bans) != 1 || len(f.rec.Entries()) != 1 {
		t.Fatalf("bans = %+v, kernel = %+v", bans, f.rec.Entries())
	}
	if !bans[0].Since.Equal(t0) || bans[0].Reason != "second" || !bans[0].Expires.Equal(t0.Add(time.Minute+2*time.Hour)) {
		t.Errorf("ban = %+v", bans[0])
	}
}

func TestManager_BackendFailureLeavesStateUnchanged(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	locked := errors.New("iptables: Another app is currently holding the xtables lock")
	f.rec.Fail(firewalltest.OpAdd, locked)
	_, err := f.m.Ban(t.Context(), firewall.Request{Prefix: pfx("203.0.113.7"), Duration: time.Hour})
	if !errors.Is(err, firewall.ErrLocked) || !errors.Is(err, locked) {
		t.Fatalf("err = %v, want ErrLocked wrapping the cause", err)
	}
	f.rec.Fail(firewalltest.OpAdd, nil)
	bans, err := f.m.Bans(t.Context())
	if err != nil || len(bans) != 0 {
		t.Fatalf("state changed after a failed ban: %+v %v", bans, err)
	}
	if _, err := f.m.Ban(t.Context(), firewall.Request{Prefix: pfx("203.0.113.8"), Duration: time.Hour}); err != nil {
		t.Fatal(err)
	}
	f.rec.Fail(firewalltest.OpRemove, errors.New("iptables: No chain/target/match by that name."))
	if _, err := f.m.Unban(t.Context(), pfx("203.0.113.8")); !errors.Is(err, firewall.ErrChainMissing) {
		t.Fatalf("unban err = %v, want ErrChainMissing", err)
	}
	f.rec.Fail(firewalltest.OpRemove, nil)
	if bans, _ := f.m.Bans(t.Context()); len(bans) != 1 {
		t.Fatalf("failed unban changed the state: %+v", bans)
	}
}

func TestManager_UnbanAndUnknown(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	p := pfx("2001:db8:bad::/64")
	if _, err := f.m.Ban(t.Context(), firewall.Request{Prefix: p}); err != nil {
		t.Fatal(err)
	}
	res, err := f.m.Unban(t.Context(), netip.MustParsePrefix("2001:db8:bad::1/64")) // host bits are masked
	if err != nil || res.Message != "unbanned 2001:db8:bad::/64" {
		t.Fatalf("unban: %q %v", res.Message, err)
	}
	if f.rec.Has(p) {
		t.Fatal("still in kernel")
	}
	res, err = f.m.Unban(t.Context(), p)
	if err != nil || !strings.Contains(res.Message, "was not banned") {
		t.Fatalf("second unban: %q %v", res.Message, err)
	}
}

func TestManager_ManualRulesListed(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.rec.Put(firewall.Entry{Prefix: pfx("198.18.5.5"), Rule: true, Packets: 9, Bytes: 540})
	if _, err := f.m.Ban(t.Context(), firewall.Request{Prefix: pfx("198.18.6.6"), Duration: time.Hour}); err != nil {
		t.Fatal(err)
	}
	bans, err := f.m.Bans(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(bans) != 2 || bans[0].Manual || !bans[1].Manual || bans[1].Packets != 9 || bans[1].Bytes != 540 {
		t.Fatalf("bans = %+v", bans)
	}
}

func TestManager_RestoreAfterRebootAndExpiry(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	for _, r := range []firewall.Request{
		{Prefix: pfx("203.0.113.1"), Duration: time.Hour},
		{Prefix: pfx("203.0.113.2"), Duration: 48 * time.Hour},
		{Prefix: pfx("203.0.113.0/26"), Duration: 0}, // permanent
	} {
		if _, err := f.m.Ban(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	f.rec.Reboot()
	f.rec.Put(firewall.Entry{Prefix: pfx("198.18.9.9")})             // orphan set member (crash before commit)
	f.rec.Put(firewall.Entry{Prefix: pfx("198.18.7.7"), Rule: true}) // hand-made rule: left alone
	f.clk.now = t0.Add(2 * time.Hour)
	f.reopen(t)
	res, err := f.m.Restore(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if res.Message != "restored 2 ban(s), expired 1, removed 1 orphan set member(s)" {
		t.Errorf("message = %q", res.Message)
	}
	got := f.rec.Entries()
	var prefixes []string
	for _, e := range got {
		prefixes = append(prefixes, e.Prefix.String()+"="+firewall.FormatDuration(e.Timeout))
	}
	want := []string{"198.18.7.7/32=perm", "203.0.113.0/26=perm", "203.0.113.2/32=46h"}
	if !slices.Equal(prefixes, want) {
		t.Errorf("kernel = %v, want %v", prefixes, want)
	}
	// A second restore changes nothing: no duplicates.
	f.rec.ResetCalls()
	res, err = f.m.Restore(t.Context())
	if err != nil || res.Message != "restored 0 ban(s), expired 0, removed 0 orphan set member(s)" {
		t.Fatalf("second restore: %q %v", res.Message, err)
	}
	if calls := f.rec.Calls(); !slices.Equal(calls, []string{firewalltest.OpList, "ensure 4"}) {
		t.Errorf("second restore ran %v", calls)
	}
	bans, _ := f.m.Bans(t.Context())
	if len(bans) != 3 { // two of ours and the manual rule
		t.Errorf("bans = %+v", bans)
	}
}

func TestManager_WhitelistWinsAndPersists(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	if _, err := f.m.Ban(t.Context(), firewall.Request{Prefix: pfx("198.18.1.1"), Duration: time.Hour}); err != nil {
		t.Fatal(err)
	}
	res, err := f.m.SetWhitelist(t.Context(), pfx("198.18.1.0/24"), true)
	if err != nil || res.Message != "whitelisted 198.18.1.0/24 and lifted 1 ban(s)" {
		t.Fatalf("whitelist: %q %v", res.Message, err)
	}
	if f.rec.Has(pfx("198.18.1.1")) {
		t.Fatal("whitelisted address still banned")
	}
	f.reopen(t) // the whitelist lives in the state file
	if _, err := f.m.Ban(t.Context(), firewall.Request{Prefix: pfx("198.18.1.1")}); !errors.Is(err, firewall.ErrWhitelisted) {
		t.Fatalf("ban after whitelist: %v", err)
	}
	wl := f.m.Whitelist()
	if !slices.Contains(wl, pfx("198.18.1.0/24")) || !slices.Contains(wl, pfx("192.0.2.64/26")) {
		t.Errorf("whitelist = %v", wl)
	}
	if _, err := f.m.SetWhitelist(t.Context(), pfx("192.0.2.64/26"), false); !errors.Is(err, firewall.ErrInvalid) {
		t.Errorf("removing a configured entry: %v", err)
	}
	if _, err := f.m.SetWhitelist(t.Context(), pfx("198.18.1.0/24"), false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.Ban(t.Context(), firewall.Request{Prefix: pfx("198.18.1.1")}); err != nil {
		t.Fatalf("ban after un-whitelist: %v", err)
	}
}

func TestManager_NoDefaultProtectedForLabs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *firewall.Config) { c.NoDefaultProtected = true })
	if _, err := f.m.Ban(t.Context(), firewall.Request{Prefix: pfx("10.9.9.9")}); err != nil {
		t.Fatalf("lab ban of a private address: %v", err)
	}
	// The SSH client stays protected even in a lab.
	if _, err := f.m.Ban(t.Context(), firewall.Request{Prefix: pfx("198.51.100.77")}); !errors.Is(err, firewall.ErrProtected) {
		t.Fatalf("SSH client: %v", err)
	}
}

func TestManager_PersistRunsAfterChange(t *testing.T) {
	t.Parallel()
	var ran []string
	f := newFixture(t, func(c *firewall.Config) {
		c.Run = func(_ context.Context, name string, args ...string) error {
			ran = append(ran, name+" "+strings.Join(args, " "))
			return nil
		}
	})
	f.m = nil
	f.cfg.Persist = "netfilter-persistent"
	if _, err := firewall.NewManager(t.Context(), f.cfg); err == nil {
		// netfilter-persistent is installed here; exercise the save.
		f.reopen(t)
		res, err := f.m.Ban(t.Context(), firewall.Request{Prefix: pfx("203.0.113.9")})
		if err != nil || !slices.Contains(res.Commands, "netfilter-persistent save") || len(ran) != 1 {
			t.Fatalf("persist: %v %v %v", res.Commands, ran, err)
		}
	} else if !errors.Is(err, firewall.ErrNoBinary) {
		t.Fatalf("missing netfilter-persistent: %v, want ErrNoBinary", err)
	}
}

func TestManager_StateLockedByAnotherProcess(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *firewall.Config) { c.StateLockWait = 50 * time.Millisecond })
	db, err := bbolt.Open(f.state, 0o600, nil) // another mxtop in the middle of a transaction
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.m.Ban(t.Context(), firewall.Request{Prefix: pfx("203.0.113.7")})
	if !errors.Is(err, firewall.ErrLocked) || !strings.Contains(err.Error(), "in use by another mxtop") {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
	if len(f.rec.Entries()) != 0 {
		t.Fatal("kernel changed although the state could not be read")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.Ban(t.Context(), firewall.Request{Prefix: pfx("203.0.113.7")}); err != nil {
		t.Fatalf("after the lock is released: %v", err)
	}
}

// TestManager_BanManyMixedWave: one batch of good, protected, whitelisted, scanner and invalid
// requests bans exactly the good ones, says why for each other, and keeps one state entry per
// ban, as separate Ban calls would.
func TestManager_BanManyMixedWave(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	reqs := []firewall.Request{
		{Prefix: pfx("203.0.113.7"), Duration: time.Hour, Reason: "pregreet", Verdict: "botnet"},
		{Prefix: pfx("198.51.100.77")},                   // the SSH client
		{Prefix: pfx("192.0.2.70")},                      // whitelisted in the configuration
		{Prefix: pfx("203.0.113.9"), Verdict: "scanner"}, // needs Force
		{Prefix: pfx("203.0.113.10"), Verdict: "scanner", Force: true},
		{Prefix: netip.Prefix{}},                          // invalid
		{Prefix: pfx("2001:db8:bad::/64"), Duration: 0},   // permanent
		{Prefix: pfx("203.0.113.7"), Duration: time.Hour}, // a duplicate: refreshed, one entry
	}
	outs, sum, err := f.m.BanMany(t.Context(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	wantErr := []error{nil, firewall.ErrProtected, firewall.ErrWhitelisted, firewall.ErrScanner, nil, firewall.ErrInvalid, nil, nil}
	for i, o := range outs {
		if !errors.Is(o.Err, wantErr[i]) || (wantErr[i] == nil) != (o.Err == nil) {
			t.Errorf("request %d (%s): err %v, want %v", i, reqs[i].Prefix, o.Err, wantErr[i])
		}
		if o.Err == nil && !strings.HasPrefix(o.Result.Message, "banned "+firewall.Show(o.Prefix)) {
			t.Errorf("request %d: message %q", i, o.Result.Message)
		}
	}
	if sum.Message != "banned 4 of 8; 4 refused or failed" {
		t.Errorf("summary %q", sum.Message)
	}
	bans, err := f.m.Bans(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range bans {
		got = append(got, b.Prefix.String())
	}
	slices.Sort(got)
	if want := []string{"2001:db8:bad::/64", "203.0.113.10/32", "203.0.113.7/32"}; !slices.Equal(got, want) {
		t.Fatalf("bans %v, want %v", got, want)
	}
	for _, b := range bans {
		if b.Prefix == pfx("203.0.113.7") && (b.Reason != "" || !b.Expires.Equal(t0.Add(time.Hour))) {
			t.Errorf("duplicate request not applied last: %+v", b)
		}
	}
}

// TestManager_BanManyBackendFailureIsPerRequest: a kernel refusal for one address fails that
// request only, and only the others reach the state file.
func TestManager_BanManyBackendFailureIsPerRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.rec.FailFor(firewalltest.OpAdd, pfx("203.0.113.8"), errors.New("ipset: Hash is full, cannot add more elements"))
	outs, _, err := f.m.BanMany(t.Context(), []firewall.Request{{Prefix: pfx("203.0.113.7")}, {Prefix: pfx("203.0.113.8")}})
	if err != nil || outs[0].Err != nil || outs[1].Err == nil {
		t.Fatalf("err %v, outcomes %+v", err, outs)
	}
	if bans, _ := f.m.Bans(t.Context()); len(bans) != 1 || bans[0].Prefix != pfx("203.0.113.7") {
		t.Fatalf("bans %+v", bans)
	}
}
