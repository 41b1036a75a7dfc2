package ui

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/parse"
)

// Golden views at fixed sizes with ANSI stripped. Refresh with
// `go test ./ui -run TestView_Golden -update` and review the diff.

func TestView_Golden(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {100, 30}, {120, 40}} {
		t.Run(fmt.Sprintf("table_%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{}, size[0], size[1], snap(1, fixtureRows()...))
			golden.RequireEqual(t, h.screen())
		})
	}
}

func TestView_GoldenScreens(t *testing.T) {
	t.Parallel()
	ip := netip.MustParseAddr("45.144.212.19")
	lines := []engine.RawLine{
		{Time: t0.Add(-2 * time.Minute), Category: parse.Pregreet, Text: "mail postfix/postscreen[1]: PREGREET 11 after 0.1 from [45.144.212.19]:4711: EHLO ylmf-pc\\r\\n"},
		{Time: t0.Add(-time.Minute), Category: parse.Hangup, Text: "mail postfix/postscreen[1]: HANGUP after 0.2 from [45.144.212.19]:4711 in tests after SMTP handshake"},
	}
	screens := []struct {
		name string
		opts Options
		keys []string
		load bool
		bans bool // the snapshot carries bans no tracked row stands for
		w, h int
		wl   bool // the snapshot carries whitelisted prefixes no tracked row stands for
	}{
		{"help_80x24", Options{}, []string{"?"}, false, false, 0, 0, false},
		{"help_readonly_80x24", Options{ReadOnly: true}, []string{"?"}, false, false, 0, 0, false},
		{"confirm_80x24", Options{}, []string{"b"}, false, false, 0, 0, false},
		{"drill_80x24", Options{}, []string{"enter"}, true, false, 0, 0, false},
		{"paused_filtered_80x24", Options{}, []string{"p", "/", "1", "9", "8", ".", "5", "1", "enter", "tab"}, false, false, 0, 0, false},
		{"banned_80x24", Options{}, []string{"shift+tab", "shift+tab", "down"}, false, true, 0, 0, false},
		{"banned_120x40", Options{}, []string{"shift+tab", "shift+tab"}, false, true, 120, 40, false},
		{"unban_prefix_80x24", Options{}, []string{"shift+tab", "shift+tab", "down", "u"}, false, true, 0, 0, false},
		{name: "whitelist_80x24", keys: []string{"shift+tab", "down"}, wl: true},
		{name: "whitelist_remove_80x24", keys: []string{"shift+tab", "down", "w"}, wl: true},
	}
	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			w, ht := 80, 24
			if sc.w != 0 {
				w, ht = sc.w, sc.h
			}
			mk := func(seq uint64) *engine.Snapshot { return snap(seq, fixtureRows()...) }
			switch {
			case sc.bans:
				mk = bansSnapshot
			case sc.wl:
				mk = whitelistSnapshot
			}
			h := newHarness(t, sc.opts, w, ht, mk(1))
			h.eng.lines[ip] = lines
			h.press(sc.keys...)
			if sc.load {
				h.run()
			}
			h.send(snapshotMsg{snap: mk(2)})
			golden.RequireEqual(t, h.screen())
		})
	}
}
