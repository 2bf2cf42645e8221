package common

import tea "charm.land/bubbletea/v2"

// Selection is what a key does to a text input whose whole text is shown
// selected, as after a pick or when a prompt opens on a current value:
// what the coder types replaces the text, never appends to it.
type Selection int

const (
	// SelectionStays: not an editing key (enter, esc, a result key); the
	// text stays selected.
	SelectionStays Selection = iota
	// SelectionReplaced: text typed; the input is emptied, then takes it.
	SelectionReplaced
	// SelectionCleared: a deletion; the input is emptied and the key spent.
	SelectionCleared
	// SelectionKept: a cursor movement; the text stays, to be edited.
	SelectionKept
)

// SelectionKey says what msg does to selected text.
func SelectionKey(msg tea.KeyPressMsg) Selection {
	switch s := msg.String(); {
	case s == "backspace" || s == "delete" || s == "ctrl+u" || s == "ctrl+w" || s == "ctrl+k":
		return SelectionCleared
	case msg.Text != "" && msg.Mod&^tea.ModShift == 0:
		return SelectionReplaced
	case s == "left" || s == "right" || s == "home" || s == "end" || s == "ctrl+a" || s == "ctrl+e" ||
		s == "ctrl+left" || s == "ctrl+right" || s == "alt+b" || s == "alt+f" || s == "ctrl+b" || s == "ctrl+f":
		return SelectionKept
	}
	return SelectionStays
}
