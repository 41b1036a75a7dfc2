package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// Reader is a finite source over any io.Reader: stdin, a file read once, a test fixture. It
// delivers every line in order and then reports StateDone; Run returns nil at EOF.
//
// Lines carry no transport time (Line.Time is zero): the engine reads the line's own syslog
// header. Invalid UTF-8 is passed through untouched; a line longer than MaxLineBytes is cut and
// counted in Status.Truncated.
type Reader struct {
	name   string
	r      io.Reader
	closer io.Closer // closed when Run returns, for OpenFile
	size   int64     // total bytes when known (a regular file), for back-fill progress
}

// NewReader returns a source that reads lines from r until EOF. name is the Status.Source text,
// e.g. "stdin" or "file /var/log/mail.log".
//
// Cancelling Run's context interrupts a blocked Read only when r supports read deadlines (a
// pollable *os.File such as a non-blocking pipe, or a net.Conn); otherwise Run returns after the
// Read in progress returns.
func NewReader(name string, r io.Reader) *Reader {
	return &Reader{name: name, r: r}
}

// OpenFile returns a source that reads the file at path once, from the start, reporting
// progress while it reads. The error for a missing or unreadable file is one line, e.g.
// "open /x: no such file or directory".
func OpenFile(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, oneLine(err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, oneLine(err)
	}
	if st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("open %s: is a directory", path)
	}
	r := &Reader{name: "file " + path, r: f, closer: f}
	if st.Mode().IsRegular() {
		r.size = st.Size()
	}
	return r, nil
}

// oneLine turns an *fs.PathError into "op path: reason" (its own format), and keeps anything else.
func oneLine(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s %s: %w", pe.Op, pe.Path, pe.Err)
	}
	return err
}

// cause strips the "op path:" of an *fs.PathError, for messages that already name the file.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Close releases the file of a Reader from OpenFile that will not be run (Run closes it itself).
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

// Name returns the name given to NewReader.
func (r *Reader) Name() string { return r.name }

// deadliner is implemented by pollable files and network connections.
type deadliner interface{ SetReadDeadline(time.Time) error }

// Run reads until EOF, ctx is cancelled, or a read fails.
func (r *Reader) Run(ctx context.Context, out chan<- Batch) error {
	if r.closer != nil {
		defer r.closer.Close()
	}
	if d, ok := r.r.(deadliner); ok && d.SetReadDeadline(time.Time{}) == nil {
		stop := context.AfterFunc(ctx, func() { d.SetReadDeadline(time.Now()) })
		defer stop()
	}
	st := Status{Source: r.name, State: StateFollowing}
	if r.size > 0 {
		st.State = StateBackfilling
	}
	if err := send(ctx, out, Batch{Status: statusPtr(st)}); err != nil {
		return err
	}
	// Chunks and line slices are recycled when the receiver releases its batches (IngestAll
	// does): a one-shot read then allocates nothing per chunk.
	c := cutter{pool: newChunkPool(readerPool)}
	defer c.reset()
	spare := make(chan []Line, readerPool)
	var done int64
	lastPct := 0
	for {
		n, err := c.readFrom(r.r)
		done += int64(n)
		var lines []Line
		select {
		case lines = <-spare:
		default:
			lines = make([]Line, 0, ChunkSize/64)
		}
		lines = c.cut(lines, time.Time{})
		if err != nil {
			lines = c.flush(lines, time.Time{})
		}
		var sp *Status
		if c.truncated != st.Truncated {
			st.Truncated = c.truncated
			sp = statusPtr(st)
		}
		if r.size > 0 {
			if pct := int(done * 100 / r.size); pct > lastPct && pct < 100 {
				lastPct = pct
				st.Progress = float64(pct) / 100
				sp = statusPtr(st)
			}
		}
		if len(lines) > 0 || sp != nil {
			b := Batch{Lines: lines, Status: sp}
			if len(lines) > 0 {
				b.Release = recycle(c.hold(), lines, spare)
			}
			if e := send(ctx, out, b); e != nil {
				return e
			}
		}
		if err == io.EOF {
			st.State, st.Progress = StateDone, 0
			return send(ctx, out, Batch{Status: statusPtr(st)})
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("read %s: %w", r.name, cause(err))
		}
	}
}

// readerPool is how many chunks and line slices a Reader keeps for reuse: enough for the batches
// in flight between a reader, the parse workers and the store.
const readerPool = 16

// recycle returns a batch's Release: give back the chunk reference and the line slice.
func recycle(k *chunk, lines []Line, spare chan []Line) func() {
	return func() {
		k.release()
		clear(lines) // drop the pointers into the chunk before the slice waits in the pool
		select {
		case spare <- lines[:0]:
		default:
		}
	}
}

// statusPtr returns a pointer to a copy of st: every batch gets its own Status value, so the
// receiver may keep it while the source keeps updating its own.
func statusPtr(st Status) *Status { return &st }

// send delivers b unless ctx is cancelled first.
func send(ctx context.Context, out chan<- Batch, b Batch) error {
	select {
	case out <- b:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
