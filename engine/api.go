package engine

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

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
	actions chan action
	queries chan linesQuery

	mu  sync.Mutex // protects err
	err error
}

// New returns an engine reading src and banning through fw (nil fw: actions return
// ErrNoFirewall).
func New(cfg Config, src source.Source, fw Firewall) *Engine {
	switch {
	case cfg.Refresh == 0:
		cfg.Refresh = 100 * time.Millisecond
	case cfg.Refresh < 50*time.Millisecond:
		cfg.Refresh = 50 * time.Millisecond
	case cfg.Refresh > time.Second:
		cfg.Refresh = time.Second
	}
	return &Engine{
		cfg: cfg, src: src, fw: fw,
		updates: make(chan *Snapshot, 1),
		actions: make(chan action),
		queries: make(chan linesQuery),
	}
}

// Updates delivers snapshots, newest only: an unread snapshot is replaced by a newer one. It is
// closed when Run returns.
func (e *Engine) Updates() <-chan *Snapshot { return e.updates }

// Err tells why Updates was closed; nil while running or after a clean stop.
func (e *Engine) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

type actionKind uint8

const (
	actBan actionKind = iota
	actBanMany
	actUnban
	actWhitelist
	actUnwhitelist
)

type action struct {
	kind  actionKind
	ban   BanRequest
	bans  []BanRequest // actBanMany
	p     netip.Prefix
	req   firewall.Request   // filled in by the loop from the store
	reqs  []firewall.Request // the same for actBanMany
	reply chan actionReply
}

type actionReply struct {
	res  firewall.Result
	outs []firewall.Outcome // actBanMany
	err  error
}

type linesQuery struct {
	ip    netip.Addr
	reply chan []RawLine
}

func (e *Engine) do(ctx context.Context, a action) (firewall.Result, error) {
	r := e.send(ctx, a)
	return r.res, r.err
}

func (e *Engine) send(ctx context.Context, a action) actionReply {
	if e.cfg.ReadOnly {
		return actionReply{err: ErrReadOnly}
	}
	if e.fw == nil {
		return actionReply{err: ErrNoFirewall}
	}
	a.reply = make(chan actionReply, 1)
	select {
	case e.actions <- a:
	case <-ctx.Done():
		return actionReply{err: ctx.Err()}
	}
	select {
	case r := <-a.reply:
		return r
	case <-ctx.Done():
		return actionReply{err: ctx.Err()}
	}
}

// Ban bans req.IP (or the /Bits prefix around it) after the firewall's policy checks. The
// request carries the IP's verdict and counts from the store, so the firewall can refuse a
// scanner without Force and record the evidence.
func (e *Engine) Ban(ctx context.Context, req BanRequest) (firewall.Result, error) {
	if !req.IP.IsValid() {
		return firewall.Result{}, fmt.Errorf("ban: invalid IP")
	}
	return e.do(ctx, action{kind: actBan, ban: req})
}

// BanMany bans every request in one firewall call (one state-file transaction): the way to ban
// a wave. Each request is completed from the store as Ban does it; the outcomes are in request
// order, and the Result sums the batch up.
func (e *Engine) BanMany(ctx context.Context, reqs []BanRequest) ([]firewall.Outcome, firewall.Result, error) {
	for _, r := range reqs {
		if !r.IP.IsValid() {
			return nil, firewall.Result{}, fmt.Errorf("ban: invalid IP")
		}
	}
	r := e.send(ctx, action{kind: actBanMany, bans: reqs})
	return r.outs, r.res, r.err
}

// Unban lifts the ban on p.
func (e *Engine) Unban(ctx context.Context, p netip.Prefix) (firewall.Result, error) {
	return e.do(ctx, action{kind: actUnban, p: p})
}

// Whitelist adds p to (on) or removes it from the whitelist.
func (e *Engine) Whitelist(ctx context.Context, p netip.Prefix, on bool) (firewall.Result, error) {
	k := actWhitelist
	if !on {
		k = actUnwhitelist
	}
	return e.do(ctx, action{kind: k, p: p})
}

// Lines returns the raw lines kept for ip, oldest first.
func (e *Engine) Lines(ctx context.Context, ip netip.Addr) ([]RawLine, error) {
	q := linesQuery{ip: ip, reply: make(chan []RawLine, 1)}
	select {
	case e.queries <- q:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case l := <-q.reply:
		return l, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// mergePrefixes returns a followed by the prefixes of b it lacks.
func mergePrefixes(a, b []netip.Prefix) []netip.Prefix {
	out := append([]netip.Prefix(nil), a...)
	for _, p := range b {
		dup := false
		for _, q := range out {
			if q == p {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}
