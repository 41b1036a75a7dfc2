package firewall

import (
	"errors"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
)

func TestSSHFromEnv(t *testing.T) {
	t.Parallel()
	got := sshFromEnv("203.0.113.50 52144 192.0.2.1 22", "2001:db8::50 52144 22")
	want := []string{"203.0.113.50/32", "192.0.2.1/32", "2001:db8::50/128"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i, p := range got {
		if p.Prefix.String() != want[i] {
			t.Errorf("got[%d] = %s, want %s", i, p.Prefix, want[i])
		}
	}
	if !strings.Contains(got[0].Why, "SSH client") {
		t.Errorf("why = %q", got[0].Why)
	}
	if got := sshFromEnv("garbage", "::ffff:203.0.113.9 1 22"); len(got) != 1 || got[0].Prefix != netip.MustParsePrefix("203.0.113.9/32") {
		t.Errorf("mapped SSH_CLIENT: %v", got)
	}
}

func TestTyped_OneLineKinds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		kind error
	}{
		{&ExecError{Cmd: "iptables -w -I X", Stderr: "Another app is currently holding the xtables lock. Stopped waiting after 5s.\n", Err: errors.New("exit status 4")}, ErrLocked},
		{&ExecError{Cmd: "iptables", Stderr: "iptables: No chain/target/match by that name.\n", Err: errors.New("exit status 1")}, ErrChainMissing},
		{&ExecError{Cmd: "iptables", Stderr: "iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n", Err: errors.New("exit status 4")}, ErrNotRoot},
		{&exec.Error{Name: "ipset", Err: exec.ErrNotFound}, ErrNoBinary},
		{errors.New("something else\nsecond line \x1b[31m"), ErrBackend},
	}
	for _, c := range cases {
		err := typed(c.err, "ban 203.0.113.7")
		if !errors.Is(err, c.kind) || !errors.Is(err, c.err) {
			t.Errorf("typed(%v) = %v, want kind %v wrapping the cause", c.err, err, c.kind)
		}
		if msg := err.Error(); strings.ContainsAny(msg, "\n\x1b") || !strings.HasPrefix(msg, "ban 203.0.113.7") {
			t.Errorf("not one clean line: %q", msg)
		}
	}
}
