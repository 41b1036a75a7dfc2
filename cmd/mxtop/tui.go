package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mxtop/mxtop/demo"
	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/firewall"
	"github.com/mxtop/mxtop/engine/source"
	"github.com/mxtop/mxtop/ui"
)

// WatchCmd runs the live TUI on the mail container (or a log file, or stdin).
type WatchCmd struct {
	SourceFlags   `embed:""`
	PolicyFlags   `embed:""`
	FirewallFlags `embed:""`
	ReadOnly      bool          `help:"Hide the ban, unban and whitelist keys."`
	Refresh       time.Duration `help:"How often the screen gets new counts (50ms to 1s)." default:"100ms"`
	Path          []string      `arg:"" optional:"" help:"Log file to read, or - for stdin." placeholder:"FILE|-"`
}

// Run starts the TUI.
func (c *WatchCmd) Run(env *Env) error {
	cls, err := c.PolicyFlags.classify()
	if err != nil {
		return err
	}
	src, err := c.source(env)
	if err != nil {
		return err
	}
	cfg := engine.Config{Classify: cls, Refresh: c.Refresh, ReadOnly: c.ReadOnly, BanFor: firewall.UseDefault}
	return runLive(env, src, cfg, func(ctx context.Context) (*firewall.Manager, string) {
		if c.ReadOnly {
			return nil, ""
		}
		pol := banPolicy{Whitelist: c.PolicyFlags.Whitelist, NoDefaultWhitelist: c.PolicyFlags.NoDefaultWhitelist}
		return openManager(ctx, c.FirewallFlags, pol)
	})
}

// source follows the container through the Docker API unless a file or stdin was named.
func (c *WatchCmd) source(env *Env) (source.Source, error) {
	if len(c.Path) > 0 || c.Stdin || len(c.File) > 0 {
		f := c.SourceFlags
		if len(f.File) > 0 && !env.FlagSet("since") {
			f.Since = -1 // --file follows like tail -F: from the end, unless --since asks for history
		}
		return openSource(f, c.Path, env.Stdin, true)
	}
	return source.NewDocker(source.DockerOptions{
		Container: c.Container, Since: c.Since, Follow: true, Wait: true,
	}), nil
}

// openManager builds the firewall Manager from the flags and re-applies the stored bans. A
// failure (not root, no ipset module) is not fatal: the TUI still watches, and the reason is
// shown in its status line.
func openManager(ctx context.Context, ff FirewallFlags, pol banPolicy) (*firewall.Manager, string) {
	cfg, err := managerConfig(ff, pol)
	if err != nil {
		return nil, "firewall disabled: " + err.Error()
	}
	m, err := firewall.NewManager(ctx, cfg)
	if err != nil {
		return nil, "firewall disabled: " + err.Error()
	}
	if ff.Firewall != "dry-run" {
		if _, err := m.Restore(ctx); err != nil {
			slog.Warn("restoring bans failed", "err", err)
			return m, "restoring bans: " + err.Error()
		}
	}
	return m, ""
}

// runTUI plays the demo traffic through the real engine, with a dry-run firewall so b shows
// exactly which command would run.
func (c *DemoCmd) runTUI(env *Env) error {
	src := demo.NewSource(c.Seed, demo.WithRate(c.Rate))
	return runLive(env, src, engine.Config{BanFor: firewall.UseDefault}, func(ctx context.Context) (*firewall.Manager, string) {
		m, err := firewall.NewManager(ctx, firewall.Config{
			Backend:    &firewall.DryRun{},
			DockerNets: firewall.None, // the demo never asks a Docker daemon
		})
		if err != nil {
			return nil, "dry-run firewall: " + err.Error()
		}
		return m, ""
	})
}

// runLive runs the engine on src and the TUI on top of it until the operator quits or a signal
// arrives, then stops the engine, waits for it and reports its error after the terminal is
// restored. Nothing is written to stdout or stderr while the TUI runs: mxtop's own log goes to
// --debug FILE or nowhere.
func runLive(env *Env, src source.Source, cfg engine.Config, openFW func(context.Context) (*firewall.Manager, string)) error {
	logger, closeLog, err := debugLogger(env.Debug)
	if err != nil {
		return err
	}
	defer closeLog()
	prevDefault, prevOut := slog.Default(), log.Writer()
	slog.SetDefault(logger)
	log.SetOutput(io.Discard)
	defer func() { slog.SetDefault(prevDefault); log.SetOutput(prevOut) }()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var fw engine.Firewall
	mgr, notice := openFW(ctx)
	if mgr != nil {
		defer func() { _ = mgr.Close() }()
		fw = mgr
	}
	eng := engine.New(cfg, src, fw)
	engErr := make(chan error, 1)
	go func() { engErr <- eng.Run(ctx) }()

	model := ui.New(eng, ui.Options{
		Context: ctx, ReadOnly: cfg.ReadOnly, NoColor: os.Getenv("NO_COLOR") != "",
		Logger: logger, Notice: notice,
	})
	_, perr := tea.NewProgram(model, tea.WithContext(ctx)).Run()
	cancel()
	eerr := <-engErr
	logger.Info("tui exited", "err", perr, "engine_err", eerr)
	if perr != nil && !errors.Is(perr, tea.ErrProgramKilled) && !errors.Is(perr, context.Canceled) {
		return fmt.Errorf("tui: %w", perr)
	}
	if eerr != nil && !errors.Is(eerr, context.Canceled) {
		return eerr
	}
	return nil
}

// debugLogger returns a text logger writing to path, or one discarding everything when path is
// empty.
func debugLogger(path string) (*slog.Logger, func(), error) {
	if path == "" {
		return slog.New(slog.DiscardHandler), func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("--debug: %w", err)
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})), func() { _ = f.Close() }, nil
}
