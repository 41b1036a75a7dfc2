// Package prompt is a one-line text input for the filter and the drill-down search. It is
// deliberately small: typed text, backspace, ctrl+w and ctrl+u. Bubbles' textinput would pull in
// a clipboard module and a blinking cursor that redraws twice a second over SSH for nothing.
package prompt

import (
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// maxRunes bounds the input; an IP, a CIDR or a host substring is far shorter.
const maxRunes = 256

// Model is the input's state.
type Model struct {
	Prompt  string
	Cursor  lipgloss.Style
	value   []rune
	focused bool
}

// New returns an empty, blurred input showing prompt.
func New(prompt string, cursor lipgloss.Style) Model { return Model{Prompt: prompt, Cursor: cursor} }

// Focus gives the input the keyboard.
func (m *Model) Focus() { m.focused = true }

// Blur takes the keyboard away.
func (m *Model) Blur() { m.focused = false }

// Focused reports whether the input has the keyboard.
func (m Model) Focused() bool { return m.focused }

// Value is the text typed so far.
func (m Model) Value() string { return string(m.value) }

// SetValue replaces the text.
func (m *Model) SetValue(s string) { m.value = []rune(s) }

// Update edits the text on a key press; other messages are ignored. Control characters in
// pasted or typed text are dropped.
func (m Model) Update(msg tea.Msg) Model {
	if !m.focused {
		return m
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch msg.String() {
		case "backspace", "ctrl+h":
			if len(m.value) > 0 {
				m.value = m.value[:len(m.value)-1]
			}
		case "ctrl+u":
			m.value = m.value[:0]
		case "ctrl+w":
			s := strings.TrimRightFunc(string(m.value), unicode.IsSpace)
			i := strings.LastIndexFunc(s, unicode.IsSpace)
			m.value = []rune(s[:i+1])
		default:
			m.insert(msg.Text)
		}
	case tea.PasteMsg:
		m.insert(msg.Content)
	}
	return m
}

func (m *Model) insert(s string) {
	for _, r := range s {
		if unicode.IsPrint(r) && len(m.value) < maxRunes {
			m.value = append(m.value, r)
		}
	}
}

// View renders the prompt, the text and a block cursor while focused.
func (m Model) View() string {
	s := m.Prompt + string(m.value)
	if m.focused {
		s += m.Cursor.Render(" ")
	}
	return s
}
