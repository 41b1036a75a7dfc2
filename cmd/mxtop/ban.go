package main

import "errors"

var errNoFirewall = errors.New("the firewall commands are not built yet (#5)")

// BanCmd bans an IP or CIDR. TODO(#5).
type BanCmd struct {
	FirewallFlags `embed:""`
	Target        string `arg:"" help:"IP or CIDR to ban." placeholder:"IP|CIDR"`
}

// Run bans.
func (c *BanCmd) Run(env *Env) error { return errNoFirewall }

// UnbanCmd lifts a ban. TODO(#5).
type UnbanCmd struct {
	FirewallFlags `embed:""`
	Target        string `arg:"" help:"IP or CIDR to unban." placeholder:"IP|CIDR"`
}

// Run unbans.
func (c *UnbanCmd) Run(env *Env) error { return errNoFirewall }

// BansCmd lists bans. TODO(#5).
type BansCmd struct {
	FirewallFlags `embed:""`
}

// Run lists.
func (c *BansCmd) Run(env *Env) error { return errNoFirewall }

// WhitelistCmd manages the whitelist. TODO(#5).
type WhitelistCmd struct {
	FirewallFlags `embed:""`
}

// Run manages.
func (c *WhitelistCmd) Run(env *Env) error { return errNoFirewall }
