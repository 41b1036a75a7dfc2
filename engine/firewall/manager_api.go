package firewall

import (
	"net/netip"
	"time"
)

// Request asks for one ban. The policy (protected ranges, the operator's SSH address, the
// whitelist, scanners) is checked before anything runs.
type Request struct {
	Prefix   netip.Prefix     // a single address is a /32 or /128
	Duration time.Duration    // 0 = permanent
	Reason   string           // shown in `mxtop bans`; free text, never passed to a shell
	Verdict  string           // the engine's verdict for the IP ("botnet", "scanner", …), may be empty
	Evidence map[string]int64 // category counts at ban time, kept in the state file
	Force    bool             // ban even a scanner (the TUI's second confirmation, the CLI's --force)
}

// Result says what an action did: the exact commands that ran (or, in dry-run, would run), so
// the operator can see and repeat them.
type Result struct {
	Commands []string // e.g. "ipset add mxtop4 203.0.113.7 timeout 604800"
	Message  string   // one line for the status bar: "banned 203.0.113.7 for 7d"
}

// Ban is one active ban as stored and as read back from the kernel.
type Ban struct {
	Prefix   netip.Prefix
	Reason   string
	Since    time.Time
	Expires  time.Time // zero = permanent
	Verdict  string
	Evidence map[string]int64
	Packets  uint64 // dropped packets counted by the kernel, when the backend can tell
	Bytes    uint64
	Manual   bool // a DROP rule someone added to the chain by hand; not in mxtop's state
	// Active is true when the kernel holds the ban; false means the state file has it but the
	// kernel lost it (reboot, flushed set) or timed it out: NOT ENFORCED until Restore.
	Active bool
}
