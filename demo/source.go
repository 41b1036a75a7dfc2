package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/mxtop/mxtop/engine/source"
)

// Defaults of the live source.
const (
	// DefaultRate is the live demo's line rate: a mail server under a visible attack wave that
	// a person can still follow in the TUI.
	DefaultRate = 300
	// MaxRate bounds WithRate: 50,000 lines/s is the rate the UI's performance is measured at;
	// twice that leaves headroom without letting a typo starve the machine.
	MaxRate = 100000
	// DefaultTick is how often the live source sends a batch: 20 batches a second keeps the
	// stream smooth and costs one channel send per 15 lines at the default rate.
	DefaultTick = 50 * time.Millisecond
	// DefaultLiveWavePeriod is one attack wave cycle of the live demo: calm for about 25 s,
	// then the PREGREET botnet escalates, the AUTH brute force and the relay spam follow, and
	// it all fades out again, so a new user sees the whole story in four minutes.
	DefaultLiveWavePeriod = 4 * time.Minute
	// maxBatchSpan caps how much wall time one batch makes up for: if the consumer stalls, the
	// source drops the backlog instead of flooding it with a burst when it returns.
	maxBatchSpan = time.Second
)

// Source plays the generator live: lines are stamped with the wall clock as they are made.
// It implements source.Source.
type Source struct {
	seed   int64
	rate   int
	tick   time.Duration
	period time.Duration
}

// Option configures NewSource.
type Option func(*Source)

// WithRate sets the line rate in lines per second (clamped to 1..MaxRate).
func WithRate(linesPerSecond int) Option {
	return func(s *Source) { s.rate = min(max(linesPerSecond, 1), MaxRate) }
}

// WithTick sets how often a batch is sent (at least 1 ms).
func WithTick(d time.Duration) Option {
	return func(s *Source) { s.tick = max(d, time.Millisecond) }
}

// WithWavePeriod sets the length of one attack wave cycle (at least 10 s).
func WithWavePeriod(d time.Duration) Option {
	return func(s *Source) { s.period = max(d, 10*time.Second) }
}

// NewSource returns a live demo source playing seed's traffic.
func NewSource(seed int64, opts ...Option) source.Source {
	s := &Source{seed: seed, rate: DefaultRate, tick: DefaultTick, period: DefaultLiveWavePeriod}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Name returns "demo".
func (s *Source) Name() string { return "demo" }

// Run sends a batch of lines every tick until ctx is done, then returns ctx.Err(). The first
// batch carries the source's status (following). Every batch owns its lines' memory.
func (s *Source) Run(ctx context.Context, out chan<- source.Batch) error {
	start := time.Now()
	g := New(s.seed, start)
	g.period = s.period.Seconds()
	g.updateMix(0)
	st := source.Status{
		Source: "demo",
		State:  source.StateFollowing,
		Detail: fmt.Sprintf("synthetic attack wave, seed %d, %d lines/s", s.seed, s.rate),
	}
	if !send(ctx, out, source.Batch{Status: &st}) {
		return ctx.Err()
	}
	ticker := time.NewTicker(s.tick)
	defer ticker.Stop()
	last, carry := start, 0.0
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
		now := time.Now()
		span := now.Sub(last)
		if span > maxBatchSpan {
			last, span, carry = now.Add(-maxBatchSpan), maxBatchSpan, 0
		}
		want := carry + float64(s.rate)*span.Seconds()
		n := int(want)
		carry = want - float64(n)
		if n == 0 {
			continue
		}
		b := s.batch(g, n, last, span)
		last = now
		if !send(ctx, out, b) {
			return ctx.Err()
		}
	}
}

// batch makes n lines spread evenly over (from, from+span].
func (s *Source) batch(g *Generator, n int, from time.Time, span time.Duration) source.Batch {
	arena := make([]byte, 0, n*200)
	lines := make([]source.Line, n)
	for i := range lines {
		t := from.Add(span * time.Duration(i+1) / time.Duration(n))
		off := len(arena)
		arena = g.appendAt(arena, t.UnixMicro())
		// Text may point into an arena that append later outgrew: the old array stays alive
		// and unchanged, so the slice remains valid.
		lines[i] = source.Line{Time: t.Truncate(time.Microsecond), Text: arena[off : len(arena)-1 : len(arena)-1]}
	}
	return source.Batch{Lines: lines}
}

func send(ctx context.Context, out chan<- source.Batch, b source.Batch) bool {
	select {
	case out <- b:
		return true
	case <-ctx.Done():
		return false
	}
}
