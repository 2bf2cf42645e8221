package coding

import (
	"fmt"
	"strings"
	"unsafe"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/tui/browse"
	"codebench/tui/common"
	"codebench/tui/work"
)

// The detail pane shows everything about the highlighted code: titles,
// billable or header, validity on the date of service, where it sits in the
// tabular list, every note (own and inherited, each saying where it comes
// from), index entries and Medicare Code Editor lists. For a header it lists
// the codes under it; for a category that takes a 7th character it offers a
// picker that builds the full code.

type choice struct {
	code   *codesets.Code // a child code, or the full code for a 7th character
	named  *namedRef      // a code or range a note names (a adds it); code is nil
	char   byte           // the 7th character, 0 for a child
	prefix string         // what precedes the title: marker and code
	title  string         // the full title or 7th-character meaning
	short  string         // the CMS short title, for a narrow pane
	line   int            // index into lines
}

// text is a choice's row in w cells; the highlighted choice is wrapped in
// full instead (rows), so the end of a long title can be read. common are
// the words it shares with the choices around it.
func (c choice) text(w int, shared map[string]bool) string {
	return c.prefix + common.FitTitleIn(c.title, c.short, max(w-ansi.StringWidth(c.prefix), 4), shared)
}

// rows is the highlighted choice wrapped to w cells, continuation lines
// indented under the title.
func (c choice) rows(w int) []string {
	pw := ansi.StringWidth(c.prefix)
	tw := max(w-pw, 8)
	parts := strings.Split(ansi.Wordwrap(common.OneLine(c.title), tw, " "), "\n")
	out := make([]string, len(parts))
	for i, l := range parts {
		if i == 0 {
			out[i] = c.prefix + l
		} else {
			out[i] = strings.Repeat(" ", pw) + l
		}
	}
	return out
}

type detailPane struct {
	c     *common.Common
	w     *work.Work
	width int
	high  int
	focus bool

	code    *codesets.Code
	edit    *encounter.Edit // shown instead of a code when the edits pane has the focus
	replace int             // diagnosis (1 = A) a pick recodes; 0 adds
	lines   []string
	choices []choice
	titles  common.TitleList // what each choice shares with its neighbours
	cur     int
	top     int
	// tab is the Tabular List browser shown instead of the detail (t).
	tab *browse.Tabular

	cache viewCache[detailViewKey]
}

// detailViewKey is what the detail pane's frame is drawn from: render
// makes new lines and choices each time, so their identity stands for
// their content.
type detailViewKey struct {
	paneKey
	code     *codesets.Code
	edit     *encounter.Edit
	replace  int
	lines    *string
	nlines   int
	choices  *choice
	nchoices int
	cur, top int
}

func newDetailPane(c *common.Common, w *work.Work) *detailPane { return &detailPane{c: c, w: w} }

func (p *detailPane) SetSize(w, h int) {
	resize := w != p.width
	p.width, p.high = w, h
	if resize && (p.code != nil || p.edit != nil) {
		p.render()
	}
	p.follow()
}

func (p *detailPane) ShortHelp() []key.Binding {
	k := p.c.KeyMap
	if p.tab != nil {
		return p.tab.ShortHelp()
	}
	var bs []key.Binding
	if p.namedAt() != nil {
		bs = append(bs, k.AddNamed)
	}
	if p.tabular() {
		return append(bs, k.Up, k.Down, k.Pick, k.Tabular)
	}
	return append(bs, k.Up, k.Down, k.Pick)
}

// namedAt is the named code or range under the cursor, nil when the
// cursor is on none.
func (p *detailPane) namedAt() *namedRef {
	if p.cur < len(p.choices) {
		return p.choices[p.cur].named
	}
	return nil
}

func (p *detailPane) FullHelp() [][]key.Binding {
	k := p.c.KeyMap
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Pick, k.AddNamed, k.Tabular}}
}

// offers tells whether text is a 7th character the picker offers.
func (p *detailPane) offers(text string) bool {
	if !p.picker() || len(text) != 1 {
		return false
	}
	ch := strings.ToUpper(text)[0]
	for _, c := range p.choices {
		if c.char == ch {
			return true
		}
	}
	return false
}

// picker tells whether the pane offers 7th characters.
func (p *detailPane) picker() bool { return len(p.choices) > 0 && p.choices[0].char != 0 }

func (p *detailPane) show(c *codesets.Code) {
	p.replace = 0
	if c == p.code && p.edit == nil {
		return
	}
	p.code, p.edit, p.cur, p.top = c, nil, 0, 0
	p.render()
}

// drill shows a code under the one shown, keeping what a pick does.
func (p *detailPane) drill(c *codesets.Code) {
	r := p.replace
	p.show(c)
	p.replace = r
}

// showEdit shows one edit in full: the edits pane has room for a line.
func (p *detailPane) showEdit(e encounter.Edit) {
	p.code, p.edit, p.cur, p.top = nil, &e, 0, 0
	p.render()
}

func (p *detailPane) renderEdit() {
	st := p.c.Styles
	e := p.edit
	w := max(p.width-1, 10)
	add := func(s string) { p.lines = append(p.lines, s) }
	wrap := func(prefix, text string) {
		indent := strings.Repeat(" ", ansi.StringWidth(prefix))
		for i, l := range strings.Split(ansi.Wordwrap(common.OneLine(text), max(w-ansi.StringWidth(prefix), 8), " "), "\n") {
			if i == 0 {
				add(prefix + l)
			} else {
				add(indent + l)
			}
		}
	}
	sev := st.Error
	switch e.Severity {
	case encounter.Warning:
		sev = st.Warning
	case encounter.Info:
		sev = st.Info
	}
	add(sev.Render(string(e.Severity)) + "  " + st.Code.Render(common.OneLine(e.Rule)) + "  " + common.TargetName(common.OneLine(e.Target)))
	wrap("", e.Message)
	if e.Source != "" {
		wrap(st.Dim.Render("source: "), e.Source)
	}
	if len(e.Codes) > 0 {
		wrap(st.Dim.Render("codes: "), strings.Join(e.Codes, " "))
	}
	if o := e.Overridden; o != nil {
		wrap(st.OK.Render("overridden: "), fmt.Sprintf("%s (%s, %s)", o.Reason, o.Coder, o.At.Format("2006-01-02 15:04")))
	} else if r, ok := encounter.Rule(e.Rule); ok && r.Overridable {
		add(st.Dim.Render("o overrides it with a reason"))
	} else if e.Severity != encounter.Info {
		add(st.Dim.Render("fix the claim: this rule cannot be overridden"))
	}
}

func (p *detailPane) visible() int { return max(p.high-1, 1) }

func (p *detailPane) follow() {
	extra := 0
	if len(p.choices) > 0 {
		p.cur = min(max(p.cur, 0), len(p.choices)-1)
		line := p.choices[p.cur].line
		extra = p.curExtra()
		if line < p.top {
			p.top = line
		}
		if line+extra >= p.top+p.visible() {
			p.top = min(line+extra-p.visible()+1, line)
		}
	}
	p.top = max(min(p.top, len(p.lines)+extra-p.visible()), 0)
}

// curExtra is how many lines the highlighted choice takes beyond one.
func (p *detailPane) curExtra() int {
	if p.cur >= len(p.choices) {
		return 0
	}
	return len(p.choices[p.cur].rows(p.width-1)) - 1
}

func (p *detailPane) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok || p.code == nil && p.edit == nil {
		return nil
	}
	if p.tab != nil {
		return p.tab.Update(km)
	}
	k := p.c.KeyMap
	// In the picker a 7th character typed picks it, even the letters
	// that move elsewhere (g, G, j, k are fracture characters).
	if p.offers(km.Text) {
		ch := strings.ToUpper(km.Text)[0]
		for i, c := range p.choices {
			if c.char == ch {
				p.cur = i
				return p.pick()
			}
		}
	}
	switch {
	case key.Matches(km, k.Up):
		if len(p.choices) > 0 {
			p.cur--
		} else {
			p.top--
		}
	case key.Matches(km, k.Down):
		if len(p.choices) > 0 {
			p.cur++
		} else {
			p.top++
		}
	case key.Matches(km, k.PageUp):
		p.top -= p.visible() - 1
		p.cur = p.choiceFrom(p.top, -1)
	case key.Matches(km, k.PageDown):
		p.top += p.visible() - 1
		p.cur = p.choiceFrom(p.top, 1)
	case key.Matches(km, k.Top):
		p.top, p.cur = 0, 0
	case key.Matches(km, k.Bottom):
		p.top, p.cur = len(p.lines), len(p.choices)-1
	case key.Matches(km, k.AddNamed) && p.namedAt() != nil:
		n, by := *p.namedAt(), p.code
		return func() tea.Msg { return addNamedMsg{named: n, by: by} }
	case key.Matches(km, k.Pick):
		return p.pick()
	default:
		if p.picker() && len(km.Text) == 1 {
			return common.Fail(common.Refuse("%s is not a 7th character of %s", strings.ToUpper(common.OneLine(km.Text)), p.code.Display()))
		}
		return nil
	}
	if len(p.choices) == 0 {
		p.top = max(min(p.top, len(p.lines)-p.visible()), 0)
		return nil
	}
	p.follow()
	return nil
}

// choiceFrom keeps the choice cursor on screen after paging.
func (p *detailPane) choiceFrom(top, dir int) int {
	if len(p.choices) == 0 {
		return 0
	}
	for i, c := range p.choices {
		if c.line >= top {
			if dir < 0 || i >= p.cur {
				return i
			}
			return p.cur
		}
	}
	return len(p.choices) - 1
}

// pick adds the shown code, the chosen child or the code built with the
// chosen 7th character; a header with children drills down instead.
func (p *detailPane) pick() tea.Cmd {
	c := p.code
	if c == nil {
		return nil
	}
	if len(p.choices) > 0 && p.choices[p.cur].named == nil {
		ch := p.choices[p.cur]
		if ch.char == 0 && (len(ch.code.Children()) > 0 || p.c.Codes != nil && len(p.c.Codes.SeventhOptions(ch.code)) > 0 && !ch.code.Billable) {
			p.drill(ch.code)
			return nil
		}
		c = ch.code
	}
	if !c.Billable {
		return common.Fail(common.Refuse("%s is a header, not billable: pick one of the codes under it", c.Display()))
	}
	replace := p.replace
	return func() tea.Msg { return pickMsg{code: c, replace: replace} }
}

// render builds the pane's lines for the code.
func (p *detailPane) render() {
	p.lines, p.choices = nil, nil
	if p.edit != nil {
		p.renderEdit()
		return
	}
	c := p.code
	if c == nil || p.c.Codes == nil {
		return
	}
	st := p.c.Styles
	w := max(p.width-1, 10)
	d := p.c.Codes.Detail(c)
	add := func(s string) { p.lines = append(p.lines, s) }
	wrap := func(prefix, text string) {
		text = common.OneLine(text)
		indent := strings.Repeat(" ", ansi.StringWidth(prefix))
		for i, l := range strings.Split(ansi.Wordwrap(text, max(w-ansi.StringWidth(prefix), 8), " "), "\n") {
			if i == 0 {
				add(prefix + l)
			} else {
				add(indent + l)
			}
		}
	}

	kind := st.Billable.Render("● billable")
	switch {
	case d.Modifier:
		kind = "modifier"
	case !d.Billable:
		kind = st.Header0.Render("○ header, not billable")
	}
	add(st.Code.Render(d.Display) + "  " + st.System.Render(string(d.System)) + "  " + kind)
	title := d.Long
	if d.DescriptorMissing {
		title = "descriptor not loaded (import your licensed CPT file: codebench cpt import FILE)"
	}
	wrap("", title)
	if d.Short != "" && d.Short != d.Long {
		wrap(st.Dim.Render("short: "), d.Short)
	}
	if dos := p.w.DosTime(); !dos.IsZero() && c.Billable {
		if err := p.c.Codes.ValidOn(c, dos); err != nil {
			wrap(st.Error.Render("! "), err.Error())
		}
	}
	if d.Manifestation {
		wrap(st.Warning.Render("! "), "manifestation code: never first-listed; code the underlying condition first")
	}

	// Choices first, so they are on screen in a small pane.
	if p.c.Codes != nil && c.System == codesets.ICD10CM {
		if opts := p.c.Codes.SeventhOptions(c); len(opts) > 0 && c.NeedsSeventh() {
			_, from := c.SeventhChars()
			head := "7th character"
			if from != "" {
				head += " (table at " + codesets.Dotted(codesets.ICD10CM, from) + ")"
			}
			add(st.Bold.Render(head + ": type it or ↑↓ enter"))
			for _, o := range opts {
				full, err := p.c.Codes.ExpandSeventh(c.Code, o.Char)
				if err != nil {
					continue
				}
				p.choices = append(p.choices, choice{code: full, char: o.Char, prefix: fmt.Sprintf("%c  %-9s ", o.Char, full.Display()), title: o.Meaning, line: len(p.lines)})
				add("")
			}
		} else if len(c.Children()) > 0 {
			add(st.Bold.Render(fmt.Sprintf("Codes under %s (enter picks or opens):", c.Display())))
			for _, ch := range c.Children() {
				p.choices = append(p.choices, choice{code: ch, prefix: fmt.Sprintf("%s %-8s ", billMark(ch), ch.Display()), title: ch.Title(), short: ch.Short, line: len(p.lines)})
				add("")
			}
		} else if named := namedRefs(p.c.Codes, d.Notes); len(named) > 0 {
			add(st.Bold.Render("Codes its notes name (a adds, ✓ on the claim):"))
			for i := range named {
				n := &named[i]
				p.choices = append(p.choices, choice{named: n, prefix: n.prefix(p.onClaim(*n)), title: namedTitle(*n), line: len(p.lines)})
				add("")
			}
		}
	}

	ts := make([][2]string, len(p.choices))
	for i, ch := range p.choices {
		ts[i] = [2]string{ch.title, ch.short}
	}
	p.titles = common.NewTitleList(ts)

	if d.Effective != "" || d.Terminated != "" {
		add(st.Dim.Render(fmt.Sprintf("valid %s to %s · %s", common.OrDash(d.Effective), common.OrDash(d.Terminated), d.Release)))
	} else {
		add(st.Dim.Render(d.Release))
	}
	if d.TitleBefore != "" {
		wrap("title until "+d.TitleBeforeRelease+": ", d.TitleBefore)
	}
	if len(d.Path) > 0 {
		add(st.Bold.Render("Hierarchy"))
		for _, s := range d.Path {
			wrap("  "+common.OneLine(s.Code)+" ", s.Title)
		}
	}
	// Notes grouped by kind in the order a coder reads them.
	order := []codesets.NoteKind{codesets.CodeFirst, codesets.UseAdditional, codesets.CodeAlso, codesets.Excludes1, codesets.Excludes2, codesets.Includes, codesets.Inclusion, codesets.GeneralNote, codesets.SeventhNote}
	for _, kind := range order {
		var ns []codesets.Note
		for _, n := range d.Notes {
			if n.Kind == kind {
				ns = append(ns, n)
			}
		}
		if len(ns) == 0 {
			continue
		}
		head := st.Bold
		if kind == codesets.Excludes1 {
			head = st.Error
		}
		add(head.Render(kind.Label()))
		for _, n := range ns {
			wrap("  • ", n.Text+" ("+codesets.Dotted(codesets.ICD10CM, n.From)+")")
		}
	}
	if len(d.Notes) > 0 && d.NotesSource != "" {
		wrap("notes from ", d.NotesSource)
	}
	if len(d.IndexTerms) > 0 {
		add(st.Bold.Render("Index entries"))
		for _, t := range d.IndexTerms {
			wrap("  • ", t.Text+" ["+t.Source+"]")
		}
	}
	if len(d.MCE) > 0 {
		var s []string
		for _, e := range d.MCE {
			s = append(s, string(e))
		}
		wrap(st.Bold.Render("MCE: "), strings.Join(s, ", "))
	}
	if p := d.PFS; p != nil {
		wrap(st.Bold.Render("Global "+p.GlobalDays+": "), p.GlobalMeaning())
		add(st.Dim.Render(fmt.Sprintf("PFS status %s · bilat %s · asst %s · co-surg %s · PC/TC %s", p.Status, p.Bilateral, p.Assistant, p.CoSurgeon, p.PCTC)))
	}
	if d.HCPCS != nil {
		add(st.Dim.Render(fmt.Sprintf("CMS action %s · BETOS %s · coverage %s", common.OrDash(d.HCPCS.ActionCode), common.OrDash(d.HCPCS.BETOS), common.OrDash(d.HCPCS.Coverage))))
	}
}

func (p *detailPane) View() string {
	if p.tab != nil {
		return p.draw() // the Tabular List browser keeps its own state
	}
	return p.cache.get(detailViewKey{
		paneKey: keyOf(p.c, p.width, p.high, p.focus), code: p.code, edit: p.edit, replace: p.replace,
		lines: unsafe.SliceData(p.lines), nlines: len(p.lines), choices: unsafe.SliceData(p.choices), nchoices: len(p.choices),
		cur: p.cur, top: p.top,
	}, p.draw)
}

func (p *detailPane) draw() string {
	st := p.c.Styles
	if p.tab != nil {
		title := " 3 Detail  Tabular List"
		if c := p.tab.Center(); c != nil {
			title += " around " + c.Display()
		}
		return common.PaneTitle(st, title, p.width, p.focus) + "\n" + p.tab.View(p.width, max(p.high-1, 1))
	}
	title := " 3 Detail"
	if p.edit != nil {
		title += "  edit " + common.OneLine(p.edit.Rule)
	}
	if p.code != nil {
		title += "  " + p.code.Display()
		if p.replace > 0 {
			title += " → " + common.Letter(p.replace) // a pick recodes that diagnosis
		}
		if p.picker() {
			title += "  pick 7th char"
		}
	}
	out := []string{common.PaneTitle(st, title, p.width, p.focus)}
	if p.code == nil && p.edit == nil {
		out = append(out, st.Dim.Render(" the highlighted code's notes show here"))
		return common.Block(out, p.width, p.high)
	}
	choiceAt := map[int]int{}
	for i, c := range p.choices {
		choiceAt[c.line] = i
	}
	for i := p.top; i < len(p.lines) && len(out) < 1+p.visible(); i++ {
		if ci, ok := choiceAt[i]; ok {
			ch := p.choices[ci]
			if ci != p.cur {
				out = append(out, " "+ch.text(p.width-1, p.titles.Shared(ci)))
				continue
			}
			cursor := st.RowCursorDim
			if p.focus {
				cursor = st.RowCursor
			}
			for _, r := range ch.rows(p.width - 1) {
				out = append(out, cursor.Render(common.Fit(" "+r, p.width)))
			}
			continue
		}
		out = append(out, " "+p.lines[i])
	}
	return common.Block(out, p.width, p.high)
}
