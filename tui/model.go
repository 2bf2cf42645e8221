package tui

import (
	"errors"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codebench/codesets"
	"codebench/tui/coding"
	"codebench/tui/common"
	"codebench/tui/dialog"
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
	// codes are the code sets of the session; c.Codes is them as the
	// open encounter's date of service has them (its release).
	codes *codesets.Set
	// current gives the data in use now (Options.Current); notice is
	// said when the session starts.
	current func() Data
	notice  string

	screen   screen
	worklist *worklist.Model
	coding   *coding.Screen

	showHelp bool
	helpTop  int
	confirm  *dialog.Export
	reopen   *dialog.Reopen

	status    string
	statusErr bool
	statusSeq uint64 // when the line on screen was said (common.StatusMsg)

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

	headerLine, helpLine lineCache
	helpScratch          helpScratch
	frame                frameCache
	lastView             tea.View
	unchanged            bool // the last message changed nothing: lastView stands
}

// New builds a session's model. It starts on the worklist.
func New(o Options) *Model {
	c := newCommon(o)
	m := &Model{c: c, w: &work.Work{}, prefs: &prefs.Prefs{}, codes: c.Codes, current: o.Current, notice: o.Notice}
	m.worklist = worklist.New(&m.c)
	m.coding = coding.New(&m.c, m.w, m.prefs)
	m.layout()
	m.syncKeys()
	return m
}

// Init loads the worklist and the coder's favourites and asks the terminal
// for its background colour.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.worklist.Load(), m.worklist.Tick(), m.loadPrefs(), m.watchStore()}
	if m.notice != "" {
		cmds = append(cmds, common.Fail(errors.New(m.notice)))
	}
	return tea.Batch(cmds...)
}

// Coder is the session's coder id.
func (m *Model) Coder() string { return m.c.Coder }

func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if len(m.w.Changes) == 0 && m.coding.Superseded(msg) {
		// Most keys' debounce ticks: the pane drops them, so the frame
		// on screen stands and View need not draw it again.
		m.unchanged = true
		return m, nil
	}
	m.unchanged = false
	cmd := m.update(msg)
	if m.w.Enc != nil && len(m.w.Changes) > 0 {
		// Every change: validate now (the edits pane is always current),
		// then autosave.
		m.w.Validate(m.c.Validate)
		m.coding.Validated()
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
		m.worklist.ApplyStyles()
		m.coding.ApplyStyles()
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
		if m.reopen != nil {
			return m.reopen.Update(msg)
		}
		if m.screen == screenCoding && m.confirm == nil && !m.showHelp {
			return m.coding.Update(msg)
		}
		return nil
	case common.StatusMsg:
		if msg.Seq < m.statusSeq {
			return nil // said before the line on screen; it arrived late
		}
		m.status, m.statusErr, m.statusSeq = msg.Text, msg.Err, msg.Seq
		return nil
	case IndexProgress:
		m.coding.SetIndexProgress(msg)
		return nil
	case IndexReady:
		if msg.Err != nil {
			return m.coding.IndexReady(fmt.Errorf("search index unavailable: %w", msg.Err))
		}
		m.c.Searcher = msg.Searcher
		return m.coding.IndexReady(nil)
	case watchingMsg:
		return nextChange(msg.changes)
	case storeChangedMsg:
		return m.onStoreChanged(msg)
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
		m.coding.RefreshTags()
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
		if m.reopen != nil {
			m.reopen = nil
			return common.Say("not reopened")
		}
		m.confirm = nil
		return common.Say("export cancelled")
	case dialog.ReopenMsg:
		return m.reopenCmd(msg)
	case reopenedMsg:
		return m.reopened(msg)
	case exportedMsg:
		return m.exported(msg)
	default:
		// The panes' own messages (picks, results, targets).
		return m.coding.Update(msg)
	}
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
	if m.reopen != nil {
		return false, m.reopen.Typing()
	}
	return m.coding.Typing()
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
	k.Reopen.SetEnabled(!typing && m.screen == screenCoding && m.reopen == nil && m.confirm == nil)
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
	if m.reopen != nil {
		return m.reopen.Update(km)
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
	switch {
	case key.Matches(km, k.Help): // f1 alone while an input types
		m.showHelp, m.helpTop = true, 0
		return nil
	case key.Matches(km, k.Export): // off while an editor is open
		return m.startExport()
	case key.Matches(km, k.Reopen): // off while typing
		return m.startReopen()
	case key.Matches(km, k.Close) && !m.coding.Claims(km): // off while typing
		if m.refused == closeToWorklist {
			m.forceClose = true
		}
		m.refused = closeToWorklist
		return m.close(closeToWorklist)
	}
	m.refused = closeNone
	cmd := m.coding.Update(km)
	if km.Mod == tea.ModAlt {
		m.syncKeys() // esc and a digit: the input was left
	}
	return cmd
}

// layout sizes the screens: the body is the terminal less the header and
// the status line.
func (m *Model) layout() {
	bodyH := max(m.c.Height-2, 4)
	m.worklist.SetSize(m.c.Width, bodyH)
	m.coding.SetSize(m.c.Width, bodyH)
}

// setStatus shows a line said now, in place of any said before.
func (m *Model) setStatus(text string, isErr bool) {
	msg := common.Status(text, isErr)
	m.status, m.statusErr, m.statusSeq = msg.Text, msg.Err, msg.Seq
}

// View draws the screen: header, body, status line.
func (m *Model) View() tea.View {
	if m.unchanged && m.lastView.Content != "" {
		return m.lastView
	}
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "codebench"
	if m.w.Enc != nil {
		v.WindowTitle = "codebench · " + common.OneLine(m.w.Enc.ID)
	}
	m.lastView = v
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
	default:
		body = m.coding.View()
	}
	switch {
	case m.showHelp:
		body = m.helpView(W, bodyH)
	case m.confirm != nil:
		body = dialog.Overlay(body, m.confirm.View(W, bodyH), W, bodyH)
	case m.reopen != nil:
		body = dialog.Overlay(body, m.reopen.View(W, bodyH), W, bodyH)
	}
	return m.frame.join(m.header(W), body, m.footer(W))
}

// frameCache is the last frame and the parts it was joined from: most
// messages change nothing on screen, and the frame is then the same
// string, with no copy made.
type frameCache struct{ header, body, footer, frame string }

func (f *frameCache) join(header, body, footer string) string {
	if f.frame == "" || header != f.header || body != f.body || footer != f.footer {
		f.header, f.body, f.footer = header, body, footer
		f.frame = header + "\n" + body + "\n" + footer
	}
	return f.frame
}

func (m *Model) header(W int) string {
	st := m.c.Styles
	if m.screen == screenWorklist || m.w.Enc == nil {
		today := ""
		if m.codes != nil {
			today = releaseLabel(m.codes.On(m.c.Now()))
		}
		plain := fmt.Sprintf(" codebench · coder %s%s", common.OneLine(m.c.Coder), today)
		return m.headerLine.get(st.Gen, W, plain, func() string { return st.Header.Render(common.Fit(plain, W)) })
	}
	e := m.w.Enc
	age := ""
	if !e.Patient.DateOfBirth.IsZero() && !e.Service.From.IsZero() {
		age = fmt.Sprintf(" %dy", e.Patient.AgeOn(e.Service.From))
	}
	h := headerParts{
		id: common.OneLine(e.ID), patient: common.OneLine(e.Patient.Name), sexAge: common.OneLine(e.Patient.Sex) + age,
		dos: e.Service.From.String(), provider: common.OneLine(e.Provider.Name), status: common.StatusLabel(m.w.Sum.Status),
	}
	switch {
	case m.w.ReadOnly != "":
		h.saved = "read-only"
	case m.saveErr != nil:
		h.saved = "NOT SAVED"
	case m.saving || len(m.w.Changes) > 0:
		h.saved = fmt.Sprintf("r%d saving…", e.Revision)
	default:
		h.saved, h.savedShort = fmt.Sprintf("r%d saved", e.Revision), fmt.Sprintf("r%d", e.Revision)
	}
	// The release in use for the encounter's date of service stays in
	// sight.
	if m.c.Codes != nil {
		h.release = "no ICD-10-CM release"
		if r := m.c.Codes.Release(); r != nil {
			h.release = r.Name
		}
	}
	return m.headerLine.get(st.Gen, W, h, func() string {
		left, right := h.fit(W)
		room := W - common.TextWidth(right)
		return st.Header.Render(common.Fit(left, max(room, 0))) + st.HeaderDim.Render(common.Fit(right, W-max(room, 0)))
	})
}

// headerParts are the coding screen's header: who, when, by whom on the
// left; release, status and save state on the right.
type headerParts struct {
	id, patient, sexAge, dos, provider string
	release, status, saved, savedShort string
}

// fit lays the header out in W cells. A narrow terminal drops the labels
// and the words the eye supplies first ("DOS", the separators on the
// right, the status the worklist shows), then shortens the patient's
// name, then says "r1" for "r1 saved", and shortens the provider's name
// last: the coder checks the provider against the note's signature.
func (h headerParts) fit(W int) (left, right string) {
	dos, saved, sep, status := "DOS "+h.dos, h.saved, " · ", h.status+" · "
	minPatient := min(common.TextWidth(h.patient), 12)
	build := func(patient, provider string) (string, string) {
		l := fmt.Sprintf(" %s · %s %s · %s · %s", h.id, patient, h.sexAge, dos, provider)
		r := " " + status + saved + " "
		if h.release != "" {
			r = " " + h.release + sep + r[1:]
		}
		return l, r
	}
	width := func(l, r string) int { return common.TextWidth(l) + common.TextWidth(r) }
	left, right = build(h.patient, h.provider)
	patient := h.patient
	for step := 0; width(left, right) > W && step < 5; step++ {
		switch step {
		case 0:
			dos = h.dos
		case 1:
			sep, status = " ", h.status+" "
		case 2:
			status = "" // the worklist shows it
		case 3:
			over := width(left, right) - W
			patient = common.Clip(h.patient, max(common.TextWidth(h.patient)-over, minPatient))
		case 4:
			if h.savedShort != "" {
				saved = h.savedShort
			}
		}
		left, right = build(patient, h.provider)
	}
	if room := W - width(left, right); room > 0 && patient != h.patient {
		// "saved" shortened after the name: give the name the room back.
		patient = common.Clip(h.patient, common.TextWidth(patient)+room)
		left, right = build(patient, h.provider)
	}
	if over := width(left, right) - W; over > 0 {
		left, right = build(common.Clip(h.patient, minPatient), common.Clip(h.provider, max(common.TextWidth(h.provider)-over, 4)))
	}
	return left, right
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

// releaseLabel names the ICD-10-CM release in force today, for the
// worklist's header: " · ICD-10-CM FY2027 today".
func releaseLabel(today *codesets.Set) string {
	if r := today.Release(); r != nil {
		return " · " + r.Title() + " today"
	}
	return " · no ICD-10-CM release for today (codebench data status)"
}
