package common

import (
	"fmt"
	"sync/atomic"

	tea "charm.land/bubbletea/v2"

	"codebench/encounter/store"
	"codebench/tui/styles"
)

type (
	// StatusMsg is a line for the status bar. Seq orders the lines by
	// when they were said: commands run concurrently, so a line said
	// earlier can arrive after a later one and must not replace it.
	StatusMsg struct {
		Text string
		Err  bool
		Seq  uint64
	}
)

var statusSeq atomic.Uint64

// NextStatusSeq numbers a status line at the moment it is said.
func NextStatusSeq() uint64 { return statusSeq.Add(1) }

// Status is a status line numbered now.
func Status(text string, isErr bool) StatusMsg {
	return StatusMsg{Text: text, Err: isErr, Seq: NextStatusSeq()}
}

// Say is a status line numbered when Say is called, not when its
// command runs.
func Say(format string, a ...any) tea.Cmd {
	msg := Status(fmt.Sprintf(format, a...), false)
	return func() tea.Msg { return msg }
}

func Fail(err error) tea.Cmd {
	if err == nil {
		return nil
	}
	msg := Status(err.Error(), true)
	return func() tea.Msg { return msg }
}

// PaneTitle is a pane's first line: reversed when it has the focus.
func PaneTitle(st *styles.Styles, title string, w int, focused bool) string {
	if focused {
		return st.PaneTitle.Render(Fit(title, w))
	}
	return st.PaneTitleDim.Render(Fit(title, w))
}

// UserError is a refusal the coder must read: a limit, a bad value.
type UserError struct{ msg string }

func (e *UserError) Error() string { return e.msg }

func Refuse(format string, a ...any) error { return &UserError{fmt.Sprintf(format, a...)} }

func OrNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func OrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func Plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func StatusLabel(s store.Status) string {
	switch s {
	case store.New:
		return "new"
	case store.InProgress:
		return "in progress"
	case store.Coded:
		return "coded"
	case store.Exported:
		return "exported"
	case store.Rejected:
		return "rejected"
	}
	return string(s)
}
