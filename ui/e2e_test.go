package ui

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/charmbracelet/x/vt"

	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/source"
)

// emuEnv is the environment of programs whose output is replayed into x/vt: a common xterm.
var emuEnv = []string{"TERM=xterm-256color"}

// e2eTimeout bounds every wait of the end-to-end tests; they poll real programs.
const e2eTimeout = 10 * time.Second

// screenRecorder keeps every byte the program wrote and replays it into a terminal emulator,
// so tests can assert both on raw bytes and on what a person would see.
type screenRecorder struct {
	mu    sync.Mutex
	raw   bytes.Buffer
	carry []byte // an incomplete UTF-8 sequence at the end of the last read
	emu   *vt.Emulator
	title []string
}

func newScreenRecorder(t *testing.T, w, h int) *screenRecorder {
	t.Helper()
	r := &screenRecorder{emu: vt.NewEmulator(w, h)}
	r.emu.SetCallbacks(vt.Callbacks{Title: func(s string) { r.title = append(r.title, s) }})
	// Drain the emulator's replies to the program's queries, or its Write would block. The
	// goroutine ends with the test binary: vt v0.1.0's Close races with a pending Read.
	go func() { _, _ = io.Copy(io.Discard, r.emu) }()
	// Output to a non-tty makes Bubble Tea assume the tty driver maps LF to CR LF (ONLCR); LNM
	// mode makes the emulator do the same.
	_, _ = r.emu.Write([]byte("\x1b[20h"))
	return r
}

// pull reads what the program wrote since the last call.
func (r *screenRecorder) pull(out io.Reader) {
	b, _ := io.ReadAll(out)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.raw.Write(b)
	// x/vt decodes each Write on its own: a rune split between two reads would be garbled.
	b = append(r.carry, b...)
	cut := len(b)
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				cut = i
			}
			break
		}
	}
	r.carry = append([]byte(nil), b[cut:]...)
	_, _ = r.emu.Write(b[:cut])
}

func (r *screenRecorder) screen() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.emu.String()
}

// waitScreen polls until the emulated screen contains every want string.
func (r *screenRecorder) waitScreen(t *testing.T, out io.Reader, want ...string) {
	t.Helper()
	deadline := time.Now().Add(e2eTimeout)
	for {
		r.pull(out)
		scr := r.screen()
		missing := ""
		for _, w := range want {
			if !strings.Contains(scr, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("screen never showed %q:\n%s", missing, scr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func press(tm *teatest.TestModel, keys ...string) {
	for _, k := range keys {
		tm.Send(keyMsg(k))
	}
}

func TestE2E_BanFlowThroughProgram(t *testing.T) {
	t.Parallel()
	f := newFakeEngine()
	m := New(f, Options{Context: t.Context()})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii), tea.WithEnvironment(emuEnv)))
	rec := newScreenRecorder(t, 100, 30)
	f.updates <- snap(1, fixtureRows()...)
	rec.waitScreen(t, tm.Output(), "45.144.212.19", "[All 7]", "botnet")

	press(tm, "b", "enter") // enter must not confirm
	rec.waitScreen(t, tm.Output(), "cancelled: Ban 45.144.212.19?")
	press(tm, "b")
	rec.waitScreen(t, tm.Output(), "Ban 45.144.212.19?", "y: yes")
	press(tm, "y")
	rec.waitScreen(t, tm.Output(), "$ iptables -I DOCKER-USER 1 -s 45.144.212.19 -j DROP")

	press(tm, "q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(e2eTimeout)).(Model)
	if bans := f.banCalls(); len(bans) != 1 || bans[0].IP.String() != "45.144.212.19" {
		t.Fatalf("ban calls %+v", bans)
	}
	if !strings.Contains(final.Status(), "banned 45.144.212.19") {
		t.Fatalf("final status %q", final.Status())
	}
}

// injected are log lines whose attacker-controlled parts carry terminal escape sequences: an
// OSC 0 window title, an OSC 52 clipboard write, an OSC 8 hyperlink, SGR colour, a C1 CSI and
// a right-to-left override.
const injected = "" +
	"Nov 27 12:00:01 mail postfix/postscreen[1120]: CONNECT from [45.144.212.19]:59415 to [172.30.0.2]:25\n" +
	"Nov 27 12:00:01 mail postfix/postscreen[1120]: PREGREET 14 after 0.08 from [45.144.212.19]:59415: EHLO \x1b]0;PWNED\x07\x1b]52;c;UFdORUQ=\x07\\r\\n\n" +
	"Nov 27 12:00:02 mail postfix/postscreen[1148]: NOQUEUE: reject: RCPT from [45.144.212.19]:60591: 550 5.7.1 Service unavailable; client [45.144.212.19] blocked using rbl.example.com; from=<a@example.com>, to=<b@example.org>, proto=ESMTP, helo=<\x1b[38;5;196mREDHELO\u009b2J\u202eevil>\n" +
	"Nov 27 12:00:03 mail postfix/smtpd[50903]: connect from ev\x1b]8;;http://evil.example/\x07il.example[45.144.212.19]\n" +
	"Nov 27 12:00:03 mail postfix/smtpd[50903]: lost connection after AUTH from ev\x1b]8;;http://evil.example/\x07il.example[45.144.212.19]\n"

// TestE2E_EscapeInjectionNeverReachesTerminal runs the real engine on injected lines and the
// TUI in a real program, opens the drill-down, and checks the bytes sent to the terminal.
func TestE2E_EscapeInjectionNeverReachesTerminal(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	eng := engine.New(engine.Config{}, source.NewReader("inject", strings.NewReader(injected)), nil)
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	tm := teatest.NewTestModel(t, New(eng, Options{Context: ctx}), teatest.WithInitialTermSize(160, 40),
		teatest.WithProgramOptions(tea.WithEnvironment(emuEnv)))
	rec := newScreenRecorder(t, 160, 40)
	rec.waitScreen(t, tm.Output(), "45.144.212.19")
	press(tm, "enter")
	rec.waitScreen(t, tm.Output(), `EHLO \x1b]0;PWNED\x07\x1b]52;c;`, `UFdORUQ=\x07`,
		`helo=<\x1b[38;5;196mREDHELO\x9b2J\u202eevil>`, `host ev\x1b]8;;http://evil.example/\x07il.example`)
	press(tm, "q", "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(e2eTimeout))
	rec.pull(tm.Output())

	raw := rec.raw.String()
	for _, bad := range []string{"\x1b]0;PWNED", "\x1b]52;", "\x1b]8;;http://evil", "\x1b[38;5;196m", "\u009b", "\x9b2J", "\u202e"} {
		if strings.Contains(raw, bad) {
			t.Errorf("terminal output contains raw %q", bad)
		}
	}
	for _, title := range rec.title {
		if strings.Contains(title, "PWNED") {
			t.Errorf("window title set to %q", title)
		}
	}
}
