package iptable

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/table"
)

// DefaultKeyMap returns the table navigation keys. It replaces bubbles' table.DefaultKeyMap,
// which binds b, u, d, f and space: those are mxtop's action keys (b bans, u unbans), so paging
// uses ctrl+d/ctrl+u and pgdown/pgup only.
func DefaultKeyMap() table.KeyMap {
	return table.KeyMap{
		LineUp:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		LineDown:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:       key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:     key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		HalfPageUp:   key.NewBinding(key.WithKeys("ctrl+u"), key.WithHelp("ctrl+u", "½ page up")),
		HalfPageDown: key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "½ page down")),
		GotoTop:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first")),
		GotoBottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last")),
	}
}
