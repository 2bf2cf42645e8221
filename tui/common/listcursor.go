package common

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"codebench/tui/keymap"
)

// ListCursor is the cursor and scroll offset of a list with one screen row
// per item (the worklist, the edits).
type ListCursor struct {
	Cur int // the item under the cursor
	Top int // the first item on screen
}

// Navigate moves the cursor for the list keys; page is the paging step,
// 0 where the list does not page. It reports whether km was a list key.
func (l *ListCursor) Navigate(km tea.KeyPressMsg, k *keymap.KeyMap, n, page int) bool {
	switch {
	case key.Matches(km, k.Up):
		l.Cur--
	case key.Matches(km, k.Down):
		l.Cur++
	case page > 0 && key.Matches(km, k.PageUp):
		l.Cur -= page
	case page > 0 && key.Matches(km, k.PageDown):
		l.Cur += page
	case key.Matches(km, k.Top):
		l.Cur = 0
	case key.Matches(km, k.Bottom):
		l.Cur = n - 1
	default:
		return false
	}
	return true
}

// Follow keeps the cursor on one of n items and that item among the
// visible rows, without scrolling past the end.
func (l *ListCursor) Follow(n, visible int) {
	l.Cur = min(max(l.Cur, 0), max(n-1, 0))
	if l.Cur < l.Top {
		l.Top = l.Cur
	}
	if l.Cur >= l.Top+visible {
		l.Top = l.Cur - visible + 1
	}
	l.Top = max(min(l.Top, n-visible), 0)
}
