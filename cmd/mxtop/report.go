package main

import "errors"

// ReportCmd reads a log once and prints the attackers.
type ReportCmd struct {
	SourceFlags `embed:""`
	PolicyFlags `embed:""`
	Format      string   `help:"Output format." enum:"table,json,csv" default:"table"`
	Top         int      `help:"Print at most N IPs (0 = all)." default:"0" placeholder:"N"`
	Unmatched   bool     `help:"Also list mail-daemon lines no rule recognised, grouped by shape."`
	Path        []string `arg:"" optional:"" help:"Log file to read, or - for stdin." placeholder:"FILE|-"`
}

// Run reads and prints.
func (c *ReportCmd) Run(env *Env) error { return errors.New("not yet") }

// ExplainCmd shows how one line is read.
type ExplainCmd struct {
	Line []string `arg:"" help:"The log line (quote it)." placeholder:"LINE"`
}

// Run explains.
func (c *ExplainCmd) Run(env *Env) error { return errors.New("not yet") }
