package classify

import "net/netip"

// DefaultScannerSuffixes are reverse-DNS domains of internet-measurement projects. They scan
// every mail server, never violate the protocol on purpose, and banning them only hides you
// from the reports that warn you about your own exposure (ANCHORS.md §5.15).
var DefaultScannerSuffixes = []string{
	"shodan.io",
	"censys.io",
	"censys-scanner.com",
	"shadowserver.org",
	"binaryedge.io",
	"binaryedge.ninja",
	"stretchoid.com",
	"internet-measurement.com",
	"onyphe.net",
	"internettl.org",
	"criminalip.com",
	"leakix.net",
	"alphastrike.io",
	"rapid7.com",
	"quadmetrics.com",
}

// Config holds the verdict rules. The zero value means: default protected ranges, default
// scanner list, default thresholds.
type Config struct {
	// Whitelist are the operator's CIDRs: their IPs get verdict ignored.
	Whitelist []netip.Prefix
	// NoDefaultProtected drops DefaultProtected (test labs on loopback).
	NoDefaultProtected bool
	// ScannerSuffixes are added to DefaultScannerSuffixes.
	ScannerSuffixes []string
	// AuthThreshold is the auth failures (auth_failed + lost_after_auth) that make a botnet.
	AuthThreshold int
	// EventThreshold is the attack events of any kind that make a botnet.
	EventThreshold int
}

// Default thresholds. Ten failed logins is past any human typo streak (fail2ban's DMS jail
// bans at 6 in 10 minutes); fifty events of any kind is past any misconfigured client.
const (
	DefaultAuthThreshold  = 10
	DefaultEventThreshold = 50
)
