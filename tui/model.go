package tui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codebench/codesets"
	"codebench/tui/common"
	"codebench/tui/dialog"
	"codebench/tui/keymap"
	"codebench/tui/prefs"
	"codebench/tui/styles"
	"codebench/tui/work"
	"codebench/tui/worklist"
)

type screen int

const (
	screenWorklist screen = iota
	screenCoding
)

// Model is one coder's workbench session.
type Model struct {
	c     common.Common
	w     *work.Work
	prefs *prefs.Prefs

	screen   screen
	worklist *worklist.Model
	doc      *docPane
	search   *searchPane
	detail   *detailPane
	claim    *claimPane
	edits    *editsPane
	panes    [paneCount]pane
	focus    int
	zoom     bool
	// searchFrom is the pane the coder came to the search from; esc there
	// goes back to it.
	searchFrom int

	showHelp bool
	helpTop  int
	confirm  *dialog.Export

	status    string
	statusErr bool

	opening      string
	saving       bool
	saveErr      error
	savedAt      time.Time
	closing      closeAction
	forceClose   bool
	refused      closeAction // a close refused for unsaved changes; asking again forces it
	exportWanted bool
	lastExport   string
	renewGen     int
	quitting     bool
}

// New builds a session's model. It starts on the worklist.
func New(o Options) *Model {
	c := newCommon(o)
	m := &Model{c: c, w: &work.Work{}, prefs: &prefs.Prefs{}}
	m.worklist = worklist.New(&m.c)
	m.doc = newDocPane(&m.c, m.w)
	m.search = newSearchPane(&m.c, m.w, m.prefs)
	m.detail = newDetailPane(&m.c, m.w)
	m.claim = newClaimPane(&m.c, m.w)
	m.edits = newEditsPane(&m.c, m.w)
	m.panes = [paneCount]pane{m.doc, m.search, m.detail, m.claim, m.edits}
	m.layout()
	m.syncKeys()
	return m
}

// Init loads the worklist and the coder's favourites and asks the terminal
// for its background colour.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.worklist.Load(), m.worklist.Tick(), m.loadPrefs())
}

// Coder is the session's coder id.
func (m *Model) Coder() string { return m.c.Coder }

func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	if m.w.Enc != nil && len(m.w.Changes) > 0 {
		// Every change: validate now (the edits pane is always current),
		// then autosave.
		m.w.Validate(m.c.Validate)
		m.edits.follow()
		if e, ok := m.edits.current(); ok && m.detail.edit != nil {
			m.detail.showEdit(e)
		}
		cmd = tea.Batch(cmd, m.save())
	}
	m.syncKeys()
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.Width, m.c.Height = msg.Width, msg.Height
		m.layout()
		return nil
	case tea.BackgroundColorMsg:
		*m.c.Styles = *styles.New(msg.IsDark(), m.c.Styles.NoColor)
		m.search.applyStyles()
		m.claim.applyStyles()
		m.edits.applyStyles()
		m.detail.render()
		return nil
	case StopMsg:
		m.c.Logger.Info("session stopping", "reason", msg.Reason)
		m.forceClose = true
		m.confirm = nil
		return m.close(closeQuit)
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.PasteMsg:
		if m.screen == screenWorklist && !m.showHelp {
			return m.worklist.Update(msg)
		}
		if m.screen == screenCoding && m.confirm == nil && !m.showHelp {
			return m.panes[m.focus].Update(msg)
		}
		return nil
	case common.StatusMsg:
		m.status, m.statusErr = msg.Text, msg.Err
		return nil
	case IndexProgress:
		m.search.building = msg
		return nil
	case IndexReady:
		m.search.building = IndexProgress{}
		if msg.Err != nil {
			m.search.err = fmt.Errorf("search index unavailable: %w", msg.Err)
			return common.Fail(m.search.err)
		}
		m.c.Searcher = msg.Searcher
		m.search.err = nil
		return tea.Batch(m.search.searchNow(), common.Say("search index ready"))
	case worklist.ListMsg:
		return m.worklist.Update(msg)
	case worklist.RefreshTickMsg:
		if m.screen != screenWorklist {
			return nil
		}
		return m.worklist.Update(msg)
	case prefsMsg:
		if msg.err != nil {
			return common.Fail(fmt.Errorf("favourites not loaded: %w", msg.err))
		}
		*m.prefs = msg.p
		m.search.refreshTags()
		return nil
	case worklist.OpenMsg:
		if m.opening != "" {
			return nil
		}
		m.opening = msg.ID
		return tea.Batch(m.openCmd(msg.ID, msg.TakeOver), common.Say("opening %s…", msg.ID))
	case openedMsg:
		return m.opened(msg)
	case nextMsg:
		if msg.err != nil {
			return tea.Batch(common.Fail(msg.err), m.worklist.Load())
		}
		m.worklist.Update(worklist.ListMsg{Items: msg.items})
		if msg.id == "" {
			done := ""
			if m.lastExport != "" {
				done = "exported " + m.lastExport + " · "
				m.lastExport = ""
			}
			return tea.Batch(common.Say("%sworklist done: nothing left to code", done), m.worklist.Tick())
		}
		m.opening = msg.id
		return m.openCmd(msg.id, false)
	case savedMsg:
		return m.saved(msg)
	case reclaimedMsg:
		return m.reclaimed(msg)
	case renewTickMsg:
		if msg.gen != m.renewGen {
			return nil
		}
		return m.renew()
	case renewedMsg:
		return m.renewed(msg)
	case releasedMsg:
		return m.released(msg)
	case exportDocMsg:
		if m.confirm != nil {
			m.confirm.SetDoc(msg.doc, msg.err)
		}
		return nil
	case dialog.ConfirmMsg:
		return m.confirmed()
	case dialog.CancelMsg:
		m.confirm = nil
		return common.Say("export cancelled")
	case exportedMsg:
		return m.exported(msg)
	case pickMsg:
		if msg.replace > 0 {
			return m.recode(msg.replace-1, msg.code)
		}
		return m.pick(msg.code)
	case showCodeMsg:
		m.detail.show(msg.code)
		m.detail.replace = msg.replace
		if msg.focus {
			m.setFocus(paneDetail)
		}
		return nil
	case docSearchMsg:
		m.setFocus(paneSearch)
		cmd := m.search.setQuery(msg.query)
		m.search.commit()
		// Shown selected, as after a pick: typing replaces the words, a
		// cursor key keeps them to refine.
		m.search.selectQuery()
		m.doc.setTerms(msg.query)
		return cmd
	case showEditMsg:
		m.detail.showEdit(msg.edit)
		return nil
	case gotoTargetMsg:
		return m.gotoTarget(msg.target)
	case showEvidenceMsg:
		if msg.dx < len(m.w.Enc.Diagnoses) && m.doc.showEvidence(m.w.Enc.Diagnoses[msg.dx].Evidence) {
			m.setFocus(paneDoc)
			return nil
		}
		return common.Fail(common.Refuse("the evidence no longer matches the documentation"))
	case searchTickMsg, searchResultMsg:
		cmd := m.search.Update(msg)
		if r, ok := msg.(searchResultMsg); ok && r.seq == m.search.seq {
			m.doc.setTerms(r.query)
		}
		return cmd
	}
	return nil
}

// typing tells whether a text input has the keys: the search input
// (whenever the search pane has the focus), or a modal editor (claim
// values, override reason).
func (m *Model) typing() (search, modal bool) {
	if m.screen == screenWorklist && !m.showHelp {
		return false, m.worklist.Typing()
	}
	if m.screen != screenCoding || m.confirm != nil || m.showHelp {
		return false, false
	}
	return m.focus == paneSearch, m.claim.typing() || m.edits.typing()
}

// syncKeys disables the bindings that clash with typing, so they neither
// fire nor show in the help while an input has the focus.
func (m *Model) syncKeys() {
	search, modal := m.typing()
	typing := search || modal
	k := m.c.KeyMap
	for _, b := range []*key.Binding{&k.FocusPane, &k.Zoom, &k.Search, &k.Close} {
		b.SetEnabled(!typing)
	}
	// ? is typed into an input; f1 shows the keys from anywhere.
	if typing {
		k.Help.SetKeys("f1")
		k.Help.SetHelp("f1", "all keys")
	} else {
		k.Help.SetKeys("?", "f1")
		k.Help.SetHelp("?", "all keys")
	}
	k.NextPane.SetEnabled(!modal)
	k.PrevPane.SetEnabled(!modal)
	k.Export.SetEnabled(!modal && m.screen == screenCoding)
}

func (m *Model) key(km tea.KeyPressMsg) tea.Cmd {
	k := m.c.KeyMap
	m.status, m.statusErr = "", false // a key acknowledges the last message
	if key.Matches(km, k.Quit) {
		if m.closing == closeQuit || m.refused == closeQuit {
			m.forceClose = true // second ctrl+c: quit even if unsaved
		}
		m.refused = closeQuit
		return m.close(closeQuit)
	}
	if m.showHelp {
		switch {
		case key.Matches(km, k.Help), km.String() == "esc", km.String() == "q":
			m.showHelp = false
		case key.Matches(km, k.Down):
			m.helpTop++
		case key.Matches(km, k.Up):
			m.helpTop = max(m.helpTop-1, 0)
		case key.Matches(km, k.PageDown):
			m.helpTop += max(m.c.Height-3, 1)
		case key.Matches(km, k.PageUp):
			m.helpTop = max(m.helpTop-max(m.c.Height-3, 1), 0)
		case key.Matches(km, k.Top):
			m.helpTop = 0
		case key.Matches(km, k.Bottom):
			m.helpTop = 1 << 20 // helpView clamps
		}
		return nil
	}
	if m.confirm != nil {
		return m.confirm.Update(km)
	}
	if m.screen == screenWorklist {
		switch {
		case key.Matches(km, k.Help): // only f1 while the find input types
			m.showHelp, m.helpTop = true, 0
			return nil
		case m.worklist.Typing():
		case km.String() == "q":
			return m.close(closeQuit)
		}
		return m.worklist.Update(km)
	}
	if m.closing != closeNone {
		return nil // saving and releasing; keys would change a closing encounter
	}
	if km.Mod == tea.ModAlt && km.Code >= '1' && km.Code <= '5' {
		// esc then a pane digit typed fast (or over a slow link) arrives
		// as one alt+digit: do both.
		esc := m.key(tea.KeyPressMsg{Code: tea.KeyEscape})
		m.syncKeys() // the digits are live once the input is left
		return tea.Batch(esc, m.key(tea.KeyPressMsg{Code: km.Code, Text: string(km.Code)}))
	}
	search, modal := m.typing()
	switch {
	case key.Matches(km, k.Help):
		m.showHelp, m.helpTop = true, 0
		return nil
	case modal:
		return m.panes[m.focus].Update(km)
	case m.focus == paneDetail && m.detail.offers(km.Text):
		// A 7th character typed in the picker: 1-5, q and z are
		// characters there (obstetric fetus numbers, malunion).
		return m.detail.Update(km)
	case key.Matches(km, k.NextPane):
		return m.setFocus((m.focus + 1) % paneCount)
	case key.Matches(km, k.PrevPane):
		return m.setFocus((m.focus + paneCount - 1) % paneCount)
	case key.Matches(km, k.Export):
		return m.startExport()
	case key.Matches(km, k.Undo):
		return m.undo()
	case search && key.Matches(km, k.LeaveSearch):
		return m.setFocus(m.searchFrom)
	case search:
		cmd := m.search.Update(km)
		if strings.TrimSpace(m.search.input.Value()) == "" {
			m.doc.setTerms("")
		}
		return cmd
	case key.Matches(km, k.FocusPane):
		for i, d := range keymap.PaneKeys {
			if km.String() == d {
				return m.setFocus(i)
			}
		}
		return nil
	case key.Matches(km, k.Search):
		return m.setFocus(paneSearch)
	case key.Matches(km, k.Zoom):
		m.zoom = !m.zoom
		m.layout()
		if !m.zoom {
			return nil
		}
		return common.Say("%s zoomed; z restores the layout", paneNames[m.focus])
	case key.Matches(km, k.Close):
		if m.refused == closeToWorklist {
			m.forceClose = true
		}
		m.refused = closeToWorklist
		return m.close(closeToWorklist)
	}
	m.refused = closeNone
	return m.panes[m.focus].Update(km)
}

func (m *Model) setFocus(i int) tea.Cmd {
	was := m.focus
	m.focus = i
	m.doc.focus = i == paneDoc
	m.search.setFocus(i == paneSearch)
	if i == paneSearch && was != paneSearch {
		m.searchFrom = was
		m.search.selectQuery() // typing starts a new search
	}
	m.detail.focus = i == paneDetail
	m.claim.focus = i == paneClaim
	m.edits.focus = i == paneEdits
	if m.zoom {
		m.layout()
	}
	if i == paneEdits && was != paneEdits && m.w.Enc != nil {
		m.edits.follow()
		return m.edits.showCurrent()
	}
	return nil
}

// pick adds a code to the claim: diagnoses for ICD-10-CM, lines for the
// others. A header or a code that needs a 7th character opens the detail
// pane to choose.
func (m *Model) pick(c *codesets.Code) tea.Cmd {
	if m.w.Enc == nil {
		return common.Fail(common.Refuse("open an encounter first"))
	}
	if c.System == codesets.ICD10CM && (!c.Billable || c.NeedsSeventh()) {
		m.detail.code = nil
		m.detail.show(c)
		m.setFocus(paneDetail)
		if len(m.detail.choices) > 0 {
			if m.detail.picker() {
				return common.Say("%s needs a 7th character: type it or choose with ↑↓ enter", c.Display())
			}
			return common.Say("%s is a header, not billable: choose one of its codes", c.Display())
		}
		return common.Fail(common.Refuse("%s is not billable", c.Display()))
	}
	var err error
	if c.System == codesets.ICD10CM {
		hadSpan := m.w.Span != nil
		if err = m.w.AddDiagnosis(c); err == nil {
			m.detail.show(c) // the code added, not the picker it came from
			n := len(m.w.Enc.Diagnoses)
			m.claim.selectDiagnosis(n - 1)
			m.doc.clearSelection()
			m.touch(c)
			if m.focus == paneDetail {
				// Back to the search the code came from; esc there still
				// leads where the coder was before searching.
				from := m.searchFrom
				m.setFocus(paneSearch)
				m.searchFrom = from
			}
			ev := ""
			if hadSpan {
				ev = " with evidence"
			}
			m.search.selectQuery()
			return tea.Batch(savePrefs(&m.c, *m.prefs), common.Say("%s added as diagnosis %s%s", c.Display(), common.Letter(n), ev))
		}
	} else if err = m.w.AddLine(c); err == nil {
		n := len(m.w.Enc.Lines)
		m.claim.selectLine(n - 1)
		m.touch(c)
		m.search.selectQuery()
		return tea.Batch(savePrefs(&m.c, *m.prefs), common.Say("%s added as line %d: link its pointers (4, p)", c.Display(), n))
	}
	return common.Fail(err)
}

// undo takes back the latest change to the claim.
func (m *Model) undo() tea.Cmd {
	detail, err := m.w.UndoLast()
	if err != nil {
		return common.Fail(err)
	}
	m.claim.follow()
	return tea.Batch(m.claim.showRow(), common.Say("undone: %s", detail))
}

// recode replaces diagnosis i with c, from the detail pane opened on it.
func (m *Model) recode(i int, c *codesets.Code) tea.Cmd {
	if c.System == codesets.ICD10CM && (!c.Billable || c.NeedsSeventh()) {
		m.detail.drill(c)
		return common.Fail(common.Refuse("%s is not billable: choose one of its codes", c.Display()))
	}
	if i < len(m.w.Enc.Diagnoses) && codesets.Canonical(m.w.Enc.Diagnoses[i].Code) == c.Code {
		m.setFocus(paneClaim)
		return common.Say("diagnosis %s is already %s", common.Letter(i+1), c.Display())
	}
	if err := m.w.ReplaceDiagnosis(i, c); err != nil {
		return common.Fail(err)
	}
	m.detail.show(c)
	m.claim.selectDiagnosis(i)
	m.touch(c)
	m.setFocus(paneClaim)
	return tea.Batch(savePrefs(&m.c, *m.prefs), common.Say("diagnosis %s recoded as %s", common.Letter(i+1), c.Display()))
}

func (m *Model) touch(c *codesets.Code) {
	m.prefs.Touch(c.Code)
	m.search.refreshTags()
}

// gotoTarget selects the claim row an edit is about.
func (m *Model) gotoTarget(t string) tea.Cmd {
	kind, n, _ := strings.Cut(t, ":")
	var i int
	if _, err := fmt.Sscan(n, &i); err != nil || i < 1 {
		return common.Say("%s is about the whole claim", common.TargetName(t))
	}
	switch kind {
	case "dx":
		if i <= m.claim.ndx() {
			m.claim.selectDiagnosis(i - 1)
			m.setFocus(paneClaim)
			return nil
		}
	case "line":
		if i <= m.claim.nlines() {
			m.claim.selectLine(i - 1)
			m.setFocus(paneClaim)
			return nil
		}
	}
	return common.Fail(errors.New(common.TargetName(t) + " is no longer on the claim"))
}

// zoomEditsHeight is the edits strip kept under a zoomed pane.
func (m *Model) zoomEditsHeight(bodyH int) int {
	if m.focus == paneEdits {
		return 0
	}
	return min(max(bodyH/5, 3), 6)
}

// layout sizes the panes. Below 120 columns: documentation over claim on
// the left, search over detail over edits on the right; from 120: three
// columns. A zoomed pane takes the whole body.
func (m *Model) layout() {
	W, H := m.c.Width, m.c.Height
	bodyH := max(H-2, 4)
	m.worklist.SetSize(W, bodyH)
	if m.zoom {
		// The edits stay on screen under a zoomed pane.
		eh := m.zoomEditsHeight(bodyH)
		m.panes[m.focus].SetSize(W, bodyH-eh)
		if eh > 0 {
			m.edits.SetSize(W, eh)
		}
		return
	}
	for i, r := range m.rects(W, bodyH) {
		m.panes[i].SetSize(r.w, r.h)
	}
}

type rect struct{ x, y, w, h int }

func (m *Model) rects(W, H int) [paneCount]rect {
	var r [paneCount]rect
	if W >= 120 {
		lw := W * 36 / 100
		mw := (W - lw - 2) / 2
		rw := W - lw - mw - 2
		sh := H / 2
		ch := H * 3 / 5
		r[paneDoc] = rect{0, 0, lw, H}
		r[paneSearch] = rect{lw + 1, 0, mw, sh}
		r[paneDetail] = rect{lw + 1, sh, mw, H - sh}
		r[paneClaim] = rect{lw + mw + 2, 0, rw, ch}
		r[paneEdits] = rect{lw + mw + 2, ch, rw, H - ch}
		return r
	}
	lw := W / 2
	rw := W - lw - 1
	dh := H - H/2
	eh := max(H/4, 3)
	sh := (H - eh) * 3 / 5
	r[paneDoc] = rect{0, 0, lw, dh}
	r[paneClaim] = rect{0, dh, lw, H - dh}
	r[paneSearch] = rect{lw + 1, 0, rw, sh}
	r[paneDetail] = rect{lw + 1, sh, rw, H - sh - eh}
	r[paneEdits] = rect{lw + 1, H - eh, rw, eh}
	return r
}

// View draws the screen: header, body, status line.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "codebench"
	if m.w.Enc != nil {
		v.WindowTitle = "codebench · " + common.OneLine(m.w.Enc.ID)
	}
	return v
}

func (m *Model) render() string {
	W, H := m.c.Width, m.c.Height
	if W < 40 || H < 10 {
		msg := fmt.Sprintf("codebench needs at least 40x10 (80x24 is best); the terminal is %dx%d", W, H)
		return ansi.Hardwrap(ansi.Wordwrap(msg, max(W, 1), " "), max(W, 1), true)
	}
	bodyH := max(H-2, 4)
	var body string
	switch {
	case m.screen == screenWorklist:
		body = m.worklist.View()
	case m.zoom:
		body = m.panes[m.focus].View()
		if m.zoomEditsHeight(bodyH) > 0 {
			body += "\n" + m.edits.View()
		}
	default:
		body = m.composeBody(W, bodyH)
	}
	switch {
	case m.showHelp:
		body = m.helpView(W, bodyH)
	case m.confirm != nil:
		body = dialog.Overlay(body, m.confirm.View(W, bodyH), W, bodyH)
	}
	return m.header(W) + "\n" + body + "\n" + m.footer(W)
}

// composeBody joins the panes in their columns.
func (m *Model) composeBody(W, H int) string {
	r := m.rects(W, H)
	views := [paneCount][]string{}
	for i, p := range m.panes {
		views[i] = strings.Split(p.View(), "\n")
	}
	sep := m.c.Styles.Separator.Render("│")
	lines := make([]string, H)
	for y := 0; y < H; y++ {
		var b strings.Builder
		x := 0
		for _, i := range columnsOrder(W) {
			pr := r[i]
			if y < pr.y || y >= pr.y+pr.h {
				continue
			}
			if pr.x > x {
				b.WriteString(sep)
				x = pr.x
			}
			line := ""
			if y-pr.y < len(views[i]) {
				line = views[i][y-pr.y]
			}
			b.WriteString(line)
			x += pr.w
		}
		lines[y] = b.String()
	}
	return strings.Join(lines, "\n")
}

// columnsOrder lists the panes left to right.
func columnsOrder(W int) []int {
	if W >= 120 {
		return []int{paneDoc, paneSearch, paneDetail, paneClaim, paneEdits}
	}
	return []int{paneDoc, paneClaim, paneSearch, paneDetail, paneEdits}
}

func (m *Model) header(W int) string {
	st := m.c.Styles
	if m.screen == screenWorklist || m.w.Enc == nil {
		return st.Header.Render(common.Fit(fmt.Sprintf(" codebench · coder %s", common.OneLine(m.c.Coder)), W))
	}
	e := m.w.Enc
	age := ""
	if !e.Patient.DateOfBirth.IsZero() && !e.Service.From.IsZero() {
		age = fmt.Sprintf(" %dy", e.Patient.AgeOn(e.Service.From))
	}
	left := fmt.Sprintf(" %s · %s %s%s · DOS %s · %s", common.OneLine(e.ID), common.OneLine(e.Patient.Name), common.OneLine(e.Patient.Sex), age, e.Service.From, common.OneLine(e.Provider.Name))
	var right string
	switch {
	case m.w.ReadOnly != "":
		right = "read-only"
	case m.saveErr != nil:
		right = "NOT SAVED"
	case m.saving || len(m.w.Changes) > 0:
		right = fmt.Sprintf("r%d saving…", e.Revision)
	default:
		right = fmt.Sprintf("r%d saved", e.Revision)
	}
	right = " " + common.StatusLabel(m.w.Sum.Status) + " · " + right + " "
	room := W - len([]rune(right))
	return st.Header.Render(common.Fit(left, max(room, 0))) + st.HeaderDim.Render(common.Fit(right, W-max(room, 0)))
}

func (m *Model) footer(W int) string {
	st := m.c.Styles
	if m.status != "" {
		s := st.Status
		if m.statusErr {
			s = st.StatusError
		}
		return s.Render(common.Fit(" "+common.OneLine(m.status), W))
	}
	return m.shortHelp(W)
}
