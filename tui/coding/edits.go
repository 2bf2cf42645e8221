package coding

import (
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codebench/encounter"
	"codebench/tui/common"
	"codebench/tui/work"
)

// The edits pane is always on screen and shows the result of the last
// validation: each edit with its severity, what it is about, the rule that
// raised it and the message. An error or warning can be overridden with a
// reason; the override is saved with the encounter and logged in the audit.

// showEditMsg shows an edit in full in the detail pane.
type showEditMsg struct{ edit encounter.Edit }

type editsPane struct {
	c     *common.Common
	w     *work.Work
	width int
	high  int
	focus bool

	common.ListCursor

	reasoning bool
	input     textinput.Model

	cache viewCache[editsViewKey]
}

// editsViewKey is what the edits pane's frame is drawn from: validation
// makes a new list of edits each time, so the list's identity stands for
// its content.
type editsViewKey struct {
	paneKey
	open      bool
	edits     *encounter.Edit
	n         int
	cur, top  int
	reasoning bool
	input     inputKey
}

func newEditsPane(c *common.Common, w *work.Work) *editsPane {
	in := textinput.New()
	in.CharLimit = 300
	in.Placeholder = "why the edit does not apply here"
	p := &editsPane{c: c, w: w, input: in}
	p.applyStyles()
	return p
}

func (p *editsPane) applyStyles() { p.input.SetStyles(p.c.InputStyles()) }

func (p *editsPane) SetSize(w, h int) {
	p.width, p.high = w, h
	p.input.SetWidth(max(w-12, 4))
	p.follow()
}

func (p *editsPane) typing() bool { return p.reasoning }

func (p *editsPane) ShortHelp() []key.Binding {
	k := p.c.KeyMap
	if p.reasoning {
		return []key.Binding{k.Accept, k.CancelInput}
	}
	return []key.Binding{k.Override, k.Unoverride, k.GoToTarget}
}

func (p *editsPane) FullHelp() [][]key.Binding {
	k := p.c.KeyMap
	return [][]key.Binding{{k.Up, k.Down, k.Override, k.Unoverride, k.GoToTarget, k.Accept, k.CancelInput}}
}

func (p *editsPane) visible() int {
	h := p.high - 1
	if p.reasoning {
		h--
	}
	return max(h, 1)
}

func (p *editsPane) follow() { p.ListCursor.Follow(len(p.w.Edits), p.visible()) }

func (p *editsPane) current() (encounter.Edit, bool) {
	if p.Cur < len(p.w.Edits) {
		return p.w.Edits[p.Cur], true
	}
	return encounter.Edit{}, false
}

func (p *editsPane) Update(msg tea.Msg) tea.Cmd {
	if p.reasoning {
		return p.updateReason(msg)
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	k := p.c.KeyMap
	switch {
	case p.Navigate(km, k, len(p.w.Edits), 0):
	case key.Matches(km, k.Override):
		e, ok := p.current()
		if !ok {
			return common.Fail(common.Refuse("no edit to override"))
		}
		if err := p.w.Editable(); err != nil {
			return common.Fail(err)
		}
		if e.Severity == encounter.Info {
			return common.Fail(common.Refuse("%s is information only; nothing to override", e.Rule))
		}
		if r, ok := encounter.Rule(e.Rule); !ok || !r.Overridable {
			// Said before a reason is typed for nothing.
			return common.Fail(common.Refuse("%s cannot be overridden: fix the claim (%s)", e.Rule, notOverridableWhy(e)))
		}
		p.reasoning = true
		p.input.Prompt = "reason: "
		p.input.SetValue("")
		p.input.Focus()
		p.follow()
		return nil
	case key.Matches(km, k.Unoverride):
		e, ok := p.current()
		if !ok {
			return nil
		}
		if err := p.w.Unoverride(e); err != nil {
			return common.Fail(err)
		}
		// The draft saved with it logs the withdrawal, at its revision.
		return common.Say("override of %s on %s withdrawn", e.Rule, common.TargetName(e.Target))
	case key.Matches(km, k.GoToTarget):
		e, ok := p.current()
		if !ok {
			return nil
		}
		return func() tea.Msg { return gotoTargetMsg{target: e.Target} }
	default:
		return nil
	}
	p.follow()
	return p.showCurrent()
}

// showCurrent shows the edit under the cursor in the detail pane.
func (p *editsPane) showCurrent() tea.Cmd {
	e, ok := p.current()
	if !ok {
		return nil
	}
	return func() tea.Msg { return showEditMsg{edit: e} }
}

func (p *editsPane) updateReason(msg tea.Msg) tea.Cmd {
	k := p.c.KeyMap
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case km.String() == "esc":
			p.reasoning = false
			p.input.Blur()
			return common.Say("no override")
		case key.Matches(km, k.Accept):
			e, ok := p.current()
			if !ok {
				p.reasoning = false
				return nil
			}
			o, err := p.w.Override(e, p.input.Value(), p.c.Coder, p.c.Now())
			if err != nil {
				return common.Fail(err)
			}
			p.reasoning = false
			p.input.Blur()
			// The draft saved with it logs the override once, at its
			// revision.
			return common.Say("overridden %s on %s", o.Rule, common.TargetName(o.Target))
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return cmd
}

func (p *editsPane) counts() (errs, warns, infos, over int) {
	for _, e := range p.w.Edits {
		switch {
		case e.Overridden != nil:
			over++
		case e.Severity == encounter.Error:
			errs++
		case e.Severity == encounter.Warning:
			warns++
		default:
			infos++
		}
	}
	return
}

func (p *editsPane) View() string {
	return p.cache.get(editsViewKey{
		paneKey: keyOf(p.c, p.width, p.high, p.focus), open: p.w.Enc != nil, edits: unsafe.SliceData(p.w.Edits), n: len(p.w.Edits),
		cur: p.Cur, top: p.Top, reasoning: p.reasoning, input: inputKeyOf(&p.input),
	}, p.draw)
}

func (p *editsPane) draw() string {
	st := p.c.Styles
	title := " 5 Edits"
	if p.w.Enc != nil {
		e, w, i, o := p.counts()
		title += fmt.Sprintf("  %d err · %d warn", e, w)
		if i > 0 {
			title += fmt.Sprintf(" · %d info", i)
		}
		if o > 0 {
			title += fmt.Sprintf(" · %d ✓", o) // ✓ marks an overridden edit
		}
	}
	lines := []string{common.PaneTitle(st, title, p.width, p.focus)}
	if p.w.Enc != nil && len(p.w.Edits) == 0 {
		lines = append(lines, st.OK.Render(" ✓ no edits: the claim passes every check"))
	}
	vis := p.visible()
	blocks := p.blocks()
	p.place(blocks, vis)
	for i := p.Top; i < len(blocks) && len(lines) < 1+vis; i++ {
		for _, l := range blocks[i] {
			if len(lines) < 1+vis {
				lines = append(lines, l)
			}
		}
	}
	if p.reasoning {
		for len(lines) < 1+vis {
			lines = append(lines, "")
		}
		lines = append(lines, p.input.View())
	}
	return common.Block(lines, p.width, p.high)
}

// blocks are the edits' rows: every message wrapped in full when they all
// fit the pane, else the one under the cursor wrapped and the others on
// a line each; the coder reads a message without opening each one.
func (p *editsPane) blocks() [][]string {
	st := p.c.Styles
	n := len(p.w.Edits)
	plain, styled := make([]string, n), make([]string, n)
	wrapped := make([][]string, n)
	total := 0
	for i, e := range p.w.Edits {
		sev, sty := "E", st.Error
		switch {
		case e.Overridden != nil:
			sev, sty = "✓", st.Overridden
		case e.Severity == encounter.Warning:
			sev, sty = "W", st.Warning
		case e.Severity == encounter.Info:
			sev, sty = "i", st.Info
		}
		msg := common.OneLine(e.Message)
		if e.Overridden != nil {
			msg = "overridden: " + common.OneLine(e.Overridden.Reason) + " — " + msg
		}
		tgt := common.TargetShort(common.OneLine(e.Target))
		if tgt != "" {
			tgt += " "
		}
		rule := common.OneLine(e.Rule)
		if p.width < wideEdits {
			// Narrow: the message says more than the rule's id (the
			// detail pane shows both), without repeating the target.
			rule = ""
			if tgt != "" && e.Overridden == nil {
				msg = dropLead(msg)
			}
		}
		plain[i] = fmt.Sprintf(" %s %s%s%s", sev, tgt, rulePrefix(rule), msg)
		styledRule := ""
		if rule != "" {
			styledRule = st.Bold.Render(rule) + ": "
		}
		styled[i] = fmt.Sprintf(" %s %s%s%s", sty.Render(sev), tgt, styledRule, msg)
		// Continuation lines go under the message, after the marker.
		body := strings.Split(ansi.Wordwrap(tgt+rulePrefix(rule)+msg, max(p.width-3, 8), " "), "\n")
		for k, l := range body {
			if k == 0 {
				body[k] = " " + sev + " " + l
			} else {
				body[k] = "   " + l
			}
		}
		wrapped[i] = body
		total += len(body)
	}
	all := total <= p.visible()
	out := make([][]string, n)
	for i := range out {
		switch {
		case i == p.Cur:
			cursor := st.RowCursorDim
			if p.focus {
				cursor = st.RowCursor
			}
			for _, l := range wrapped[i] {
				out[i] = append(out[i], cursor.Render(common.Fit(l, p.width)))
			}
		case all && len(wrapped[i]) > 1:
			out[i] = wrapped[i]
		default:
			out[i] = []string{styled[i]}
		}
	}
	return out
}

// place scrolls so the cursor's edit shows whole when it can.
func (p *editsPane) place(blocks [][]string, vis int) {
	if p.Cur >= len(blocks) {
		return
	}
	if p.Cur < p.Top {
		p.Top = p.Cur
	}
	for p.Top < p.Cur {
		h := 0
		for i := p.Top; i <= p.Cur; i++ {
			h += len(blocks[i])
		}
		if h <= vis {
			break
		}
		p.Top++
	}
}

// wideEdits is the pane width from which edit rows name their rule.
const wideEdits = 90

func rulePrefix(rule string) string {
	if rule == "" {
		return ""
	}
	return rule + ": "
}

// dropLead removes what a message starts with when the row's target says
// it already: "line 1: " or a code ("E11.22: ").
func dropLead(msg string) string {
	lead, rest, ok := strings.Cut(msg, ": ")
	if !ok || rest == "" {
		return msg
	}
	// "line 2" or "line 2 (11042)", never a sentence that happens to
	// start with "line".
	if n, ok := strings.CutPrefix(lead, "line "); ok {
		num, _, _ := strings.Cut(n, " ")
		if _, err := strconv.Atoi(num); err == nil && len(lead) <= 24 && !strings.Contains(n, ") ") {
			return rest
		}
		return msg
	}
	if len(lead) <= 9 && !strings.Contains(lead, " ") {
		return rest
	}
	return msg
}

// notOverridableWhy says why no reason makes an edit acceptable.
func notOverridableWhy(e encounter.Edit) string {
	switch {
	case strings.HasPrefix(e.Rule, "claim.") || strings.HasPrefix(e.Rule, "line.") || strings.HasPrefix(e.Rule, "payer."):
		return "no reason makes the claim form or the payer accept it"
	case strings.HasPrefix(e.Rule, "code."):
		return "the code is not valid on the date of service"
	case strings.HasPrefix(e.Rule, "icd."):
		return "the guidelines allow no exception"
	}
	return "it is a fact about the claim, not a judgement"
}
