package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// filePoll is how often a followed file is checked for new data, rotation and truncation once it
// has been read to its end. Polling a stat every 250 ms costs nothing measurable and needs no
// inotify (which misses renames across some filesystems and is absent on others).
const filePoll = 250 * time.Millisecond

// File follows a plain log file like `tail -F`: it survives rotation by rename (logrotate's
// default: the old file is read to its end, then the new one from its start) and by truncation
// (copytruncate: reading restarts at the beginning).
//
// History: a plain syslog file has no reliable per-line time at this layer (no year, the host's
// time zone), so the source does not cut by --since; with history it reads the whole file and
// leaves the time window to the engine, which reads each line's own header.
type File struct {
	path    string
	history bool
	poll    time.Duration
}

// NewFile returns a source following path. With history it first reads what the file holds;
// without, it starts at the current end, like `tail -F -n 0`.
func NewFile(path string, history bool) *File {
	return &File{path: path, history: history, poll: filePoll}
}

// Name returns "file PATH".
func (f *File) Name() string { return "file " + f.path }

// Run follows the file until ctx is cancelled. A file missing at start is an error (one line); a
// file that disappears later (between a rotation's rename and the new file) is waited for.
func (f *File) Run(ctx context.Context, out chan<- Batch) error {
	fh, err := os.Open(f.path)
	if err != nil {
		return oneLine(err)
	}
	defer func() { fh.Close() }()
	st, err := fh.Stat()
	if err != nil {
		return oneLine(err)
	}
	if st.IsDir() {
		return fmt.Errorf("open %s: is a directory", f.path)
	}
	e := &emitter{ctx: ctx, out: out, st: Status{Source: f.Name(), State: StateFollowing}}
	var offset, total int64
	if f.history && st.Size() > 0 {
		e.st.State, total = StateBackfilling, st.Size()
	} else if _, err := fh.Seek(0, io.SeekEnd); err == nil {
		offset = st.Size()
	}
	e.stDirty = true
	if err := e.flush(); err != nil {
		return err
	}
	var c cutter
	var lines []Line
	for {
		n, err := c.readFrom(fh)
		offset += int64(n)
		lines = c.cut(lines[:0], time.Time{})
		e.addAll(lines, &c)
		if total > 0 && e.st.State == StateBackfilling {
			e.setProgress(float64(offset) / float64(total))
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read %s: %w", f.path, cause(err))
		}
		if n > 0 {
			if err := e.flush(); err != nil {
				return err
			}
			continue
		}
		if e.st.State == StateBackfilling {
			if err := e.setState(StateFollowing, ""); err != nil {
				return err
			}
		}
		sleep(ctx, f.poll)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		nfh, reset := f.check(fh, offset)
		switch {
		case nfh != nil: // rotated: finish the old file, then start the new one
			if err := f.drainOld(e, fh, &c); err != nil {
				nfh.Close()
				return err
			}
			fh.Close()
			fh, offset = nfh, 0
			c.reset()
		case reset: // truncated in place
			lines = c.flush(lines[:0], time.Time{})
			e.addAll(lines, &c)
			if _, err := fh.Seek(0, io.SeekStart); err != nil {
				return fmt.Errorf("read %s: %w", f.path, cause(err))
			}
			offset = 0
			c.reset()
		}
	}
}

// check looks for rotation (the path names another file: returned opened) and truncation (the
// open file is shorter than what was read).
func (f *File) check(fh *os.File, offset int64) (*os.File, bool) {
	cur, err := fh.Stat()
	if err != nil {
		return nil, false
	}
	st, err := os.Stat(f.path)
	if err != nil {
		return nil, false // mid-rotation: the new file is not there yet
	}
	if !os.SameFile(cur, st) {
		nfh, err := os.Open(f.path)
		if err != nil {
			return nil, false
		}
		return nfh, false
	}
	return nil, cur.Size() < offset
}

// drainOld reads a rotated file to its end, including an unfinished last line.
func (f *File) drainOld(e *emitter, fh *os.File, c *cutter) error {
	var lines []Line
	for {
		n, err := c.readFrom(fh)
		lines = c.cut(lines[:0], time.Time{})
		if n == 0 || err != nil {
			lines = c.flush(lines, time.Time{})
			e.addAll(lines, c)
			return e.flush()
		}
		e.addAll(lines, c)
	}
}

// addAll appends lines cut by c (already without "\r" and cut at MaxLineBytes) and moves the
// cutter's truncation count into the status.
func (e *emitter) addAll(lines []Line, c *cutter) {
	if e.lines == nil && len(lines) > 0 {
		e.lines = make([]Line, 0, max(len(lines), 256))
	}
	e.lines = append(e.lines, lines...)
	if c.truncated > 0 {
		e.st.Truncated += c.truncated
		e.stDirty, c.truncated = true, 0
	}
}
