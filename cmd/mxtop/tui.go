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
func (c *WatchCmd) Run(env *Env) error { return errors.New("the live TUI is not built yet (#4); use mxtop report") }

// DemoCmd runs the TUI on demo traffic, or prints demo lines.
type DemoCmd struct {
	Emit int64 `help:"Print N demo log lines to stdout and exit." placeholder:"N"`
	Seed int64 `help:"Generator seed: the same seed gives the same bytes." default:"1"`
}
