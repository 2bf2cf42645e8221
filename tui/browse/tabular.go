package browse

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codebench/codesets"
	"codebench/tui/common"
)

// Tabular is the Tabular List around a code, as a coder verifies it: the
// chapter, the section, the category and every level down to the code,
// each with the notes declared on it; then the code among its siblings,
// with its own notes and the codes under it. The coder moves over the
// codes and sections, opens one to see the list around it, goes up a
// level, and picks a code into the claim.
type Tabular struct {
	c     *common.Common
	codes Codes

	center node
	open   node // the line whose notes are shown in full: the cursor's
	lines  []tline
	sel    []int // indexes of the lines with a node, in order
	cur    int   // over sel
	top    int
	width  int
	height int

	// byBlock lists the categories under each block, built on first use.
	byBlock map[*codesets.Block][]*codesets.Code
}

// node is a code or a block (chapter or section) of the Tabular List.
type node struct {
	code  *codesets.Code
	block *codesets.Block
}

func (n node) valid() bool { return n.code != nil || n.block != nil }

// tline is one line of the browser: a node, or a note under one.
type tline struct {
	node   node
	depth  int
	text   string
	note   bool
	center bool
}

// tabularKeys are the browser's keys.
var tabularKeys = struct {
	Move, Open, Up, Pick, Close key.Binding
}{
	Move:  key.NewBinding(key.WithKeys("up", "down", "k", "j"), key.WithHelp("↑↓", "move")),
	Open:  key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→", "open")),
	Up:    key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←", "level up")),
	Pick:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "pick or open")),
	Close: key.NewBinding(key.WithKeys("esc", "t"), key.WithHelp("esc/t", "close")),
}

// NewTabular opens the Tabular List around an ICD-10-CM code.
func NewTabular(c *common.Common, codes Codes, code *codesets.Code) *Tabular {
	t := &Tabular{c: c, codes: codes}
	t.recenter(node{code: code})
	return t
}

// Center is the code the list is around (nil around a chapter or section).
func (t *Tabular) Center() *codesets.Code { return t.center.code }

// Names says what the list is around and what the cursor is on, as a
// code ("E11.65") or a chapter or section ("ch4", "E08-E13").
func (t *Tabular) Names() (center, cursor string) {
	center = t.center.name()
	if n, ok := t.currentNode(); ok {
		cursor = n.name()
	}
	return center, cursor
}

func (n node) name() string {
	switch {
	case n.code != nil:
		return n.code.Display()
	case n.block != nil:
		return n.block.ID
	}
	return ""
}

// Current is the code under the cursor (nil on a chapter or section).
func (t *Tabular) Current() *codesets.Code {
	if n, ok := t.currentNode(); ok {
		return n.code
	}
	return nil
}

func (t *Tabular) currentNode() (node, bool) {
	if t.cur < 0 || t.cur >= len(t.sel) {
		return node{}, false
	}
	return t.lines[t.sel[t.cur]].node, true
}

// ShortHelp lists the browser's keys.
func (t *Tabular) ShortHelp() []key.Binding {
	return []key.Binding{tabularKeys.Move, tabularKeys.Open, tabularKeys.Up, tabularKeys.Pick, tabularKeys.Close}
}

// Update handles a key.
func (t *Tabular) Update(km tea.KeyPressMsg) tea.Cmd {
	page := max(t.height-1, 1)
	switch km.String() {
	case "esc", "t":
		code := t.Current()
		if code == nil {
			code = t.center.code
		}
		return func() tea.Msg { return CloseMsg{Code: code} }
	case "up", "k":
		t.cur--
	case "down", "j":
		t.cur++
	case "pgup":
		t.moveBy(-page)
	case "pgdown":
		t.moveBy(page)
	case "home", "g":
		t.cur = 0
	case "end", "G":
		t.cur = len(t.sel) - 1
	case "right", "l":
		if n, ok := t.currentNode(); ok {
			t.recenter(n)
		}
	case "left", "h":
		if up, ok := t.parentOf(t.center); ok {
			t.recenter(up)
		}
	case "enter":
		n, ok := t.currentNode()
		if !ok {
			return nil
		}
		if n.code != nil && n.code.Billable {
			code := n.code
			return func() tea.Msg { return PickMsg{Code: code} }
		}
		if n.code != nil && n == t.center && n.code.NeedsSeventh() {
			// The 7th character is picked in the detail pane's picker.
			code := n.code
			return func() tea.Msg { return PickMsg{Code: code} }
		}
		t.recenter(n)
	}
	t.follow()
	return nil
}

// moveBy moves the cursor by about n lines of the screen.
func (t *Tabular) moveBy(n int) {
	if len(t.sel) == 0 {
		return
	}
	target := t.sel[t.cur] + n
	for i, l := range t.sel {
		if n > 0 && l >= target || n < 0 && l > target {
			t.cur = i
			if n < 0 && i > 0 && l > target {
				t.cur = i - 1
			}
			return
		}
	}
	if n > 0 {
		t.cur = len(t.sel) - 1
	} else {
		t.cur = 0
	}
}

// recenter builds the list around n, the cursor on n.
func (t *Tabular) recenter(n node) {
	t.center = n
	t.open = n
	t.build()
	t.cur = 0
	for i, l := range t.sel {
		if t.lines[l].center {
			t.cur = i
		}
	}
	t.top = 0
}

// follow rebuilds the list after the cursor moved: the notes shown in full
// are those of the line under the cursor.
func (t *Tabular) follow() {
	t.cur = min(max(t.cur, 0), max(len(t.sel)-1, 0))
	n, ok := t.currentNode()
	if !ok || n == t.open {
		return
	}
	t.open = n
	t.build()
	for i, l := range t.sel {
		if t.lines[l].node == n {
			t.cur = i
			break
		}
	}
}

// parentOf is the level above a node: a code's parent, a category's
// section or chapter, a section's chapter.
func (t *Tabular) parentOf(n node) (node, bool) {
	switch {
	case n.code != nil && n.code.Parent() != nil:
		return node{code: n.code.Parent()}, true
	case n.code != nil && n.code.Block() != nil:
		return node{block: n.code.Block()}, true
	case n.block != nil && n.block.Parent != nil:
		return node{block: n.block.Parent}, true
	}
	return node{}, false
}

// path lists the levels above a node, the chapter first.
func (t *Tabular) path(n node) []node {
	var up []node
	for p, ok := t.parentOf(n); ok; p, ok = t.parentOf(p) {
		up = append([]node{p}, up...)
	}
	return up
}

// children lists the levels under a node: a code's children; a block's
// sections, then the categories directly in it.
func (t *Tabular) children(n node) []node {
	var out []node
	if n.code != nil {
		for _, c := range n.code.Children() {
			out = append(out, node{code: c})
		}
		return out
	}
	if n.block == nil || t.codes.DOS == nil {
		return nil
	}
	for _, b := range t.codes.DOS.Blocks() {
		if b.Parent == n.block {
			out = append(out, node{block: b})
		}
	}
	for _, c := range t.categories()[n.block] {
		out = append(out, node{code: c})
	}
	return out
}

// categories maps each block to the categories whose innermost block it
// is, in tabular order.
func (t *Tabular) categories() map[*codesets.Block][]*codesets.Code {
	if t.byBlock == nil {
		t.byBlock = map[*codesets.Block][]*codesets.Code{}
		if t.codes.DOS != nil {
			for _, c := range t.codes.DOS.ICD10CM() {
				if c.Parent() == nil && c.Block() != nil {
					t.byBlock[c.Block()] = append(t.byBlock[c.Block()], c)
				}
			}
		}
	}
	return t.byBlock
}

// siblings lists the nodes at the center's level, under its parent.
func (t *Tabular) siblings(n node) []node {
	if up, ok := t.parentOf(n); ok {
		return t.children(up)
	}
	return []node{n}
}

// build lays out the lines around the center.
func (t *Tabular) build() {
	t.lines, t.sel = nil, nil
	add := func(l tline) {
		if l.node.valid() && !l.note {
			t.sel = append(t.sel, len(t.lines))
		}
		t.lines = append(t.lines, l)
	}
	path := t.path(t.center)
	for d, n := range path {
		add(tline{node: n, depth: d, text: label(n)})
		t.addNotes(add, n, d+1)
	}
	depth := len(path)
	for _, s := range t.siblings(t.center) {
		centre := s == t.center
		add(tline{node: s, depth: depth, text: label(s), center: centre})
		if !centre {
			continue
		}
		t.addNotes(add, s, depth+1)
		if s.code != nil && s.code.NeedsSeventh() && t.codes.DOS != nil {
			add(tline{depth: depth + 1, note: true, text: "7th character: enter opens the picker"})
		}
		for _, ch := range t.children(s) {
			add(tline{node: ch, depth: depth + 1, text: label(ch)})
		}
	}
}

// addNotes adds the notes declared on a node: in full, one line per
// note, under the line the cursor is on; a line counting them under the
// others.
func (t *Tabular) addNotes(add func(tline), n node, depth int) {
	notes := notesOf(n)
	if len(notes) == 0 {
		return
	}
	if n != t.open {
		add(tline{node: n, depth: depth, note: true, text: noteSummary(notes)})
		return
	}
	for _, note := range notes {
		add(tline{node: n, depth: depth, note: true, text: note.Kind.Label() + ": " + note.Text})
	}
}

// noteSummary counts a level's notes by kind: "notes: Excludes1 ×6, Use
// additional code ×4 (↑↓ to read them)".
func noteSummary(notes []codesets.Note) string {
	var kinds []string
	count := map[string]int{}
	for _, n := range notes {
		l := n.Kind.Label()
		if count[l] == 0 {
			kinds = append(kinds, l)
		}
		count[l]++
	}
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = k
		if count[k] > 1 {
			parts[i] = fmt.Sprintf("%s ×%d", k, count[k])
		}
	}
	return "notes: " + strings.Join(parts, ", ")
}

// notesOf lists the notes declared on a node, with a category's 7th
// characters.
func notesOf(n node) []codesets.Note {
	var notes []codesets.Note
	switch {
	case n.code != nil:
		notes = n.code.OwnNotes()
		if table, from := n.code.SeventhChars(); len(table) > 0 && from == n.code.Code {
			for _, s := range table {
				notes = append(notes, codesets.Note{Kind: codesets.SeventhNote, Text: fmt.Sprintf("%c %s", s.Char, s.Meaning)})
			}
		}
	case n.block != nil:
		notes = n.block.Notes()
	}
	return notes
}

// label is a node's line: code or block and title, billable codes marked.
func label(n node) string {
	if n.block != nil {
		if strings.HasPrefix(n.block.ID, "ch") {
			return fmt.Sprintf("Chapter %s  %s (%s-%s)", strings.TrimPrefix(n.block.ID, "ch"), n.block.Title, n.block.First, n.block.Last)
		}
		return fmt.Sprintf("%s  %s", n.block.ID, n.block.Title)
	}
	mark := "○"
	if n.code.Billable {
		mark = "●"
	}
	return fmt.Sprintf("%s %-8s %s", mark, n.code.Display(), n.code.Title())
}

// View draws the browser in w x h cells: a heading, then the list.
func (t *Tabular) View(w, h int) string {
	st := t.c.Styles
	t.width, t.height = w, max(h-1, 1)
	head := fmt.Sprintf(" Tabular List · ICD-10-CM %s · DOS %s", t.codes.release(), t.codes.Date)
	out := []string{st.Bold.Render(common.Fit(head, w))}
	// The lines wrapped to the width; the cursor line kept on screen.
	type row struct {
		text string
		line int
	}
	var rows []row
	for i, l := range t.lines {
		indent := strings.Repeat("  ", l.depth) + " "
		tw := max(w-ansi.StringWidth(indent), 10)
		text := common.OneLine(l.text)
		parts := strings.Split(ansi.Wordwrap(text, tw, " "), "\n")
		if !l.note && i != t.curLine() {
			parts = []string{common.Fit(text, tw)} // codes on one line; the cursor's in full
		}
		for k, p := range parts {
			pad := indent
			if k > 0 {
				pad += "  "
			}
			rows = append(rows, row{common.Fit(pad+p, w), i})
		}
	}
	first, last := -1, -1
	for i, r := range rows {
		if r.line == t.curLine() {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first >= 0 {
		if first < t.top {
			t.top = first
		}
		if last >= t.top+t.height {
			t.top = last - t.height + 1
		}
	}
	t.top = max(min(t.top, len(rows)-t.height), 0)
	for i := t.top; i < len(rows) && len(out) < h; i++ {
		r := rows[i]
		l := t.lines[r.line]
		switch {
		case r.line == t.curLine():
			out = append(out, st.RowCursor.Render(r.text))
		case l.note:
			out = append(out, st.Dim.Render(r.text))
		case l.center:
			out = append(out, st.Bold.Render(r.text))
		default:
			out = append(out, r.text)
		}
	}
	return common.Block(out, w, h)
}

// curLine is the line under the cursor, -1 when none.
func (t *Tabular) curLine() int {
	if t.cur < 0 || t.cur >= len(t.sel) {
		return -1
	}
	return t.sel[t.cur]
}
