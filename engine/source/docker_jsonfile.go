package source

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// maxRecord is the longest json-file record read. A record holds at most 16 KiB of log text, which
// JSON escaping can grow up to six times (\u0001 for a control byte); anything longer is garbage.
const maxRecord = 6*dockerSplit + 1024

// errFileUnusable means the json-file log cannot be read here (permission, missing, a daemon on
// another machine); the source falls back to the API and says why in Status.Detail.
var errFileUnusable = errors.New("json-file log unusable")

// logFile is one file of a container's json-file log.
type logFile struct {
	path  string
	gz    bool
	size  int64
	mtime time.Time
	cur   bool // the file dockerd writes to
}

// jsonFileLogs lists the container's json-file log, oldest first: path.N … path.1, path. Docker
// rotates by renaming path to path.1 (path.1 to path.2 …), and compresses rotated files to
// path.N.gz when the compress option is on.
func jsonFileLogs(logPath string) ([]logFile, error) {
	st, err := os.Stat(logPath)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", errFileUnusable, reason(err))
	}
	matches, _ := filepath.Glob(globEscape(logPath) + ".*")
	type numbered struct {
		n int
		f logFile
	}
	var rotated []numbered
	for _, m := range matches {
		suffix := strings.TrimPrefix(m, logPath+".")
		gz := strings.HasSuffix(suffix, ".gz")
		n, err := strconv.Atoi(strings.TrimSuffix(suffix, ".gz"))
		if err != nil || n < 1 {
			continue
		}
		if rst, err := os.Stat(m); err == nil {
			rotated = append(rotated, numbered{n, logFile{path: m, gz: gz, size: rst.Size(), mtime: rst.ModTime()}})
		}
	}
	slices.SortFunc(rotated, func(a, b numbered) int { return b.n - a.n })
	files := make([]logFile, 0, len(rotated)+1)
	for _, r := range rotated {
		files = append(files, r.f)
	}
	return append(files, logFile{path: logPath, size: st.Size(), mtime: st.ModTime(), cur: true}), nil
}

// globEscape quotes the glob metacharacters of a literal path.
func globEscape(p string) string {
	var b strings.Builder
	for _, r := range p {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// reason turns an open or stat error into a few words: "permission denied", "no such file or
// directory".
func reason(err error) string { return cause(err).Error() }

// fileTail is the current json-file log, left open at the point where the back-fill stopped, so
// the source can read what was written between the end of the back-fill and the moment the API
// follow attached.
type fileTail struct {
	f    *os.File
	path string
	c    cutter
}

func (t *fileTail) close() {
	if t != nil && t.f != nil {
		t.f.Close()
		t.f = nil
	}
}

// mtimeSlack is how much older than the cutoff a log file's mtime must be for the file to be
// skipped unread. The kernel stamps mtime from a coarse clock that lags the precise time Docker
// stamps each record with by up to a scheduler tick, so a file whose last record is newer than
// the cutoff can carry an mtime a few milliseconds older than it. Re-attaching during a burst,
// when the cutoff lies milliseconds before the newest record delivered (the emitter remembers
// only so many), skipped the whole current file that way, and its lines after the cutoff were
// lost (CI saw 100 and 176 lines vanish after a re-create). Reading a file that holds nothing
// new costs a seek (seekTime) and the emitter drops what it delivered.
const mtimeSlack = time.Second

// backfillFiles reads the json-file log from cutoff (zero: from the start) to its current end and
// returns the current file, still open, for drain. Records are handed to the emitter, which drops
// what it already delivered. errFileUnusable means nothing was read and the API must be used.
func backfillFiles(e *emitter, logPath string, cutoff time.Time, keep bool) (*fileTail, error) {
	files, err := jsonFileLogs(logPath)
	if err != nil {
		return nil, err
	}
	cur, err := os.Open(logPath)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", errFileUnusable, reason(err))
	}
	tail := &fileTail{f: cur, path: logPath, c: cutter{max: maxRecord}}
	starts := make([]int64, len(files))
	var total int64
	for i, f := range files {
		switch {
		case !cutoff.IsZero() && f.mtime.Before(cutoff.Add(-mtimeSlack)):
			starts[i] = f.size // last written before the window: nothing in it is wanted
		case !cutoff.IsZero() && !f.gz:
			starts[i] = seekTime(f.path, f.size, cutoff)
		}
		total += f.size - starts[i]
	}
	var done int64
	for i, f := range files {
		if f.cur {
			if _, err := cur.Seek(starts[i], io.SeekStart); err != nil {
				tail.close()
				return nil, fmt.Errorf("%w (%s)", errFileUnusable, reason(err))
			}
			n, err := readRecords(e, cur, &tail.c, done, total)
			done += n
			if err != nil {
				tail.close()
				return nil, err
			}
			continue
		}
		if starts[i] >= f.size {
			continue
		}
		n, err := readRotated(e, f, starts[i], done, total)
		done += n
		if err != nil {
			tail.close()
			return nil, err
		}
	}
	if !keep {
		tail.close()
		return nil, nil
	}
	return tail, nil
}

// readRotated reads one rotated file from start. A file that vanished since it was listed (a
// rotation while reading) is skipped: the emitter's time filter covers the renamed copy.
func readRotated(e *emitter, f logFile, start, done, total int64) (int64, error) {
	fh, err := os.Open(f.path)
	if err != nil {
		return 0, nil
	}
	defer fh.Close()
	var r io.Reader = fh
	if f.gz {
		zr, err := gzip.NewReader(fh)
		if err != nil {
			e.skip()
			return 0, nil
		}
		r = zr
	} else if _, err := fh.Seek(start, io.SeekStart); err != nil {
		return 0, nil
	}
	c := cutter{max: maxRecord}
	n, err := readRecords(e, r, &c, done, total)
	if c.pending() { // a rotated file never ends inside a record; a cut-off record is garbage
		e.skip()
	}
	return n, err
}

// readRecords decodes every complete record from r until EOF. The cutter keeps an unfinished last
// record (dockerd may be writing it right now) for the next call. Records are decoded in place:
// the unescaped text is never longer than its JSON form, so it overwrites the record it came from
// and the chunk goes to the engine without a copy.
func readRecords(e *emitter, r io.Reader, c *cutter, done, total int64) (int64, error) {
	var recs []Line
	var read int64
	for {
		n, err := c.readFrom(r)
		read += int64(n)
		recs = c.cut(recs[:0], time.Time{})
		e.reserve(len(recs))
		for _, rec := range recs {
			decodeRecord(e, rec.Text)
		}
		if c.truncated > 0 { // a record longer than MaxLineBytes is not a record Docker writes
			e.st.Skipped += c.truncated
			e.stDirty, c.truncated = true, 0
		}
		if total > 0 {
			e.setProgress(float64(done+read) / float64(total))
		}
		if ferr := e.flush(); ferr != nil {
			return read, ferr
		}
		if errors.Is(err, io.EOF) {
			return read, nil
		}
		if err != nil {
			return read, fmt.Errorf("read json-file log: %w", cause(err))
		}
	}
}

var stderrField = []byte(`"stream":"stderr"`)

// decodeRecord decodes one record in place and hands its piece to the emitter. The stream
// (stdout or stderr) only matters for joining split lines, so it is looked up only then, in the
// bytes after the decoded text: those are the record's own, and a bare quote cannot occur inside
// a JSON string, so `"stream":"stderr"` there is the record's field, never log text.
func decodeRecord(e *emitter, rec []byte) {
	text, ts, partial, ok := DecodeJSONFileRecordPart(rec, rec[:0])
	if !ok {
		e.skip()
		return
	}
	stream := 1
	if (partial || e.npend > 0) && bytes.Contains(rec[len(text):], stderrField) {
		stream = 2
	}
	e.piece(stream, ts, text, partial)
}

// drain reads what was appended to the json-file log since backfillFiles stopped. When dockerd
// rotated the log meanwhile, the old file (still open) is read to its end and the new one from its
// start.
func drain(e *emitter, t *fileTail) error {
	if _, err := readRecords(e, t.f, &t.c, 0, 0); err != nil {
		return err
	}
	old, err1 := t.f.Stat()
	now, err2 := os.Stat(t.path)
	if err1 != nil || err2 != nil || os.SameFile(old, now) {
		return nil
	}
	f, err := os.Open(t.path)
	if err != nil {
		return nil // the API follow covers it: it is attached already
	}
	defer f.Close()
	c := cutter{max: maxRecord}
	_, err = readRecords(e, f, &c, 0, 0)
	return err
}

// seekTime returns the offset of a record at or before the first record not older than cutoff,
// by bisecting the file on record timestamps (dockerd appends in time order). It saves decoding
// a whole history to find the last day.
func seekTime(path string, size int64, cutoff time.Time) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	buf := make([]byte, 2*MaxLineBytes)
	dst := make([]byte, 0, 2*MaxLineBytes)
	lo, hi := int64(0), size
	for hi-lo > int64(len(buf)) {
		mid := lo + (hi-lo)/2
		n, err := f.ReadAt(buf, mid)
		if err != nil && !errors.Is(err, io.EOF) {
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			return lo
		}
		i := bytes.IndexByte(buf[:n], '\n')
		if i < 0 {
			return lo
		}
		j := bytes.IndexByte(buf[i+1:n], '\n')
		if j < 0 {
			return lo
		}
		_, ts, ok := DecodeJSONFileRecord(buf[i+1:i+1+j], dst[:0])
		if !ok {
			return lo
		}
		if ts.Before(cutoff) {
			lo = mid + int64(i) + 1
		} else {
			hi = mid
		}
	}
	return lo
}
