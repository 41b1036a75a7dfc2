package main

import (
	"fmt"

	"github.com/mxtop/mxtop/demo"
)

// DemoCmd runs the TUI on demo traffic, or prints demo lines.
type DemoCmd struct {
	Emit int64 `help:"Print N demo log lines to stdout and exit." placeholder:"N"`
	Seed int64 `help:"Generator seed: the same seed gives the same bytes." default:"1"`
	Rate int   `help:"Lines per second the live demo plays (up to 100000)." default:"300" placeholder:"N"`
}

// Run prints demo lines with --emit, else plays the demo in the TUI.
func (c *DemoCmd) Run(env *Env) error {
	if c.Emit < 0 {
		return usageError("--emit must be a positive number of lines, not %d", c.Emit)
	}
	if c.Rate <= 0 || c.Rate > 100_000 {
		return usageError("--rate must be between 1 and 100000 lines/s, not %d", c.Rate)
	}
	if c.Emit > 0 {
		// demo.Emit writes in 240 KiB chunks, so stdout needs no extra buffering.
		if err := demo.Emit(env.Stdout, c.Emit, c.Seed); err != nil {
			return fmt.Errorf("demo --emit: %w", err)
		}
		return nil
	}
	return c.runTUI(env)
}
