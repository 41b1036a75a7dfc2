package main

import "errors"

// DemoCmd runs the TUI on demo traffic, or prints demo lines.
type DemoCmd struct {
	Emit int64 `help:"Print N demo log lines to stdout and exit." placeholder:"N"`
	Seed int64 `help:"Generator seed: the same seed gives the same bytes." default:"1"`
}

// Run prints demo lines with --emit, else plays the demo in the TUI.
func (c *DemoCmd) Run(env *Env) error {
	if c.Emit > 0 {
		return errors.New("demo --emit is not built yet")
	}
	return c.runTUI(env)
}
