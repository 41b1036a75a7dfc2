package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// DockerOptions configure a Docker source.
type DockerOptions struct {
	// Container is the container's name (or ID); it is re-resolved by name after a re-create.
	Container string
	// Since is how much history to read first; 0 means all of it.
	Since time.Duration
	// Follow keeps following the container after the back-fill, through stops, restarts,
	// re-creates and daemon restarts. Without it, Run returns after the back-fill (mxtop report).
	Follow bool
	// Wait makes a missing container a state ("waiting for container NAME") instead of an error
	// at start. After the container was seen once, its absence is always a state.
	Wait bool
	// Host overrides DOCKER_HOST ("unix:///var/run/docker.sock", "tcp://…", "ssh://user@host").
	Host string
	// NoJSONFile back-fills through the API even when the json-file log is readable (benchmarks).
	NoJSONFile bool

	// now and backoffMin are replaced by tests.
	now        func() time.Time
	backoffMin time.Duration
	poll       time.Duration
	ssh        string // the ssh command for ssh:// hosts
}

// Backoff bounds for re-connecting to the daemon: quick at first (a daemon restart takes about a
// second), capped so a daemon that is down for long is probed only every ten seconds.
const (
	backoffMin = 250 * time.Millisecond
	backoffMax = 10 * time.Second
	// pollEvery is the safety net when waiting for a container: the Events API normally wakes the
	// source at once, but a dropped event must not leave it waiting forever.
	pollEvery = 5 * time.Second
)

// Docker follows one container's logs by name through the Docker Engine API.
//
// It first back-fills --since of history: from the container's json-file log (LogPath and its
// rotated .1, .2 …, oldest first) when the driver is json-file, the daemon is local and the file
// is readable, which runs at disk speed (about 50× `docker logs` here); otherwise through the log
// API, saying why in Status.Detail. Then it follows through the API from the newest timestamp it
// delivered (with Tail 0 after a file back-fill, reading the file's last bytes once the follow is
// attached), dropping what the daemon replays: no gap, no duplicate. When the log stream ends it
// finds out why: a stopped container is waited for ("container stopped"), a missing one too
// ("waiting for container NAME", and a re-created one with a new ID is picked up by name), a
// daemon that went away is retried with backoff ("reconnecting (n)"). The Events API wakes it.
type Docker struct {
	opts DockerOptions
	host string // the daemon's address, for messages; set by Run
}

// NewDocker returns a source for the container opts.Container.
func NewDocker(opts DockerOptions) *Docker {
	if opts.now == nil {
		opts.now = time.Now
	}
	if opts.backoffMin == 0 {
		opts.backoffMin = backoffMin
	}
	if opts.poll == 0 {
		opts.poll = pollEvery
	}
	if opts.ssh == "" {
		opts.ssh = "ssh"
	}
	return &Docker{opts: opts}
}

// Name returns "container NAME".
func (d *Docker) Name() string { return "container " + d.opts.Container }

// errStopped ends a session whose container is not running (after its history was read).
var errStopped = errors.New("container stopped")

// containerInfo is what the source needs from an inspect.
type containerInfo struct {
	id       string
	tty      bool
	running  bool
	driver   string
	logPath  string
	created  time.Time
	notFound bool
}

// Run back-fills, then follows until ctx is cancelled (or, without Follow, until the back-fill
// is done). Errors at start (no daemon, permission denied, no such container, a log driver that
// cannot be read) are returned as one sentence; later faults are states. A Docker value runs
// once: call NewDocker again for another Run.
func (d *Docker) Run(ctx context.Context, out chan<- Batch) error {
	cli, host, err := d.newClient()
	if err != nil {
		return err
	}
	d.host = host
	defer cli.Close()
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()

	e := &emitter{ctx: ctx, out: out, st: Status{Source: d.Name(), State: StateStarting}}
	if d.opts.Since > 0 {
		e.cutoff = d.opts.now().Add(-d.opts.Since)
	}
	info, err := d.inspect(ctx, cli)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		return describeDaemonErr(d.host, err)
	case info.notFound && !d.opts.Wait:
		return fmt.Errorf("no container named %s on the Docker daemon at %s", d.opts.Container, d.host)
	}
	kick := make(chan struct{}, 1)
	if d.opts.Follow {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.watchEvents(ctx, cli, kick)
		}()
	}
	return d.loop(ctx, cli, e, info, kick)
}

// loop runs sessions (back-fill + follow) for as long as the source lives, and decides after each
// why it ended: container stopped, removed, re-created, daemon gone.
func (d *Docker) loop(ctx context.Context, cli *client.Client, e *emitter, info containerInfo, kick chan struct{}) error {
	var lastID, stoppedID string
	attempt, quick := 0, 0
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		switch {
		case info.notFound:
			if err := e.setState(StateWaiting, ""); err != nil {
				return err
			}
			d.wait(ctx, kick, d.opts.poll)
		case info.id == stoppedID && !info.running:
			if err := e.setState(StateStopped, ""); err != nil {
				return err
			}
			d.wait(ctx, kick, d.opts.poll)
		default:
			if lastID != "" && info.id != lastID {
				e.flushPending() // the old container's unfinished line will never end
			}
			lastID, stoppedID = info.id, ""
			began := time.Now()
			err := d.session(ctx, cli, e, info)
			switch {
			case ctx.Err() != nil:
				return ctx.Err()
			case !d.opts.Follow && err == nil:
				e.flushPending()
				return e.setState(StateDone, "")
			case !d.opts.Follow:
				return describeDaemonErr(d.host, err)
			case errors.Is(err, errStopped):
				stoppedID = info.id
			case isFatal(err):
				err = describeDaemonErr(d.host, err)
				e.st.Err = err.Error()
				e.setState(StateFailed, "")
				return err
			case err != nil && !errors.Is(err, errGarbled):
				e.st.Err = oneLineText([]byte(err.Error()))
			}
			// A stream that keeps ending at once (a garbled stream, a flapping container) must
			// not turn into a busy loop against the daemon.
			if stoppedID == "" && time.Since(began) < time.Second {
				quick++
				sleep(ctx, backoff(d.opts.backoffMin, quick))
			} else {
				quick = 0
			}
		}
		var err error
		info, err = d.inspect(ctx, cli)
		for err != nil && ctx.Err() == nil {
			attempt++
			e.st.Attempt, e.st.Err = attempt, oneLineText([]byte(describeDaemonErr(d.host, err).Error()))
			e.st.State, e.stDirty = StateReconnecting, true
			if err := e.flush(); err != nil {
				return err
			}
			sleep(ctx, backoff(d.opts.backoffMin, attempt))
			info, err = d.inspect(ctx, cli)
		}
		if attempt > 0 {
			attempt, e.st.Err = 0, ""
		}
	}
}

// session reads the container's history from where the source stopped (or from the --since
// cutoff) and then, with Follow and a running container, follows it until the log stream ends.
func (d *Docker) session(ctx context.Context, cli *client.Client, e *emitter, info containerInfo) error {
	detail, useFile := d.fileDetail(info)
	cutoff := e.since()
	var tail *fileTail
	defer tail.close()
	if useFile {
		if err := e.setState(StateBackfilling, detail); err != nil {
			return err
		}
		e.resume()
		var err error
		tail, err = backfillFiles(e, info.logPath, cutoff, d.opts.Follow && info.running)
		if errors.Is(err, errFileUnusable) {
			useFile, detail = false, strings.TrimPrefix(err.Error(), errFileUnusable.Error()+" ")
			detail = "json-file log unreadable " + detail + ", back-filling through the API"
		} else if err != nil {
			return err
		}
	}
	if !useFile {
		if err := e.setState(StateBackfilling, detail); err != nil {
			return err
		}
		e.resume()
		if err := d.backfillAPI(ctx, cli, e, info, cutoff); err != nil {
			return err
		}
	}
	if !d.opts.Follow {
		return nil
	}
	if !info.running {
		return errStopped
	}
	opts := client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Follow: true, Timestamps: true}
	if s := e.since(); !s.IsZero() {
		opts.Since = s.Format(time.RFC3339Nano)
	}
	if tail != nil {
		// The daemon follows from the file's end at the moment it answers; what was written
		// between our back-fill and that moment is read from the file (drain) and the overlap
		// is recognised and dropped (resume).
		opts.Tail = "0"
	}
	rc, err := cli.ContainerLogs(ctx, info.id, opts)
	if err != nil {
		return err
	}
	defer rc.Close()
	var stream io.Reader = rc
	if tail != nil {
		// The daemon answers before its follower has found the file's end, so a line written
		// in between would be in neither a drain made now nor the stream (a CI run lost one
		// line this way). The file is drained for good once the stream has delivered
		// something: the follower is attached by then and the file holds every line up to that
		// data. On an idle container that may take long, so the file is also drained once
		// after switchGrace, and the lines written during the switch show up then; the final
		// drain still covers a follower that attached later still. Overlaps with the stream
		// are recognised and dropped (resume).
		stream = &drainFirst{r: rc, drain: func() error {
			err := drain(e, tail)
			e.resume()
			if err == nil {
				err = e.flush()
			}
			return err
		}, finish: tail.close}
	} else {
		e.resume()
	}
	e.spanFrom, e.spanTo = time.Time{}, time.Time{}
	// While following, the detail keeps only why the API is used for history, if it is.
	followDetail := ""
	if !useFile {
		followDetail = strings.TrimSuffix(strings.TrimPrefix(detail, "back-filling "), ", back-filling through the API")
	}
	if err := e.setState(StateFollowing, followDetail); err != nil {
		return err
	}
	return readAPIStream(stream, info.tty, true, e)
}

// switchGrace is how long an idle stream may stay silent before the file tail is drained early.
const switchGrace = 500 * time.Millisecond

// drainFirst runs drain (and then finish) just before the first data, or the end, of the stream
// it wraps is handed on, and once early if the stream stays silent for switchGrace. Everything
// runs on the reading goroutine, which owns the emitter: only the first Read of the stream is
// made on a helper goroutine, so that the wait can be cut short.
type drainFirst struct {
	r      io.Reader
	drain  func() error
	finish func()
	done   bool
}

type readResult struct {
	n   int
	err error
}

func (d *drainFirst) Read(p []byte) (int, error) {
	if d.done {
		return d.r.Read(p)
	}
	got := make(chan readResult, 1)
	go func() { // writes p until it sends; Read does not return before that
		n, err := d.r.Read(p)
		got <- readResult{n, err}
	}()
	grace := time.NewTimer(switchGrace)
	defer grace.Stop()
	for {
		select {
		case <-grace.C:
			if err := d.drain(); err != nil {
				d.stop(got)
				return 0, err
			}
		case r := <-got:
			d.done = true
			err := d.drain()
			d.finish()
			if err != nil {
				return 0, err
			}
			return r.n, r.err
		}
	}
}

// stop ends the stream after a failed early drain: the helper's Read is cut by closing the body
// when it can be closed, and waited for.
func (d *drainFirst) stop(got <-chan readResult) {
	d.done = true
	d.finish()
	if c, ok := d.r.(io.Closer); ok {
		c.Close()
	}
	<-got
}

// fileDetail decides whether the json-file log can be read and says so in one phrase.
func (d *Docker) fileDetail(info containerInfo) (string, bool) {
	switch {
	case d.opts.NoJSONFile:
		return "back-filling through the API (json-file reading disabled)", false
	case info.driver != "json-file":
		return "log driver " + info.driver + ", back-filling through the API", false
	case !strings.HasPrefix(d.host, "unix://"):
		return "remote daemon, back-filling through the API", false
	case info.logPath == "":
		return "no json-file log path, back-filling through the API", false
	}
	return "back-filling from the json-file log", true
}

// backfillAPI reads history from cutoff through the daemon's log API, without following.
func (d *Docker) backfillAPI(ctx context.Context, cli *client.Client, e *emitter, info containerInfo, cutoff time.Time) error {
	opts := client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Timestamps: true}
	if !cutoff.IsZero() {
		opts.Since = cutoff.Format(time.RFC3339Nano)
	}
	e.spanFrom, e.spanTo = cutoff, d.opts.now()
	if cutoff.IsZero() {
		e.spanFrom = info.created
	}
	defer func() { e.spanFrom, e.spanTo = time.Time{}, time.Time{} }()
	rc, err := cli.ContainerLogs(ctx, info.id, opts)
	if err != nil {
		return err
	}
	defer rc.Close()
	return readAPIStream(rc, info.tty, false, e)
}

// inspect looks the container up by name. A missing container is not an error.
func (d *Docker) inspect(ctx context.Context, cli *client.Client) (containerInfo, error) {
	res, err := cli.ContainerInspect(ctx, d.opts.Container, client.ContainerInspectOptions{})
	if cerrdefs.IsNotFound(err) {
		return containerInfo{notFound: true}, nil
	}
	if err != nil {
		return containerInfo{}, err
	}
	c := res.Container
	info := containerInfo{id: c.ID, logPath: c.LogPath}
	if c.Config != nil {
		info.tty = c.Config.Tty
	}
	if c.State != nil {
		info.running = c.State.Running
	}
	if c.HostConfig != nil {
		info.driver = c.HostConfig.LogConfig.Type
	}
	info.created, _ = time.Parse(time.RFC3339Nano, c.Created)
	return info, nil
}

// wait blocks until an event for the container, the poll interval, or cancellation.
func (d *Docker) wait(ctx context.Context, kick <-chan struct{}, poll time.Duration) {
	t := time.NewTimer(poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-kick:
	case <-t.C:
	}
}

// sleep waits for d or cancellation.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// backoff doubles from lo per attempt, capped at backoffMax.
func backoff(lo time.Duration, attempt int) time.Duration {
	d := lo
	for i := 1; i < attempt && d < backoffMax; i++ {
		d *= 2
	}
	return min(d, backoffMax)
}
