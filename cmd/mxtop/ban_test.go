package main

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mxtop/mxtop/engine/firewall"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestBanCmd_DryRunShowsExactCommands(t *testing.T) {
	code, out, errOut := runCLI(t, "ban", "203.0.113.9", "--firewall", "dry-run", "--for", "1h", "--reason", "test")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"banned 203.0.113.9 for 1h",
		"ipset create mxtop4 hash:net family inet timeout 0 counters comment maxelem 1048576 -exist",
		"iptables -w -I DOCKER-USER 1 -m set --match-set mxtop4 src -j DROP",
		"ipset add mxtop4 203.0.113.9/32 timeout 3600 comment mxtop -exist",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "dry-run") {
		t.Errorf("no dry-run warning on stderr: %q", errOut)
	}
}

func TestBanCmd_SubnetAndPerm(t *testing.T) {
	code, out, errOut := runCLI(t, "ban", "2001:db8:1:2::77", "--subnet", "--for", "perm", "--firewall", "dry-run")
	if code != 0 || !strings.Contains(out, "banned 2001:db8:1:2::/64 permanently") ||
		!strings.Contains(out, "ipset add mxtop6 2001:db8:1:2::/64 timeout 0") {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
}

func TestBanCmd_FaultsAreOneLine(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"ban", "10.1.2.3", "--firewall", "dry-run"}, 1, "refusing to ban 10.1.2.3: it is inside 10.0.0.0/8, a private range"},
		{[]string{"ban", "192.0.2.7", "--firewall", "dry-run", "--whitelist", "192.0.2.0/24"}, 1, "a range whitelisted in the configuration"},
		{[]string{"ban", "203.0.113.9", "--firewall", "dry-run", "--verdict", "scanner"}, 1, "--force"},
		{[]string{"ban", "not-an-ip", "--firewall", "dry-run"}, 2, `"not-an-ip" is not an IP address or CIDR`},
		{[]string{"ban", "203.0.113.9", "--firewall", "dry-run", "--for", "7x"}, 2, "invalid duration"},
		{[]string{"ban", "0.0.0.0/0", "--firewall", "dry-run"}, 2, "prefix too wide"},
		{[]string{"whitelist", "add", "--firewall", "dry-run"}, 2, "needs an IP or CIDR"},
	}
	for _, c := range cases {
		code, _, errOut := runCLI(t, c.args...)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		last := lines[len(lines)-1]
		if code != c.code || !strings.Contains(last, c.want) || !strings.HasPrefix(last, "mxtop: ") {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, errOut, c.code, c.want)
		}
	}
}

func TestBansCmd_TableAndJSON(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	bans := []firewall.Ban{
		{Prefix: mustPrefix("203.0.113.7/32"), Reason: "auth\x1b[2J brute", Since: now, Expires: now.Add(2 * time.Hour),
			Verdict: "botnet", Packets: 3, Bytes: 180, Active: true},
		{Prefix: mustPrefix("198.19.0.1/32"), Manual: true, Active: true, Packets: 1},
		{Prefix: mustPrefix("2001:db8::/64"), Since: now},
	}
	var tb bytes.Buffer
	if err := writeBansTable(&tb, bans, now); err != nil {
		t.Fatal(err)
	}
	table := tb.String()
	for _, want := range []string{"in 2h", "manual rule", "never", "NOT ENFORCED", "auth [2J brute"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	if strings.ContainsRune(table, 0x1b) {
		t.Error("escape sequence from a reason reached the table")
	}
	var jb bytes.Buffer
	if err := writeBansJSON(&jb, bans); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(jb.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0]["prefix"] != "203.0.113.7/32" || got[0]["packets"] != 3.0 || got[1]["manual"] != true ||
		got[2]["expires"] != nil || got[2]["active"] != false {
		t.Errorf("json = %s", jb.String())
	}
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func runCLIStdin(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestBanCmd_WaveFromStdin: a list piped in is banned in one batch; protected and whitelisted
// addresses are refused line by line without failing the wave, a malformed line does.
func TestBanCmd_WaveFromStdin(t *testing.T) {
	list := "# from mxtop report\n203.0.113.9 botnet 120\n\n198.51.100.4\n10.1.2.3\n192.0.2.7\nnot-an-ip\n2001:db8:1:2::77\n"
	code, out, errOut := runCLIStdin(t, list, "ban", "-", "--firewall", "dry-run", "--for", "1h", "--whitelist", "192.0.2.0/24")
	if code != 1 {
		t.Fatalf("exit %d, want 1 for the malformed line\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"banned 203.0.113.9 for 1h", "banned 198.51.100.4 for 1h", "banned 2001:db8:1:2::77 for 1h",
		"ipset add mxtop4 198.51.100.4/32 timeout 3600 comment mxtop -exist", "banned 3 of 5; 2 refused or failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{
		"mxtop: refusing to ban 10.1.2.3", "mxtop: refusing to ban 192.0.2.7", `mxtop: stdin line 7: "not-an-ip" is not an IP address or CIDR`,
		"mxtop: 1 of 6 targets failed",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	// Refusals alone are expected in a wave: exit 0.
	code, out, errOut = runCLI(t, "ban", "203.0.113.9", "10.1.2.3", "--firewall", "dry-run", "--subnet")
	if code != 0 || !strings.Contains(out, "banned 203.0.113.0/24") || !strings.Contains(errOut, "refusing to ban 10.1.2.0/24") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	// A bad command-line target is a usage error before anything is banned.
	if code, out, _ = runCLI(t, "ban", "203.0.113.9", "nope", "--firewall", "dry-run"); code != 2 || strings.Contains(out, "banned") {
		t.Fatalf("exit %d, out %q", code, out)
	}
}
