package coding

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"codebench/codesets"
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
	PaneDoc = iota
	PaneSearch
	PaneDetail
	PaneClaim
	PaneEdits
	PaneCount
)

var PaneNames = [PaneCount]string{"Documentation", "Search", "Detail", "Claim", "Edits"}

// Messages between panes and the root.
type (
	// pickMsg asks to add a code to the claim, or with replace (1 = A) to
	// recode that diagnosis.
	pickMsg struct {
		code    *codesets.Code
		replace int
		at      int        // where a diagnosis goes (1 = A); 0 appends
		entry   *lineEntry // a line typed with modifiers, units, pointers
	}
	// showCodeMsg shows a code in the detail pane.
	showCodeMsg struct {
		code    *codesets.Code
		focus   bool // move the focus to the detail pane
		replace int  // the diagnosis (1 = A) a pick there recodes
	}
	// gotoTargetMsg selects what an edit is about ("dx:2", "line:1").
	gotoTargetMsg struct{ target string }
	// showEvidenceMsg shows a diagnosis's evidence in the documentation.
	showEvidenceMsg struct{ dx int }
)

// PickCode is the message that adds c to the claim, as enter on a result
// does: a diagnosis, a service line, or the 7th-character picker when c
// needs one.
func PickCode(c *codesets.Code) tea.Msg { return pickMsg{code: c} }
