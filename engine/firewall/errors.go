package firewall

import (
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
	"syscall"

	"github.com/coreos/go-iptables/iptables"
)

// Errors every action may return; check them with errors.Is. Each comes wrapped in an *Error
// whose message is one human line ("refusing to ban 10.0.0.7: inside protected range
// 10.0.0.0/8"), ready for the status bar or the CLI.
var (
	ErrInvalid      = errors.New("firewall: invalid address or prefix")
	ErrProtected    = errors.New("firewall: address is protected")
	ErrWhitelisted  = errors.New("firewall: address is whitelisted")
	ErrScanner      = errors.New("firewall: address is a known scanner (needs force)")
	ErrNotRoot      = errors.New("firewall: needs root (CAP_NET_ADMIN)")
	ErrNoBinary     = errors.New("firewall: a required program or kernel module is missing")
	ErrChainMissing = errors.New("firewall: chain does not exist")
	ErrLocked       = errors.New("firewall: lock held by another program")
	ErrBackend      = errors.New("firewall: backend command failed")
)

// Error is the one-line explanation of a failed action. Kind is one of the Err* sentinels; Err
// is the cause (often an *ExecError carrying a command's stderr).
type Error struct {
	Kind error
	Msg  string
	Err  error
}

// Error returns the human line, followed by the cause's text when there is one.
func (e *Error) Error() string {
	if e.Err == nil {
		return e.Msg
	}
	return e.Msg + ": " + oneLine(e.Err.Error())
}

// Unwrap lets errors.Is match both the sentinel kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func newErr(kind error, err error, format string, a ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, a...), Err: err}
}

// refuse builds the policy error for a ban that would hit something protected.
func refuse(kind error, p, hit netip.Prefix, why string) *Error {
	switch {
	case p == hit:
		return newErr(kind, nil, "refusing to ban %s: it is %s", Show(p), why)
	case hit.Bits() <= p.Bits():
		return newErr(kind, nil, "refusing to ban %s: it is inside %s, %s", Show(p), Show(hit), why)
	}
	return newErr(kind, nil, "refusing to ban %s: it would cover %s, %s", Show(p), Show(hit), why)
}

// Show prints a single-address prefix as the bare address ("203.0.113.7"), any other prefix in
// CIDR form.
func Show(p netip.Prefix) string {
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}

// ExecError is a command that failed, with its stderr.
type ExecError struct {
	Cmd    string
	Stderr string
	Err    error
}

// Error returns the command, the exit status and the first lines of stderr on one line.
func (e *ExecError) Error() string {
	msg := e.Cmd + ": " + e.Err.Error()
	if s := strings.TrimSpace(e.Stderr); s != "" {
		msg += ": " + s
	}
	return oneLine(msg)
}

// Unwrap returns the underlying exec error.
func (e *ExecError) Unwrap() error { return e.Err }

// maxErrLen caps the length of an error line so a chatty command cannot flood the status bar.
const maxErrLen = 400

// oneLine folds s into one line with control characters removed, so a command's stderr can be
// shown in a terminal safely.
func oneLine(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r == '\n':
			b.WriteString("; ")
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
		if b.Len() > maxErrLen {
			b.WriteString("…")
			break
		}
	}
	return b.String()
}

// typed turns a backend failure into one of the typed errors; what says what was being done
// ("insert rule in DOCKER-USER").
func typed(err error, what string) error {
	if err == nil {
		return nil
	}
	var fe *Error
	if errors.As(err, &fe) {
		return err
	}
	text := err.Error()
	var ipterr *iptables.Error
	if errors.As(err, &ipterr) {
		text = ipterr.Error()
	}
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return newErr(ErrNoBinary, err, "%s: program not installed", what)
	case errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EACCES),
		strings.Contains(text, "Permission denied"), strings.Contains(text, "you must be root"):
		return newErr(ErrNotRoot, err, "%s: permission denied (run as root)", what)
	case errors.Is(err, syscall.EPROTONOSUPPORT):
		return newErr(ErrNoBinary, err, "%s: the kernel's ip_set module is not available", what)
	case strings.Contains(text, "xtables lock"), strings.Contains(text, "Resource temporarily unavailable"):
		return newErr(ErrLocked, err, "%s: the xtables lock is held by another program", what)
	case strings.Contains(text, "No chain/target/match by that name"),
		strings.Contains(text, "does not exist"):
		return newErr(ErrChainMissing, err, "%s: chain missing", what)
	}
	return newErr(ErrBackend, err, "%s failed", what)
}
