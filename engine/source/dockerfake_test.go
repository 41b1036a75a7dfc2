package source

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeDocker is a Docker Engine that serves what the Docker source uses: /_ping, inspect, logs
// (multiplexed or TTY, since, tail=0, follow) and events, on a unix socket. Like dockerd, it writes
// a json-file log for containers that use that driver, splits lines longer than 16 KiB into
// pieces, and ends a follow when its container stops.
type fakeDocker struct {
	t    *testing.T
	dir  string
	sock string

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change; followers wait on it
	byName  map[string]*fakeContainer
	clock   time.Time
	nextID  int
	garble  int           // number of follow streams that get a garbled frame after their first message
	noRead  bool          // the log driver cannot be read back (none, syslog)
	lag     time.Duration // follow streams send each change this late (a slow or busy daemon)
	srv     *httptest.Server
	events  []chan string
	logReqs []string // query strings of logs requests, for assertions
}

type fakeContainer struct {
	id, name string
	tty      bool
	running  bool
	removed  bool
	driver   string
	logPath  string
	logFile  *os.File
	created  time.Time
	msgs     []fakeMsg
}

type fakeMsg struct {
	ts      time.Time
	stream  int
	text    string // without newline
	partial bool
}

func newFakeDocker(t *testing.T) *fakeDocker {
	t.Helper()
	dir := t.TempDir()
	f := &fakeDocker{
		t: t, dir: dir, sock: filepath.Join(dir, "docker.sock"),
		changed: make(chan struct{}),
		byName:  map[string]*fakeContainer{},
		clock:   time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC),
	}
	f.start()
	t.Cleanup(f.stop)
	return f
}

// host is the DOCKER_HOST of the fake.
func (f *fakeDocker) host() string { return "unix://" + f.sock }

// start listens on the socket (again, after stop: a daemon restart).
func (f *fakeDocker) start() {
	os.Remove(f.sock)
	l, err := net.Listen("unix", f.sock)
	if err != nil {
		f.t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	srv.Listener = l
	srv.Start()
	f.mu.Lock()
	f.srv = srv
	f.mu.Unlock()
}

// stop drops every connection and stops listening: the daemon went away. The http.Server's
// Close closes the listener and every connection, busy ones too; httptest's Close then waits for
// the handlers. httptest's CloseClientConnections before its Close was not enough: a client that
// re-subscribed to events in between got a busy connection that Close left open and then waited
// for, forever (a CI run hung 10 minutes in TestDocker_DaemonGoneThenBack).
func (f *fakeDocker) stop() {
	f.mu.Lock()
	srv := f.srv
	f.srv = nil
	f.bumpLocked()
	f.mu.Unlock()
	if srv != nil {
		srv.Config.Close()
		srv.Close()
	}
}

func (f *fakeDocker) bumpLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// run creates and starts a container.
func (f *fakeDocker) run(name string, tty bool, driver string) *fakeContainer {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	id := fmt.Sprintf("%064x", f.nextID)
	c := &fakeContainer{id: id, name: name, tty: tty, running: true, driver: driver, created: f.clock}
	if driver == "json-file" {
		c.logPath = filepath.Join(f.dir, id+"-json.log")
		fh, err := os.OpenFile(c.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			f.t.Fatal(err)
		}
		c.logFile = fh
		f.t.Cleanup(func() { fh.Close() })
	}
	f.byName[name] = c
	f.eventLocked(c, "create")
	f.eventLocked(c, "start")
	f.bumpLocked()
	return c
}

// log appends lines as the container's output, split at 16 KiB like dockerd's copier.
func (f *fakeDocker) log(name string, stream int, lines ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.byName[name]
	for _, l := range lines {
		if c.tty {
			l += "\r"
		}
		for {
			f.clock = f.clock.Add(time.Millisecond)
			m := fakeMsg{ts: f.clock, stream: stream, text: l}
			if len(l) > dockerSplit {
				m.text, m.partial, l = l[:dockerSplit], true, l[dockerSplit:]
			}
			f.appendLocked(c, m)
			if !m.partial {
				break
			}
		}
	}
	f.bumpLocked()
}

// logFileOnly writes lines to the json-file log only, not to the API's stream: lines written
// in the moment between the daemon answering a follow request and its follower reaching the
// file's end, which only a drain of the file can deliver.
func (f *fakeDocker) logFileOnly(name string, lines ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.byName[name]
	for _, l := range lines {
		f.clock = f.clock.Add(time.Millisecond)
		c.writeRecord(fakeMsg{ts: f.clock, stream: 1, text: l})
	}
}

// logSameTime appends lines that all carry one timestamp (a burst within a nanosecond).
func (f *fakeDocker) logSameTime(name string, lines ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.byName[name]
	f.clock = f.clock.Add(time.Millisecond)
	for _, l := range lines {
		f.appendLocked(c, fakeMsg{ts: f.clock, stream: 1, text: l})
	}
	f.bumpLocked()
}

// logEarlier appends a line stamped back before the newest one, as a stream whose copier read
// its message first but wrote it after the other stream's later one.
func (f *fakeDocker) logEarlier(name string, stream int, back time.Duration, line string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.appendLocked(f.byName[name], fakeMsg{ts: f.clock.Add(-back), stream: stream, text: line})
	f.bumpLocked()
}

func (f *fakeDocker) appendLocked(c *fakeContainer, m fakeMsg) {
	c.msgs = append(c.msgs, m)
	if c.logPath != "" {
		c.writeRecord(m)
	}
}

// writeRecord appends m to the container's json-file log as dockerd writes it.
func (c *fakeContainer) writeRecord(m fakeMsg) {
	text := m.text
	if !m.partial {
		text += "\n"
	}
	stream := "stdout"
	if m.stream == 2 {
		stream = "stderr"
	}
	rec, _ := json.Marshal(map[string]string{"log": text, "stream": stream, "time": m.ts.Format(time.RFC3339Nano)})
	c.logFile.Write(append(rec, '\n'))
}

func (f *fakeDocker) setRunning(name string, running bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.byName[name]
	c.running = running
	if running {
		f.eventLocked(c, "start")
	} else {
		f.eventLocked(c, "die")
	}
	f.bumpLocked()
}

func (f *fakeDocker) remove(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.byName[name]
	c.running, c.removed = false, true
	delete(f.byName, name)
	f.eventLocked(c, "destroy")
	f.bumpLocked()
}

func (f *fakeDocker) eventLocked(c *fakeContainer, action string) {
	ev := fmt.Sprintf(`{"Type":"container","Action":%q,"Actor":{"ID":%q,"Attributes":{"name":%q}},"time":%d}`,
		action, c.id, c.name, f.clock.Unix())
	for _, ch := range f.events {
		select {
		case ch <- ev:
		default:
		}
	}
}

var apiPrefix = regexp.MustCompile(`^/v1\.\d+`)

func (f *fakeDocker) serve(w http.ResponseWriter, r *http.Request) {
	path := apiPrefix.ReplaceAllString(r.URL.Path, "")
	w.Header().Set("Api-Version", "1.47")
	switch {
	case path == "/_ping":
		w.Write([]byte("OK"))
	case path == "/events":
		f.serveEvents(w, r)
	case strings.HasPrefix(path, "/containers/") && strings.HasSuffix(path, "/json"):
		f.serveInspect(w, strings.TrimSuffix(strings.TrimPrefix(path, "/containers/"), "/json"))
	case strings.HasPrefix(path, "/containers/") && strings.HasSuffix(path, "/logs"):
		f.serveLogs(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "/containers/"), "/logs"))
	default:
		http.Error(w, `{"message":"page not found"}`, http.StatusNotFound)
	}
}

func (f *fakeDocker) find(ref string) *fakeContainer {
	if c, ok := f.byName[ref]; ok {
		return c
	}
	for _, c := range f.byName {
		if c.id == ref {
			return c
		}
	}
	return nil
}

func (f *fakeDocker) serveInspect(w http.ResponseWriter, ref string) {
	f.mu.Lock()
	c := f.find(ref)
	var body []byte
	if c != nil {
		body, _ = json.Marshal(map[string]any{
			"Id": c.id, "Name": "/" + c.name, "Created": c.created.Format(time.RFC3339Nano), "LogPath": c.logPath,
			"State":      map[string]any{"Running": c.running, "Status": map[bool]string{true: "running", false: "exited"}[c.running]},
			"Config":     map[string]any{"Tty": c.tty},
			"HostConfig": map[string]any{"LogConfig": map[string]any{"Type": c.driver}},
		})
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if c == nil {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"message":"No such container: %s"}`, ref)
		return
	}
	w.Write(body)
}

// parseSince reads the API's "seconds.nanoseconds".
func parseSince(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	sec, frac, _ := strings.Cut(s, ".")
	n, _ := strconv.ParseInt(sec, 10, 64)
	frac = (frac + "000000000")[:9]
	ns, _ := strconv.ParseInt(frac, 10, 64)
	return time.Unix(n, ns).UTC()
}

func (f *fakeDocker) serveLogs(w http.ResponseWriter, r *http.Request, ref string) {
	q := r.URL.Query()
	f.mu.Lock()
	f.logReqs = append(f.logReqs, r.URL.RawQuery)
	c := f.find(ref)
	if c == nil {
		f.mu.Unlock()
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"message":"No such container: %s"}`, ref)
		return
	}
	if f.noRead {
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotImplemented)
		fmt.Fprint(w, `{"message":"configured logging driver does not support reading"}`)
		return
	}
	since := parseSince(q.Get("since"))
	next := 0
	if q.Get("tail") == "0" {
		next = len(c.msgs)
	}
	garble := false
	if q.Get("follow") == "1" && f.garble > 0 {
		f.garble--
		garble = true
	}
	f.mu.Unlock()
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	sent := 0
	for {
		f.mu.Lock()
		msgs := c.msgs[next:]
		next = len(c.msgs)
		done := !c.running || q.Get("follow") != "1"
		changed := f.changed
		f.mu.Unlock()
		for _, m := range msgs {
			if m.ts.Before(since) {
				continue
			}
			line := m.ts.Format("2006-01-02T15:04:05.000000000Z07:00") + " " + m.text
			if !m.partial {
				line += "\n"
			}
			if c.tty {
				w.Write([]byte(line))
			} else {
				var h [8]byte
				h[0] = byte(m.stream)
				binary.BigEndian.PutUint32(h[4:], uint32(len(line)))
				w.Write(append(h[:], line...))
			}
			sent++
			if garble && sent == 1 {
				w.Write([]byte{9, 9, 9, 9, 0, 0, 0, 5, 'x'})
				w.(http.Flusher).Flush()
				return
			}
		}
		w.(http.Flusher).Flush()
		if done {
			return
		}
		select {
		case <-changed:
		case <-r.Context().Done():
			return
		}
		if f.lag > 0 {
			time.Sleep(f.lag)
		}
	}
}

func (f *fakeDocker) serveEvents(w http.ResponseWriter, r *http.Request) {
	ch := make(chan string, 64)
	f.mu.Lock()
	f.events = append(f.events, ch)
	changed := f.changed
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	for {
		select {
		case ev := <-ch:
			fmt.Fprintln(w, ev)
			w.(http.Flusher).Flush()
		case <-changed:
			f.mu.Lock()
			if f.srv == nil {
				f.mu.Unlock()
				return
			}
			changed = f.changed
			f.mu.Unlock()
		case <-r.Context().Done():
			return
		}
	}
}
