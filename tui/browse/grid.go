// Package browse holds the workbench's browsers: the Tabular List around a
// code (shown in the detail pane) and the Index's Neoplasm and Drug
// tables as grids (over the coding screen). A browser owns its keys and
// its view; what the coder picks comes back as a message (PickMsg), and
// leaving as CloseMsg, which the coding screen carries out. Every code a
// browser offers is checked against the code sets of the encounter's date
// of service.
package browse

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"codebench/codesets"
	"codebench/codesets/icdtables"
	"codebench/tui/common"
)

type (
	// PickMsg asks to pick a code into the claim: a billable code is
	// added, a header or a code that needs a 7th character opens in the
	// detail pane's picker.
	PickMsg struct{ Code *codesets.Code }
	// CloseMsg: the coder left the browser; Code, when set, is the code
	// the cursor was on, for the detail pane to show.
	CloseMsg struct{ Code *codesets.Code }
)

// Codes are the code sets a browser checks codes against: the session's
// (every loaded release) and the view of the encounter's date of service.
type Codes struct {
	All *codesets.Set
	DOS *codesets.Set
	// Date is the date of service, as shown ("2026-11-05").
	Date string
}

// release names the release of the date of service.
func (c Codes) release() string {
	if c.DOS != nil {
		if r := c.DOS.Release(); r != nil {
			return r.Name
		}
	}
	return "no ICD-10-CM release"
}

// notValid says why a code printed in a table is not in the release of
// the date of service, and which releases have it.
func (c Codes) notValid(code string) string {
	var in []string
	if c.All != nil {
		for _, r := range c.All.Releases() {
			if x, ok := c.All.View(r).LookupIn(codesets.ICD10CM, code); ok && x != nil {
				in = append(in, r.Name)
			}
		}
	}
	msg := fmt.Sprintf("%s is not in ICD-10-CM %s (DOS %s)", codesets.Dotted(codesets.ICD10CM, code), c.release(), c.Date)
	if len(in) > 0 {
		msg += "; it is in " + strings.Join(in, ", ")
	}
	return msg
}

// gridKeys are the keys of a grid, for the footer and the help.
var gridKeys = struct {
	Move, Filter, Switch, Pick, Close key.Binding
}{
	Move:   key.NewBinding(key.WithKeys("up", "down", "left", "right"), key.WithHelp("↑↓←→", "move")),
	Filter: key.NewBinding(key.WithKeys(), key.WithHelp("a-z 0-9", "filter rows")),
	Switch: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "other table")),
	Pick:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "pick code")),
	Close:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
}

// Grid shows one of the Index's tables: a row per site or substance, a
// column per kind of neoplasm or of poisoning. The coder moves with the
// arrows, filters the rows by typing and picks a cell.
type Grid struct {
	c      *common.Common
	tables *icdtables.Tables
	codes  Codes

	kind   icdtables.Kind
	filter string
	rows   []int // indexes of the rows shown
	row    int   // cursor, over rows
	col    int
	top    int
	height int // rows on screen, from the last View
}

// NewGrid opens a table.
func NewGrid(c *common.Common, tables *icdtables.Tables, codes Codes, kind icdtables.Kind) *Grid {
	g := &Grid{c: c, tables: tables, codes: codes, kind: kind}
	g.refilter()
	return g
}

// Kind is the table shown.
func (g *Grid) Kind() icdtables.Kind { return g.kind }

// Filter is the text the rows are filtered by.
func (g *Grid) Filter() string { return g.filter }

// Cursor is the row (of the table) and the column under the cursor; row
// is -1 when no row is shown.
func (g *Grid) Cursor() (row, col int) {
	if g.row >= len(g.rows) {
		return -1, g.col
	}
	return g.rows[g.row], g.col
}

func (g *Grid) table() *icdtables.Table { return g.tables.Get(g.kind) }

func (g *Grid) refilter() {
	g.rows = g.table().Filter(g.filter)
	g.row, g.top = 0, 0
}

// ShortHelp lists the grid's keys.
func (g *Grid) ShortHelp() []key.Binding {
	return []key.Binding{gridKeys.Move, gridKeys.Filter, gridKeys.Switch, gridKeys.Pick, gridKeys.Close}
}

// Update handles a key.
func (g *Grid) Update(km tea.KeyPressMsg) tea.Cmd {
	page := max(g.height-1, 1)
	switch km.String() {
	case "esc":
		return func() tea.Msg { return CloseMsg{} }
	case "up", "ctrl+p":
		g.row--
	case "down", "ctrl+n":
		g.row++
	case "left", "shift+tab":
		g.col = max(g.col-1, 0)
	case "right":
		g.col = min(g.col+1, icdtables.Columns-1)
	case "pgup":
		g.row -= page
	case "pgdown":
		g.row += page
	case "home":
		g.row = 0
	case "end":
		g.row = len(g.rows) - 1
	case "tab":
		if g.kind == icdtables.Neoplasm {
			g.kind = icdtables.Drug
		} else {
			g.kind = icdtables.Neoplasm
		}
		g.refilter()
		return nil
	case "backspace":
		if g.filter != "" {
			r := []rune(g.filter)
			g.filter = string(r[:len(r)-1])
			g.refilter()
		}
		return nil
	case "ctrl+u":
		g.filter = ""
		g.refilter()
		return nil
	case "enter":
		return g.pick()
	default:
		if t := km.Text; t != "" && km.Mod&^tea.ModShift == 0 && len([]rune(g.filter)) < maxFilter {
			g.filter += common.OneLine(t)
			g.refilter()
		}
		return nil
	}
	g.row = min(max(g.row, 0), max(len(g.rows)-1, 0))
	return nil
}

// maxFilter bounds the filter text.
const maxFilter = 60

// pick picks the cell under the cursor, once checked against the release
// of the date of service.
func (g *Grid) pick() tea.Cmd {
	r, col := g.Cursor()
	if r < 0 {
		return common.Fail(common.Refuse("no row matches %q", g.filter))
	}
	row := g.table().Rows[r]
	cell := row.Cells[col]
	if cell.Empty() {
		if row.See != "" {
			return common.Fail(common.Refuse("%s: %s", row.Path, row.See))
		}
		return common.Fail(common.Refuse("the table gives no %s code for %s", g.table().Headings[col], row.Path))
	}
	code, ok := cell.Resolve(g.codes.DOS)
	if !ok {
		return common.Fail(common.Refuse("%s", g.codes.notValid(cell.Code())))
	}
	return func() tea.Msg { return PickMsg{Code: code} }
}

// Column headings short enough for a cell.
var shortHeads = map[icdtables.Kind][icdtables.Columns]string{
	icdtables.Neoplasm: {"Primary", "Second.", "In situ", "Benign", "Uncert.", "Unspec."},
	icdtables.Drug:     {"Accident", "Self-hrm", "Assault", "Undeterm", "Adverse", "Underdos"},
}

// cellWidth is a code cell's width on screen, a mark included.
const cellWidth = 9

// View draws the grid in w x h cells.
func (g *Grid) View(w, h int) string {
	st := g.c.Styles
	t := g.table()
	other := "Drugs"
	if g.kind == icdtables.Drug {
		other = "Neoplasms"
	}
	var out []string
	title := fmt.Sprintf(" %s (Index %s) · codes of %s, DOS %s", t.Title, strings.Fields(t.Version)[0], g.codes.release(), g.codes.Date)
	out = append(out, common.PaneTitle(st, title, w, true))
	count := fmt.Sprintf("%d of %d rows · tab: %s", len(g.rows), len(t.Rows), other)
	filter := " filter: " + g.filter + "▏"
	if g.filter == "" {
		filter = " filter: type to filter▏"
	}
	out = append(out, common.Fit(filter, max(w-common.TextWidth(count)-1, 10))+st.Dim.Render(count))
	titleW := max(w-icdtables.Columns*cellWidth-1, 12)
	head := " " + common.Fit(t.RowHeading, titleW)
	for i, hd := range shortHeads[g.kind] {
		s := common.Fit(hd, cellWidth)
		if i == g.col {
			s = st.Bold.Render(s)
		}
		head += s
	}
	out = append(out, st.Bold.Render(common.Fit(head, w)))
	g.height = max(h-len(out)-1, 1)
	g.row = min(max(g.row, 0), max(len(g.rows)-1, 0))
	if g.row < g.top {
		g.top = g.row
	}
	if g.row >= g.top+g.height {
		g.top = g.row - g.height + 1
	}
	base := 0
	if g.kind == icdtables.Neoplasm {
		base = 1 // every site is a subterm of "Neoplasm, neoplastic"
	}
	for i := g.top; i < len(g.rows) && i < g.top+g.height; i++ {
		row := t.Rows[g.rows[i]]
		name := row.Title
		switch {
		case g.filter != "" && row.Level > base:
			// Out of its context: the path tells the row, its end in sight.
			name = tail(pathFrom(row, base, t), titleW-1)
		case row.Level > base:
			name = strings.Repeat("- ", row.Level-base) + row.Title
		}
		line := " " + common.Fit(common.OneLine(name), titleW)
		for col := 0; col < icdtables.Columns; col++ {
			line += g.cellText(row.Cells[col], i == g.row && col == g.col)
		}
		if i == g.row {
			line = st.Bold.Render(common.Fit(line, w))
		}
		out = append(out, line)
	}
	if len(g.rows) == 0 {
		out = append(out, st.Dim.Render(common.Fit(fmt.Sprintf(" no row matches %q; backspace or ctrl+u", g.filter), w)))
	}
	for len(out) < h-1 {
		out = append(out, "")
	}
	out = append(out, g.info(w))
	return common.Block(out, w, h)
}

// pathFrom is a row's path without the levels above base ("Neoplasm,
// neoplastic"), the parents' nonessential modifiers left out: "breast,
// axillary tail" rather than "breast (connective tissue) (glandular
// tissue) (soft parts), axillary tail".
func pathFrom(row icdtables.Row, base int, t *icdtables.Table) string {
	path := row.Path
	if base > 0 {
		path = strings.TrimPrefix(path, t.Rows[0].Title+", ")
	}
	own := row.Title
	parents := strings.TrimSuffix(strings.TrimSuffix(path, own), ", ")
	if parents == "" {
		return own
	}
	return dropParens(parents) + ", " + own
}

// dropParens removes the parenthesised parts of a title.
func dropParens(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return strings.ReplaceAll(strings.Join(strings.Fields(b.String()), " "), " ,", ",")
}

// tail keeps the end of a text that does not fit w cells, where a path
// tells its rows apart: "…lower inner quadrant".
func tail(s string, w int) string {
	r := []rune(s)
	if len(r) <= w || w < 2 {
		return s
	}
	cut := string(r[len(r)-(w-1):])
	if i := strings.IndexByte(cut, ' '); i >= 0 && i < len(cut)/2 {
		cut = cut[i+1:]
	}
	return "…" + cut
}

// cellText draws one cell: the code as printed, marked when the release
// of the date of service lacks it; the cursor cell reversed.
func (g *Grid) cellText(cell icdtables.Cell, cursor bool) string {
	st := g.c.Styles
	text := string(cell)
	if cell.Empty() {
		text = "--"
	}
	gone := false
	if !cell.Empty() {
		if _, ok := cell.Resolve(g.codes.DOS); !ok {
			gone, text = true, text+"×"
		}
	}
	s := common.Fit(text, cellWidth-1) + " "
	if common.TextWidth(text) >= cellWidth {
		s = common.Fit(text, cellWidth)
	}
	switch {
	case cursor:
		return st.RowCursor.Render(s)
	case gone:
		return st.Error.Render(s)
	case cell.Empty():
		return st.Dim.Render(s)
	}
	return s
}

// info describes the cell under the cursor: its code as the release of
// the date of service has it, or why that release lacks it.
func (g *Grid) info(w int) string {
	st := g.c.Styles
	r, col := g.Cursor()
	if r < 0 {
		return ""
	}
	row := g.table().Rows[r]
	cell := row.Cells[col]
	var s string
	switch {
	case cell.Empty() && row.See != "":
		s = " " + row.See
	case cell.Empty():
		s = " -- no " + g.table().Headings[col] + " code"
	default:
		code, ok := cell.Resolve(g.codes.DOS)
		if !ok {
			return st.Error.Render(common.Fit(" × "+g.codes.notValid(cell.Code()), w))
		}
		kind := "billable"
		switch {
		case code.NeedsSeventh():
			kind = "7th character to pick"
		case !code.Billable:
			kind = "header: pick one of its codes"
		}
		s = fmt.Sprintf(" %s %s · %s", code.Display(), code.Title(), kind)
		if row.See != "" {
			s += " · " + row.See
		}
	}
	return st.Dim.Render(common.Fit(common.OneLine(s), w))
}
