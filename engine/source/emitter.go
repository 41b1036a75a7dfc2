package source

import (
	"context"
	"time"
)

// maxBatchLines caps a batch so the engine sees lines at a steady pace even from a fast file.
const maxBatchLines = 8192

// emitter collects the pieces a Docker transport delivers (json-file records, API messages) into
// lines and batches. It owns the three things that make re-attaching safe:
//
//   - Joining. Docker splits a line longer than 16 KiB into pieces, each with its own timestamp;
//     all but the last lack the newline. The pieces of one stream are joined into one line that
//     carries the first piece's time.
//   - De-duplication. maxTS is the newest piece timestamp delivered and nAtMax how many pieces
//     carried exactly it. A transport re-attached with since=maxTS replays pieces at maxTS (the
//     daemon's since is inclusive) and, when the json-file and the API overlap, pieces before it;
//     while resuming, pieces older than resumeTS and the first budget pieces at resumeTS are
//     dropped, and the first newer piece ends the replay.
//   - The history window: pieces older than cutoff (now - --since) are dropped.
//
// emitter is not safe for concurrent use; the Docker source's Run goroutine owns it.
type emitter struct {
	ctx context.Context
	out chan<- Batch

	st      Status
	stDirty bool
	lines   []Line

	cutoff   time.Time
	maxTS    time.Time
	nAtMax   int
	resuming bool
	resumeTS time.Time
	budget   int
	pend     [4]pendingLine // by stream: 0 stdin/tty, 1 stdout, 2 stderr
	npend    int            // how many of pend are active
	dropped  int64          // replayed pieces dropped, for tests

	// span is the time range an API back-fill covers; progress is how far into it the last
	// piece was. Zero when the progress is counted in bytes (json-file).
	spanFrom, spanTo time.Time
}

// pendingLine is the joined head of a split line waiting for its last piece.
type pendingLine struct {
	buf    []byte
	ts     time.Time
	active bool
}

// resume starts dropping what a transport re-attached at since=maxTS will replay.
func (e *emitter) resume() {
	e.resuming = !e.maxTS.IsZero()
	e.resumeTS, e.budget = e.maxTS, e.nAtMax
}

// since returns the timestamp a transport should (re)start from: the newest delivered piece, or
// the history cutoff before anything was delivered. Zero means all history.
func (e *emitter) since() time.Time {
	if e.maxTS.After(e.cutoff) {
		return e.maxTS
	}
	return e.cutoff
}

// piece takes one message of a stream: its time, its text (without newline) and whether the line
// continues in the next piece. text must stay valid and unchanged for as long as the batch lives.
func (e *emitter) piece(stream int, ts time.Time, text []byte, partial bool) {
	if e.resuming {
		switch {
		case ts.Before(e.resumeTS):
			e.dropped++
			return
		case ts.Equal(e.resumeTS) && e.budget > 0:
			e.budget--
			e.dropped++
			return
		case ts.After(e.resumeTS):
			e.resuming = false
		}
	}
	if !e.spanTo.IsZero() {
		e.setProgress(float64(ts.Sub(e.spanFrom)) / float64(e.spanTo.Sub(e.spanFrom)+1))
	}
	switch {
	case ts.After(e.maxTS):
		e.maxTS, e.nAtMax = ts, 1
	case ts.Equal(e.maxTS):
		e.nAtMax++
	}
	p := &e.pend[stream&3]
	if !p.active && !partial {
		if !ts.Before(e.cutoff) {
			e.add(ts, text)
		}
		return
	}
	if !p.active {
		p.active, p.ts, p.buf = true, ts, make([]byte, 0, 2*len(text)+64)
		e.npend++
	}
	if room := MaxLineBytes + 1 - len(p.buf); room > 0 {
		p.buf = append(p.buf, text[:min(room, len(text))]...)
	}
	if !partial {
		e.finish(p)
	}
}

// finish delivers a pending joined line.
func (e *emitter) finish(p *pendingLine) {
	if !p.ts.Before(e.cutoff) {
		e.add(p.ts, p.buf)
	}
	*p = pendingLine{}
	e.npend--
}

// flushPending delivers every unfinished split line, for a container that went away.
func (e *emitter) flushPending() {
	for i := range e.pend {
		if e.pend[i].active {
			e.finish(&e.pend[i])
		}
	}
}

// add appends one line, stripping a trailing \r and cutting it at MaxLineBytes.
func (e *emitter) add(ts time.Time, text []byte) {
	if n := len(text); n > 0 && text[n-1] == '\r' {
		text = text[:n-1]
	}
	if len(text) > MaxLineBytes {
		text = text[:MaxLineBytes]
		e.st.Truncated++
		e.stDirty = true
	}
	e.lines = append(e.lines, Line{Time: ts, Text: text[:len(text):len(text)]})
}

// reserve makes room for n more lines, so a big read does not grow the batch step by step; a
// small read (one live message) gets a small batch.
func (e *emitter) reserve(n int) {
	if cap(e.lines)-len(e.lines) < n {
		e.lines = append(make([]Line, 0, len(e.lines)+n), e.lines...)
	}
}

// skip counts one piece of bad input that could not be decoded.
func (e *emitter) skip() {
	e.st.Skipped++
	e.stDirty = true
}

// setState changes the state shown in the status line and sends it at once, with any lines
// collected so far.
func (e *emitter) setState(s State, detail string) error {
	if e.st.State == s && e.st.Detail == detail {
		return nil
	}
	e.st.State, e.st.Detail = s, detail
	if s != StateBackfilling {
		e.st.Progress = 0
	}
	if s != StateReconnecting {
		e.st.Attempt = 0
	}
	e.stDirty = true
	return e.flush()
}

// setProgress updates the back-fill progress; it is sent with the next batch when it moved by
// at least a percent.
func (e *emitter) setProgress(p float64) {
	p = min(max(p, 0), 0.99)
	if int(p*100) != int(e.st.Progress*100) {
		e.st.Progress = p
		e.stDirty = true
	}
}

// flush sends the collected lines and the status if it changed.
func (e *emitter) flush() error {
	if len(e.lines) == 0 && !e.stDirty {
		return nil
	}
	b := Batch{Lines: e.lines}
	if e.stDirty {
		b.Status = statusPtr(e.st)
		e.stDirty = false
	}
	e.lines = nil
	return send(e.ctx, e.out, b)
}

// full reports whether the batch should be sent before taking more.
func (e *emitter) full() bool { return len(e.lines) >= maxBatchLines }
