// Command mxtop watches a docker-mailserver under attack: it follows the mail logs, counts attack
// events per client IP and category, tells botnets from scanners and real senders, and bans with
// one key. `mxtop` runs the live TUI; `mxtop report`, `mxtop ban` and `mxtop bans` are for
// scripts and cron.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/alecthomas/kong"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// CLI is every command and flag. Each flag can also be set in the TOML config file under its
// name with dashes turned into underscores (see config.example.toml).
type CLI struct {
	Config  kong.ConfigFlag  `help:"TOML config file (default /etc/mxtop/config.toml, then $XDG_CONFIG_HOME/mxtop/config.toml)." placeholder:"FILE"`
	Debug   string           `help:"Write mxtop's own log to FILE (never to the terminal)." placeholder:"FILE"`
	Version kong.VersionFlag `help:"Print the version and exit."`

	Watch     WatchCmd     `cmd:"" default:"withargs" help:"Live TUI on the mail container's logs (the default command)."`
	Demo      DemoCmd      `cmd:"" help:"Live TUI on built-in demo traffic, or --emit N demo lines to stdout."`
	Report    ReportCmd    `cmd:"" help:"Read a log once and print the attackers, one row per IP."`
	Explain   ExplainCmd   `cmd:"" help:"Show how mxtop reads one log line."`
	Ban       BanCmd       `cmd:"" help:"Ban IPs or CIDRs in the firewall: one, several, or a list on stdin (-)."`
	Unban     UnbanCmd     `cmd:"" help:"Lift a ban."`
	Bans      BansCmd      `cmd:"" help:"List bans with packet counters."`
	Whitelist WhitelistCmd `cmd:"" help:"Manage the whitelist (never banned, never counted as attackers)."`
}

// exitError carries a process exit code with a one-line message.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run parses args and runs the chosen command. It returns the process exit code: 0 on success,
// 1 on a runtime error, 2 on bad flags. Errors are one line on stderr, never a stack trace.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("mxtop"),
		kong.Description("Live attack monitor and firewall for docker-mailserver (Postfix, postscreen, Dovecot)."),
		kong.UsageOnError(),
		kong.Vars{"version": version},
		kong.Configuration(tomlLoader, "/etc/mxtop/config.toml", "$XDG_CONFIG_HOME/mxtop/config.toml"),
		kong.Writers(stdout, stderr),
		kong.Exit(func(int) {}),
		kong.BindTo(stdin, (*io.Reader)(nil)),
	)
	if err != nil {
		fmt.Fprintln(stderr, "mxtop:", err)
		return 2
	}
	exited := false
	parser.Exit = func(int) { exited = true }
	kctx, err := parser.Parse(args)
	if exited {
		return 0 // --help or --version printed and asked to exit
	}
	if err != nil {
		fmt.Fprintln(stderr, "mxtop:", err)
		return 2
	}
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Debug: cli.Debug, set: map[string]bool{}}
	for _, a := range args {
		if name, ok := strings.CutPrefix(a, "--"); ok {
			name, _, _ = strings.Cut(name, "=")
			env.set[name] = true
		}
	}
	if err := kctx.Run(env); err != nil {
		fmt.Fprintln(stderr, "mxtop:", err)
		var ee exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		return 1
	}
	return 0
}

// Env is what every command's Run receives: the process's streams, so tests can run commands
// in-process.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Debug          string // --debug FILE
	set            map[string]bool
}

// FlagSet reports whether the flag was given on the command line (kong marks defaults and
// config values as set too, so it cannot tell). Used where a default must not apply to every
// input: --since 24h suits a container's back-fill, not a log file handed to report.
func (e *Env) FlagSet(name string) bool { return e.set[name] }

// usageError marks a bad-flag error found after parsing (exit code 2).
func usageError(format string, a ...any) error {
	return exitError{code: 2, err: fmt.Errorf(format, a...)}
}
