package source

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"time"
	"unicode"
)

// dockerSplit is where Docker's log copier cuts a line that has no newline yet: such a line is
// delivered as pieces of 16 KiB, each with its own timestamp, only the last ending in "\n".
const dockerSplit = 16 << 10

// maxFrame bounds one multiplexed frame. Docker's log frames hold one message (at most 16 KiB plus
// a timestamp); a header announcing more than a MiB is garbage, and trusting it would let one bad
// header allocate up to 4 GiB, which stdcopy.StdCopy would do.
const maxFrame = 1 << 20

// errGarbled reports a multiplexed stream whose frame header makes no sense. The stream cannot be
// re-synchronised, so the source counts it in Status.Skipped and re-attaches from the last
// timestamp it delivered: no line is lost and none is repeated.
var errGarbled = errors.New("garbled multiplexed log frame")

// flushReader sends the lines collected so far before every read of a live stream's body, because
// that read may block until the container writes again: live lines never wait in a half-full
// batch. A history stream (no follow) ends by itself, so its lines go in full batches: the daemon
// writes one message per read, and a batch per message cost twice the time of `docker logs`.
type flushReader struct {
	r    io.Reader
	e    *emitter
	live bool
	err  error // the send error (context cancelled), which is not a read error
}

func (f *flushReader) Read(p []byte) (int, error) {
	if !f.live && !f.e.full() {
		return f.r.Read(p)
	}
	if err := f.e.flush(); err != nil {
		f.err = err
		return 0, err
	}
	return f.r.Read(p)
}

// readAPIStream reads a ContainerLogs body requested with Timestamps until it ends. tty selects
// the raw stream of a TTY container; otherwise the body is Docker's multiplexed stream. live is
// true for a follow, whose lines must reach the engine as soon as they arrive.
func readAPIStream(body io.Reader, tty, live bool, e *emitter) error {
	fr := &flushReader{r: body, e: e, live: live}
	var err error
	if tty {
		err = readTTY(fr, e)
	} else {
		err = readMux(fr, e)
	}
	if fr.err != nil {
		return fr.err
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	if ferr := e.flush(); err == nil {
		err = ferr
	}
	return err
}

// readTTY reads the raw stream of a TTY container: "<stamp> <text>\r\n" lines, where a line Docker
// split carries the next piece's stamp right after each 16 KiB piece.
func readTTY(r io.Reader, e *emitter) error {
	var c cutter
	var lines []Line
	for {
		_, err := c.readFrom(r)
		lines = c.cut(lines[:0], time.Time{})
		e.reserve(len(lines))
		for _, l := range lines {
			ttyLine(e, l.Text)
		}
		if c.truncated > 0 {
			e.st.Truncated += c.truncated
			e.stDirty, c.truncated = true, 0
		}
		if err != nil {
			return err
		}
		if e.full() {
			if err := e.flush(); err != nil {
				return err
			}
		}
	}
}

// ttyLine splits one TTY line back into Docker's pieces and hands them to the emitter.
func ttyLine(e *emitter, line []byte) {
	ts, rest, ok := cutStamp(line)
	if !ok {
		e.skip()
		return
	}
	for len(rest) > dockerSplit {
		ts2, rest2, ok := cutStamp(rest[dockerSplit:])
		if !ok {
			break
		}
		e.piece(0, ts, rest[:dockerSplit], true)
		ts, rest = ts2, rest2
	}
	e.piece(0, ts, rest, false)
}

// cutStamp splits "<RFC3339Nano> <text>" into the time and the text.
func cutStamp(b []byte) (time.Time, []byte, bool) {
	i := bytes.IndexByte(b[:min(len(b), 40)], ' ')
	if i < 0 {
		return time.Time{}, nil, false
	}
	ts, ok := parseRFC3339(b[:i])
	return ts, b[i+1:], ok
}

// readMux reads Docker's multiplexed stream: frames of an 8-byte header [stream 0 0 0 size:BE32]
// and size bytes of payload, each payload one "<stamp> <text>" message, ending in "\n" unless
// Docker split the line.
func readMux(r io.Reader, e *emitter) error {
	f := frameReader{r: r}
	for {
		stream, payload, err := f.next()
		if errors.Is(err, errGarbled) {
			e.skip()
			return err
		}
		if err != nil {
			return err
		}
		if stream == 3 { // the daemon's own error, e.g. an unreadable log file
			e.st.Err = oneLineText(payload)
			e.stDirty = true
			continue
		}
		for len(payload) > 0 {
			i := bytes.IndexByte(payload, '\n')
			msg, partial := payload, true
			if i >= 0 {
				msg, partial, payload = payload[:i], false, payload[i+1:]
			} else {
				payload = nil
			}
			ts, text, ok := cutStamp(msg)
			if !ok {
				e.skip()
				continue
			}
			e.piece(int(stream), ts, text, partial)
		}
		if e.full() {
			if err := e.flush(); err != nil {
				return err
			}
		}
	}
}

// frameReader cuts frames out of big read chunks; a payload is a sub-slice of a chunk that is
// never written again, so it can travel in a Batch without a copy.
type frameReader struct {
	r     io.Reader
	buf   []byte
	r0, w int
}

// next returns the next frame. io.EOF means the stream ended cleanly between frames.
func (f *frameReader) next() (stream byte, payload []byte, err error) {
	if err := f.fill(8); err != nil {
		if errors.Is(err, io.EOF) && f.w > f.r0 {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	h := f.buf[f.r0 : f.r0+8]
	size := int(binary.BigEndian.Uint32(h[4:]))
	if h[0] > 3 || h[1] != 0 || h[2] != 0 || h[3] != 0 || size > maxFrame {
		return 0, nil, errGarbled
	}
	stream = h[0]
	if err := f.fill(8 + size); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	start := f.r0 + 8
	f.r0 = start + size
	return stream, f.buf[start:f.r0:f.r0], nil
}

// fill makes sure n unread bytes are buffered, starting a new chunk when the current one has too
// little room; the unread bytes (less than one frame) move with it.
func (f *frameReader) fill(n int) error {
	for f.w-f.r0 < n {
		if len(f.buf)-f.r0 < n || len(f.buf)-f.w < minFree {
			nb := make([]byte, max(ChunkSize, 2*n))
			f.w = copy(nb, f.buf[f.r0:f.w])
			f.buf, f.r0 = nb, 0
		}
		m, err := f.r.Read(f.buf[f.w:])
		f.w += m
		if err != nil {
			if f.w-f.r0 >= n {
				return nil
			}
			return err
		}
	}
	return nil
}

// oneLineText makes a daemon message fit one status line: printable characters only, at most 200.
func oneLineText(b []byte) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, strings.TrimSpace(string(b)))
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
