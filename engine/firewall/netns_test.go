package firewall_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The integration tests run real iptables, ip6tables and ipset, always inside a network
// namespace of their own: the test binary re-runs itself under `unshare --net`, so the host's
// rules are never touched. They skip with a reason when not root or a tool is missing, and
// fail instead when CI=true.

const (
	envInNetns = "MXTOP_FW_NETNS" // set in the re-run test binary inside the namespace
	envHelper  = "MXTOP_FW_HELPER"
	envDial    = "MXTOP_FW_DIAL"
)

// dialTimeout bounds the attacker's connect: a dropped SYN would otherwise retry for minutes.
const dialTimeout = 1500 * time.Millisecond

func TestMain(m *testing.M) {
	if os.Getenv(envHelper) == "dial" {
		os.Exit(dialHelper(os.Getenv(envDial)))
	}
	os.Exit(m.Run())
}

// dialHelper is the "attacker": it connects once and exits 0 on success, 3 on failure.
func dialHelper(addr string) int {
	c, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	_ = c.Close()
	return 0
}

func skipOrFail(tb testing.TB, format string, a ...any) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("CI=true, integration test cannot run: "+format, a...)
	}
	tb.Skipf(format, a...)
}

func requireTools(tb testing.TB, tools ...string) {
	tb.Helper()
	if os.Geteuid() != 0 {
		skipOrFail(tb, "needs root for network namespaces, iptables and ipset")
	}
	for _, tool := range append([]string{"unshare", "ip", "iptables", "ip6tables"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			skipOrFail(tb, "%s not installed (apt install iptables ipset iproute2)", tool)
		}
	}
}

// inNetns reports whether the caller runs inside the test's own network namespace. Outside, it
// re-runs the calling test or benchmark there, reports its output, and returns false.
func inNetns(tb testing.TB, extraArgs ...string) bool {
	tb.Helper()
	if os.Getenv(envInNetns) == "1" {
		mustRun(tb, "ip", "link", "set", "lo", "up")
		return true
	}
	requireTools(tb)
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	args := []string{"--net", exe, "-test.v", "-test.count=1"}
	timeout := 5 * time.Minute
	if _, ok := tb.(*testing.B); ok {
		// Pass the -bench pattern on, so "-bench Ban10k/ipset" runs only that part.
		args = append(args, "-test.run=^$", "-test.bench="+flag.Lookup("test.bench").Value.String(), "-test.benchtime=1x")
		timeout = 60 * time.Minute // 10,000 per-address iptables rules take about ten minutes
	} else {
		args = append(args, "-test.run=^"+tb.Name()+"$")
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", append(args, extraArgs...)...)
	cmd.Env = append(os.Environ(), envInNetns+"=1")
	out, err := cmd.CombinedOutput()
	if _, ok := tb.(*testing.B); ok {
		_, _ = os.Stdout.Write(out) // benchmark figures come from the child
	} else {
		tb.Logf("inside a new network namespace:\n%s", out)
	}
	if err != nil {
		tb.Fatalf("test in network namespace failed: %v", err)
	}
	if bytes.Contains(out, []byte("--- SKIP")) {
		skipOrFail(tb, "skipped inside the namespace (see log)")
	}
	if _, ok := tb.(*testing.B); ok {
		tb.SkipNow() // the figures above are the result; this process did no work
	}
	return false
}

// mustRun runs a setup command inside the namespace.
func mustRun(tb testing.TB, name string, args ...string) string {
	tb.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// standInDockerUser creates the chain Docker would create, jumped to from FORWARD (as Docker
// does) and from INPUT (this namespace has no Docker: test traffic is addressed to it).
func standInDockerUser(tb testing.TB) {
	tb.Helper()
	for _, ipt := range []string{"iptables", "ip6tables"} {
		mustRun(tb, ipt, "-w", "-N", "DOCKER-USER")
		mustRun(tb, ipt, "-w", "-I", "FORWARD", "-j", "DOCKER-USER")
		mustRun(tb, ipt, "-w", "-I", "INPUT", "-j", "DOCKER-USER")
	}
}

// requireIPSet skips when the kernel lacks ip_set (checked inside the namespace).
func requireIPSet(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath("ipset"); err != nil {
		skipOrFail(tb, "ipset not installed")
	}
	if out, err := exec.Command("ipset", "create", "mxtop-probe", "hash:net").CombinedOutput(); err != nil {
		skipOrFail(tb, "kernel lacks ipset support: %s", out)
	}
	mustRun(tb, "ipset", "destroy", "mxtop-probe")
}
