package source

import (
	"bytes"
	"io"
	"sync/atomic"
	"time"
)

// ChunkSize is how much a source reads at once. One read of 256 KiB holds about 1,900 mail log
// lines, so the per-read and per-batch costs vanish next to the per-byte cost of finding
// newlines, which bytes.IndexByte does with SIMD. Batches of 1 MiB made `mxtop report` slower
// and bigger (12 alternating runs on 5 M lines: median 1.21 s and 2.31 CPU-s, peak RSS 78 MB,
// against 1.16 s, 2.15 CPU-s and 49 MB): four times the parsed events in flight between the
// workers' cores and the store's.
const ChunkSize = 256 << 10

// minFree is the free room under which the cutter starts a new chunk instead of reading a few
// bytes at a time into the end of the old one.
const minFree = 64 << 10

// cutter cuts lines out of big read chunks without a per-line allocation: Line.Text is a
// sub-slice of the chunk (with its capacity clipped, so a receiver's append cannot reach the
// next line). A chunk is written only past the bytes already handed out, so batches that share
// a chunk never see a byte change; when the chunk is full the unfinished line is copied into a
// fresh one and the old chunk belongs to the batches that point into it.
//
// cutter is not safe for concurrent use; one source goroutine owns it.
type cutter struct {
	buf  []byte // current chunk; buf[:w] holds data
	cur  *chunk // the recycled chunk behind buf, nil when chunks are plain garbage-collected memory
	pool *chunkPool
	r    int  // start of the first line not yet cut
	w    int  // end of the data read so far
	skip bool // inside the tail of an overlong line that was already cut and delivered
	max  int  // longest line delivered; 0 means MaxLineBytes

	truncated int64 // lines cut at MaxLineBytes
}

// readFrom does one Read from rd into the chunk, starting a new chunk first when the current one
// has too little room left. It returns what rd.Read returned.
func (c *cutter) readFrom(rd io.Reader) (int, error) {
	if c.buf == nil || len(c.buf)-c.w < minFree {
		c.renew()
	}
	n, err := rd.Read(c.buf[c.w:])
	c.w += n
	return n, err
}

// renew starts a new chunk and carries the unfinished line over. The unfinished line is never
// longer than limit()+1 (cut enforces it), so it fits when limit() is well below ChunkSize.
func (c *cutter) renew() {
	var nb []byte
	old := c.cur
	if c.pool != nil {
		c.cur = c.pool.get()
		nb = c.cur.buf
	} else {
		nb = make([]byte, ChunkSize)
	}
	n := copy(nb, c.buf[c.r:c.w])
	c.buf, c.r, c.w = nb, 0, n
	old.release() // the cutter's own reference; batches still cut from it hold theirs
}

// hold takes a reference on the current chunk for a batch about to be sent and returns the chunk
// (nil when chunks are not recycled), whose release gives the reference back.
func (c *cutter) hold() *chunk {
	if c.cur != nil {
		c.cur.refs.Add(1)
	}
	return c.cur
}

// chunk is a read buffer that goes back to its pool once the cutter and every batch cut from it
// have let go of it. Recycling matters for one-shot reads at disk speed: a fresh 1 MiB chunk per
// read is zeroed by the allocator and then collected, which costs more than cutting its lines.
type chunk struct {
	buf  []byte
	refs atomic.Int32
	pool *chunkPool
}

// release drops one reference (nil-safe); the last one puts the chunk back in its pool.
func (k *chunk) release() {
	if k != nil && k.refs.Add(-1) == 0 {
		k.pool.put(k)
	}
}

// chunkPool is a bounded free list of chunks. A chunk that is never released is simply
// garbage-collected; the pool then allocates a new one.
type chunkPool struct{ free chan *chunk }

func newChunkPool(n int) *chunkPool { return &chunkPool{free: make(chan *chunk, n)} }

func (p *chunkPool) get() *chunk {
	var k *chunk
	select {
	case k = <-p.free:
	default:
		k = &chunk{buf: make([]byte, ChunkSize), pool: p}
	}
	k.refs.Store(1) // the cutter's
	return k
}

func (p *chunkPool) put(k *chunk) {
	select {
	case p.free <- k:
	default:
	}
}

// cut appends every complete line read so far to lines, stamped with t, and returns the slice.
// A line longer than MaxLineBytes is delivered cut as soon as it is known to be too long, and the
// rest of it, up to its newline, is dropped.
func (c *cutter) cut(lines []Line, t time.Time) []Line {
	buf := c.buf[:c.w]
	for c.r < c.w {
		i := bytes.IndexByte(buf[c.r:], '\n')
		if i < 0 {
			break
		}
		end := c.r + i
		if c.skip {
			c.skip = false
		} else {
			lines = append(lines, Line{Time: t, Text: c.text(c.r, end)})
		}
		c.r = end + 1
	}
	if c.skip {
		c.r = c.w // still inside the dropped tail
		return lines
	}
	limit := c.limit()
	if pending := c.w - c.r; pending > limit+1 || (pending == limit+1 && buf[c.w-1] != '\r') {
		lines = append(lines, Line{Time: t, Text: buf[c.r : c.r+limit : c.r+limit]})
		c.truncated++
		c.skip = true
		c.r = c.w
	}
	return lines
}

// text returns buf[from:to] without a trailing \r, cut at MaxLineBytes.
func (c *cutter) text(from, to int) []byte {
	if to > from && c.buf[to-1] == '\r' {
		to--
	}
	if limit := c.limit(); to-from > limit {
		to = from + limit
		c.truncated++
	}
	return c.buf[from:to:to]
}

// limit is the longest line the cutter delivers.
func (c *cutter) limit() int {
	if c.max > 0 {
		return c.max
	}
	return MaxLineBytes
}

// flush appends the unfinished last line (a file that does not end in a newline) to lines.
func (c *cutter) flush(lines []Line, t time.Time) []Line {
	if c.skip {
		c.skip = false
		c.r = c.w
		return lines
	}
	if c.r < c.w {
		lines = append(lines, Line{Time: t, Text: c.text(c.r, c.w)})
		c.r = c.w
	}
	return lines
}

// pending reports whether an unfinished line is buffered.
func (c *cutter) pending() bool { return c.r < c.w || c.skip }

// reset forgets any buffered data, for a followed file that was truncated or replaced.
func (c *cutter) reset() {
	c.r, c.w, c.skip = 0, 0, false
	c.buf = nil
	c.cur.release()
	c.cur = nil
}
