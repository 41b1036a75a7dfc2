// Package firewalltest provides a recording fake firewall backend, like net/http/httptest: it
// keeps bans in memory, records every call, and can be told to fail.
package firewalltest

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sync"

	"github.com/mxtop/mxtop/engine/firewall"
)

// Operations the Recorder records and can fail.
const (
	OpAdd    = "add"
	OpRemove = "remove"
	OpList   = "list"
	OpEnsure = "ensure"
)

// Recorder is a firewall.Backend that changes nothing but its own memory. It is safe for
// concurrent use, so a test may inspect it while the code under test runs.
type Recorder struct {
	mu      sync.Mutex // protects everything below
	calls   []string
	entries map[netip.Prefix]firewall.Entry
	fail    map[string]error // by op, or by "op prefix" (FailFor)
	health  firewall.Health
}

// New returns an empty Recorder.
func New() *Recorder {
	return &Recorder{
		entries: map[netip.Prefix]firewall.Entry{},
		fail:    map[string]error{},
		health:  firewall.Health{Backend: "recorder", Mode: "fake", ChainExists: true, Jumped: true},
	}
}

// Name returns "recorder".
func (r *Recorder) Name() string { return "recorder" }

// Fail makes every later call of op (OpAdd, OpRemove, OpList, OpEnsure) return err; nil heals it.
func (r *Recorder) Fail(op string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		delete(r.fail, op)
		return
	}
	r.fail[op] = err
}

// FailFor makes later calls of op for prefix p alone return err; nil heals it.
func (r *Recorder) FailFor(op string, p netip.Prefix, err error) {
	r.Fail(op+" "+p.String(), err)
}

// failure returns the error set for op, or for op on p.
func (r *Recorder) failure(op string, p netip.Prefix) error {
	if err := r.fail[op]; err != nil {
		return err
	}
	return r.fail[op+" "+p.String()]
}

// Add records the call and holds the entry, replacing an existing one.
func (r *Recorder) Add(_ context.Context, e firewall.Entry) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cmd := fmt.Sprintf("%s %s %s", OpAdd, e.Prefix, firewall.FormatDuration(e.Timeout))
	r.calls = append(r.calls, cmd)
	if err := r.failure(OpAdd, e.Prefix); err != nil {
		return nil, err
	}
	old := r.entries[e.Prefix]
	e.Packets, e.Bytes = old.Packets, old.Bytes
	r.entries[e.Prefix] = e
	return []string{cmd}, nil
}

// Ensure records "ensure 4" or "ensure 6".
func (r *Recorder) Ensure(_ context.Context, v6 bool) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cmd := OpEnsure + " 4"
	if v6 {
		cmd = OpEnsure + " 6"
	}
	r.calls = append(r.calls, cmd)
	return nil, r.fail[OpEnsure]
}

// Remove records the call and forgets the entry; an absent entry is not an error.
func (r *Recorder) Remove(_ context.Context, p netip.Prefix) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cmd := fmt.Sprintf("%s %s", OpRemove, p)
	r.calls = append(r.calls, cmd)
	if err := r.fail[OpRemove]; err != nil {
		return nil, err
	}
	delete(r.entries, p)
	return []string{cmd}, nil
}

// List returns the held entries in prefix order.
func (r *Recorder) List(context.Context) ([]firewall.Entry, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, OpList)
	if err := r.fail[OpList]; err != nil {
		return nil, err
	}
	return r.sorted(), nil
}

// Health returns what SetHealth set (healthy by default).
func (r *Recorder) Health(context.Context) firewall.Health {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.health
	h.Warnings = slices.Clone(h.Warnings)
	return h
}

// SetHealth sets what Health reports.
func (r *Recorder) SetHealth(h firewall.Health) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.health = h
}

// Calls returns every call so far ("add 203.0.113.7/32 7d", "remove …", "list").
func (r *Recorder) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// ResetCalls forgets the recorded calls, keeping the entries.
func (r *Recorder) ResetCalls() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = nil
}

// Entries returns what the fake kernel holds, in prefix order.
func (r *Recorder) Entries() []firewall.Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sorted()
}

// Has reports whether the fake kernel holds p.
func (r *Recorder) Has(p netip.Prefix) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.entries[p]
	return ok
}

// Put places an entry directly, as a hand-made rule (Rule=true) or a stray set member would be,
// without recording a call.
func (r *Recorder) Put(e firewall.Entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.entries[e.Prefix] = e
}

// Reboot forgets every entry, as a reboot forgets ipsets and rules.
func (r *Recorder) Reboot() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.entries)
}

func (r *Recorder) sorted() []firewall.Entry {
	out := make([]firewall.Entry, 0, len(r.entries))
	for _, e := range r.entries {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b firewall.Entry) int {
		if c := a.Prefix.Addr().Compare(b.Prefix.Addr()); c != 0 {
			return c
		}
		return a.Prefix.Bits() - b.Prefix.Bits()
	})
	return out
}

var _ firewall.Backend = (*Recorder)(nil)
