package tui

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codebench/encounter/store"
	"codebench/tui/common"
)

// The worklist is the coder's queue: every encounter with its status,
// patient, date of service and provider, and who holds it when another
// coder is working on it (those refuse to open).

type (
	worklistMsg struct {
		items []store.Summary
		err   error
	}
	refreshTickMsg struct{ gen int }
)

type worklistPane struct {
	c      *common.Common
	width  int
	high   int
	items  []store.Summary
	err    error
	loaded bool
	common.ListCursor
	gen int // refresh timer generation; only the latest ticks on
	// takeOver is the encounter the coder was told is open in another of
	// their sessions: opening it again takes it over from there.
	takeOver string
}

func newWorklistPane(c *common.Common) *worklistPane { return &worklistPane{c: c} }

func (p *worklistPane) SetSize(w, h int) { p.width, p.high = w, h; p.follow() }

func (p *worklistPane) ShortHelp() []key.Binding {
	k := p.c.KeyMap
	return []key.Binding{k.Open, k.Up, k.Down, k.Refresh}
}

func (p *worklistPane) FullHelp() [][]key.Binding {
	k := p.c.KeyMap
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Open, k.Refresh}}
}

// load lists the encounters.
func (p *worklistPane) load() tea.Cmd {
	if p.c.Store == nil {
		return func() tea.Msg { return worklistMsg{err: fmt.Errorf("no work store")} }
	}
	st, ctx := p.c.Store, p.c.Ctx
	return func() tea.Msg {
		items, err := st.List(ctx)
		return worklistMsg{items: items, err: err}
	}
}

// tick schedules the next refresh while the worklist is shown.
func (p *worklistPane) tick() tea.Cmd {
	if p.c.Timing.RefreshEvery < 0 {
		return nil
	}
	p.gen++
	gen := p.gen
	return tea.Tick(p.c.Timing.RefreshEvery, func(time.Time) tea.Msg { return refreshTickMsg{gen: gen} })
}

func (p *worklistPane) set(msg worklistMsg) {
	p.loaded = true
	p.err = msg.err
	if msg.err != nil {
		return
	}
	var id string
	if p.Cur < len(p.items) {
		id = p.items[p.Cur].ID
	}
	p.items = msg.items
	for i, it := range p.items {
		if it.ID == id {
			p.Cur = i
		}
	}
	p.follow()
}

func (p *worklistPane) visible() int { return max(p.high-2, 1) }

func (p *worklistPane) follow() { p.ListCursor.Follow(len(p.items), p.visible()) }

func (p *worklistPane) current() (store.Summary, bool) {
	if p.Cur < len(p.items) {
		return p.items[p.Cur], true
	}
	return store.Summary{}, false
}

// heldBySelf tells whether another session of this coder holds the
// encounter (on the worklist this session holds none).
func (p *worklistPane) heldBySelf(s store.Summary) bool {
	return s.LeasedBy == p.c.Coder && s.LeaseUntil.After(p.c.Now())
}

// ownSessionText is the refusal that offers the take-over.
func ownSessionText(id string, until time.Time) string {
	return fmt.Sprintf("%s is open in your other session until %s: enter again takes it over", common.OneLine(id), until.Format("15:04"))
}

// heldByOther tells who holds an encounter when it is not this coder.
func (p *worklistPane) heldByOther(s store.Summary) bool {
	return s.LeasedBy != "" && s.LeasedBy != p.c.Coder && s.LeaseUntil.After(p.c.Now())
}

func (p *worklistPane) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	k := p.c.KeyMap
	if !key.Matches(km, k.Open) {
		p.takeOver = "" // the offer stands for the very next key only
	}
	switch {
	case p.Navigate(km, k, len(p.items), p.visible()):
	case key.Matches(km, k.Refresh):
		return tea.Batch(p.load(), common.Say("worklist refreshed"))
	case key.Matches(km, k.Open):
		s, ok := p.current()
		if !ok {
			return common.Fail(common.Refuse("the worklist is empty"))
		}
		if p.heldByOther(s) {
			return common.Fail(common.Refuse("%s is being coded by %s until %s; it opens when they close it or the lease ends",
				s.ID, common.OneLine(s.LeasedBy), s.LeaseUntil.In(p.c.Now().Location()).Format("15:04")))
		}
		id, takeOver := s.ID, p.takeOver == s.ID
		p.takeOver = ""
		if !takeOver && p.heldBySelf(s) {
			p.takeOver = id
			return common.Fail(common.Refuse("%s", ownSessionText(id, s.LeaseUntil.In(p.c.Now().Location()))))
		}
		return func() tea.Msg { return openMsg{id: id, takeOver: takeOver} }
	}
	p.follow()
	return nil
}

func (p *worklistPane) View() string {
	st := p.c.Styles
	counts := map[store.Status]int{}
	for _, it := range p.items {
		counts[it.Status]++
	}
	title := fmt.Sprintf(" Worklist  %d encounters · %d new · %d in progress · %d exported",
		len(p.items), counts[store.New], counts[store.InProgress], counts[store.Exported])
	lines := []string{common.PaneTitle(st, title, p.width, true)}
	wide := p.width >= 110
	header := fmt.Sprintf(" %-11s %-12s %-22s %-12s %-3s %-10s %s", "status", "encounter", "patient", "born", "sex", "service", "provider")
	if !wide {
		header = fmt.Sprintf(" %-11s %-10s %-20s %-10s %s", "status", "encounter", "patient", "service", "provider")
	}
	lines = append(lines, st.Dim.Render(header))
	switch {
	case p.err != nil:
		lines = append(lines, st.Error.Render(" cannot read the worklist: "+common.OneLine(p.err.Error())))
	case !p.loaded:
		lines = append(lines, st.Dim.Render(" loading…"))
	case len(p.items) == 0:
		lines = append(lines, st.Dim.Render(" no encounters: import some into the inbox"))
	}
	for i := p.Top; i < len(p.items) && i < p.Top+p.visible(); i++ {
		it := p.items[i]
		var row string
		if wide {
			row = fmt.Sprintf(" %-11s %-12s %-22s %-12s %-3s %-10s %s",
				common.StatusLabel(it.Status), common.Clip(common.OneLine(it.ID), 12), common.Clip(common.OneLine(it.Patient.Name), 22),
				it.Patient.DateOfBirth.String(), common.OneLine(it.Patient.Sex), it.Service.From.String(), common.Clip(common.OneLine(it.Provider.Name), 30))
		} else {
			row = fmt.Sprintf(" %-11s %-10s %-20s %-10s %s",
				common.StatusLabel(it.Status), common.Clip(common.OneLine(it.ID), 10), common.Clip(common.OneLine(it.Patient.Name), 20),
				it.Service.From.String(), common.Clip(common.OneLine(it.Provider.Name), 24))
		}
		held := ""
		if p.heldByOther(it) {
			held = fmt.Sprintf("  locked: %s until %s", common.Clip(common.OneLine(it.LeasedBy), 12), it.LeaseUntil.In(p.c.Now().Location()).Format("15:04"))
		} else if p.heldBySelf(it) {
			held = "  your other session"
		}
		if held != "" { // who holds it shows whole; the provider gives way
			row = common.Fit(row, max(p.width-ansi.StringWidth(held), 0))
		}
		if i == p.Cur {
			lines = append(lines, st.RowCursor.Render(common.Fit(row+held, p.width)))
			continue
		}
		if held != "" {
			row += st.Leased.Render(held)
		}
		lines = append(lines, row)
	}
	return common.Block(lines, p.width, p.high)
}
