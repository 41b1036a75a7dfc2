package firewall_test

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/mxtop/mxtop/engine/firewall"
)

func TestParseTarget(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"203.0.113.7", "203.0.113.7/32"},
		{" 203.0.113.7/24 ", "203.0.113.0/24"},
		{"::ffff:203.0.113.7", "203.0.113.7/32"},
		{"::ffff:203.0.113.7/120", "203.0.113.0/24"},
		{"2001:db8::1", "2001:db8::1/128"},
		{"2001:db8::1/64", "2001:db8::/64"},
	}
	for _, c := range cases {
		got, err := firewall.ParseTarget(c.in)
		if err != nil || got.String() != c.want {
			t.Errorf("ParseTarget(%q) = %v, %v; want %s", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "203.0.113", "1.2.3.4/33", "fe80::1%eth0", "0.0.0.0/0", "1.0.0.0/7", "::/8", "a;rm -rf /"} {
		if _, err := firewall.ParseTarget(bad); !errors.Is(err, firewall.ErrInvalid) {
			t.Errorf("ParseTarget(%q) err = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestAround(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		ip   string
		bits int
		want string
	}{
		{"203.0.113.77", 24, "203.0.113.0/24"},
		{"203.0.113.77", 0, "203.0.113.77/32"},
		{"::ffff:203.0.113.77", 24, "203.0.113.0/24"},
		{"2001:db8:1:2:3::9", 64, "2001:db8:1:2::/64"},
	} {
		got, err := firewall.Around(netip.MustParseAddr(c.ip), c.bits)
		if err != nil || got.String() != c.want {
			t.Errorf("Around(%s, %d) = %v, %v; want %s", c.ip, c.bits, got, err, c.want)
		}
	}
	if _, err := firewall.Around(netip.MustParseAddr("203.0.113.7"), 64); err == nil {
		t.Error("Around(v4, 64) accepted")
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{
		"30m": 30 * time.Minute, "1h": time.Hour, "7d": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour,
		"1h30m": 90 * time.Minute, "perm": 0, "permanent": 0, "0": 0, "PERM": 0,
	} {
		got, err := firewall.ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
		if want != 0 {
			if back, _ := firewall.ParseDuration(firewall.FormatDuration(want)); back != want {
				t.Errorf("FormatDuration(%v) does not round-trip", want)
			}
		}
	}
	for _, bad := range []string{"", "-1h", "7x", "d", "0d", "1.5d", "99999999d"} {
		if _, err := firewall.ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) accepted", bad)
		}
	}
}
