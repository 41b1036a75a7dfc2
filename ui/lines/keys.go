package lines

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
)

// KeyMap is the drill-down's keys. Viewport replaces bubbles' viewport.DefaultKeyMap, which
// binds b, u, d, f and space (mxtop's ban and unban keys among them).
type KeyMap struct {
	Viewport viewport.KeyMap
	Top      key.Binding
	Bottom   key.Binding
	Search   key.Binding
	Next     key.Binding
	Prev     key.Binding
	Back     key.Binding
}

// DefaultKeyMap returns the drill-down keys of STYLE.md B7.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Viewport: viewport.KeyMap{
			PageDown:     key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
			PageUp:       key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
			HalfPageUp:   key.NewBinding(key.WithKeys("ctrl+u"), key.WithHelp("ctrl+u", "½ page up")),
			HalfPageDown: key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "½ page down")),
			Down:         key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
			Up:           key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
			// Lines soft-wrap, so there is nothing to scroll sideways.
			Left:  key.NewBinding(key.WithDisabled()),
			Right: key.NewBinding(key.WithDisabled()),
		},
		Top:    key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "oldest")),
		Bottom: key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "newest")),
		Search: key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		Next:   key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match")),
		Prev:   key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "prev match")),
		Back:   key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc/q", "back")),
	}
}

// Bindings lists every binding of the scope (for the key-conflict test).
func (k KeyMap) Bindings() []key.Binding {
	v := k.Viewport
	return []key.Binding{
		v.PageDown, v.PageUp, v.HalfPageUp, v.HalfPageDown, v.Down, v.Up, v.Left, v.Right,
		k.Top, k.Bottom, k.Search, k.Next, k.Prev, k.Back,
	}
}
