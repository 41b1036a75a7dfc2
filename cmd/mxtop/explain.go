package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/mxtop/mxtop/engine/parse"
)

// ExplainCmd shows how one line is read: the equivalent of fail2ban-regex or cscli explain.
type ExplainCmd struct {
	Line []string `arg:"" help:"The log line (quote it)." placeholder:"LINE"`
}

// Run parses the line and prints each decision.
func (c *ExplainCmd) Run(env *Env) error {
	line := strings.Join(c.Line, " ")
	var p parse.Parser
	var ev parse.Event
	mail := p.Parse([]byte(line), time.Time{}, &ev)
	w := env.Stdout
	fmt.Fprintf(w, "line:      %s\n", printable(line))
	fmt.Fprintf(w, "framing:   %s\n", ev.Framing)
	if !ev.Time.IsZero() {
		fmt.Fprintf(w, "time:      %s\n", ev.Time.UTC().Format(time.RFC3339Nano))
	} else {
		fmt.Fprintf(w, "time:      (none in the line)\n")
	}
	if len(ev.Program) > 0 {
		fmt.Fprintf(w, "program:   %s (pid %d)\n", printable(string(ev.Program)), ev.PID)
	}
	if !mail {
		fmt.Fprintln(w, "verdict:   not a mail-daemon line: counted as read, ignored")
		return nil
	}
	fmt.Fprintf(w, "daemon:    %s\n", ev.Daemon)
	fmt.Fprintf(w, "kind:      %s\n", ev.Kind)
	if ev.Kind == parse.Unknown {
		fmt.Fprintln(w, "verdict:   no rule recognised this mail-daemon line (listed by report --unmatched)")
		return nil
	}
	fmt.Fprintf(w, "rule:      %s\n", ev.Rule)
	if ev.Kind == parse.Attack {
		fmt.Fprintf(w, "category:  %s ×%d\n", ev.Category, ev.Count)
	}
	if ev.IP.IsValid() {
		fmt.Fprintf(w, "client:    %s (taken from its position for this rule, never from other text)\n", ev.IP)
	} else {
		fmt.Fprintln(w, "client:    none (the line names no client)")
	}
	for _, f := range []struct{ k, v string }{
		{"host", string(ev.Host)}, {"helo", string(ev.Helo)}, {"user", string(ev.User)}, {"queue id", string(ev.QueueID)},
	} {
		if f.v != "" {
			fmt.Fprintf(w, "%-10s %s\n", f.k+":", printable(f.v))
		}
	}
	switch ev.Kind {
	case parse.Echo:
		fmt.Fprintln(w, "counted:   no: this line echoes an attempt another line already counts")
	case parse.Disconnect:
		if ev.AuthFailures > 0 {
			fmt.Fprintf(w, "counted:   as auth_failed ×%d only if this smtpd session logged no SASL failure\n", ev.AuthFailures)
		}
	case parse.Delivered:
		fmt.Fprintln(w, "counted:   as delivered mail of the client that queued this ID (this line names the next hop)")
	}
	return nil
}
