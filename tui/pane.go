package tui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"codebench/codesets"
	"codebench/tui/styles"
)

// pane is what the root asks of every pane of the coding screen.
type pane interface {
	SetSize(w, h int)
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	Update(msg tea.Msg) tea.Cmd
	View() string
}

// Pane order: the digit keys 1-5 focus them.
const (
	paneDoc = iota
	paneSearch
	paneDetail
	paneClaim
	paneEdits
	paneCount
)

var paneNames = [paneCount]string{"Documentation", "Search", "Detail", "Claim", "Edits"}

// Messages between panes and the root.
type (
	// pickMsg asks to add a code to the claim, or with replace (1 = A) to
	// recode that diagnosis.
	pickMsg struct {
		code    *codesets.Code
		replace int
	}
	// showCodeMsg shows a code in the detail pane.
	showCodeMsg struct {
		code    *codesets.Code
		focus   bool // move the focus to the detail pane
		replace int  // the diagnosis (1 = A) a pick there recodes
	}
	// statusMsg is a line for the status bar.
	statusMsg struct {
		text string
		err  bool
	}
	// gotoTargetMsg selects what an edit is about ("dx:2", "line:1").
	gotoTargetMsg struct{ target string }
	// showEvidenceMsg shows a diagnosis's evidence in the documentation.
	showEvidenceMsg struct{ dx int }
)

func say(format string, a ...any) tea.Cmd {
	return func() tea.Msg { return statusMsg{text: fmt.Sprintf(format, a...)} }
}

func fail(err error) tea.Cmd {
	if err == nil {
		return nil
	}
	return func() tea.Msg { return statusMsg{text: err.Error(), err: true} }
}

// paneTitle is a pane's first line: reversed when it has the focus.
func paneTitle(st *styles.Styles, title string, w int, focused bool) string {
	if focused {
		return st.PaneTitle.Render(fit(title, w))
	}
	return st.PaneTitleDim.Render(fit(title, w))
}
