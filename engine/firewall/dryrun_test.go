package firewall_test

import (
	"slices"
	"testing"
	"time"

	"github.com/mxtop/mxtop/engine/firewall"
)

func TestDryRun_ShowsCommandsOnceAndListsBans(t *testing.T) {
	t.Parallel()
	d := &firewall.DryRun{}
	first, _ := d.Add(t.Context(), firewall.Entry{Prefix: pfx("203.0.113.7"), Timeout: 7 * 24 * time.Hour})
	want := []string{
		"ipset create mxtop4 hash:net family inet timeout 0 counters comment maxelem 1048576 -exist",
		"iptables -w -I DOCKER-USER 1 -m set --match-set mxtop4 src -j DROP",
		"ipset add mxtop4 203.0.113.7/32 timeout 604800 comment mxtop -exist",
	}
	if !slices.Equal(first, want) {
		t.Errorf("first ban:\n%q\nwant\n%q", first, want)
	}
	second, _ := d.Add(t.Context(), firewall.Entry{Prefix: pfx("203.0.113.8"), Timeout: 400 * 24 * time.Hour})
	if !slices.Equal(second, []string{"ipset add mxtop4 203.0.113.8/32 timeout 2147483 comment mxtop -exist"}) {
		t.Errorf("second ban (timeout clamped to ipset's maximum): %q", second)
	}
	if got, _ := d.List(t.Context()); len(got) != 2 {
		t.Errorf("list = %+v", got)
	}
	if rm, _ := d.Remove(t.Context(), pfx("203.0.113.7")); !slices.Equal(rm, []string{"ipset del mxtop4 203.0.113.7/32 -exist"}) {
		t.Errorf("remove = %q", rm)
	}
	per := &firewall.DryRun{Chain: "INPUT", PerAddress: true}
	if cmds, _ := per.Add(t.Context(), firewall.Entry{Prefix: pfx("2001:db8::7")}); !slices.Equal(cmds,
		[]string{"ip6tables -w -I INPUT 1 -s 2001:db8::7/128 -j DROP"}) {
		t.Errorf("per-address = %q", cmds)
	}
}
