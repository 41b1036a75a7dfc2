//go:build integration

package source

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests drive a real dockerd through the docker CLI (argument vectors, no shell on the
// host) and follow its containers with the Docker source. .ci/start-dockerd starts the daemon and
// builds mxtop-test:latest. Without a daemon they skip, except in CI (CI=true), where a skip
// would hide a broken setup and is a failure instead.

const itImage = "mxtop-test:latest"

// needDocker skips (or fails in CI) when no daemon or no test image is available.
func needDocker(t *testing.T) {
	t.Helper()
	why := ""
	if _, err := exec.LookPath("docker"); err != nil {
		why = "the docker CLI is not installed"
	} else if out, err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		why = "no Docker daemon reachable (" + firstLine(strings.TrimSpace(string(out))) + "); run .ci/start-dockerd"
	} else if err := exec.Command("docker", "image", "inspect", itImage).Run(); err != nil {
		why = "image " + itImage + " is missing; run .ci/start-dockerd"
	}
	if why == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and %s", why)
	}
	t.Skip(why)
}

// docker runs the docker CLI and returns its standard output.
func docker(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("docker %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// itName returns a container name unique to this test run, removed when the test ends.
func itName(t *testing.T) string {
	t.Helper()
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, strings.ToLower(strings.TrimPrefix(t.Name(), "TestIntegration_")))
	name := fmt.Sprintf("mxtop-it-%d-%s", os.Getpid(), clean)
	exec.Command("docker", "rm", "-f", name).Run()
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", name).Run() })
	return name
}

// mailLoop is the container's script: a burst of mail log lines, then one line every 20 ms. Each
// line names the container (TAG) and the run (a counter kept in the container's own filesystem,
// so a restart prints run=2), which makes every line unique across restarts and re-creates.
const mailLoop = `trap "exit 0" TERM
n=$(cat /tmp/run 2>/dev/null || echo 0); n=$((n+1)); echo $n > /tmp/run
i=0
while [ $i -lt 200 ]; do i=$((i+1)); echo "Nov 27 12:00:00 mail postfix/smtpd[$i]: warning: unknown[203.0.113.$((i % 250))]: SASL LOGIN authentication failed: tag=$TAG run=$n seq=$i"; done
while true; do i=$((i+1)); echo "Nov 27 12:00:01 mail postfix/postscreen[7]: CONNECT from [198.51.100.$((i % 250))]:4711 to [192.0.2.1]:25 tag=$TAG run=$n seq=$i"; sleep 0.02; done`

// logsOf returns the container's whole log as `docker logs` prints it.
func logsOf(t *testing.T, name string) []string {
	t.Helper()
	out := strings.TrimSuffix(docker(t, "logs", name), "\n")
	if out == "" {
		return nil
	}
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// waitAll waits until the sink holds as many lines as want and returns them. On a timeout it
// names what is missing and the states the source went through, so that a rare loss can be
// told from a delay and placed.
func (s *sink) waitAll(t *testing.T, want []string) []string {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		s.mu.Lock()
		got := append([]string(nil), s.lines...)
		var states []string
		for _, st := range s.statuses {
			states = append(states, st.State.String()+" "+st.Detail)
		}
		s.mu.Unlock()
		if len(got) >= len(want) {
			return got
		}
		select {
		case <-s.notify:
			continue
		case <-deadline:
		}
		left := map[string]int{}
		for _, l := range got {
			left[l]++
		}
		var missing []string
		for _, l := range want {
			if left[l] > 0 {
				left[l]--
			} else {
				missing = append(missing, l)
			}
		}
		t.Fatalf("timed out: %d of %d lines; %d missing, first %q, last %q\nstates: %q",
			len(got), len(want), len(missing), clip(missing), tailOf(missing), states)
	}
}

func (s *sink) hasLine(sub string) bool {
	for i := len(s.lines) - 1; i >= 0; i-- {
		if strings.Contains(s.lines[i], sub) {
			return true
		}
	}
	return false
}

func TestIntegration_FollowThroughRestartStopRecreateRemove(t *testing.T) {
	needDocker(t)
	name := itName(t)
	docker(t, "run", "-d", "--network", "none", "--name", name, "-e", "TAG=a", itImage, "sh", "-c", mailLoop)

	src := NewDocker(DockerOptions{Container: name, Follow: true, poll: time.Second})
	s, cancel, errc := startSource(t, src)
	s.waitState(t, StateFollowing)
	s.waitFor(t, "first burst", func() bool { return s.hasLine("tag=a run=1 seq=210") })

	docker(t, "restart", "-t", "0", name)
	s.waitFor(t, "lines after restart", func() bool { return s.hasLine("tag=a run=2 seq=210") })

	docker(t, "stop", "-t", "0", name)
	s.waitState(t, StateStopped)
	docker(t, "start", name)
	s.waitFor(t, "lines after start", func() bool { return s.hasLine("tag=a run=3 seq=210") })

	// Re-create: same name, new ID, new log file (what a backup restore or compose up does).
	docker(t, "stop", "-t", "0", name)
	s.waitState(t, StateStopped)
	logsA := logsOf(t, name)
	docker(t, "rm", name)
	s.waitState(t, StateWaiting)
	docker(t, "run", "-d", "--network", "none", "--name", name, "-e", "TAG=b", itImage, "sh", "-c", mailLoop)
	s.waitFor(t, "lines of the re-created container", func() bool { return s.hasLine("tag=b run=1 seq=220") })
	docker(t, "stop", "-t", "0", name)
	s.waitState(t, StateStopped)
	logsB := logsOf(t, name)
	want := append(logsA, logsB...)

	// The stop event can overtake the last lines still in the log stream: wait for every line
	// (a lost line still fails, by timeout), then compare them all.
	got := s.waitAll(t, want)
	expectLines(t, got, want...)

	docker(t, "rm", name)
	s.waitState(t, StateWaiting)
	cancel()
	if err := runResult(t, errc); err != context.Canceled {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
}

func TestIntegration_BackfillJSONFileEqualsAPIEqualsDockerLogs(t *testing.T) {
	needDocker(t)
	for _, tty := range []bool{false, true} {
		t.Run(fmt.Sprintf("tty=%v", tty), func(t *testing.T) {
			name := itName(t)
			// 5000 lines, one 40000-byte line (Docker splits it into 16 KiB pieces), invalid
			// UTF-8, then exit.
			script := `i=0; while [ $i -lt 5000 ]; do i=$((i+1)); echo "Nov 27 12:00:00 mail dovecot: imap-login: Disconnected: Connection closed (auth failed, 3 attempts in 12 secs): user=<info>, rip=203.0.113.$((i % 250)), seq=$i"; done
head -c 40000 /dev/zero | tr '\0' 'Z'; echo
printf 'bad \377\376 utf8\n'; echo end`
			args := []string{"run", "--network", "none", "--name", name}
			if tty {
				args = append(args, "-t")
			}
			docker(t, append(args, itImage, "sh", "-c", script)...)
			want := logsOf(t, name)
			if len(want) != 5003 || len(want[5000]) != 40000 {
				t.Fatalf("docker logs gave %d lines (line 5000: %d bytes)", len(want), len(want[min(5000, len(want)-1)]))
			}
			for _, noFile := range []bool{false, true} {
				src := NewDocker(DockerOptions{Container: name, NoJSONFile: noFile})
				s, _, errc := startSource(t, src)
				if err := runResult(t, errc); err != nil {
					t.Fatalf("NoJSONFile=%v: %v", noFile, err)
				}
				s.mu.Lock()
				got := append([]string(nil), s.lines...)
				var details []string
				for _, st := range s.statuses {
					details = append(details, st.Detail)
				}
				s.mu.Unlock()
				expectLines(t, got, want...)
				wantDetail := "back-filling from the json-file log"
				if noFile {
					wantDetail = "back-filling through the API (json-file reading disabled)"
				}
				if !strings.Contains(strings.Join(details, "|"), wantDetail) {
					t.Errorf("NoJSONFile=%v: details %q, want %q", noFile, details, wantDetail)
				}
			}
		})
	}
}

func TestIntegration_UnknownContainerIsOneSentence(t *testing.T) {
	needDocker(t)
	name := itName(t)
	err := NewDocker(DockerOptions{Container: name}).Run(t.Context(), make(chan Batch, 8))
	if err == nil || !strings.HasPrefix(err.Error(), "no container named "+name+" on the Docker daemon at unix://") {
		t.Fatalf("err = %v", err)
	}
}

// testDockerdMarker names the daemon .ci/start-dockerd started. Only that daemon may be restarted
// by a test: restarting a daemon found running (a developer's own) would stop their containers.
const testDockerdMarker = "/run/mxtop-test-dockerd.pid"

// ourDockerd returns the pid, command line and log file of the daemon .ci/start-dockerd started,
// or why there is none.
func ourDockerd() (pid int, argv []string, logPath, why string) {
	raw, err := os.ReadFile(testDockerdMarker)
	if err != nil {
		return 0, nil, "", "the Docker daemon was not started by .ci/start-dockerd (no " + testDockerdMarker + "); not restarting someone else's daemon"
	}
	pid, _ = strconv.Atoi(strings.TrimSpace(string(raw)))
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || pid <= 0 {
		return 0, nil, "", "the daemon recorded in " + testDockerdMarker + " is not running"
	}
	argv = strings.Split(strings.TrimSuffix(string(cmdline), "\x00"), "\x00")
	if filepath.Base(argv[0]) != "dockerd" {
		return 0, nil, "", fmt.Sprintf("pid %d in %s is %q, not dockerd", pid, testDockerdMarker, argv[0])
	}
	logPath, _ = os.Readlink(fmt.Sprintf("/proc/%d/fd/1", pid))
	return pid, argv, logPath, ""
}

// alive reports whether pid runs (a zombie has exited).
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name: "pid (comm) S …".
	i := strings.LastIndexByte(string(stat), ')')
	return i > 0 && i+2 < len(stat) && stat[i+2] != 'Z'
}

// restartDockerd stops the daemon, waits for it to exit, and starts it again with the same
// command line. `setsid -f` detaches it as .ci/start-dockerd does: it is not a child of the test
// binary (which would leave a zombie), and it outlives the test.
func restartDockerd(t *testing.T, pid int, argv []string, logPath string) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatalf("stop dockerd %d: %v", pid, err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("dockerd %d did not exit within 60 s", pid)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var out *os.File
	if strings.HasPrefix(logPath, "/") {
		out, _ = os.OpenFile(logPath, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	}
	cmd := exec.Command("setsid", append([]string{"-f"}, argv...)...)
	cmd.Stdout, cmd.Stderr = out, out
	err := cmd.Run()
	if out != nil {
		out.Close()
	}
	if err != nil {
		t.Fatalf("start dockerd again: %v", err)
	}
	for exec.Command("docker", "info").Run() != nil {
		if time.Now().After(deadline) {
			t.Fatal("dockerd did not answer again within 60 s")
		}
		time.Sleep(250 * time.Millisecond)
	}
	if raw, err := os.ReadFile("/var/run/docker.pid"); err == nil {
		os.WriteFile(testDockerdMarker, raw, 0o644)
	}
}

func TestIntegration_DaemonRestartReconnects(t *testing.T) {
	needDocker(t)
	pid, argv, logPath, why := ourDockerd()
	if why != "" {
		t.Skip(why)
	}
	name := itName(t)
	docker(t, "run", "-d", "--restart", "always", "--network", "none", "--name", name, "-e", "TAG=d", itImage, "sh", "-c", mailLoop)
	s, _, _ := startSource(t, NewDocker(DockerOptions{Container: name, Follow: true, poll: time.Second}))
	s.waitState(t, StateFollowing)
	s.waitFor(t, "first lines", func() bool { return s.hasLine("tag=d run=1 seq=210") })

	restartDockerd(t, pid, argv, logPath)
	// The restart policy starts the container again once the daemon is back.
	s.waitFor(t, "lines after the daemon restart", func() bool { return s.hasLine("tag=d run=2 seq=210") })
	docker(t, "stop", "-t", "0", name)
	s.waitState(t, StateStopped)

	s.mu.Lock()
	got := append([]string(nil), s.lines...)
	sawReconnect := false
	for _, st := range s.statuses {
		sawReconnect = sawReconnect || (st.State == StateReconnecting && st.Attempt >= 1)
	}
	s.mu.Unlock()
	// Whether the source saw the daemon gone depends on timing: the container's log stream ends
	// as the daemon stops it, and the daemon may be back before the next inspect.
	t.Logf("reconnecting status seen: %v", sawReconnect)
	expectLines(t, got, logsOf(t, name)...)
}

// TestIntegration_LocalDriverBackfillThenFollow: with Docker's local log driver there is no
// json-file to read, so back-fill and follow both go through the API; every line docker logs
// has arrives once, in order, across a restart.
func TestIntegration_LocalDriverBackfillThenFollow(t *testing.T) {
	needDocker(t)
	apiDriverBackfillThenFollow(t, "local")
}

// TestIntegration_JournaldDriverBackfillThenFollow: the same through the journald driver, with
// a real systemd-journald (.ci/start-dockerd starts one where none runs): dockerd writes the
// container's lines to the journal and reads them back for the API.
func TestIntegration_JournaldDriverBackfillThenFollow(t *testing.T) {
	needDocker(t)
	if _, err := os.Stat("/run/systemd/journal/socket"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and no journald socket: %v", err)
		}
		t.Skip("no systemd-journald running; run .ci/start-dockerd")
	}
	apiDriverBackfillThenFollow(t, "journald")
}

func apiDriverBackfillThenFollow(t *testing.T, driver string) {
	name := itName(t)
	tag := driver[:1]
	docker(t, "run", "-d", "--network", "none", "--log-driver", driver, "--name", name, "-e", "TAG="+tag, itImage, "sh", "-c", mailLoop)
	for deadline := time.Now().Add(10 * time.Second); len(logsOf(t, name)) < 200; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the container wrote no burst")
		}
	}
	src := NewDocker(DockerOptions{Container: name, Follow: true, poll: time.Second})
	s, cancel, errc := startSource(t, src)
	s.waitState(t, StateFollowing)
	s.waitFor(t, "the back-filled burst and followed lines", func() bool { return s.hasLine("tag=" + tag + " run=1 seq=230") })
	docker(t, "restart", "-t", "0", name)
	s.waitFor(t, "lines after restart", func() bool { return s.hasLine("tag=" + tag + " run=2 seq=210") })
	docker(t, "stop", "-t", "0", name)
	s.waitState(t, StateStopped)
	want := logsOf(t, name)
	got := s.waitAll(t, want)
	s.mu.Lock()
	var details []string
	for _, st := range s.statuses {
		details = append(details, st.Detail)
	}
	s.mu.Unlock()
	expectLines(t, got, want...)
	if !strings.Contains(strings.Join(details, "|"), "log driver "+driver+", back-filling through the API") {
		t.Errorf("details %q lack the API back-fill", details)
	}
	cancel()
	runResult(t, errc)
}

// TestIntegration_NoneDriverIsOneSentence: a container logging to the none driver cannot be
// read back; the source says so and what to do, in one sentence.
func TestIntegration_NoneDriverIsOneSentence(t *testing.T) {
	needDocker(t)
	name := itName(t)
	docker(t, "run", "-d", "--network", "none", "--log-driver", "none", "--name", name, itImage, "sh", "-c", "sleep 30")
	err := NewDocker(DockerOptions{Container: name, Follow: true}).Run(t.Context(), make(chan Batch, 64))
	if err == nil || !strings.Contains(err.Error(), "log driver cannot be read back") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v", err)
	}
}
