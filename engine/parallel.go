package engine

import (
	"context"
	"runtime"
	"slices"
	"sync"

	"github.com/mxtop/mxtop/engine/parse"
	"github.com/mxtop/mxtop/engine/source"
)

// parsed is one batch after parsing: only the lines the store needs, in log order.
type parsed struct {
	status  *source.Status
	lines   int64
	mail    int64
	evs     []parse.Event
	raws    [][]byte // the lines of evs, when the store keeps raw lines; else empty
	release func()   // the batch's Release: its lines are no longer needed once applied
}

// IngestAll reads src to its end (or until ctx is done) with parsing spread over all cores:
// workers parse whole batches concurrently, each with its own Parser, and this goroutine
// applies the results to the store strictly in batch order, so the outcome is exactly that of
// Ingest. This is the path of `mxtop report`, where throughput is the point.
func (c *Core) IngestAll(ctx context.Context, src source.Source) error {
	workers := runtime.GOMAXPROCS(0)
	keepRaw := c.store.KeepsLines()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan source.Batch, workers)
	srcErr := make(chan error, 1)
	go func() {
		srcErr <- src.Run(ctx, batches)
		close(batches)
	}()

	// A worker takes a batch and queues the channel its result will come on in one step, under
	// take, so order lists the batches as the source sent them. (A goroutine of its own for this
	// hand-off waited for a core behind the workers and the store, and the workers starved.)
	// order holds two batches per worker: with one, a runtime trace showed the store working
	// alone for a tenth of the run while both workers waited for it to take a result.
	order := make(chan chan *parsed, 2*workers)
	var take sync.Mutex
	var wg sync.WaitGroup
	pool := sync.Pool{New: func() any { return new(parsed) }}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := parse.Parser{Now: c.parser.Now, Loc: c.parser.Loc, StableJSON: true}
			for {
				take.Lock()
				b, ok := <-batches
				if !ok {
					take.Unlock()
					return
				}
				out := make(chan *parsed, 1)
				order <- out
				take.Unlock()
				r := pool.Get().(*parsed)
				parseBatch(&p, b, r, keepRaw)
				out <- r
			}
		}()
	}
	go func() {
		wg.Wait()
		close(order)
	}()
	for out := range order {
		r := <-out
		c.apply(r)
		if r.release != nil {
			r.release()
		}
		// The slices keep their pointers into this batch's chunk (and, for json-file records,
		// the parser's decode buffer): clearing 272-byte events cost 5 % of the run on the one
		// goroutine that cannot be parallel, while what they pin is one chunk or buffer per
		// pooled batch, mostly recycled by the source anyway, until the next batch parsed into
		// it overwrites them.
		r.evs, r.raws = r.evs[:0], r.raws[:0]
		pool.Put(r)
	}
	return <-srcErr
}

func parseBatch(p *parse.Parser, b source.Batch, r *parsed, keepRaw bool) {
	r.status, r.release = b.Status, b.Release
	r.lines = int64(len(b.Lines))
	r.mail = 0
	for i := range b.Lines {
		l := &b.Lines[i]
		// Parse in place into the next free slot, which is kept only when the line names a
		// client: no 272-byte copy per line.
		r.evs = slices.Grow(r.evs, 1)
		ev := &r.evs[:len(r.evs)+1][len(r.evs)]
		if !p.Parse(l.Text, l.Time, ev) {
			continue
		}
		r.mail++
		if ev.Kind == parse.NoClient {
			continue
		}
		r.evs = r.evs[:len(r.evs)+1]
		if keepRaw {
			r.raws = append(r.raws, l.Text)
		}
	}
}

func (c *Core) apply(r *parsed) {
	if r.status != nil {
		c.status = *r.status
		c.counters.Truncated = r.status.Truncated
	}
	c.counters.Lines += r.lines
	c.counters.MailLines += r.mail
	for i := range r.evs {
		var raw []byte
		if len(r.raws) > 0 {
			raw = r.raws[i]
		}
		c.store.Prefetch(r.evs, i)
		c.record(&r.evs[i], raw)
	}
}
