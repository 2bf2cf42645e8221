package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"codebench/tui/keymap"
)

// listCursor is the cursor and scroll offset of a list with one screen row
// per item (the worklist, the edits).
type listCursor struct {
	cur int // the item under the cursor
	top int // the first item on screen
}

// navigate moves the cursor for the list keys; page is the paging step,
// 0 where the list does not page. It reports whether km was a list key.
func (l *listCursor) navigate(km tea.KeyPressMsg, k *keymap.KeyMap, n, page int) bool {
	switch {
	case key.Matches(km, k.Up):
		l.cur--
	case key.Matches(km, k.Down):
		l.cur++
	case page > 0 && key.Matches(km, k.PageUp):
		l.cur -= page
	case page > 0 && key.Matches(km, k.PageDown):
		l.cur += page
	case key.Matches(km, k.Top):
		l.cur = 0
	case key.Matches(km, k.Bottom):
		l.cur = n - 1
	default:
		return false
	}
	return true
}

// follow keeps the cursor on one of n items and that item among the
// visible rows, without scrolling past the end.
func (l *listCursor) follow(n, visible int) {
	l.cur = min(max(l.cur, 0), max(n-1, 0))
	if l.cur < l.top {
		l.top = l.cur
	}
	if l.cur >= l.top+visible {
		l.top = l.cur - visible + 1
	}
	l.top = max(min(l.top, n-visible), 0)
}
