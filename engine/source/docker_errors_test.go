package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestDocker_StartErrorsAreOneSentence(t *testing.T) {
	dir := t.TempDir()
	d := NewDocker(DockerOptions{Container: "mailserver", Host: "unix://" + dir + "/nope.sock"})
	err := d.Run(t.Context(), make(chan Batch, 8))
	want := "cannot reach the Docker daemon at unix://" + dir + "/nope.sock: no such socket (is dockerd running? DOCKER_HOST selects another daemon)"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}

	f := newFakeDocker(t)
	err = newTestDocker(f, true).Run(t.Context(), make(chan Batch, 8))
	if err == nil || err.Error() != "no container named mailserver on the Docker daemon at "+f.host() {
		t.Fatalf("unknown container: %v", err)
	}

	perm := describeDaemonErr("unix:///var/run/docker.sock", errors.New("permission denied while trying to connect to the docker API at unix:///var/run/docker.sock"))
	if perm.Error() != "cannot reach the Docker daemon at unix:///var/run/docker.sock: permission denied (run as root or as a member of the docker group)" {
		t.Fatalf("permission: %v", perm)
	}
}

// ourGoroutines lists goroutines running code of this package or the moby client.
func ourGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var found []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "source.Test") || strings.Contains(g, "fakeDocker") {
			continue
		}
		if strings.Contains(g, "mxtop/engine/source.") || strings.Contains(g, "moby/moby/client.") {
			found = append(found, g)
		}
	}
	return found
}

func TestDocker_CancelStopsEveryGoroutine(t *testing.T) {
	f := newFakeDocker(t)
	f.run("mailserver", false, "json-file")
	f.log("mailserver", 1, "x")
	before := len(ourGoroutines())
	ctx, cancel := context.WithCancel(t.Context())
	out := make(chan Batch, 64)
	errc := make(chan error, 1)
	go func() { err := newTestDocker(f, true).Run(ctx, out); close(out); errc <- err }()
	following := false
	for b := range out {
		if b.Status != nil && b.Status.State == StateFollowing {
			following = true
			break
		}
	}
	if !following {
		t.Fatalf("Run = %v before following", runResult(t, errc))
	}
	cancel()
	if err := runResult(t, errc); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	// A goroutine that Run waited for may still be on its way out (seen runnable at its last
	// deferred call on a loaded machine); a leaked one stays.
	deadline := time.Now().Add(waitTimeout)
	for g := ourGoroutines(); len(g) > before; g = ourGoroutines() {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left after Run returned:\n%s", len(g)-before, strings.Join(g, "\n\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDocker_UnreadableLogDriverIsOneSentence(t *testing.T) {
	f := newFakeDocker(t)
	f.run("mailserver", false, "none")
	f.noRead = true
	err := newTestDocker(f, true).Run(t.Context(), make(chan Batch, 64))
	want := "the container's log driver cannot be read back (configured logging driver does not support reading); use --file with the log's path instead"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
}

func TestDocker_BackfillReportsProgress(t *testing.T) {
	f := newFakeDocker(t)
	f.run("mailserver", false, "json-file")
	f.log("mailserver", 1, seq("p", 0, 12000)...) // about 2 MB: two chunks at least
	s, _, errc := startSource(t, newTestDocker(f, false))
	if err := runResult(t, errc); err != nil {
		t.Fatal(err)
	}
	s.waitLines(t, 12000)
	s.waitState(t, StateDone)
	s.mu.Lock()
	defer s.mu.Unlock()
	var progress []float64
	for _, st := range s.statuses {
		if st.State == StateBackfilling && st.Progress > 0 {
			progress = append(progress, st.Progress)
		}
	}
	if len(progress) == 0 || progress[0] >= 0.99 {
		t.Fatalf("back-fill progress steps %v, want some between 0 and 1", progress)
	}
	if last := s.statuses[len(s.statuses)-1]; last.String() != "done container mailserver" {
		t.Fatalf("last status %q", last.String())
	}
}

// TestMain lets the test binary play ssh for TestDocker_SSHHost: with MXTOP_FAKE_SSH_SOCK set it
// checks the ssh arguments and pipes stdin and stdout to that unix socket, as
// `ssh host docker system dial-stdio` does with the remote daemon's socket.
func TestMain(m *testing.M) {
	if sock := os.Getenv("MXTOP_FAKE_SSH_SOCK"); sock != "" {
		os.Exit(fakeSSH(sock, os.Args[1:]))
	}
	os.Exit(m.Run())
}

func fakeSSH(sock string, args []string) int {
	want := "-o ConnectTimeout=30 -T -l mail -p 2222 -- mx.example.org docker system dial-stdio"
	if strings.Join(args, " ") != want {
		fmt.Fprintf(os.Stderr, "fake ssh: args %q", args)
		return 255
	}
	c, err := net.Dial("unix", sock)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake ssh:", err)
		return 255
	}
	go func() { io.Copy(c, os.Stdin); c.(*net.UnixConn).CloseWrite() }()
	io.Copy(os.Stdout, c)
	return 0
}

func TestDocker_SSHHost(t *testing.T) {
	f := newFakeDocker(t)
	f.run("mailserver", false, "json-file") // a remote daemon: its log file is not ours to read
	f.log("mailserver", 1, "via ssh 1", "via ssh 2")
	t.Setenv("MXTOP_FAKE_SSH_SOCK", f.sock)
	d := newTestDocker(f, false)
	d.opts.Host = "ssh://mail@mx.example.org:2222"
	d.opts.ssh = os.Args[0]
	s, _, errc := startSource(t, d)
	if err := runResult(t, errc); err != nil {
		t.Fatal(err)
	}
	expectLines(t, s.waitLines(t, 2), "via ssh 1", "via ssh 2")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.statuses {
		if st.Detail == "remote daemon, back-filling through the API" {
			return
		}
	}
	t.Fatalf("no status says the remote daemon is back-filled through the API: %+v", s.statuses)
}
