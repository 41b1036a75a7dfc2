package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/client"
)

// DOCKER_HOST=ssh://[user@]host[:port] is how the docker CLI reaches a remote daemon: it runs
// `ssh … host docker system dial-stdio` and speaks HTTP over the process's stdin and stdout. The
// moby client module does not include that helper (it lives in docker/cli), so this file does the
// same with one ssh process per connection.

// sshOpts returns client options that reach the daemon behind an ssh:// host.
func sshOpts(host, sshCmd string) ([]client.Opt, error) {
	u, err := url.Parse(host)
	if err != nil || u.Hostname() == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("DOCKER_HOST %q: want ssh://[user@]host[:port]", host)
	}
	args := []string{"-o", "ConnectTimeout=30", "-T"}
	if u.User != nil && u.User.Username() != "" {
		args = append(args, "-l", u.User.Username())
	}
	if p := u.Port(); p != "" {
		args = append(args, "-p", p)
	}
	args = append(args, "--", u.Hostname(), "docker", "system", "dial-stdio")
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		return dialCommand(ctx, sshCmd, args)
	}
	return []client.Opt{client.WithHost("http://docker.invalid"), client.WithDialContext(dial)}, nil
}

// dialCommand starts cmd and returns a connection over its stdin and stdout. The process outlives
// ctx (the HTTP transport keeps connections); Close ends it.
func dialCommand(ctx context.Context, name string, args []string) (net.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cmd := exec.Command(name, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &limitedWriter{w: &stderr, n: 4096}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("ssh: %w", err)
	}
	c := &cmdConn{cmd: cmd, stdin: stdin, stdout: stdout, stderr: &stderr, done: make(chan struct{})}
	go func() { c.waitErr = cmd.Wait(); close(c.done) }()
	return c, nil
}

// cmdConn is a net.Conn over a child process's stdin and stdout. Deadlines are not supported
// (the Docker client does not use them; cancellation closes the connection instead).
type cmdConn struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stdout  io.ReadCloser
	stderr  *strings.Builder
	once    sync.Once
	done    chan struct{}
	waitErr error
}

func (c *cmdConn) Read(p []byte) (int, error) {
	n, err := c.stdout.Read(p)
	if errors.Is(err, io.EOF) {
		select {
		case <-c.done:
			if c.waitErr != nil {
				return n, fmt.Errorf("ssh: %v: %s", c.waitErr, firstLine(strings.TrimSpace(c.stderr.String())))
			}
		default:
		}
	}
	return n, err
}

func (c *cmdConn) Write(p []byte) (int, error) { return c.stdin.Write(p) }

// Close ends the ssh process and waits for it, so no child outlives the source.
func (c *cmdConn) Close() error {
	c.once.Do(func() {
		c.stdin.Close()
		if c.cmd.Process != nil {
			c.cmd.Process.Kill()
		}
		<-c.done
	})
	return nil
}

func (c *cmdConn) LocalAddr() net.Addr              { return cmdAddr{} }
func (c *cmdConn) RemoteAddr() net.Addr             { return cmdAddr{} }
func (c *cmdConn) SetDeadline(time.Time) error      { return nil }
func (c *cmdConn) SetReadDeadline(time.Time) error  { return nil }
func (c *cmdConn) SetWriteDeadline(time.Time) error { return nil }
func (cmdAddr) Network() string                     { return "cmd" }
func (cmdAddr) String() string                      { return "ssh" }

type cmdAddr struct{}

// limitedWriter keeps at most n bytes (ssh's stderr, for the error message).
type limitedWriter struct {
	mu sync.Mutex
	w  io.Writer
	n  int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}
