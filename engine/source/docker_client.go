package source

import (
	"fmt"
	"os"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// isFatal reports errors that retrying cannot fix: a log driver that cannot be read back.
func isFatal(err error) bool {
	return cerrdefs.IsNotImplemented(err) || cerrdefs.IsInvalidArgument(err) ||
		(err != nil && strings.Contains(err.Error(), "does not support reading"))
}

// describeDaemonErr turns a client error into one sentence naming the daemon's address.
func describeDaemonErr(host string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "permission denied"):
		return fmt.Errorf("cannot reach the Docker daemon at %s: permission denied (run as root or as a member of the docker group)", host)
	case strings.Contains(msg, "no such file or directory"):
		return fmt.Errorf("cannot reach the Docker daemon at %s: no such socket (is dockerd running? DOCKER_HOST selects another daemon)", host)
	case client.IsErrConnectionFailed(err):
		return fmt.Errorf("cannot reach the Docker daemon at %s: is dockerd running?", host)
	case strings.Contains(msg, "does not support reading"):
		return fmt.Errorf("the container's log driver cannot be read back (%s); use --file with the log's path instead", firstLine(msg))
	}
	return fmt.Errorf("docker at %s: %s", host, firstLine(msg))
}

// firstLine returns the first line of s, without Go's request decorations.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimPrefix(s, "Error response from daemon: ")
}

// newClient builds the API client from DOCKER_HOST (or opts.Host) and returns it with the
// daemon's address as error messages name it.
func (d *Docker) newClient() (*client.Client, string, error) {
	host := d.opts.Host
	if host == "" {
		host = os.Getenv("DOCKER_HOST")
	}
	var opts []client.Opt
	if strings.HasPrefix(host, "ssh://") {
		ssh, err := sshOpts(host, d.opts.ssh)
		if err != nil {
			return nil, "", err
		}
		opts = append(ssh, client.WithAPIVersionFromEnv())
	} else {
		opts = []client.Opt{client.FromEnv}
		if host != "" {
			opts = append(opts, client.WithHost(host))
		}
	}
	cli, err := client.New(opts...)
	if err != nil {
		return nil, "", fmt.Errorf("docker client for %s: %s", host, firstLine(err.Error()))
	}
	if host == "" {
		host = cli.DaemonHost()
	}
	return cli, host, nil
}
