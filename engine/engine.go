// Package engine is mxtop's headless core: one goroutine reads log lines from a source, parses
// and classifies each, updates per-IP counters in the store and publishes immutable snapshots at
// most ten times a second. Bans and whitelist changes go through the engine so that its
// snapshots always say what the firewall holds.
//
//	eng := engine.New(engine.Config{}, src, fw)
//	go func() { errc <- eng.Run(ctx) }()
//	for snap := range eng.Updates() {
//		for _, r := range snap.Rows { fmt.Println(r.IP, r.Verdict, r.Total) }
//	}
//	res, err := eng.Ban(ctx, engine.BanRequest{IP: ip})
//
// The engine imports nothing from the UI toolkit.
package engine

import (
	"errors"
	"net/netip"
	"time"
)

// Errors the engine's actions return; callers check them with errors.Is.
var (
	ErrReadOnly   = errors.New("engine: read-only mode, actions are disabled")
	ErrNoFirewall = errors.New("engine: no firewall configured")
	ErrStopped    = errors.New("engine: stopped")
)

// BanRequest asks the engine to ban one IP (or the /24 or /64 around it).
type BanRequest struct {
	IP       netip.Addr
	Bits     int           // prefix length to ban; 0 = the single address
	Duration time.Duration // 0 = the configured default
	Reason   string        // empty = built from the IP's verdict and counts
	Force    bool          // the operator confirmed banning a scanner
}
