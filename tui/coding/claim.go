package coding

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/tui/common"
	"codebench/tui/work"
)

// The claim pane is shaped like the claim form: diagnoses A-L (CMS-1500
// item 21) in order, then the service lines (item 24) with modifiers,
// units and diagnosis pointers by letter. Rows are diagnoses first, then
// lines; every change goes through work, which enforces the limits.

type claimEdit int

const (
	editNone claimEdit = iota
	editModifiers
	editUnits
	editPointers
	editCharge
	editNDC
)

type claimPane struct {
	c     *common.Common
	w     *work.Work
	width int
	high  int
	focus bool

	row int
	top int

	editing claimEdit
	input   textinput.Model
	// selected: the prompt's current value is shown selected; what the
	// coder types replaces it (16 typed on 1 unit is 16, not 116).
	selected bool

	cache viewCache[claimViewKey]
}

// claimViewKey is what the claim pane's frame is drawn from.
type claimViewKey struct {
	paneKey
	open     bool
	claim    uint64
	codes    *codesets.Set
	row, top int
	editing  claimEdit
	selected bool
	input    inputKey
}

func newClaimPane(c *common.Common, w *work.Work) *claimPane {
	in := textinput.New()
	in.CharLimit = 40
	p := &claimPane{c: c, w: w, input: in}
	p.applyStyles()
	return p
}

func (p *claimPane) applyStyles() { p.input.SetStyles(p.c.InputStyles()) }

func (p *claimPane) SetSize(w, h int) {
	p.width, p.high = w, h
	p.input.SetWidth(max(w-24, 4))
	p.follow()
}

func (p *claimPane) typing() bool { return p.editing != editNone }

func (p *claimPane) ndx() int {
	if p.w.Enc == nil {
		return 0
	}
	return len(p.w.Enc.Diagnoses)
}

func (p *claimPane) nlines() int {
	if p.w.Enc == nil {
		return 0
	}
	return len(p.w.Enc.Lines)
}

func (p *claimPane) rows() int { return p.ndx() + p.nlines() }

func (p *claimPane) lines() []encounter.ServiceLine {
	if p.w.Enc == nil {
		return nil
	}
	return p.w.Enc.Lines
}

// onLine tells whether the cursor is on a service line, and which.
func (p *claimPane) onLine() (int, bool) {
	if p.row >= p.ndx() && p.row < p.rows() {
		return p.row - p.ndx(), true
	}
	return 0, false
}

func (p *claimPane) ShortHelp() []key.Binding {
	k := p.c.KeyMap
	if p.typing() {
		return []key.Binding{k.Accept, k.CancelInput}
	}
	if _, ok := p.onLine(); ok {
		return []key.Binding{k.Pointers, k.PointAll, k.Modifiers, k.Units, k.Charge, k.MoveUp, k.MoveDown, k.Delete}
	}
	return []key.Binding{k.MoveUp, k.MoveDown, k.Delete, k.ShowEvidence, k.ShowCode}
}

func (p *claimPane) FullHelp() [][]key.Binding {
	k := p.c.KeyMap
	return [][]key.Binding{
		{k.Up, k.Down, k.MoveUp, k.MoveDown, k.Delete, k.ShowCode, k.ShowEvidence},
		{k.Pointers, k.PointAll, k.Modifiers, k.NoModifiers, k.Units, k.UnitsUp, k.UnitsDown, k.Charge, k.NDC, k.Accept, k.CancelInput},
	}
}

// Rows of the pane body: section headings take a line each.
func (p *claimPane) bodyLine(row int) int {
	if row < p.ndx() {
		return 1 + row
	}
	return 1 + max(p.ndx(), 1) + 1 + (row - p.ndx())
}

func (p *claimPane) visible() int {
	h := p.high - 1
	if p.typing() {
		h--
	}
	return max(h, 1)
}

func (p *claimPane) follow() {
	p.row = min(max(p.row, 0), max(p.rows()-1, 0))
	line := p.bodyLine(p.row)
	if line-1 < p.top {
		p.top = max(line-1, 0) // keep the section heading in view
	}
	if line >= p.top+p.visible() {
		p.top = line - p.visible() + 1
	}
}

// selectNew moves the cursor to a row just added.
func (p *claimPane) selectDiagnosis(i int) { p.row = i; p.follow() }
func (p *claimPane) selectLine(i int)      { p.row = p.ndx() + i; p.follow() }

func (p *claimPane) Update(msg tea.Msg) tea.Cmd {
	if p.typing() {
		return p.updateInput(msg)
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok || p.w.Enc == nil {
		return nil
	}
	k := p.c.KeyMap
	line, isLine := p.onLine()
	switch {
	case key.Matches(km, k.Up):
		p.row--
	case key.Matches(km, k.Down):
		p.row++
	case key.Matches(km, k.Top):
		p.row = 0
	case key.Matches(km, k.Bottom):
		p.row = p.rows() - 1
	case key.Matches(km, k.MoveUp), key.Matches(km, k.MoveDown):
		d := 1
		if key.Matches(km, k.MoveUp) {
			d = -1
		}
		if isLine {
			j, err := p.w.MoveLine(line, d)
			p.selectLine(j)
			return common.Fail(err)
		}
		j, err := p.w.MoveDiagnosis(p.row, d)
		p.selectDiagnosis(j)
		if err != nil {
			return common.Fail(err)
		}
		return common.Say("%s is now %s", codesets.Dotted(codesets.ICD10CM, p.w.Enc.Diagnoses[j].Code), common.Letter(j+1))
	case key.Matches(km, k.Delete):
		if isLine {
			code := p.w.Enc.Lines[line].Code
			if err := p.w.RemoveLine(line); err != nil {
				return common.Fail(err)
			}
			p.follow()
			return tea.Batch(p.showRow(), common.Say("line %d (%s) removed; ctrl+z undoes", line+1, code))
		}
		code := codesets.Dotted(codesets.ICD10CM, p.w.Enc.Diagnoses[p.row].Code)
		orphans, primary, err := p.w.RemoveDiagnosis(p.row)
		p.follow()
		if err != nil {
			return common.Fail(err)
		}
		if len(orphans) > 0 {
			return tea.Batch(p.showRow(), common.Fail(common.Refuse("%s removed; line %s now points to no diagnosis: press p on it (ctrl+z undoes)", code, work.JoinInts(orphans))))
		}
		if len(primary) > 0 {
			return tea.Batch(p.showRow(), common.Say("%s removed; line %s pointed only at it and now point at the new A, %s (p changes it; ctrl+z undoes)",
				code, work.JoinInts(primary), codesets.Dotted(codesets.ICD10CM, p.w.Enc.Diagnoses[0].Code)))
		}
		return tea.Batch(p.showRow(), common.Say("%s removed; ctrl+z undoes", code))
	case key.Matches(km, k.ShowCode):
		c := p.code()
		if c == nil {
			return nil
		}
		replace := 0
		if !isLine {
			replace = p.row + 1 // a code picked there recodes this diagnosis
		}
		return func() tea.Msg { return showCodeMsg{code: c, focus: true, replace: replace} }
	case key.Matches(km, k.ShowEvidence):
		if isLine || p.row >= p.ndx() {
			return common.Fail(common.Refuse("evidence belongs to diagnoses; select one"))
		}
		if p.w.Enc.Diagnoses[p.row].Evidence == nil {
			return common.Fail(common.Refuse("%s has no evidence: select text in the documentation (v) before picking", codesets.Dotted(codesets.ICD10CM, p.w.Enc.Diagnoses[p.row].Code)))
		}
		dx := p.row
		return func() tea.Msg { return showEvidenceMsg{dx: dx} }
	case key.Matches(km, k.PointAll):
		if !isLine {
			return common.Fail(common.Refuse("select a service line first (pointers belong to lines)"))
		}
		if err := p.w.SetPointers(line, "*"); err != nil {
			return common.Fail(err)
		}
		return common.Say("line %d points at %s", line+1, work.PointerLetters(p.w.Enc.Lines[line].Pointers, " "))
	case key.Matches(km, k.NoModifiers):
		if !isLine {
			return common.Fail(common.Refuse("select a service line first (modifiers belong to lines)"))
		}
		was := strings.Join(p.w.Enc.Lines[line].Modifiers, " ")
		if was == "" {
			return common.Say("line %d has no modifiers", line+1)
		}
		if err := p.w.SetModifiers(p.c.Codes, line, ""); err != nil {
			return common.Fail(err)
		}
		return common.Say("line %d: modifiers %s removed (ctrl+z undoes)", line+1, was)
	case key.Matches(km, k.UnitsUp), key.Matches(km, k.UnitsDown):
		if !isLine {
			return common.Fail(common.Refuse("units belong to service lines"))
		}
		u := p.w.Enc.Lines[line].Units
		if key.Matches(km, k.UnitsUp) {
			u++
		} else {
			u--
		}
		return common.Fail(p.w.SetUnits(line, u))
	case key.Matches(km, k.Modifiers), key.Matches(km, k.Units), key.Matches(km, k.Pointers), key.Matches(km, k.Charge), key.Matches(km, k.NDC):
		if !isLine {
			return common.Fail(common.Refuse("select a service line first (modifiers, units and pointers belong to lines)"))
		}
		if err := p.w.Editable(); err != nil {
			return common.Fail(err)
		}
		l := p.w.Enc.Lines[line]
		switch {
		case key.Matches(km, k.Modifiers):
			p.begin(editModifiers, fmt.Sprintf("line %d modifiers: ", line+1), strings.Join(l.Modifiers, " "))
		case key.Matches(km, k.Units):
			p.begin(editUnits, fmt.Sprintf("line %d units: ", line+1), strconv.Itoa(l.Units))
		default:
			p.begin(editPointers, fmt.Sprintf("line %d pointers A-%s: ", line+1, common.Letter(max(p.ndx(), 1))), work.PointerLetters(l.Pointers, " "))
		case key.Matches(km, k.Charge):
			value := ""
			if l.Charge != 0 {
				value = strings.TrimPrefix(work.Money(l.Charge), "$")
			}
			p.begin(editCharge, fmt.Sprintf("line %d charge $ (empty: fee schedule) ", line+1), value)
		case key.Matches(km, k.NDC):
			p.begin(editNDC, fmt.Sprintf("line %d NDC unit quantity: ", line+1), work.NDCText(l.NDC))
		}
		return nil
	default:
		return nil
	}
	p.follow()
	return p.showRow()
}

// showRow shows the code of the cursor's row in the detail pane.
func (p *claimPane) showRow() tea.Cmd {
	if c := p.code(); c != nil {
		return func() tea.Msg { return showCodeMsg{code: c} }
	}
	return nil
}

// begin opens a prompt on the line's current value, shown selected:
// typing replaces it, enter keeps it, a cursor key edits it.
func (p *claimPane) begin(e claimEdit, prompt, value string) {
	p.editing = e
	p.input.Prompt = prompt
	p.input.SetValue(value)
	p.input.Focus()
	p.input.CursorEnd()
	p.selected = value != ""
	p.follow()
}

func (p *claimPane) endEdit() {
	p.editing = editNone
	p.selected = false
	p.input.Blur()
	p.follow()
}

// updateInput feeds the inline editor; enter applies, esc cancels. A
// refused value keeps the editor open with the message.
func (p *claimPane) updateInput(msg tea.Msg) tea.Cmd {
	k := p.c.KeyMap
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case km.String() == "esc":
			p.endEdit()
			return common.Say("unchanged")
		case key.Matches(km, k.Accept):
			line, ok := p.onLine()
			if !ok {
				p.endEdit()
				return nil
			}
			var err error
			v := p.input.Value()
			switch p.editing {
			case editModifiers:
				err = p.w.SetModifiers(p.c.Codes, line, v)
			case editUnits:
				var n int
				if n, err = work.ParseUnits(v); err == nil {
					err = p.w.SetUnits(line, n)
				}
			case editPointers:
				err = p.w.SetPointers(line, v)
			case editCharge:
				err = p.w.SetCharge(line, v)
			case editNDC:
				err = p.w.SetNDC(line, v)
			}
			if err != nil {
				return common.Fail(err)
			}
			p.endEdit()
			return nil
		}
	}
	if p.selected {
		switch m := msg.(type) {
		case tea.PasteMsg:
			p.selected = false
			p.input.SetValue("")
		case tea.KeyPressMsg:
			switch common.SelectionKey(m) {
			case common.SelectionCleared:
				p.selected = false
				p.input.SetValue("")
				return nil
			case common.SelectionReplaced:
				p.selected = false
				p.input.SetValue("")
			case common.SelectionKept:
				p.selected = false
			}
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return cmd
}

// code is the code on the cursor's row.
func (p *claimPane) code() *codesets.Code {
	if p.c.Codes == nil || p.w.Enc == nil {
		return nil
	}
	if p.row < p.ndx() {
		c, _ := p.c.Codes.LookupIn(codesets.ICD10CM, p.w.Enc.Diagnoses[p.row].Code)
		return c
	}
	if line, ok := p.onLine(); ok {
		c, _ := p.c.Codes.Lookup(p.w.Enc.Lines[line].Code)
		return c
	}
	return nil
}

// title is a claim row's title in w cells.
func (p *claimPane) title(sys codesets.System, code string, w int) string {
	if p.c.Codes == nil {
		return ""
	}
	var c *codesets.Code
	var ok bool
	if sys == codesets.ICD10CM {
		c, ok = p.c.Codes.LookupIn(sys, code)
	} else {
		c, ok = p.c.Codes.Lookup(code)
	}
	if !ok {
		return common.Clip("(not a FY2026 code)", w)
	}
	prefix := ""
	if !c.Billable {
		prefix = "header! "
	}
	if c.DescriptorMissing {
		return common.Clip("(no descriptor)", w) // the detail pane says how to load them
	}
	return prefix + common.FitTitle(c.Title(), c.Short, max(w-len(prefix), 4))
}

func (p *claimPane) View() string {
	return p.cache.get(claimViewKey{
		paneKey: keyOf(p.c, p.width, p.high, p.focus), open: p.w.Enc != nil, claim: claimPrint(p.w.Enc), codes: p.c.Codes,
		row: p.row, top: p.top, editing: p.editing, selected: p.selected, input: inputKeyOf(&p.input),
	}, p.draw)
}

func (p *claimPane) draw() string {
	st := p.c.Styles
	title := " 4 Claim"
	if p.w.Enc != nil {
		title += fmt.Sprintf("  %d/%d dx · %d line%s", p.ndx(), work.MaxDiagnoses, p.nlines(), common.Plural(p.nlines()))
		var total int64
		for _, l := range p.lines() {
			total += l.Charge
		}
		if total != 0 {
			title += " · " + work.Money(total)
		}
		// A correction says so first: a narrow title cuts the counts.
		switch rs := p.w.Enc.Resubmission; rs.Frequency {
		case encounter.FrequencyReplacement:
			title = " 4 Claim  replaces " + common.OneLine(rs.OriginalClaimNumber) + " ·" + strings.TrimPrefix(title, " 4 Claim ")
		case encounter.FrequencyVoid:
			title = " 4 Claim  voids " + common.OneLine(rs.OriginalClaimNumber) + " ·" + strings.TrimPrefix(title, " 4 Claim ")
		}
	}
	body := []string{}
	body = append(body, st.Dim.Render(" Diagnoses A-L (item 21)"))
	if p.ndx() == 0 {
		body = append(body, st.Dim.Render("   none: / to search, enter to pick"))
	}
	for i := 0; i < p.ndx(); i++ {
		d := p.w.Enc.Diagnoses[i]
		ev := " "
		if d.Evidence != nil {
			ev = "¶"
		}
		code := codesets.Dotted(codesets.ICD10CM, common.OneLine(d.Code))
		title := p.title(codesets.ICD10CM, d.Code, p.width-14)
		plain := fmt.Sprintf(" %s %-8s %s %s", common.Letter(i+1), code, ev, title)
		body = append(body, p.renderRow(i, plain, fmt.Sprintf(" %s %-8s %s %s", st.Letter.Render(common.Letter(i+1)), code, ev, title)))
	}
	// The modifiers column is as wide as the widest modifiers.
	modsW := 4
	charged, chargeW := false, 0
	for _, l := range p.lines() {
		modsW = max(modsW, ansi.StringWidth(common.OneLine(strings.Join(l.Modifiers, " "))))
		if l.Charge != 0 {
			charged = true
		}
		chargeW = max(chargeW, len(work.Money(l.Charge)))
	}
	body = append(body, st.Dim.Render(fmt.Sprintf(" %-8s %-*s %-4s %s", "Lines", modsW, "mods", "unit", "ptrs (item 24)")))
	if p.nlines() == 0 {
		body = append(body, st.Dim.Render("   none: search a CPT/HCPCS code, enter"))
	}
	for i := 0; i < p.nlines(); i++ {
		l := p.w.Enc.Lines[i]
		mods := common.OneLine(strings.Join(l.Modifiers, " "))
		ptrs := work.PointerLetters(l.Pointers, "")
		if ptrs == "" {
			ptrs = "-"
		}
		head := fmt.Sprintf(" %d %-6s %-*s ×%-3d ", i+1, common.OneLine(l.Code), modsW, mods, l.Units)
		charge := ""
		if charged {
			charge = fmt.Sprintf("%*s ", chargeW, work.Money(l.Charge))
		}
		title := p.title(codesets.CPT, l.Code, p.width-ansi.StringWidth(head)-5-len(charge))
		plain := head + fmt.Sprintf("%-4s %s%s", ptrs, charge, title)
		styled := head + st.Letter.Render(fmt.Sprintf("%-4s", ptrs)) + " " + charge + title
		body = append(body, p.renderRow(p.ndx()+i, plain, styled))
	}
	lines := []string{common.PaneTitle(st, title, p.width, p.focus)}
	vis := p.visible()
	for i := p.top; i < len(body) && i < p.top+vis; i++ {
		lines = append(lines, body[i])
	}
	for len(lines) < 1+vis {
		lines = append(lines, "")
	}
	if p.typing() {
		in := p.input.View()
		if p.selected {
			in = st.Prompt.Render(p.input.Prompt) + st.DocSelection.Render(common.OneLine(p.input.Value()))
		}
		lines = append(lines, in)
	}
	return common.Block(lines, p.width, p.high)
}

func (p *claimPane) renderRow(row int, plain, styled string) string {
	st := p.c.Styles
	if row != p.row {
		return styled
	}
	if p.focus {
		return st.RowCursor.Render(common.Fit(plain, p.width))
	}
	return st.RowCursorDim.Render(common.Fit(plain, p.width))
}
