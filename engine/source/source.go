// Package source delivers raw log lines to the engine: from the Docker Engine API (following a
// container by name), from plain files followed like tail -F, and from any io.Reader (stdin,
// fixtures, the demo generator).
//
// Lines travel in batches so that a channel operation is paid once per few hundred lines, not
// once per line: at millions of lines per second a per-line send would cost more than parsing.
//
//	src := source.NewReader("stdin", os.Stdin)
//	out := make(chan source.Batch, 4)
//	go func() { err = src.Run(ctx, out); close(out) }()
//	for b := range out {
//		for _, l := range b.Lines { use(l.Time, l.Text) }
//	}
package source

import (
	"context"
	"strconv"
	"time"
)

// MaxLineBytes is the longest line a source delivers. Longer lines are cut to this length and
// counted in Status.Truncated; the rest of the line is discarded without being buffered, so an
// attacker-sized line cannot grow memory without bound. 64 KiB is four times Docker's 16 KiB
// split size and far longer than any Postfix or Dovecot line (Postfix caps its own lines at
// about 2 KiB of logged command text).
const MaxLineBytes = 64 << 10

// Line is one log line as the transport delivered it.
type Line struct {
	// Time is the transport's timestamp (Docker's RFC3339Nano stamp, a json-file record's
	// "time"); zero when the transport has none and the line's own header must be used.
	Time time.Time
	// Text is the line without its trailing newline (and without a trailing \r). It points into
	// memory owned by the Batch: the receiver may keep it, the sender never reuses it, unless
	// the receiver calls the batch's Release.
	Text []byte
}

// Batch is a group of lines in log order, plus the source's state when it changed.
type Batch struct {
	Lines []Line
	// Status is non-nil when the source's state changed before these lines; a batch may carry
	// only a status and no lines.
	Status *Status
	// Release, when not nil, gives the memory behind Lines back to the source for reuse. A
	// receiver that calls it must do so once, after its last use of Lines and of anything sliced
	// from a line's Text; a receiver that never calls it loses nothing but the reuse.
	Release func()
}

// State is what a source is doing, shown in the engine snapshot and the TUI header.
type State uint8

// States of a source, in the order a Docker source normally goes through them.
const (
	StateStarting State = iota
	StateBackfilling
	StateFollowing
	StateWaiting      // the container does not exist (yet): "waiting for container mailserver"
	StateStopped      // the container exists but is not running
	StateReconnecting // the daemon or the connection went away; retrying with backoff
	StateDone         // a finite source (file read once, stdin) reached its end
	StateFailed
)

// String returns the state as the status line shows it.
func (s State) String() string {
	switch s {
	case StateStarting:
		return "starting"
	case StateBackfilling:
		return "backfilling"
	case StateFollowing:
		return "following"
	case StateWaiting:
		return "waiting"
	case StateStopped:
		return "container stopped"
	case StateReconnecting:
		return "reconnecting"
	case StateDone:
		return "done"
	default:
		return "failed"
	}
}

// Status is a source's state with the details the status line needs.
type Status struct {
	Source   string  // "container mailserver", "file /var/log/mail.log", "stdin", "demo"
	State    State   // what it is doing now
	Progress float64 // back-fill progress 0..1 while StateBackfilling, else 0
	Attempt  int     // reconnect attempt while StateReconnecting
	Detail   string  // one human sentence, e.g. "json-file unreadable, back-filling through the API"
	Err      string  // last error, one line, empty when none

	// Counters of bad input that was cut or skipped, never fatal.
	Truncated int64 // lines longer than MaxLineBytes, cut
	Skipped   int64 // garbled frames or records that could not be decoded
}

// String renders the status the way the TUI header and report footer show it, for example
// "following container mailserver", "backfilling 42% container mailserver" or
// "reconnecting (3) container mailserver".
func (s Status) String() string {
	switch s.State {
	case StateBackfilling:
		return "backfilling " + strconv.Itoa(int(s.Progress*100)) + "% " + s.Source
	case StateReconnecting:
		return "reconnecting (" + strconv.Itoa(s.Attempt) + ") " + s.Source
	case StateWaiting:
		return "waiting for " + s.Source
	default:
		return s.State.String() + " " + s.Source
	}
}

// Source is where log lines come from. Run sends batches to out until the source ends (nil
// error for a finite source that reached its end), ctx is cancelled (ctx.Err()), or it fails
// for good (a one-sentence error). Run never closes out; it returns only after every goroutine
// it started has finished.
type Source interface {
	Name() string
	Run(ctx context.Context, out chan<- Batch) error
}
