package prompt

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

func TestPrompt_EditsAndDropsControls(t *testing.T) {
	t.Parallel()
	m := New("> ", lipgloss.NewStyle())
	m = m.Update(tea.KeyPressMsg{Code: 'a', Text: "a"})
	if m.Value() != "" {
		t.Fatal("a blurred input took text")
	}
	m.Focus()
	for _, r := range "45.144" {
		m = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	m = m.Update(tea.PasteMsg{Content: ".0.0/16\x1b[2J\n"})
	if got := m.Value(); got != "45.144.0.0/16[2J" {
		t.Fatalf("value %q", got)
	}
	m = m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	m = m.Update(tea.KeyPressMsg{Code: 'w', Mod: tea.ModCtrl})
	if got := m.Value(); got != "" {
		t.Fatalf("after ctrl+w %q", got)
	}
}
