package source

import (
	"context"
	"strings"
	"sync"
)

// Merge runs several sources at once (mxtop --file a --file b) and forwards their lines as they
// come. Lines of different sources interleave by arrival; each source's own order is kept. The
// status is a summary: the most pressing state of any source (failed, reconnecting, waiting,
// stopped, back-filling, following, and done only when all are done), their counters summed.
//
// Run returns when every source has returned; the first error cancels the others.
func Merge(srcs ...Source) Source {
	if len(srcs) == 1 {
		return srcs[0]
	}
	return &merged{srcs: srcs}
}

type merged struct{ srcs []Source }

func (m *merged) Name() string {
	names := make([]string, len(m.srcs))
	for i, s := range m.srcs {
		names[i] = s.Name()
	}
	return strings.Join(names, ", ")
}

// rank orders states by how much they matter to the operator.
var rank = [...]int{
	StateDone: 0, StateFollowing: 1, StateStarting: 2, StateBackfilling: 3, StateStopped: 4,
	StateWaiting: 5, StateReconnecting: 6, StateFailed: 7,
}

type tagged struct {
	i int
	b Batch
}

func (m *merged) Run(ctx context.Context, out chan<- Batch) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in := make(chan tagged)
	var (
		mu       sync.Mutex
		firstErr error // the error that ended the first source to fail, in time order
		wg       sync.WaitGroup
	)
	for i, s := range m.srcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch := make(chan Batch, 1)
			done := make(chan struct{})
			go func() {
				defer close(done)
				for b := range ch {
					select {
					case in <- tagged{i, b}:
					case <-ctx.Done():
					}
				}
			}()
			err := s.Run(ctx, ch)
			close(ch)
			<-done
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				cancel()
			}
		}()
	}
	go func() { wg.Wait(); close(in) }()
	sts := make([]Status, len(m.srcs))
	for i, s := range m.srcs {
		sts[i] = Status{Source: s.Name(), State: StateStarting}
	}
	var sendErr error
	for t := range in {
		if sendErr != nil {
			continue // drain until every source has stopped
		}
		if t.b.Status != nil {
			sts[t.i] = *t.b.Status
			t.b.Status = statusPtr(m.summary(sts))
		}
		sendErr = send(ctx, out, t.b)
	}
	if firstErr != nil {
		return firstErr
	}
	return sendErr
}

// summary folds the sources' statuses into one.
func (m *merged) summary(sts []Status) Status {
	sum := Status{Source: m.Name(), State: StateDone}
	n := 0
	for _, s := range sts {
		if rank[s.State] > rank[sum.State] {
			sum.State, sum.Detail, sum.Attempt = s.State, s.Detail, s.Attempt
		}
		if s.State == StateBackfilling {
			sum.Progress += s.Progress
			n++
		}
		if sum.Err == "" {
			sum.Err = s.Err
		}
		sum.Truncated += s.Truncated
		sum.Skipped += s.Skipped
	}
	if sum.State == StateBackfilling && n > 0 {
		sum.Progress /= float64(n)
	} else {
		sum.Progress = 0
	}
	return sum
}
