// Package confirm is the y/N dialog in front of every dangerous action. Only y confirms; enter,
// n, esc and every other key cancel, so a habitual enter never bans anyone. A dialog can ask for
// a second, explicit y (banning a scanner, touching a whitelisted IP).
package confirm

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// KeyMap is the dialog's keys. No is for the help only: any key but Yes (and Alt, in a dialog
// that offers an alternative) cancels.
type KeyMap struct {
	Yes key.Binding
	Alt key.Binding // the dialog's alternative answer, e.g. ban the whole prefix
	No  key.Binding
}

// DefaultKeyMap returns y to confirm and n/esc to cancel.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Yes: key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "confirm")),
		Alt: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "the alternative")),
		No:  key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "cancel")),
	}
}

// Result is what a key did to the dialog.
type Result uint8

// Results of Update.
const (
	Pending      Result = iota // still open (a first y moved it to its second question)
	Confirmed                  // y on the last question
	Cancelled                  // any other key
	ConfirmedAlt               // Alt, then y on the second question when there is one
)

// Model is one open dialog.
type Model struct {
	keys   KeyMap
	style  lipgloss.Style
	warn   lipgloss.Style
	title  string
	body   []string
	second string // the second question; "" when one y is enough
	alt    string // what Alt does, shown as an answer; "" when the dialog has no alternative
	stage  int
	useAlt bool // Alt was the first answer
	width  int
}

// New opens a dialog. body lines must already be sanitised. second, when not empty, is the
// warning shown after the first y, which then needs another y.
func New(keys KeyMap, style, warn lipgloss.Style, title string, body []string, second string) Model {
	return Model{keys: keys, style: style, warn: warn, title: title, body: body, second: second}
}

// WithAlt offers a second answer: Alt instead of y, described by text ("ban the /64 …"). A
// second question, when there is one, then needs y as well.
func (m Model) WithAlt(text string) Model {
	m.alt = text
	return m
}

// SetWidth sets the width available to the dialog.
func (m *Model) SetWidth(w int) { m.width = w }

// Title is the dialog's question.
func (m Model) Title() string { return m.title }

// Stage is 0 before the first y and 1 on the second question.
func (m Model) Stage() int { return m.stage }

// Update handles one key press.
func (m Model) Update(msg tea.KeyPressMsg) (Model, Result) {
	alt := m.stage == 0 && m.alt != "" && key.Matches(msg, m.keys.Alt)
	if !alt && !key.Matches(msg, m.keys.Yes) {
		return m, Cancelled
	}
	if m.stage == 0 {
		m.useAlt = alt
	}
	if m.second != "" && m.stage == 0 {
		m.stage = 1
		return m, Pending
	}
	if m.useAlt {
		return m, ConfirmedAlt
	}
	return m, Confirmed
}

// View renders the dialog box.
func (m Model) View() string {
	var b strings.Builder
	b.WriteString(m.title)
	for _, l := range m.body {
		b.WriteString("\n")
		b.WriteString(l)
	}
	b.WriteString("\n\n")
	if m.stage == 1 {
		b.WriteString(m.warn.Render(m.second))
		b.WriteString("\n\n")
		b.WriteString("Press y again to go ahead, any other key to cancel.")
	} else {
		b.WriteString("y: yes · n/esc: no (enter does not confirm)")
		if m.alt != "" {
			b.WriteString("\n" + m.keys.Alt.Help().Key + ": " + m.alt)
		}
	}
	st := m.style
	if m.width > 0 {
		st = st.MaxWidth(m.width).Width(min(m.width, 72))
	}
	return st.Render(b.String())
}
