package classify

import (
	"fmt"
	"net/netip"
	"strings"

	"go4.org/netipx"

	"github.com/mxtop/mxtop/engine/parse"
	"github.com/mxtop/mxtop/engine/store"
)

// Classifier gives verdicts. It is immutable: build a new one when the whitelist changes.
type Classifier struct {
	cfg       Config
	protected *netipx.IPSet
	whitelist *netipx.IPSet
	wlList    []netip.Prefix
	suffixes  []string // lower-case, each with a leading dot
}

// New builds a classifier from cfg, filling zero thresholds with the defaults.
func New(cfg Config) *Classifier {
	if cfg.AuthThreshold <= 0 {
		cfg.AuthThreshold = DefaultAuthThreshold
	}
	if cfg.EventThreshold <= 0 {
		cfg.EventThreshold = DefaultEventThreshold
	}
	var pb, wb netipx.IPSetBuilder
	if !cfg.NoDefaultProtected {
		for _, p := range DefaultProtected() {
			pb.AddPrefix(p)
		}
	}
	for _, p := range cfg.Whitelist {
		wb.AddPrefix(p.Masked())
	}
	protected, _ := pb.IPSet()
	whitelist, _ := wb.IPSet()
	c := &Classifier{cfg: cfg, protected: protected, whitelist: whitelist, wlList: cfg.Whitelist}
	for _, s := range append(append([]string(nil), DefaultScannerSuffixes...), cfg.ScannerSuffixes...) {
		s = strings.ToLower(strings.Trim(strings.TrimSpace(s), "."))
		if s != "" {
			c.suffixes = append(c.suffixes, "."+s)
		}
	}
	return c
}

// Config returns the configuration the classifier was built from.
func (c *Classifier) Config() Config { return c.cfg }

// Ignored reports whether addr is whitelisted or in a protected range, and why.
func (c *Classifier) Ignored(addr netip.Addr) (string, bool) {
	addr = addr.Unmap()
	if c.whitelist.Contains(addr) {
		for _, p := range c.wlList {
			if p.Contains(addr) {
				return "whitelisted " + p.String(), true
			}
		}
		return "whitelisted", true
	}
	if c.protected.Contains(addr) {
		for _, p := range DefaultProtected() {
			if p.Contains(addr) {
				return "protected range " + p.String() + " (private, loopback, link-local or Docker)", true
			}
		}
	}
	return "", false
}

// ScannerDomain returns the scanner domain host is under, matched on a label boundary
// ("x.shodan.io" matches shodan.io, "evilshodan.io" does not).
func (c *Classifier) ScannerDomain(host string) (string, bool) {
	if host == "" {
		return "", false
	}
	h := "." + strings.ToLower(strings.TrimSuffix(host, "."))
	for _, s := range c.suffixes {
		if strings.HasSuffix(h, s) {
			return s[1:], true
		}
	}
	return "", false
}

// FakeHelo reports HELO names no real mail server uses: bare "User", Windows default machine
// names ("WIN-4TTI4DH7SGH"), "localhost", or an address literal without brackets.
func FakeHelo(helo string) bool {
	switch {
	case strings.EqualFold(helo, "user"), strings.EqualFold(helo, "localhost"),
		strings.EqualFold(helo, "ylmf-pc"), strings.EqualFold(helo, "admin"):
		return true
	case len(helo) > 4 && strings.EqualFold(helo[:4], "WIN-") && !strings.Contains(helo, "."):
		return true
	}
	_, err := netip.ParseAddr(helo)
	return err == nil
}

// Verdict classifies one IP and says why, most important reason first.
func (c *Classifier) Verdict(ip *store.IP) (Verdict, []string) {
	if why, ok := c.Ignored(ip.Addr); ok {
		return Ignored, []string{why}
	}
	var violations []string
	for _, cat := range parse.Categories {
		if cat.ProtocolViolation() && ip.Counts[cat] > 0 {
			violations = append(violations, fmt.Sprintf("%s ×%d (protocol violation)", cat, ip.Counts[cat]))
		}
	}
	scanner, isScanner := c.ScannerDomain(ip.Host)
	if len(violations) > 0 {
		if isScanner {
			violations = append(violations, "claims scanner name "+ip.Host+" but violates the protocol")
		}
		return Botnet, violations
	}
	if n := ip.Counts[parse.RelayDenied]; n > 0 {
		return Botnet, []string{fmt.Sprintf("relay_denied ×%d (tried to relay through you)", n)}
	}
	if isScanner {
		return Scanner, []string{fmt.Sprintf("reverse DNS %s is under %s (internet scanner)", ip.Host, scanner)}
	}
	auth := ip.Counts[parse.AuthFailed] + ip.Counts[parse.LostAfterAuth]
	good := ip.Delivered > 0 || ip.Logins > 0
	var reasons []string
	if auth >= int64(c.cfg.AuthThreshold) {
		if good {
			return Suspicious, []string{fmt.Sprintf("%d auth failures, but also %d logins and %d delivered", auth, ip.Logins, ip.Delivered)}
		}
		reasons = append(reasons, fmt.Sprintf("%d auth failures (threshold %d)", auth, c.cfg.AuthThreshold))
	}
	if ip.Total >= int64(c.cfg.EventThreshold) && !good {
		reasons = append(reasons, fmt.Sprintf("%d attack events (threshold %d)", ip.Total, c.cfg.EventThreshold))
	}
	if h := ip.Helo(); ip.Total > 0 && FakeHelo(h) {
		reasons = append(reasons, fmt.Sprintf("fake HELO %q", h))
	}
	if len(reasons) > 0 {
		return Botnet, reasons
	}
	if good {
		return Legit, []string{fmt.Sprintf("%d delivered, %d logins, no protocol violation", ip.Delivered, ip.Logins)}
	}
	if ip.Total > 0 {
		return Suspicious, []string{fmt.Sprintf("%d attack events, below the botnet rules", ip.Total)}
	}
	return Unknown, []string{"connected, nothing for or against it yet"}
}
