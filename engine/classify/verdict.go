// Package classify gives each client IP a verdict — ignored, scanner, legit, botnet or
// suspicious — with the human-readable reasons behind it.
package classify

// Verdict is what mxtop thinks an IP is. Its names (String) are a public contract used in JSON
// output and the UI.
type Verdict uint8

// Verdicts, from least to most alarming after Ignored.
const (
	Ignored    Verdict = iota // whitelisted or protected (loopback, private, Docker networks, configured CIDRs)
	Legit                     // delivered mail or logged in, no protocol violation
	Scanner                   // reverse-DNS name under a known internet-scanner domain
	Suspicious                // attack events below the botnet rules
	Botnet                    // protocol violation, relay attempt, auth failures above the threshold, fake HELO
	Unknown                   // seen as a client, nothing for or against it yet
)

// String returns the verdict's public name.
func (v Verdict) String() string {
	switch v {
	case Ignored:
		return "ignored"
	case Legit:
		return "legit"
	case Scanner:
		return "scanner"
	case Suspicious:
		return "suspicious"
	case Botnet:
		return "botnet"
	default:
		return "unknown"
	}
}
