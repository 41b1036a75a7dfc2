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
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/firewall"
	"github.com/mxtop/mxtop/engine/store"
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

// Firewall is the ban layer as the engine uses it; *firewall.Manager implements it. The engine
// calls it from one action worker goroutine only, never from its loop.
type Firewall interface {
	Ban(ctx context.Context, req firewall.Request) (firewall.Result, error)
	BanMany(ctx context.Context, reqs []firewall.Request) ([]firewall.Outcome, firewall.Result, error)
	Unban(ctx context.Context, p netip.Prefix) (firewall.Result, error)
	SetWhitelist(ctx context.Context, p netip.Prefix, on bool) (firewall.Result, error)
	Bans(ctx context.Context) ([]firewall.Ban, error)
	Whitelist() []netip.Prefix
}

// Config tunes the engine. The zero value works: defaults are filled in by New.
type Config struct {
	Classify classify.Config
	Limits   store.Limits
	// Refresh is the snapshot interval: default 100 ms, clamped to 50 ms … 1 s.
	Refresh time.Duration
	// ReadOnly refuses every action with ErrReadOnly.
	ReadOnly bool
	// BanFor is the default ban duration (0 = permanent); the CLI default is 7 days.
	BanFor time.Duration
}
