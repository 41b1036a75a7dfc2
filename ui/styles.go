package ui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"

	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/ui/iptable"
	"github.com/mxtop/mxtop/ui/lines"
)

// Styles are every style of the TUI, built once by DefaultStyles or PlainStyles; nothing
// mutates them at run time.
type Styles struct {
	Title     lipgloss.Style
	Faint     lipgloss.Style
	Label     lipgloss.Style
	Spark     lipgloss.Style
	TabActive lipgloss.Style
	TabIdle   lipgloss.Style
	Error     lipgloss.Style
	OK        lipgloss.Style
	Badge     lipgloss.Style
	Dialog    lipgloss.Style
	Warn      lipgloss.Style
	Cursor    lipgloss.Style
	Table     iptable.Styles
	Lines     lines.Styles
	Help      help.Styles
}

// palette is a fixed set of ANSI colours: readable on dark and light backgrounds, and never
// the only signal (verdicts and states are spelled out), so no background query is needed.
type palette struct {
	red, yellow, blue, green, grey, accent color.Color
}

// DefaultStyles returns the coloured styles. isDark picks a slightly different accent for light
// backgrounds; Bubble Tea downsamples (or drops, under NO_COLOR) the colours for the terminal.
func DefaultStyles(isDark bool) Styles {
	p := palette{
		red: lipgloss.Color("1"), yellow: lipgloss.Color("3"), blue: lipgloss.Color("6"),
		green: lipgloss.Color("2"), grey: lipgloss.Color("8"), accent: lipgloss.Color("5"),
	}
	if !isDark {
		p.accent = lipgloss.Color("4")
	}
	return buildStyles(&p)
}

// PlainStyles returns styles without any colour, only bold, faint and reverse video: the
// NO_COLOR look.
func PlainStyles() Styles { return buildStyles(nil) }

func buildStyles(p *palette) Styles {
	fg := func(c func(palette) color.Color) lipgloss.Style {
		if p == nil {
			return lipgloss.NewStyle()
		}
		return lipgloss.NewStyle().Foreground(c(*p))
	}
	red := fg(func(p palette) color.Color { return p.red })
	yellow := fg(func(p palette) color.Color { return p.yellow })
	blue := fg(func(p palette) color.Color { return p.blue })
	green := fg(func(p palette) color.Color { return p.green })
	grey := fg(func(p palette) color.Color { return p.grey })
	accent := fg(func(p palette) color.Color { return p.accent })

	var verdict [classify.Unknown + 1]lipgloss.Style
	verdict[classify.Ignored] = grey
	verdict[classify.Legit] = green
	verdict[classify.Scanner] = blue
	verdict[classify.Suspicious] = yellow
	verdict[classify.Botnet] = red.Bold(true)
	verdict[classify.Unknown] = lipgloss.NewStyle()

	s := Styles{
		Title:     accent.Bold(true),
		Faint:     lipgloss.NewStyle().Faint(true),
		Label:     grey,
		Spark:     accent,
		TabActive: accent.Bold(true).Underline(true),
		TabIdle:   lipgloss.NewStyle(),
		Error:     red.Bold(true),
		OK:        green,
		Badge:     yellow.Bold(true).Reverse(true),
		Dialog:    lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1),
		Warn:      red.Bold(true),
		Cursor:    lipgloss.NewStyle().Reverse(true),
	}
	if p != nil {
		s.Dialog = s.Dialog.BorderForeground(p.accent)
	}
	s.Help = help.DefaultDarkStyles()
	if p == nil {
		bold := lipgloss.NewStyle().Bold(true)
		s.Help = help.Styles{
			Ellipsis: lipgloss.NewStyle(), ShortKey: bold, ShortDesc: lipgloss.NewStyle(),
			ShortSeparator: lipgloss.NewStyle(), FullKey: bold, FullDesc: lipgloss.NewStyle(),
			FullSeparator: lipgloss.NewStyle(),
		}
	}
	s.Table = iptable.Styles{
		Header:      lipgloss.NewStyle().Bold(true).Padding(0, 1),
		Cell:        lipgloss.NewStyle().Padding(0, 1),
		Selected:    lipgloss.NewStyle().Reverse(true).Bold(true),
		Empty:       lipgloss.NewStyle().Faint(true).Padding(0, 1),
		Verdict:     verdict,
		Banned:      red.Bold(true),
		Whitelisted: green,
	}
	s.Lines = lines.Styles{
		Title:     lipgloss.NewStyle().Bold(true),
		Label:     grey,
		Verdict:   verdict,
		Banned:    red.Bold(true),
		Highlight: lipgloss.NewStyle().Underline(true),
		Current:   lipgloss.NewStyle().Reverse(true),
		Rule:      grey,
		Cursor:    lipgloss.NewStyle().Reverse(true),
	}
	return s
}
