package engine

import (
	"context"
	"net/netip"

	"github.com/mxtop/mxtop/engine/firewall"
	"github.com/mxtop/mxtop/engine/source"
)

// Engine is the running core. Create it with New, start it with Run; every other method is
// safe to call from any goroutine while Run runs.
type Engine struct {
	cfg     Config
	src     source.Source
	fw      Firewall
	updates chan *Snapshot
}

// New returns an engine reading src and banning through fw (nil fw: actions return
// ErrNoFirewall).
func New(cfg Config, src source.Source, fw Firewall) *Engine {
	return &Engine{cfg: cfg, src: src, fw: fw, updates: make(chan *Snapshot, 1)}
}

// Run reads the source until ctx is done or the source fails for good. TODO(#2): the loop.
func (e *Engine) Run(ctx context.Context) error { <-ctx.Done(); close(e.updates); return nil }

// Updates delivers snapshots, newest only: an unread snapshot is replaced by a newer one. It is
// closed when Run returns.
func (e *Engine) Updates() <-chan *Snapshot { return e.updates }

// Err tells why Updates was closed; nil while running or after a clean stop.
func (e *Engine) Err() error { return nil }

// Ban bans req.IP (or its prefix) after the policy checks.
func (e *Engine) Ban(ctx context.Context, req BanRequest) (firewall.Result, error) {
	return firewall.Result{}, ErrNoFirewall
}

// Unban lifts the ban on p.
func (e *Engine) Unban(ctx context.Context, p netip.Prefix) (firewall.Result, error) {
	return firewall.Result{}, ErrNoFirewall
}

// Whitelist adds p to (on) or removes it from the whitelist.
func (e *Engine) Whitelist(ctx context.Context, p netip.Prefix, on bool) (firewall.Result, error) {
	return firewall.Result{}, ErrNoFirewall
}

// Lines returns the raw lines kept for ip, oldest first.
func (e *Engine) Lines(ctx context.Context, ip netip.Addr) ([]RawLine, error) {
	return nil, nil
}
