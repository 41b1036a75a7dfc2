package engine

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/firewall"
	"github.com/mxtop/mxtop/engine/source"
)

// fwState is what the action worker reports after each firewall call.
type fwState struct {
	bans      []firewall.Ban
	whitelist []netip.Prefix
	warnings  []string
	err       error
}

// maintainer is the upkeep *firewall.Manager offers: Restore re-adds bans the kernel lost,
// expires old ones and puts the set rule back if Docker dropped it; Health says whether the
// chain is really reached (a DOCKER-USER that FORWARD does not jump to fails open).
type maintainer interface {
	Restore(ctx context.Context) (firewall.Result, error)
	Health(ctx context.Context) firewall.Health
}

// upkeepInterval is how often the worker runs the firewall's upkeep: bans expire to the
// minute, and a rule Docker removed is back within a minute.
const upkeepInterval = time.Minute

// Run reads the source until ctx is done or the source fails for good, and closes Updates when
// it returns. A finite source (a file, stdin) that ends is not an error: the engine keeps
// serving its final state until ctx is done. Every goroutine Run starts has ended when it
// returns.
func (e *Engine) Run(ctx context.Context) error {
	defer close(e.updates)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()

	core := NewCore(e.cfg.Classify, e.cfg.Limits)
	batches := make(chan source.Batch, 4)
	srcDone := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		srcDone <- e.src.Run(ctx, batches)
	}()

	work := make(chan action, 16)
	fwStates := make(chan fwState, 1)
	if e.fw != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.worker(ctx, work, fwStates)
		}()
	}

	l := loop{e: e, core: core, dirty: true}
	ticker := time.NewTicker(e.cfg.Refresh)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case b := <-batches:
			core.Ingest(b)
			l.dirty = true
		case err := <-srcDone:
			srcDone = nil
			for len(batches) > 0 { // the source has returned: nothing else will be sent
				core.Ingest(<-batches)
			}
			l.publish()
			if err != nil && ctx.Err() == nil {
				e.mu.Lock()
				e.err = err
				e.mu.Unlock()
				return err
			}
		case now := <-ticker.C:
			l.tick(now)
		case q := <-e.queries:
			q.reply <- l.lines(q.ip)
		case a := <-e.actions:
			if a.kind == actBanMany {
				a.reqs = make([]firewall.Request, len(a.bans))
				for i, b := range a.bans {
					a.reqs[i] = l.banRequest(b)
				}
			} else {
				a.req = l.request(a)
			}
			select {
			case work <- a:
			default:
				a.reply <- actionReply{err: errors.New("firewall busy: too many actions queued")}
			}
		case st := <-fwStates:
			l.applyFirewall(st)
		}
	}
}

// loop is the state only the Run goroutine touches.
type loop struct {
	e          *Engine
	core       *Core
	dirty      bool
	seq        uint64
	fwErr      string
	fwWarnings []string
	samples    [20]rateSample // the last two seconds of ticks at 100 ms
	nSample    int
}

type rateSample struct {
	at            time.Time
	lines, events int64
}

func (l *loop) tick(now time.Time) {
	c := l.core.Counters()
	l.samples[l.nSample%len(l.samples)] = rateSample{at: now, lines: c.Lines, events: c.Events}
	l.nSample++
	if l.dirty || l.nSample%10 == 0 { // rates decay to zero even when nothing arrives
		l.publish()
	}
}

func (l *loop) rates() (linesPerSec, eventsPerSec float64) {
	if l.nSample < 2 {
		return 0, 0
	}
	newest := l.samples[(l.nSample-1)%len(l.samples)]
	oldestIdx := 0
	if l.nSample > len(l.samples) {
		oldestIdx = l.nSample % len(l.samples)
	}
	oldest := l.samples[oldestIdx]
	dt := newest.at.Sub(oldest.at).Seconds()
	if dt <= 0 {
		return 0, 0
	}
	return float64(newest.lines-oldest.lines) / dt, float64(newest.events-oldest.events) / dt
}

// publish offers a new snapshot, replacing an unread one: the reader only wants the newest,
// and the loop must never block on a slow UI.
func (l *loop) publish() {
	s := l.core.Snapshot()
	l.seq++
	s.Seq = l.seq
	s.Taken = time.Now()
	s.LinesPerSec, s.EventsPerSec = l.rates()
	s.ReadOnly = l.e.cfg.ReadOnly
	s.FirewallErr = l.fwErr
	s.FirewallWarnings = l.fwWarnings
	select {
	case <-l.e.updates:
	default:
	}
	l.e.updates <- s
	l.dirty = false
}

func (l *loop) lines(ip netip.Addr) []RawLine {
	agg := l.core.Store().Get(ip.Unmap())
	if agg == nil {
		return nil
	}
	kept := agg.Lines()
	out := make([]RawLine, len(kept))
	for i, k := range kept {
		out[i] = RawLine{Time: k.Time, Category: k.Category, Text: k.Text}
	}
	return out
}

// request completes an action with what only the loop knows: the IP's verdict and counts.
func (l *loop) request(a action) firewall.Request {
	if a.kind != actBan {
		return firewall.Request{Prefix: a.p}
	}
	return l.banRequest(a.ban)
}

func (l *loop) banRequest(ban BanRequest) firewall.Request {
	ip := ban.IP.Unmap()
	bits := ban.Bits
	if bits <= 0 || bits > ip.BitLen() {
		bits = ip.BitLen()
	}
	p, _ := ip.Prefix(bits)
	req := firewall.Request{Prefix: p, Duration: ban.Duration, Reason: ban.Reason, Force: ban.Force}
	if req.Duration == 0 {
		req.Duration = l.e.cfg.BanFor
	}
	if agg := l.core.Store().Get(ip); agg != nil {
		v, reasons := l.core.Classifier().Verdict(agg)
		req.Verdict = v.String()
		req.Evidence = CategoryCounts(agg.Counts)
		if req.Reason == "" && len(reasons) > 0 {
			req.Reason = v.String() + ": " + reasons[0]
		}
	}
	if req.Reason == "" {
		req.Reason = "banned from mxtop"
	}
	return req
}

func (l *loop) applyFirewall(st fwState) {
	l.core.SetBans(st.bans)
	if wl := mergePrefixes(l.e.cfg.Classify.Whitelist, st.whitelist); !slices.Equal(wl, l.core.Classifier().Config().Whitelist) {
		cfg := l.e.cfg.Classify
		cfg.Whitelist = wl
		l.core.SetClassifier(classify.New(cfg))
	}
	l.fwErr = ""
	if st.err != nil {
		l.fwErr = st.err.Error()
	}
	l.fwWarnings = st.warnings
	l.dirty = true
}

// worker runs firewall calls one at a time, off the loop: iptables may wait on the xtables
// lock for seconds, and the loop must keep ingesting meanwhile.
func (e *Engine) worker(ctx context.Context, work <-chan action, out chan fwState) {
	mt, _ := e.fw.(maintainer)
	var warnings []string
	upkeep := func() error {
		if mt == nil {
			return nil
		}
		_, err := mt.Restore(ctx)
		warnings = mt.Health(ctx).Warnings
		return err
	}
	report := func(upkeepErr error) {
		bans, err := e.fw.Bans(ctx)
		if err == nil {
			err = upkeepErr
		}
		st := fwState{bans: bans, whitelist: e.fw.Whitelist(), warnings: warnings, err: err}
		select {
		case <-out: // replace an unread, older state
		default:
		}
		select {
		case out <- st:
		case <-ctx.Done():
		}
	}
	if mt != nil {
		warnings = mt.Health(ctx).Warnings
	}
	report(nil)
	tick := time.NewTicker(upkeepInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			report(upkeep())
		case a := <-work:
			var r actionReply
			switch a.kind {
			case actBan:
				r.res, r.err = e.fw.Ban(ctx, a.req)
			case actBanMany:
				r.outs, r.res, r.err = e.fw.BanMany(ctx, a.reqs)
			case actUnban:
				r.res, r.err = e.fw.Unban(ctx, a.req.Prefix)
			case actWhitelist, actUnwhitelist:
				r.res, r.err = e.fw.SetWhitelist(ctx, a.req.Prefix, a.kind == actWhitelist)
			}
			a.reply <- r
			report(nil)
		}
	}
}
