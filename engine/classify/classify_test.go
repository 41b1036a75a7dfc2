package classify

import (
	"net/netip"
	"testing"

	"github.com/mxtop/mxtop/engine/parse"
	"github.com/mxtop/mxtop/engine/store"
)

func agg(addr string, mod func(*store.IP)) *store.IP {
	ip := &store.IP{Addr: netip.MustParseAddr(addr)}
	mod(ip)
	for _, c := range parse.Categories {
		ip.Total += ip.Counts[c]
	}
	return ip
}

func TestVerdicts(t *testing.T) {
	c := New(Config{Whitelist: []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24")}})
	cases := []struct {
		name string
		ip   *store.IP
		want Verdict
	}{
		{"pregreet is a botnet", agg("203.0.113.1", func(i *store.IP) { i.Counts[parse.Pregreet] = 1 }), Botnet},
		{"relay attempt is a botnet", agg("203.0.113.2", func(i *store.IP) { i.Counts[parse.RelayDenied] = 1 }), Botnet},
		{"scanner by PTR", agg("203.0.113.3", func(i *store.IP) { i.Host = "scan-01.shadowserver.org"; i.Counts[parse.Hangup] = 2 }), Scanner},
		{"scanner suffix needs a label boundary", agg("203.0.113.4", func(i *store.IP) { i.Host = "evilshodan.io"; i.Counts[parse.Hangup] = 1 }), Suspicious},
		{"scanner name but protocol violation", agg("203.0.113.5", func(i *store.IP) { i.Host = "x.censys-scanner.com"; i.Counts[parse.NonSMTP] = 1 }), Botnet},
		{"auth brute force", agg("203.0.113.6", func(i *store.IP) { i.Counts[parse.AuthFailed] = 10 }), Botnet},
		{"few auth failures", agg("203.0.113.7", func(i *store.IP) { i.Counts[parse.AuthFailed] = 2 }), Suspicious},
		{"user with typos who logs in", agg("203.0.113.8", func(i *store.IP) { i.Counts[parse.AuthFailed] = 12; i.Logins = 3 }), Suspicious},
		{"sender whose mail is delivered", agg("203.0.113.9", func(i *store.IP) { i.Delivered = 4; i.Counts[parse.Hangup] = 1 }), Legit},
		{"fake HELO", agg("203.0.113.10", func(i *store.IP) { i.Helos = []string{"WIN-4TTI4DH7SGH"}; i.Counts[parse.RejectOther] = 1 }), Botnet},
		{"whitelisted", agg("198.51.100.7", func(i *store.IP) { i.Counts[parse.Pregreet] = 9 }), Ignored},
		{"docker gateway", agg("172.19.0.1", func(i *store.IP) { i.Counts[parse.AuthFailed] = 99 }), Ignored},
		{"just connected", agg("203.0.113.11", func(*store.IP) {}), Unknown},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, reasons := c.Verdict(tc.ip)
			if got != tc.want || len(reasons) == 0 {
				t.Fatalf("got %v %v, want %v", got, reasons, tc.want)
			}
		})
	}
}

func TestNoDefaultProtected_ForTestLabs(t *testing.T) {
	c := New(Config{NoDefaultProtected: true})
	if _, ok := c.Ignored(netip.MustParseAddr("127.0.0.1")); ok {
		t.Fatal("loopback still protected")
	}
	if _, ok := New(Config{}).Ignored(netip.MustParseAddr("::ffff:10.1.2.3")); !ok {
		t.Fatal("mapped private address not protected")
	}
}
