// Package styles builds every Lip Gloss style of the workbench from one
// theme. Styles are rebuilt when the terminal reports its background colour,
// and without colour (NO_COLOR) they rely on bold, underline and reverse
// video alone so highlights stay visible.
package styles

import (
	"image/color"
	"sync/atomic"

	"charm.land/lipgloss/v2"
)

// Theme is the palette; LightDark picks the variant for the background.
type Theme struct {
	Accent, Muted, Subtle, Text          color.Color
	Error, Warning, Info, OK             color.Color
	MatchBG, MatchFG, SelectBG, Evidence color.Color
}

func theme(dark bool) Theme {
	ld := lipgloss.LightDark(dark)
	c := lipgloss.Color
	return Theme{
		Accent:   ld(c("#005f87"), c("#5fafd7")),
		Muted:    ld(c("#6c6c6c"), c("#8a8a8a")),
		Subtle:   ld(c("#d0d0d0"), c("#3a3a3a")),
		Text:     ld(c("#1c1c1c"), c("#e4e4e4")),
		Error:    ld(c("#af0000"), c("#ff5f5f")),
		Warning:  ld(c("#875f00"), c("#ffd75f")),
		Info:     ld(c("#005faf"), c("#87afff")),
		OK:       ld(c("#005f00"), c("#87d787")),
		MatchBG:  ld(c("#ffd75f"), c("#af8700")),
		MatchFG:  ld(c("#000000"), c("#000000")),
		SelectBG: ld(c("#afd7ff"), c("#005f87")),
		Evidence: ld(c("#005f00"), c("#87d787")),
	}
}

// Styles are the workbench's styles.
type Styles struct {
	NoColor bool
	Dark    bool
	// Gen tells one set of styles from every other (New numbers them):
	// text rendered with them is cached under it.
	Gen uint64

	Header, HeaderDim        lipgloss.Style
	PaneTitle, PaneTitleDim  lipgloss.Style
	Separator                lipgloss.Style
	Dim, Bold                lipgloss.Style
	Row, RowCursor           lipgloss.Style // list rows; the cursor row
	RowCursorDim             lipgloss.Style // cursor row of an unfocused pane
	DocCursor, DocSelection  lipgloss.Style
	DocMatch, DocEvidence    lipgloss.Style
	NoteTitle, Gutter        lipgloss.Style
	Billable, Header0        lipgloss.Style // billable marker; header (non-billable) marker
	System                   lipgloss.Style
	Code                     lipgloss.Style
	Letter                   lipgloss.Style // claim letters A-L and pointers
	Error, Warning, Info, OK lipgloss.Style
	Overridden               lipgloss.Style
	Status, StatusError      lipgloss.Style
	HelpKey, HelpDesc        lipgloss.Style
	HelpSep, HelpGroup       lipgloss.Style
	Dialog, DialogTitle      lipgloss.Style
	Prompt, Input            lipgloss.Style
	Leased                   lipgloss.Style
}

var gens atomic.Uint64

// New builds the styles for a dark or light background, with or without
// colour.
func New(dark, noColor bool) *Styles {
	t := theme(dark)
	n := lipgloss.NewStyle()
	s := &Styles{NoColor: noColor, Dark: dark, Gen: gens.Add(1)}
	if noColor {
		s.Header = n.Bold(true)
		s.HeaderDim = n
		s.PaneTitle = n.Bold(true).Reverse(true)
		s.PaneTitleDim = n.Bold(true)
		s.Separator = n
		s.Dim = n
		s.Bold = n.Bold(true)
		s.Row = n
		s.RowCursor = n.Reverse(true)
		s.RowCursorDim = n.Underline(true)
		s.DocCursor = n.Reverse(true)
		s.DocSelection = n.Reverse(true)
		s.DocMatch = n.Bold(true).Underline(true)
		s.DocEvidence = n.Underline(true)
		s.NoteTitle = n.Bold(true)
		s.Gutter = n.Bold(true)
		s.Billable = n.Bold(true)
		s.Header0 = n
		s.System = n
		s.Code = n.Bold(true)
		s.Letter = n.Bold(true)
		s.Error = n.Bold(true)
		s.Warning = n
		s.Info = n
		s.OK = n
		s.Overridden = n
		s.Status = n
		s.StatusError = n.Bold(true)
		s.HelpKey = n.Bold(true)
		s.HelpDesc = n
		s.HelpSep = n
		s.HelpGroup = n.Bold(true).Underline(true)
		s.Dialog = n.Border(lipgloss.NormalBorder()).Padding(0, 1)
		s.DialogTitle = n.Bold(true)
		s.Prompt = n.Bold(true)
		s.Input = n
		s.Leased = n.Bold(true)
		return s
	}
	s.Header = n.Bold(true).Foreground(t.Accent)
	s.HeaderDim = n.Foreground(t.Muted)
	s.PaneTitle = n.Bold(true).Foreground(lipgloss.Color("#000000")).Background(t.Accent)
	s.PaneTitleDim = n.Bold(true).Foreground(t.Muted)
	s.Separator = n.Foreground(t.Subtle)
	s.Dim = n.Foreground(t.Muted)
	s.Bold = n.Bold(true)
	s.Row = n
	s.RowCursor = n.Reverse(true)
	s.RowCursorDim = n.Underline(true)
	s.DocCursor = n.Reverse(true)
	s.DocSelection = n.Background(t.SelectBG).Foreground(t.Text)
	s.DocMatch = n.Background(t.MatchBG).Foreground(t.MatchFG)
	s.DocEvidence = n.Foreground(t.Evidence).Underline(true)
	s.NoteTitle = n.Bold(true).Foreground(t.Accent)
	s.Gutter = n.Bold(true).Foreground(t.Evidence)
	s.Billable = n.Foreground(t.OK)
	s.Header0 = n.Foreground(t.Muted)
	s.System = n.Foreground(t.Muted)
	s.Code = n.Bold(true)
	s.Letter = n.Bold(true).Foreground(t.Accent)
	s.Error = n.Bold(true).Foreground(t.Error)
	s.Warning = n.Foreground(t.Warning)
	s.Info = n.Foreground(t.Info)
	s.OK = n.Foreground(t.OK)
	s.Overridden = n.Foreground(t.Muted).Strikethrough(true)
	s.Status = n.Foreground(t.OK)
	s.StatusError = n.Bold(true).Foreground(t.Error)
	s.HelpKey = n.Bold(true).Foreground(t.Accent)
	s.HelpDesc = n.Foreground(t.Muted)
	s.HelpSep = n.Foreground(t.Subtle)
	s.HelpGroup = n.Bold(true).Foreground(t.Accent)
	s.Dialog = n.Border(lipgloss.RoundedBorder()).BorderForeground(t.Accent).Padding(0, 1)
	s.DialogTitle = n.Bold(true).Foreground(t.Accent)
	s.Prompt = n.Bold(true).Foreground(t.Accent)
	s.Input = n
	s.Leased = n.Foreground(t.Warning)
	return s
}
