package firewall_test

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mxtop/mxtop/engine/firewall"
)

func realManager(t *testing.T, be firewall.Backend, state string, now func() time.Time) *firewall.Manager {
	t.Helper()
	m, err := firewall.NewManager(t.Context(), firewall.Config{
		Backend: be, StatePath: state, Chain: "DOCKER-USER", Now: now,
		SSHClients: firewall.None, HostAddrs: firewall.None, DockerNets: firewall.None,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

func newIPSet(t *testing.T) *firewall.IPSet {
	t.Helper()
	be, err := firewall.NewIPSet(firewall.IPSetConfig{Chain: "DOCKER-USER"})
	if err != nil {
		t.Fatal(err)
	}
	return be
}

// sendFrom sends n UDP datagrams from src to itself over loopback: they traverse INPUT, where
// the stand-in DOCKER-USER drops them if src is banned.
func sendFrom(t *testing.T, src string, n int) {
	t.Helper()
	mustRun(t, "ip", "addr", "add", src+"/32", "dev", "lo")
	a := net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(src), 0))
	c, err := net.DialUDP("udp", a, net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(src), 9)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range n {
		_, _ = c.Write([]byte("ping"))
	}
}

func find(bans []firewall.Ban, p string) (firewall.Ban, bool) {
	for _, b := range bans {
		if b.Prefix.String() == p {
			return b, true
		}
	}
	return firewall.Ban{}, false
}

func TestIntegration_IPSetBanCountersUnbanRestore(t *testing.T) {
	if !inNetns(t) {
		return
	}
	requireIPSet(t)
	standInDockerUser(t)
	state := filepath.Join(t.TempDir(), "state.db")
	m := realManager(t, newIPSet(t), state, nil)

	h := m.Health(t.Context())
	if !h.ChainExists || !h.Jumped || (h.Mode != "nf_tables" && h.Mode != "legacy") || len(h.Warnings) != 0 {
		t.Fatalf("health = %+v", h)
	}
	for _, r := range []firewall.Request{
		{Prefix: pfx("203.0.113.7"), Duration: time.Hour, Reason: "auth"},
		{Prefix: pfx("203.0.113.7"), Duration: 2 * time.Hour, Reason: "again"}, // idempotent
		{Prefix: pfx("2001:db8:bad::/64"), Duration: 0},
		{Prefix: pfx("198.18.0.0/24"), Duration: firewall.UseDefault},
	} {
		res, err := m.Ban(t.Context(), r)
		if err != nil {
			t.Fatalf("ban %s: %v (ran %v)", r.Prefix, err, res.Commands)
		}
	}
	if rules := mustRun(t, "iptables", "-w", "-S", "DOCKER-USER"); strings.Count(rules, "--match-set mxtop4 src -j DROP") != 1 {
		t.Fatalf("want one set rule:\n%s", rules)
	}
	if rules := mustRun(t, "ip6tables", "-w", "-S", "DOCKER-USER"); strings.Count(rules, "--match-set mxtop6 src -j DROP") != 1 {
		t.Fatalf("want one v6 set rule:\n%s", rules)
	}
	set := mustRun(t, "ipset", "list", "mxtop4")
	if strings.Count(set, "203.0.113.7 ") != 1 || !strings.Contains(set, "maxelem 1048576") || !strings.Contains(set, "198.18.0.0/24 timeout 60") {
		t.Fatalf("ipset mxtop4:\n%s", set)
	}
	// The seed's hand-made rule, listed as manual.
	mustRun(t, "iptables", "-w", "-I", "DOCKER-USER", "1", "-s", "198.19.0.5", "-j", "DROP")
	sendFrom(t, "203.0.113.7", 3)
	sendFrom(t, "198.19.0.5", 2)
	bans, err := m.Bans(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := find(bans, "203.0.113.7/32"); !ok || b.Packets != 3 || b.Bytes == 0 || !b.Active || b.Reason != "again" {
		t.Errorf("203.0.113.7: %+v (all: %+v)", b, bans)
	}
	if b, ok := find(bans, "198.19.0.5/32"); !ok || !b.Manual || b.Packets != 2 {
		t.Errorf("manual rule: %+v (all: %+v)", b, bans)
	}
	if _, err := m.Unban(t.Context(), pfx("203.0.113.7")); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Unban(t.Context(), pfx("198.19.0.5")); err != nil {
		t.Fatal(err)
	}
	if set := mustRun(t, "ipset", "list", "mxtop4"); strings.Contains(set, "203.0.113.7") {
		t.Fatalf("unbanned entry still in set:\n%s", set)
	}
	if rules := mustRun(t, "iptables", "-w", "-S", "DOCKER-USER"); strings.Contains(rules, "198.19.0.5") {
		t.Fatalf("manual rule not removed:\n%s", rules)
	}

	// Reboot: the kernel forgets rules and sets; the state file remembers.
	for _, ipt := range []string{"iptables", "ip6tables"} {
		mustRun(t, ipt, "-w", "-F", "DOCKER-USER")
	}
	mustRun(t, "ipset", "destroy")
	m2 := realManager(t, newIPSet(t), state, nil)
	for range 2 { // twice: the second restore must not duplicate anything
		if res, err := m2.Restore(t.Context()); err != nil {
			t.Fatalf("restore: %v (%v)", err, res.Commands)
		}
	}
	if rules := mustRun(t, "iptables", "-w", "-S", "DOCKER-USER"); strings.Count(rules, "--match-set mxtop4") != 1 {
		t.Fatalf("after restore:\n%s", rules)
	}
	if set := mustRun(t, "ipset", "list", "mxtop6"); !strings.Contains(set, "2001:db8:bad::/64 timeout 0") {
		t.Fatalf("v6 ban not restored:\n%s", set)
	}
	if set := mustRun(t, "ipset", "list", "mxtop4"); strings.Contains(set, "203.0.113.7") || !strings.Contains(set, "198.18.0.0/24") {
		t.Fatalf("v4 set after restore:\n%s", set)
	}
}

func TestIntegration_IPTablesBackendAndExpiry(t *testing.T) {
	if !inNetns(t) {
		return
	}
	standInDockerUser(t)
	be, err := firewall.NewIPTables("DOCKER-USER")
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Now()}
	m := realManager(t, be, filepath.Join(t.TempDir(), "state.db"), clk.Now)
	for range 2 {
		if _, err := m.Ban(t.Context(), firewall.Request{Prefix: pfx("203.0.113.9"), Duration: time.Hour}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Ban(t.Context(), firewall.Request{Prefix: pfx("2001:db8::9")}); err != nil {
		t.Fatal(err)
	}
	if rules := mustRun(t, "iptables", "-w", "-S", "DOCKER-USER"); strings.Count(rules, "-A DOCKER-USER -s 203.0.113.9/32 -j DROP") != 1 {
		t.Fatalf("want exactly the seed's rule once:\n%s", rules)
	}
	sendFrom(t, "203.0.113.9", 4)
	bans, err := m.Bans(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := find(bans, "203.0.113.9/32"); !ok || b.Packets != 4 || b.Manual {
		t.Fatalf("bans = %+v", bans)
	}
	if b, ok := find(bans, "2001:db8::9/128"); !ok || !b.Active {
		t.Fatalf("v6 ban = %+v", bans)
	}
	clk.now = clk.now.Add(2 * time.Hour)
	res, err := m.Restore(t.Context())
	if err != nil || !strings.Contains(res.Message, "expired 1") {
		t.Fatalf("restore: %q %v", res.Message, err)
	}
	if rules := mustRun(t, "iptables", "-w", "-S", "DOCKER-USER"); strings.Contains(rules, "203.0.113.9") {
		t.Fatalf("expired rule still there:\n%s", rules)
	}
}

func TestIntegration_ChainMissingOrNotJumped(t *testing.T) {
	if !inNetns(t) {
		return
	}
	requireIPSet(t)
	m := realManager(t, newIPSet(t), filepath.Join(t.TempDir(), "state.db"), nil)
	if h := m.Health(t.Context()); h.ChainExists || len(h.Warnings) == 0 || !strings.Contains(h.Warnings[0], "does not exist") {
		t.Fatalf("health without chain = %+v", h)
	}
	_, err := m.Ban(t.Context(), firewall.Request{Prefix: pfx("203.0.113.5")})
	if !errors.Is(err, firewall.ErrChainMissing) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("ban without chain: %v", err)
	}
	if bans, err := m.Bans(t.Context()); err != nil || len(bans) != 0 {
		t.Fatalf("state changed: %+v %v", bans, err)
	}
	mustRun(t, "iptables", "-w", "-N", "DOCKER-USER") // exists, but FORWARD does not jump to it
	mustRun(t, "iptables", "-w", "-I", "INPUT", "-j", "DOCKER-USER")
	h := m.Health(t.Context())
	if !h.ChainExists || h.Jumped || len(h.Warnings) == 0 || !strings.Contains(h.Warnings[0], "FORWARD does not jump") {
		t.Fatalf("health without jump = %+v", h)
	}
	mustRun(t, "iptables", "-w", "-A", "FORWARD", "-i", "lo", "-j", "DOCKER-USER")
	if h := m.Health(t.Context()); !h.Jumped || len(h.Warnings) != 0 {
		t.Fatalf("health with a conditional jump = %+v", h)
	}
}

// TestIntegration_BanDropsTraffic proves enforcement end to end: an "attacker" namespace joined
// to ours by a veth pair connects to a Go listener here before the ban, cannot after it, and
// can again after the unban.
func TestIntegration_BanDropsTraffic(t *testing.T) {
	if !inNetns(t) {
		return
	}
	requireIPSet(t)
	standInDockerUser(t)
	peer := "mxtop-attacker-" + strings.ReplaceAll(filepath.Base(t.TempDir()), "/", "")
	if len(peer) > 40 {
		peer = peer[:40]
	}
	mustRun(t, "ip", "netns", "add", peer)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", peer).Run() })
	mustRun(t, "ip", "link", "add", "mxv0", "type", "veth", "peer", "name", "mxv1", "netns", peer)
	mustRun(t, "ip", "addr", "add", "198.51.100.1/24", "dev", "mxv0")
	mustRun(t, "ip", "link", "set", "mxv0", "up")
	mustRun(t, "ip", "-n", peer, "addr", "add", "198.51.100.2/24", "dev", "mxv1")
	mustRun(t, "ip", "-n", peer, "link", "set", "mxv1", "up")
	mustRun(t, "ip", "-n", peer, "link", "set", "lo", "up")

	ln, err := net.Listen("tcp", "198.51.100.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	connects := func() bool {
		cmd := exec.CommandContext(t.Context(), "ip", "netns", "exec", peer, exe)
		cmd.Env = append(os.Environ(), envHelper+"=dial", envDial+"="+ln.Addr().String())
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 3) {
			t.Fatalf("dial helper: %v: %s", err, out)
		}
		return err == nil
	}
	m := realManager(t, newIPSet(t), filepath.Join(t.TempDir(), "state.db"), nil)
	attacker := pfx("198.51.100.2")

	if !connects() {
		t.Fatal("attacker cannot connect before the ban: the test network is broken")
	}
	if _, err := m.Ban(t.Context(), firewall.Request{Prefix: attacker, Duration: time.Hour}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if connects() {
		t.Fatal("attacker still connects after the ban")
	}
	t.Logf("banned connect failed after %v", time.Since(start).Round(time.Millisecond))
	bans, err := m.Bans(t.Context())
	if b, ok := find(bans, "198.51.100.2/32"); err != nil || !ok || b.Packets == 0 {
		t.Errorf("dropped SYNs not counted: %+v %v", bans, err)
	}
	if _, err := m.Unban(t.Context(), attacker); err != nil {
		t.Fatal(err)
	}
	if !connects() {
		t.Fatal("attacker cannot connect after the unban")
	}
}

// TestIntegration_BanManyWave: a wave of 500 addresses in one batch lands in the kernel set and
// the state file, a protected address in it is refused alone, and banned traffic is dropped.
func TestIntegration_BanManyWave(t *testing.T) {
	if !inNetns(t) {
		return
	}
	requireIPSet(t)
	standInDockerUser(t)
	m := realManager(t, newIPSet(t), filepath.Join(t.TempDir(), "state.db"), nil)
	reqs := []firewall.Request{{Prefix: pfx("10.0.0.9")}} // private: refused
	for _, p := range benchAddrs(500) {
		reqs = append(reqs, firewall.Request{Prefix: p, Duration: time.Hour, Reason: "wave"})
	}
	outs, sum, err := m.BanMany(t.Context(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(outs[0].Err, firewall.ErrProtected) || sum.Message != "banned 500 of 501; 1 refused or failed" {
		t.Fatalf("first outcome %v, summary %q", outs[0].Err, sum.Message)
	}
	set := mustRun(t, "ipset", "list", "mxtop4")
	if n := strings.Count(set, "\n198.18."); n != 500 || strings.Contains(set, "10.0.0.9") {
		t.Fatalf("%d members in mxtop4, want 500 without 10.0.0.9", n)
	}
	sendFrom(t, "198.18.0.7", 2)
	bans, err := m.Bans(t.Context())
	if err != nil || len(bans) != 500 {
		t.Fatalf("%d bans, %v", len(bans), err)
	}
	if b, ok := find(bans, "198.18.0.7/32"); !ok || b.Packets != 2 || b.Reason != "wave" {
		t.Fatalf("198.18.0.7: %+v", b)
	}
}

// TestIntegration_LegacyIPTablesHeldLock runs the iptables backend on iptables-legacy, the
// variant that serialises on the xtables lock (Debian 12's default, nf_tables, takes none):
// while another program holds the lock a ban fails after iptables' wait with ErrLocked in one
// line and records nothing, and once the lock is free the same ban goes through. The lock file
// is the test's own (XTABLES_LOCKFILE), so the host's iptables users are never blocked.
func TestIntegration_LegacyIPTablesHeldLock(t *testing.T) {
	if !inNetns(t) {
		return
	}
	legacy, err := exec.LookPath("iptables-legacy")
	if err != nil {
		skipOrFail(t, "iptables-legacy not installed")
	}
	for _, tool := range []string{"flock", "ip6tables-legacy"} {
		if _, err := exec.LookPath(tool); err != nil {
			skipOrFail(t, "%s not installed", tool)
		}
	}
	bin := t.TempDir() // iptables and ip6tables on PATH are the legacy ones for this test
	for _, name := range []string{"iptables", "ip6tables"} {
		if err := os.Symlink(filepath.Join(filepath.Dir(legacy), name+"-legacy"), filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	lock := filepath.Join(t.TempDir(), "xtables.lock")
	t.Setenv("XTABLES_LOCKFILE", lock)
	if v := mustRun(t, "iptables", "--version"); !strings.Contains(v, "legacy") {
		t.Fatalf("iptables on PATH is not legacy: %s", v)
	}
	standInDockerUser(t)
	be, err := firewall.NewIPTables("DOCKER-USER")
	if err != nil {
		t.Fatal(err)
	}
	m := realManager(t, be, filepath.Join(t.TempDir(), "state.db"), nil)
	if _, err := m.Ban(t.Context(), firewall.Request{Prefix: pfx("203.0.113.20")}); err != nil {
		t.Fatal(err)
	}

	holder := exec.Command("flock", "-o", lock, "sleep", "30") // -o: the lock dies with flock, not with sleep
	holder.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-holder.Process.Pid, syscall.SIGKILL); _ = holder.Wait() })
	for deadline := time.Now().Add(5 * time.Second); exec.Command("flock", "-n", lock, "true").Run() == nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the holder never took the lock")
		}
	}
	start := time.Now()
	_, err = m.Ban(t.Context(), firewall.Request{Prefix: pfx("203.0.113.21")})
	waited := time.Since(start)
	if !errors.Is(err, firewall.ErrLocked) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "xtables lock") {
		t.Fatalf("ban under a held lock after %v: %v", waited, err)
	}
	t.Logf("ban under a held lock failed after %v: %v", waited.Round(10*time.Millisecond), err)

	_ = holder.Process.Kill()
	_ = holder.Wait()
	if bans, err := m.Bans(t.Context()); err != nil || len(bans) != 1 { // listing needs the lock too
		t.Fatalf("bans after the failed ban: %+v %v", bans, err)
	}
	if _, err := m.Ban(t.Context(), firewall.Request{Prefix: pfx("203.0.113.21")}); err != nil {
		t.Fatalf("ban after the lock was freed: %v", err)
	}
	if rules := mustRun(t, "iptables", "-w", "-S", "DOCKER-USER"); !strings.Contains(rules, "-A DOCKER-USER -s 203.0.113.21/32 -j DROP") {
		t.Fatalf("rule missing after the lock was freed:\n%s", rules)
	}
}
