package main

import "errors"

// WatchCmd runs the live TUI. TODO(#4): the TUI.
type WatchCmd struct {
	SourceFlags   `embed:""`
	PolicyFlags   `embed:""`
	FirewallFlags `embed:""`
	ReadOnly      bool     `help:"Hide the ban, unban and whitelist keys."`
	Path          []string `arg:"" optional:"" help:"Log file to read, or - for stdin." placeholder:"FILE|-"`
}

// Run starts the TUI.
func (c *WatchCmd) Run(env *Env) error {
	return errors.New("the live TUI is not built yet (#4); use mxtop report")
}

// runTUI plays the demo in the live TUI. TODO(#4).
func (c *DemoCmd) runTUI(env *Env) error { return errors.New("the live TUI is not built yet (#4)") }
