// Package keymap is every key binding of the workbench in one struct, with
// the help text the panes and the "?" screen show. Panes enable and disable
// bindings as their state changes, so the help lists only live keys.
package keymap

import "charm.land/bubbles/v2/key"

// KeyMap holds the workbench's bindings, grouped by where they act.
type KeyMap struct {
	// Everywhere.
	Quit      key.Binding
	Help      key.Binding
	NextPane  key.Binding
	PrevPane  key.Binding
	FocusPane key.Binding // 1-5, help entry only; see PaneKeys
	Zoom      key.Binding
	Search    key.Binding
	Export    key.Binding
	Close     key.Binding
	Undo      key.Binding
	Reopen    key.Binding // an exported claim: replacement or void

	// Lists and scrolling.
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding

	// Worklist.
	Open          key.Binding
	Refresh       key.Binding
	FilterStatus  key.Binding
	FindEncounter key.Binding

	// Documentation.
	WordLeft    key.Binding
	WordRight   key.Binding
	SelectWords key.Binding
	SelectLines key.Binding
	SearchSpan  key.Binding
	NextMatch   key.Binding
	PrevMatch   key.Binding
	NextNote    key.Binding
	PrevNote    key.Binding
	Unselect    key.Binding

	// Search. Its input has the keys whenever the pane has the focus, so
	// every key that prints is typed into the query; the results move with
	// keys that print nothing.
	TypeQuery      key.Binding // help entry only: what typing does there
	TypeLine       key.Binding // help entry only: a line typed with its parts
	ClearQuery     key.Binding // help entry only: the input's own ctrl+u
	Pick           key.Binding
	Results        key.Binding // status line entry for ResultUp/ResultDown
	ResultUp       key.Binding
	ResultDown     key.Binding
	ResultPageUp   key.Binding
	ResultPageDown key.Binding
	LeaveSearch    key.Binding
	Favourite      key.Binding
	Systems        key.Binding
	HistoryBack    key.Binding
	HistoryFwd     key.Binding

	// Coded claim.
	MoveUp       key.Binding
	MoveDown     key.Binding
	Delete       key.Binding
	Modifiers    key.Binding
	NoModifiers  key.Binding // strips a line's modifiers (59, XU, 25 not supported)
	Units        key.Binding
	UnitsUp      key.Binding
	UnitsDown    key.Binding
	Pointers     key.Binding
	PointAll     key.Binding // the line at every diagnosis, as p * does
	Charge       key.Binding
	NDC          key.Binding // a drug line's NDC, unit and quantity
	ShowEvidence key.Binding
	ShowCode     key.Binding
	AddNamed     key.Binding // detail pane: add the code a note names
	// Tabular opens the Tabular List around the code in the detail pane;
	// Tables the Index's Neoplasm and Drug tables (tui/browse).
	Tabular key.Binding
	Tables  key.Binding

	// Edits.
	Override   key.Binding
	Unoverride key.Binding
	GoToTarget key.Binding

	// Dialogs and inline inputs.
	Confirm  key.Binding
	Cancel   key.Binding
	ShowJSON key.Binding
	Accept   key.Binding
	// CancelInput leaves an inline input unchanged; only esc, since
	// letters are typed there.
	CancelInput key.Binding
}

// PaneKeys are the digits that focus a pane directly, in pane order.
var PaneKeys = []string{"1", "2", "3", "4", "5"}

// Default returns the workbench's key map.
func Default() *KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	k := func(keys ...string) []string { return keys }
	return &KeyMap{
		Quit:      b(k("ctrl+c"), "ctrl+c", "quit"),
		Help:      b(k("?", "f1"), "?", "all keys"),
		NextPane:  b(k("tab"), "tab", "next pane"),
		PrevPane:  b(k("shift+tab"), "shift+tab", "previous pane"),
		FocusPane: b(PaneKeys, "1-5", "go to pane 1-5"),
		Zoom:      b(k("z"), "z", "zoom pane"),
		Search:    b(k("/"), "/", "search codes"),
		Export:    b(k("ctrl+x"), "ctrl+x", "export"),
		Close:     b(k("q"), "q", "close, to worklist"),
		Undo:      b(k("ctrl+z"), "ctrl+z", "undo claim change"),
		Reopen:    b(k("R"), "R", "reopen: replace/void"),

		Up:       b(k("up", "k"), "↑/k", "up"),
		Down:     b(k("down", "j"), "↓/j", "down"),
		PageUp:   b(k("pgup", "ctrl+u"), "pgup", "page up"),
		PageDown: b(k("pgdown", "ctrl+d"), "pgdn", "page down"),
		Top:      b(k("home", "g"), "g/home", "top"),
		Bottom:   b(k("end", "G"), "G/end", "bottom"),

		Open:          b(k("enter"), "enter", "open"),
		Refresh:       b(k("r"), "r", "refresh"),
		FilterStatus:  b(k("f"), "f", "filter by status"),
		FindEncounter: b(k("/"), "/", "find patient or id"),

		WordLeft:    b(k("left", "h"), "←/h", "previous word"),
		WordRight:   b(k("right", "l"), "→/l", "next word"),
		SelectWords: b(k("v"), "v", "select words"),
		SelectLines: b(k("V"), "V", "select lines"),
		SearchSpan:  b(k("s", "enter"), "s/enter", "search it"),
		NextMatch:   b(k("n"), "n", "next match"),
		PrevMatch:   b(k("N"), "N", "previous match"),
		NextNote:    b(k("}"), "}", "next note"),
		PrevNote:    b(k("{"), "{", "previous note"),
		Unselect:    b(k("esc"), "esc", "unselect"),

		TypeQuery:      b(nil, "a-z 0-9 …", "typed in the query"),
		TypeLine:       b(nil, "code-25x2 ab", "line typed whole"),
		ClearQuery:     b(nil, "ctrl+u", "erase before cursor"),
		Pick:           b(k("enter"), "enter", "pick code"),
		Results:        b(k("up", "down"), "↑↓", "results"),
		ResultUp:       b(k("up", "ctrl+p"), "↑/ctrl+p", "previous result"),
		ResultDown:     b(k("down", "ctrl+n"), "↓/ctrl+n", "next result"),
		ResultPageUp:   b(k("pgup"), "pgup", "results page up"),
		ResultPageDown: b(k("pgdown"), "pgdn", "results page down"),
		LeaveSearch:    b(k("esc"), "esc", "leave"),
		Favourite:      b(k("ctrl+s"), "ctrl+s", "favourite"),
		Systems:        b(k("ctrl+t"), "ctrl+t", "systems"),
		HistoryBack:    b(k("alt+left"), "alt+←", "search back"),
		HistoryFwd:     b(k("alt+right"), "alt+→", "search forward"),

		MoveUp:       b(k("K", "shift+up"), "K/shift+↑", "move up"),
		MoveDown:     b(k("J", "shift+down"), "J/shift+↓", "move down"),
		Delete:       b(k("d", "delete"), "d/del", "remove"),
		Modifiers:    b(k("m"), "m", "modifiers"),
		NoModifiers:  b(k("M"), "M", "no modifiers"),
		Units:        b(k("u"), "u", "units"),
		UnitsUp:      b(k("+", "="), "+", "units +1"),
		UnitsDown:    b(k("-"), "-", "units -1"),
		Pointers:     b(k("p"), "p", "pointers A-L"),
		PointAll:     b(k("*"), "*", "every dx"),
		Charge:       b(k("$"), "$", "charge"),
		NDC:          b(k("n"), "n", "NDC of a drug"),
		ShowEvidence: b(k("e"), "e", "show evidence"),
		ShowCode:     b(k("enter"), "enter", "code detail"),
		AddNamed:     b(k("a"), "a", "add code a note names"),
		Tabular:      b(k("t"), "t", "tabular list"),
		Tables:       b(k("ctrl+b"), "ctrl+b", "neoplasm/drug tables"),

		Override:   b(k("o"), "o", "override"),
		Unoverride: b(k("O"), "O", "remove override"),
		GoToTarget: b(k("enter"), "enter", "go to target"),

		Confirm:  b(k("y", "enter"), "y/enter", "confirm"),
		Cancel:   b(k("n", "esc"), "n/esc", "cancel"),
		ShowJSON: b(k("J"), "J", "show JSON"),
		Accept:   b(k("enter"), "enter", "apply"),

		CancelInput: b(k("esc"), "esc", "cancel input"),
	}
}
