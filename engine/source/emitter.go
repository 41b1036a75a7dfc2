package source

import (
	"context"
	"encoding/binary"
	"time"
)

// maxBatchLines caps a batch so the engine sees lines at a steady pace even from a fast file.
const maxBatchLines = 8192

// emitter collects the pieces a Docker transport delivers (json-file records, API messages) into
// lines and batches. It owns the three things that make re-attaching safe:
//
//   - Joining. Docker splits a line longer than 16 KiB into pieces (current dockerd stamps them
//     all with the first one's time, older ones each with its own); all but the last lack the
//     newline. The pieces of one stream are joined into one line that carries the first
//     piece's time.
//   - De-duplication. A transport re-attaches a little before the newest piece delivered (since,
//     up to replayWindow earlier), because stdout and stderr are stamped by two goroutines: a
//     piece can be written after one with a later stamp, and a re-attach at the newest stamp
//     would never see it. What the transport replays is recognised by content: the last
//     recentPieces delivered pieces are remembered by time, length and first and last
//     bytes, and while resuming a piece not newer than the newest delivered one is dropped when
//     older than since or when it matches a remembered piece not yet matched, and delivered
//     otherwise. The first newer piece ends the replay.
//   - The history window: pieces older than cutoff (now - --since) are dropped.
//
// emitter is not safe for concurrent use; the Docker source's Run goroutine owns it.
type emitter struct {
	ctx context.Context
	out chan<- Batch

	st      Status
	stDirty bool
	lines   []Line

	cutoff time.Time
	maxTS  time.Time
	pend   [4]pendingLine // by stream: 0 stdin/tty, 1 stdout, 2 stderr
	npend  int            // how many of pend are active

	// recent is a ring of the last pieces delivered, the nrecent-th written at nrecent %
	// recentPieces; forgotMax is the newest time of a piece that left it.
	recent    [recentPieces]pieceKey
	nrecent   int
	forgotMax time.Time
	// While resuming (until a piece newer than resumeTo), a piece is a replay when older than
	// resumeFrom or still counted in replayed (each replay uses up one count: the pieces of a
	// split line share one time, and can share length and ends too).
	resuming             bool
	resumeFrom, resumeTo time.Time
	replayed             map[pieceKey]int32
	dropped              int64 // replayed pieces dropped, for tests

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

// recentPieces is how many delivered pieces the emitter remembers to recognise a replay, and
// replayWindow how far before the newest of them a transport re-attaches. A piece is remembered
// in 32 bytes; when the pieces of the window do not all fit, the window shrinks to those that do.
const (
	recentPieces = 4096
	replayWindow = time.Second
)

// pieceKey identifies a delivered piece well enough to recognise its replay: the same
// nanosecond and length, the same first and last eight bytes, a trailing \r aside (a TTY's
// line ends in one in the json-file and not through the API). The stream is left out: the
// json-file back-fill reads it only for split lines, and a TTY has none.
type pieceKey struct {
	ts          int64
	n           int
	first, last uint64
}

func keyOf(ts time.Time, text []byte) pieceKey {
	if n := len(text); n > 0 && text[n-1] == '\r' {
		text = text[:n-1]
	}
	k := pieceKey{ts: ts.UnixNano(), n: len(text)}
	var w [8]byte
	copy(w[:], text)
	k.first = binary.LittleEndian.Uint64(w[:])
	w = [8]byte{}
	copy(w[:], text[max(0, len(text)-8):])
	k.last = binary.LittleEndian.Uint64(w[:])
	return k
}

// remember adds a delivered piece to the ring.
func (e *emitter) remember(k pieceKey) {
	slot := &e.recent[e.nrecent%recentPieces]
	if e.nrecent >= recentPieces {
		if t := time.Unix(0, slot.ts).UTC(); t.After(e.forgotMax) {
			e.forgotMax = t
		}
	}
	*slot = k
	e.nrecent++
}

// resume starts recognising the replay of a transport re-attached at since().
func (e *emitter) resume() {
	e.resuming = !e.maxTS.IsZero()
	if !e.resuming {
		return
	}
	e.resumeFrom, e.resumeTo = e.since(), e.maxTS
	if e.replayed == nil {
		e.replayed = make(map[pieceKey]int32, recentPieces)
	}
	clear(e.replayed)
	for _, k := range e.recent[:min(e.nrecent, recentPieces)] {
		e.replayed[k]++
	}
}

// replay reports whether k matches a remembered piece not matched yet, and uses that one up.
func (e *emitter) replay(k pieceKey) bool {
	n := e.replayed[k]
	if n > 0 {
		e.replayed[k] = n - 1
	}
	return n > 0
}

// since returns the timestamp a transport should (re)start from: replayWindow before the newest
// delivered piece, but not before a piece the ring has forgotten, nor before the history cutoff.
// Zero means all history.
func (e *emitter) since() time.Time {
	if !e.maxTS.After(e.cutoff) {
		return e.cutoff
	}
	s := e.maxTS.Add(-replayWindow)
	if !e.forgotMax.IsZero() && !s.After(e.forgotMax) {
		s = e.forgotMax.Add(time.Nanosecond)
	}
	if s.Before(e.cutoff) {
		s = e.cutoff
	}
	return s
}

// piece takes one message of a stream: its time, its text (without newline) and whether the line
// continues in the next piece. text must stay valid and unchanged for as long as the batch lives.
func (e *emitter) piece(stream int, ts time.Time, text []byte, partial bool) {
	k := keyOf(ts, text)
	if e.resuming {
		if ts.After(e.resumeTo) {
			// Past everything delivered before. A transport replays in the order of the log,
			// and what was delivered was a prefix of it, so no replay follows.
			e.resuming = false
		} else if ts.Before(e.resumeFrom) || e.replay(k) {
			e.dropped++
			return
		}
	}
	e.remember(k)
	if !e.spanTo.IsZero() {
		e.setProgress(float64(ts.Sub(e.spanFrom)) / float64(e.spanTo.Sub(e.spanFrom)+1))
	}
	if ts.After(e.maxTS) {
		e.maxTS = ts
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
