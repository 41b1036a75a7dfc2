package confirm

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

func keyPress(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	}
	return tea.KeyPressMsg{Code: []rune(s)[0], Text: s}
}

func TestConfirm_OnlyYConfirms(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"enter", "esc", "n", "Y", " ", "b"} {
		m := New(DefaultKeyMap(), lipgloss.NewStyle(), lipgloss.NewStyle(), "Ban?", nil, "")
		if _, res := m.Update(keyPress(k)); res != Cancelled {
			t.Errorf("%q: result %v, want Cancelled", k, res)
		}
	}
	m := New(DefaultKeyMap(), lipgloss.NewStyle(), lipgloss.NewStyle(), "Ban?", nil, "")
	if _, res := m.Update(keyPress("y")); res != Confirmed {
		t.Fatalf("y: %v", res)
	}
}

func TestConfirm_SecondQuestionNeedsAnotherY(t *testing.T) {
	t.Parallel()
	m := New(DefaultKeyMap(), lipgloss.NewStyle(), lipgloss.NewStyle(), "Ban?", nil, "it is a scanner")
	m, res := m.Update(keyPress("y"))
	if res != Pending || m.Stage() != 1 {
		t.Fatalf("first y: %v stage %d", res, m.Stage())
	}
	if _, res := m.Update(keyPress("enter")); res != Cancelled {
		t.Fatalf("enter on the second question: %v", res)
	}
	if _, res := m.Update(keyPress("y")); res != Confirmed {
		t.Fatalf("second y: %v", res)
	}
}

func TestConfirm_AltAnswer(t *testing.T) {
	t.Parallel()
	plain := New(DefaultKeyMap(), lipgloss.NewStyle(), lipgloss.NewStyle(), "Ban?", nil, "")
	if _, res := plain.Update(keyPress("p")); res != Cancelled {
		t.Fatalf("p without an alternative: %v, want Cancelled", res)
	}
	m := New(DefaultKeyMap(), lipgloss.NewStyle(), lipgloss.NewStyle(), "Ban?", nil, "").WithAlt("ban the /64")
	if !strings.Contains(m.View(), "p: ban the /64") {
		t.Fatalf("alternative not shown:\n%s", m.View())
	}
	if _, res := m.Update(keyPress("p")); res != ConfirmedAlt {
		t.Fatalf("p: %v, want ConfirmedAlt", res)
	}
	if _, res := m.Update(keyPress("y")); res != Confirmed {
		t.Fatalf("y: %v, want Confirmed", res)
	}
	// With a second question, p then y is the alternative; p twice is not.
	m = New(DefaultKeyMap(), lipgloss.NewStyle(), lipgloss.NewStyle(), "Ban?", nil, "scanner").WithAlt("ban the /24")
	m2, res := m.Update(keyPress("p"))
	if res != Pending {
		t.Fatalf("first p: %v", res)
	}
	if _, res := m2.Update(keyPress("p")); res != Cancelled {
		t.Fatalf("p on the second question: %v, want Cancelled", res)
	}
	if _, res := m2.Update(keyPress("y")); res != ConfirmedAlt {
		t.Fatalf("p then y: %v, want ConfirmedAlt", res)
	}
}
