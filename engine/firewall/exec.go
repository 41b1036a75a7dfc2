package firewall

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
)

// runCommand runs name with args as an argument vector (never a shell) and captures its output,
// so nothing reaches the terminal; stderr comes back inside the error.
func runCommand(ctx context.Context, name string, args ...string) error {
	_, err := output(ctx, name, args...)
	return err
}

// output runs name with args and returns its stdout; a failure is an *ExecError with stderr.
func output(ctx context.Context, name string, args ...string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	//nolint:gosec // G204: name is a constant and args are validated netip values and constants
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, &ExecError{Cmd: name + " " + strings.Join(args, " "), Stderr: stderr.String(), Err: err}
	}
	return stdout.Bytes(), nil
}
