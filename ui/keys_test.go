package ui

import (
	"slices"
	"testing"

	"charm.land/bubbles/v2/key"

	"github.com/mxtop/mxtop/ui/iptable"
	"github.com/mxtop/mxtop/ui/lines"
)

// TestKeys_NoConflictInAnyScope fails if two enabled bindings live in the same scope share a
// key, with and without --read-only.
func TestKeys_NoConflictInAnyScope(t *testing.T) {
	t.Parallel()
	for _, ro := range []bool{false, true} {
		k := DefaultKeyMap(ro)
		scopes := map[string][]key.Binding{
			"table":   k.TableScope(),
			"lines":   k.LinesScope(),
			"confirm": k.ConfirmScope(),
			"input":   k.InputScope(),
		}
		for name, bindings := range scopes {
			seen := map[string]string{}
			for _, b := range bindings {
				if !b.Enabled() {
					continue
				}
				for _, ks := range b.Keys() {
					if prev, dup := seen[ks]; dup {
						t.Errorf("readOnly=%v scope %s: key %q bound to %q and %q", ro, name, ks, prev, b.Help().Desc)
					}
					seen[ks] = b.Help().Desc
				}
			}
			if len(seen) == 0 {
				t.Errorf("scope %s has no keys", name)
			}
		}
	}
}

// TestKeys_BubblesDefaultsReplaced checks that neither the table nor the viewport keeps the
// bubbles defaults b/u/d/f/space, which would shadow ban and unban.
func TestKeys_BubblesDefaultsReplaced(t *testing.T) {
	t.Parallel()
	all := append(tableBindings(iptable.DefaultKeyMap()), lines.DefaultKeyMap().Bindings()...)
	for _, b := range all {
		for _, ks := range b.Keys() {
			if slices.Contains([]string{"b", "u", "d", "f", "space", "w", "y"}, ks) {
				t.Errorf("navigation binding %q uses action key %q", b.Help().Desc, ks)
			}
		}
	}
}

func TestKeys_ReadOnlyDisablesActions(t *testing.T) {
	t.Parallel()
	k := DefaultKeyMap(true)
	for _, b := range []key.Binding{k.Ban, k.BanAll, k.Unban, k.Whitelist} {
		if b.Enabled() {
			t.Errorf("%q enabled in read-only mode", b.Help().Desc)
		}
	}
	if !DefaultKeyMap(false).Ban.Enabled() {
		t.Error("ban disabled without read-only")
	}
}

func TestKeyMsg_StringsMatchBindings(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"enter", "esc", "tab", "shift+tab", "ctrl+c", "ctrl+d", "b", "S", "/", "?", "pgdown"} {
		if got := keyMsg(s).String(); got != s {
			t.Errorf("keyMsg(%q).String() = %q", s, got)
		}
	}
}
