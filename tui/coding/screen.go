// Package coding is the coding screen: for the open encounter, the
// documentation, code search, code detail, the claim being built and its
// edits, one file per pane. The panes talk by messages (pickMsg,
// showCodeMsg, gotoTargetMsg, ...), which the Screen routes; every change
// to the claim goes through work. The root keeps the session (open, save,
// close, export) and the keys that act everywhere.
package coding

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"codebench/codesets"
	"codebench/codesets/icdtables"
	"codebench/tui/browse"
	"codebench/tui/common"
	"codebench/tui/keymap"
	"codebench/tui/prefs"
	"codebench/tui/work"
)

// Screen is the coding screen of one session.
type Screen struct {
	c     *common.Common
	w     *work.Work
	prefs *prefs.Prefs

	width, high int

	doc    *docPane
	search *searchPane
	detail *detailPane
	claim  *claimPane
	edits  *editsPane
	panes  [PaneCount]pane
	focus  int
	zoom   bool
	// searchFrom is the pane the coder came to the search from; esc there
	// goes back to it.
	searchFrom int

	// grid is the Neoplasm or Drug table shown over the panes (ctrl+b);
	// gridKind the table shown last; zoomedForTab tells that opening the
	// Tabular List zoomed the detail pane (browse.go).
	grid         *browse.Grid
	gridKind     icdtables.Kind
	zoomedForTab bool

	composed composed
}

// New builds the coding screen over the session's open encounter and the
// coder's favourites.
func New(c *common.Common, w *work.Work, p *prefs.Prefs) *Screen {
	s := &Screen{c: c, w: w, prefs: p}
	s.doc = newDocPane(c, w)
	s.search = newSearchPane(c, w, p)
	s.detail = newDetailPane(c, w)
	s.claim = newClaimPane(c, w)
	s.edits = newEditsPane(c, w)
	s.panes = [PaneCount]pane{s.doc, s.search, s.detail, s.claim, s.edits}
	return s
}

// SetSize lays the panes out in w x h cells.
func (s *Screen) SetSize(w, h int) {
	s.width, s.high = w, h
	s.layout()
}

// ApplyStyles restyles the panes after the theme changed.
func (s *Screen) ApplyStyles() {
	s.search.applyStyles()
	s.claim.applyStyles()
	s.edits.applyStyles()
	s.detail.render()
}

// RefreshTags marks favourites again after the coder's preferences loaded.
func (s *Screen) RefreshTags() { s.search.refreshTags() }

// SetIndexProgress shows the search index being built.
func (s *Screen) SetIndexProgress(p common.IndexProgress) { s.search.building = p }

// IndexReady takes the search index (already in Common) or says why there
// is none, and searches what was typed meanwhile.
func (s *Screen) IndexReady(err error) tea.Cmd {
	s.search.building = common.IndexProgress{}
	if err != nil {
		s.search.err = err
		return common.Fail(err)
	}
	s.search.err = nil
	return tea.Batch(s.search.searchNow(), common.Say("search index ready"))
}

// Reset shows a newly opened encounter: documentation from the top, the
// claim's first row, an empty search, and the focus where the coder's
// first key goes (openingFocus).
func (s *Screen) Reset() {
	s.dropBrowsers()
	s.zoom = false
	s.doc.reset()
	s.claim.row, s.claim.top = 0, 0
	s.edits.Cur, s.edits.Top = 0, 0
	s.detail.show(nil)
	s.search.input.SetValue("")
	s.search.seq++
	s.search.stop()
	s.search.showPrefs()
	s.doc.setTerms("")
	s.setFocus(PaneDoc)
	if f := s.openingFocus(); f != PaneDoc {
		s.setFocus(f) // esc from the search goes back to the documentation
	}
	s.layout()
}

// openingFocus is the pane a chart opens in: an uncoded chart in the
// search, its documentation in view beside it (the coder's first key is a
// code; esc or 1 moves into the documentation); a chart that came coded
// (charge capture) in the claim, for review from diagnosis A; an
// exported or read-only one in the documentation.
func (s *Screen) openingFocus() int {
	e := s.w.Enc
	switch {
	case e == nil || s.w.ReadOnly != "":
		return PaneDoc
	case len(e.Diagnoses) == 0 && len(e.Lines) == 0:
		return PaneSearch
	default:
		return PaneClaim
	}
}

// Closed forgets the encounter's code in the detail pane and its
// browsers.
func (s *Screen) Closed() {
	s.dropBrowsers()
	s.detail.show(nil)
}

// Validated follows the edits after the claim was validated again.
func (s *Screen) Validated() {
	s.edits.follow()
	if e, ok := s.edits.current(); ok && s.detail.edit != nil {
		s.detail.showEdit(e)
	}
}

// Typing tells whether a text input has the keys: the search input
// (whenever the search pane has the focus), or a modal editor (claim
// values, override reason).
func (s *Screen) Typing() (search, modal bool) {
	return s.focus == PaneSearch && s.grid == nil, s.claim.typing() || s.edits.typing() || s.grid != nil
}

// Claims tells whether the screen takes km before the keys that act
// everywhere: an open editor does, and the 7th-character picker for the
// characters it offers (q is malunion there, not close).
func (s *Screen) Claims(km tea.KeyPressMsg) bool {
	_, modal := s.Typing()
	return modal || s.focus == PaneDetail && s.detail.offers(km.Text)
}

// ShortHelp is the focused pane's keys, or the open table's.
func (s *Screen) ShortHelp() []key.Binding {
	if s.grid != nil {
		return s.grid.ShortHelp()
	}
	return s.panes[s.focus].ShortHelp()
}

// HelpGroup is one pane's keys on the help screen.
type HelpGroup struct {
	Name string
	Keys []key.Binding
}

// HelpGroups lists every pane's keys.
func (s *Screen) HelpGroups() []HelpGroup {
	flat := func(g [][]key.Binding) []key.Binding {
		var out []key.Binding
		for _, x := range g {
			out = append(out, x...)
		}
		return out
	}
	return []HelpGroup{
		{"1 Documentation", flat(s.doc.FullHelp())},
		{"2 Search", flat(s.search.FullHelp())},
		{"3 Detail", append(flat(s.detail.FullHelp()), key.NewBinding(key.WithKeys("A"), key.WithHelp("A-Z 0-9", "7th character")))},
		{"4 Claim", flat(s.claim.FullHelp())},
		{"5 Edits", flat(s.edits.FullHelp())},
		{"Tables (ctrl+b)", append([]key.Binding{s.c.KeyMap.Tables}, (&browse.Grid{}).ShortHelp()...)},
	}
}

// Update routes the screen's messages to the panes that own them, and the
// keys the root passed on.
// Superseded tells whether msg is a search's debounce tick or result
// that a later key has overtaken: the search pane drops it and nothing
// on screen changes. At six keys a second every key but a query's last
// has such a tick.
func (s *Screen) Superseded(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case searchTickMsg:
		return msg.seq != s.search.seq
	case searchResultMsg:
		return msg.seq != s.search.seq
	}
	return false
}

func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return s.key(msg)
	case tea.PasteMsg:
		return s.panes[s.focus].Update(msg)
	case pickMsg:
		if msg.replace > 0 {
			return s.recode(msg.replace-1, msg.code)
		}
		if msg.entry != nil {
			return s.addEntry(*msg.entry)
		}
		return s.pick(msg.code, msg.at)
	case addNamedMsg:
		return s.addNamed(msg)
	case showCodeMsg:
		s.detail.show(msg.code)
		s.detail.replace = msg.replace
		if msg.focus {
			s.setFocus(PaneDetail)
		}
		return nil
	case docSearchMsg:
		s.setFocus(PaneSearch)
		cmd := s.search.setQuery(msg.query)
		s.search.commit()
		// Shown selected, as after a pick: typing replaces the words, a
		// cursor key keeps them to refine.
		s.search.selectQuery()
		s.doc.setTerms(msg.query)
		return cmd
	case showEditMsg:
		s.detail.showEdit(msg.edit)
		return nil
	case gotoTargetMsg:
		return s.gotoTarget(msg.target)
	case showEvidenceMsg:
		if s.w.Enc != nil && msg.dx < len(s.w.Enc.Diagnoses) && s.doc.showEvidence(s.w.Enc.Diagnoses[msg.dx].Evidence) {
			s.setFocus(PaneDoc)
			return nil
		}
		return common.Fail(common.Refuse("the evidence no longer matches the documentation"))
	case browse.PickMsg, browse.CloseMsg:
		return s.browseMsg(msg)
	case searchTickMsg, searchResultMsg:
		cmd := s.search.Update(msg)
		if r, ok := msg.(searchResultMsg); ok && r.seq == s.search.seq {
			s.doc.setTerms(r.query)
		}
		return cmd
	}
	return nil
}

// key handles a key of the coding screen; the root has taken the keys
// that act everywhere (help, export, close).
func (s *Screen) key(km tea.KeyPressMsg) tea.Cmd {
	k := s.c.KeyMap
	if km.Mod == tea.ModAlt && km.Code >= '1' && km.Code <= '5' {
		// esc then a pane digit typed fast (or over a slow link) arrives
		// as one alt+digit: do both.
		esc := s.key(tea.KeyPressMsg{Code: tea.KeyEscape})
		digit := tea.KeyPressMsg{Code: km.Code, Text: string(km.Code)}
		if s.focus == PaneDetail && s.detail.offers(digit.Text) {
			return tea.Batch(esc, s.detail.Update(digit))
		}
		return tea.Batch(esc, s.setFocus(int(km.Code-'1')))
	}
	if s.grid != nil {
		return s.grid.Update(km)
	}
	search, modal := s.Typing()
	switch {
	case modal:
		return s.panes[s.focus].Update(km)
	case key.Matches(km, k.Tables):
		return s.openGrid()
	case s.focus == PaneDetail && s.detail.tab == nil && !search && key.Matches(km, k.Tabular) && !s.detail.offers(km.Text):
		return s.openTabular()
	case s.focus == PaneDetail && s.detail.offers(km.Text):
		// A 7th character typed in the picker: 1-5, q and z are
		// characters there (obstetric fetus numbers, malunion).
		return s.detail.Update(km)
	case key.Matches(km, k.NextPane):
		return s.setFocus((s.focus + 1) % PaneCount)
	case key.Matches(km, k.PrevPane):
		return s.setFocus((s.focus + PaneCount - 1) % PaneCount)
	case key.Matches(km, k.Undo):
		return s.undo()
	case search && key.Matches(km, k.LeaveSearch):
		return s.setFocus(s.searchFrom)
	case search && slices.Contains(k.Search.Keys(), km.String()) && s.search.queryReplaceable():
		// Already here (the chart opened in the search): / is not a
		// query. The binding itself is off while the input has focus.
		return nil
	case search:
		cmd := s.search.Update(km)
		if strings.TrimSpace(s.search.input.Value()) == "" {
			s.doc.setTerms("")
		}
		return cmd
	case key.Matches(km, k.FocusPane):
		for i, d := range keymap.PaneKeys {
			if km.String() == d {
				return s.setFocus(i)
			}
		}
		return nil
	case key.Matches(km, k.Search):
		return s.setFocus(PaneSearch)
	case key.Matches(km, k.Zoom):
		s.zoom = !s.zoom
		s.layout()
		if !s.zoom {
			return nil
		}
		return common.Say("%s zoomed; z restores the layout", PaneNames[s.focus])
	}
	return s.panes[s.focus].Update(km)
}

func (s *Screen) setFocus(i int) tea.Cmd {
	was := s.focus
	s.focus = i
	s.doc.focus = i == PaneDoc
	s.search.setFocus(i == PaneSearch)
	if i == PaneSearch && was != PaneSearch {
		s.searchFrom = was
		s.search.selectQuery() // typing starts a new search
	}
	s.detail.focus = i == PaneDetail
	s.claim.focus = i == PaneClaim
	s.edits.focus = i == PaneEdits
	if s.zoom || (i == PaneClaim) != (was == PaneClaim) || (i == PaneEdits) != (was == PaneEdits) {
		s.layout() // the columns' splits follow the claim's and the edits' focus
	}
	if i == PaneEdits && was != PaneEdits && s.w.Enc != nil {
		s.edits.follow()
		return s.edits.showCurrent()
	}
	return nil
}

// State is what the coding screen shows, read-only: the focus, the query,
// the cursors and the open prompt. Tests and the chart harness read it as
// a coder reads the screen.
type State struct {
	Focus  int
	Zoomed bool

	Query         string // the search input's text
	QueryFocused  bool
	QuerySelected bool   // typing replaces the query
	Shown         string // the query whose results are on screen
	Result        *codesets.Code

	ClaimRow       int
	Line           int // the service line under the claim cursor, -1 on a diagnosis
	Prompt         string
	PromptOpen     bool
	PromptSelected bool // typing replaces the prompt's value

	DetailCode   *codesets.Code
	Picker       bool // the detail pane offers 7th characters
	DetailCursor int
	DetailChoice string // the code or range under the detail pane's cursor

	EditCursor int

	// Grid is the Neoplasm or Drug table shown ("" when none), with its
	// filter and the cursor's row of the table and column.
	Grid             icdtables.Kind
	GridFilter       string
	GridRow, GridCol int
	// Tabular is what the Tabular List is around, a code or a chapter or
	// section ("E11.65", "E08-E13"; "" when it is not shown);
	// TabularCursor what its cursor is on.
	Tabular, TabularCursor string

	DocWords     int // words of the documentation
	DocCursor    int // the word under the cursor
	DocWordStart int // its byte offset in its note
}

// State reads the screen.
func (s *Screen) State() State {
	st := State{
		Focus: s.focus, Zoomed: s.zoom,
		Query: s.search.input.Value(), QueryFocused: s.search.input.Focused(), QuerySelected: s.search.selected,
		Shown: s.search.shown, Result: s.search.current(),
		ClaimRow: s.claim.row, Line: -1, Prompt: s.claim.input.Value(), PromptOpen: s.claim.typing(), PromptSelected: s.claim.selected,
		DetailCode: s.detail.code, Picker: s.detail.picker(), DetailCursor: s.detail.cur,
		EditCursor: s.edits.Cur,
		DocWords:   len(s.doc.words), DocCursor: s.doc.cur,
	}
	if l, ok := s.claim.onLine(); ok {
		st.Line = l
	}
	if c := s.detail.cur; c < len(s.detail.choices) {
		switch ch := s.detail.choices[c]; {
		case ch.named != nil:
			st.DetailChoice = ch.named.ref.String()
		case ch.code != nil:
			st.DetailChoice = ch.code.Display()
		}
	}
	if s.doc.cur < len(s.doc.words) {
		st.DocWordStart = s.doc.words[s.doc.cur].start
	}
	if s.grid != nil {
		st.Grid, st.GridFilter = s.grid.Kind(), s.grid.Filter()
		st.GridRow, st.GridCol = s.grid.Cursor()
	}
	if s.detail.tab != nil {
		st.Tabular, st.TabularCursor = s.detail.tab.Names()
	}
	return st
}
