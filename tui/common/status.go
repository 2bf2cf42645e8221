package common

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"codebench/encounter/store"
	"codebench/tui/styles"
)

type (
	// StatusMsg is a line for the status bar.
	StatusMsg struct {
		Text string
		Err  bool
	}
)

func Say(format string, a ...any) tea.Cmd {
	return func() tea.Msg { return StatusMsg{Text: fmt.Sprintf(format, a...)} }
}

func Fail(err error) tea.Cmd {
	if err == nil {
		return nil
	}
	return func() tea.Msg { return StatusMsg{Text: err.Error(), Err: true} }
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
