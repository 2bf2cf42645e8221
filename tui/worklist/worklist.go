// Package worklist is the coder's queue: every encounter with its status,
// patient, date of service and provider, and who holds it when another
// coder is working on it (those refuse to open). The coder narrows it by
// status (f) or by a patient's name or an encounter id (/); the cursor
// starts on the first chart to do.
package worklist

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codebench/encounter/store"
	"codebench/tui/common"
)

type (
	// ListMsg carries the worklist as the store lists it.
	ListMsg struct {
		Items []store.Summary
		Err   error
	}
	// RefreshTickMsg refreshes the list while it is shown.
	RefreshTickMsg struct{ gen int }
	// OpenMsg asks the root to open an encounter; TakeOver moves it from
	// another of the coder's sessions, which the coder asked for.
	OpenMsg struct {
		ID       string
		TakeOver bool
	}
)

// Filter is a status filter of the worklist.
type Filter int

const (
	All        Filter = iota
	ToDo              // new: not started
	InProgress        // being coded, or coded and not exported
	Exported          // with billing
	Rejected          // returned for rework
	filterCount
)

var filterNames = [filterCount]string{"all", "to do", "in progress", "exported", "rejected"}

func (f Filter) String() string { return filterNames[f] }

// Matches tells whether an encounter of status s passes the filter.
func (f Filter) Matches(s store.Status) bool {
	switch f {
	case ToDo:
		return s == store.New
	case InProgress:
		return s == store.InProgress || s == store.Coded
	case Exported:
		return s == store.Exported
	case Rejected:
		return s == store.Rejected
	}
	return true
}

// Model is the worklist screen.
type Model struct {
	c      *common.Common
	width  int
	high   int
	all    []store.Summary // as listed
	items  []store.Summary // shown: through the filter and the search
	err    error
	loaded bool
	common.ListCursor
	gen int // refresh timer generation; only the latest ticks on
	// takeOver is the encounter the coder was told is open in another of
	// their sessions: opening it again takes it over from there.
	takeOver string

	filter    Filter
	query     string // patient or id, case-insensitive; "" shows all
	searching bool
	input     textinput.Model
}

// New builds the worklist screen.
func New(c *common.Common) *Model {
	in := textinput.New()
	in.Prompt = "find: "
	in.Placeholder = "patient name or encounter id"
	in.CharLimit = 60
	in.SetStyles(c.InputStyles())
	return &Model{c: c, input: in}
}

// ApplyStyles restyles the search input after a theme change.
func (p *Model) ApplyStyles() { p.input.SetStyles(p.c.InputStyles()) }

// SetSize sizes the list.
func (p *Model) SetSize(w, h int) {
	p.width, p.high = w, h
	p.input.SetWidth(max(w-10, 4))
	p.follow()
}

// Typing tells whether the search input has the keys.
func (p *Model) Typing() bool { return p.searching }

// ShortHelp lists the keys for the status line.
func (p *Model) ShortHelp() []key.Binding {
	k := p.c.KeyMap
	if p.searching {
		return []key.Binding{k.Accept, k.CancelInput}
	}
	return []key.Binding{k.Open, k.Up, k.Down, k.FilterStatus, k.FindEncounter, k.Refresh}
}

// FullHelp lists every key of the worklist.
func (p *Model) FullHelp() [][]key.Binding {
	k := p.c.KeyMap
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Open, k.FilterStatus, k.FindEncounter, k.Refresh}}
}

// Load lists the encounters.
func (p *Model) Load() tea.Cmd {
	if p.c.Store == nil {
		return func() tea.Msg { return ListMsg{Err: fmt.Errorf("no work store")} }
	}
	st, ctx := p.c.Store, p.c.Ctx
	return func() tea.Msg {
		items, err := st.List(ctx)
		return ListMsg{Items: items, Err: err}
	}
}

// Tick schedules the next refresh while the worklist is shown.
func (p *Model) Tick() tea.Cmd {
	if p.c.Timing.RefreshEvery < 0 {
		return nil
	}
	p.gen++
	gen := p.gen
	return tea.Tick(p.c.Timing.RefreshEvery, func(time.Time) tea.Msg { return RefreshTickMsg{gen: gen} })
}

// OfferTakeOver remembers that id is open in another of the coder's
// sessions: enter on it again takes it over.
func (p *Model) OfferTakeOver(id string) { p.takeOver = id }

// set shows a new listing: the cursor stays on its encounter, or on a
// first listing goes to the first chart to do.
func (p *Model) set(msg ListMsg) {
	first := !p.loaded
	p.loaded = true
	p.err = msg.Err
	if msg.Err != nil {
		return
	}
	id := ""
	if s, ok := p.Current(); ok {
		id = s.ID
	}
	p.all = msg.Items
	if first {
		id = p.firstToDo()
	}
	p.apply(id)
}

// firstToDo is the first chart to code: new and free, else one being
// coded or rejected that nobody else holds.
func (p *Model) firstToDo() string {
	for _, want := range []func(store.Status) bool{
		func(s store.Status) bool { return s == store.New },
		func(s store.Status) bool { return s == store.InProgress || s == store.Rejected || s == store.Coded },
	} {
		for _, it := range p.all {
			if want(it.Status) && !p.heldByOther(it) {
				return it.ID
			}
		}
	}
	return ""
}

// apply filters the listing and puts the cursor on id when it is shown.
func (p *Model) apply(id string) {
	p.items = p.items[:0:0]
	q := strings.ToLower(strings.TrimSpace(p.query))
	for _, it := range p.all {
		if !p.filter.Matches(it.Status) {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(it.ID), q) && !strings.Contains(strings.ToLower(it.Patient.Name), q) && !strings.Contains(strings.ToLower(it.Patient.ID), q) {
			continue
		}
		p.items = append(p.items, it)
	}
	for i, it := range p.items {
		if it.ID == id {
			p.Cur = i
		}
	}
	p.follow()
}

func (p *Model) visible() int {
	h := p.high - 2
	if p.searching || p.query != "" {
		h--
	}
	return max(h, 1)
}

func (p *Model) follow() { p.ListCursor.Follow(len(p.items), p.visible()) }

// Current is the encounter under the cursor.
func (p *Model) Current() (store.Summary, bool) {
	if p.Cur < len(p.items) {
		return p.items[p.Cur], true
	}
	return store.Summary{}, false
}

// heldBySelf tells whether another session of this coder holds the
// encounter (on the worklist this session holds none).
func (p *Model) heldBySelf(s store.Summary) bool {
	return s.LeasedBy == p.c.Coder && s.LeaseUntil.After(p.c.Now())
}

// OwnSessionText is the refusal that offers the take-over.
func OwnSessionText(id string, until time.Time) string {
	return fmt.Sprintf("%s is open in your other session until %s: enter again takes it over", common.OneLine(id), until.Format("15:04"))
}

// heldByOther tells who holds an encounter when it is not this coder.
func (p *Model) heldByOther(s store.Summary) bool {
	return s.LeasedBy != "" && s.LeasedBy != p.c.Coder && s.LeaseUntil.After(p.c.Now())
}

// Update handles the worklist's messages and keys.
func (p *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case ListMsg:
		p.set(msg)
		return nil
	case RefreshTickMsg:
		if msg.gen != p.gen {
			return nil
		}
		return tea.Batch(p.Load(), p.Tick())
	case tea.PasteMsg:
		if p.searching {
			return p.edit(msg)
		}
		return nil
	case tea.KeyPressMsg:
		if p.searching {
			return p.searchKey(msg)
		}
		return p.key(msg)
	}
	return nil
}

func (p *Model) key(km tea.KeyPressMsg) tea.Cmd {
	k := p.c.KeyMap
	if !key.Matches(km, k.Open) {
		p.takeOver = "" // the offer stands for the very next key only
	}
	switch {
	case p.Navigate(km, k, len(p.items), p.visible()):
	case key.Matches(km, k.Refresh):
		return tea.Batch(p.Load(), common.Say("worklist refreshed"))
	case key.Matches(km, k.FilterStatus):
		id := ""
		if s, ok := p.Current(); ok {
			id = s.ID
		}
		p.filter = (p.filter + 1) % filterCount
		p.apply(id)
		return common.Say("worklist: %s (f for the next status)", p.filter)
	case key.Matches(km, k.FindEncounter):
		p.searching = true
		p.input.SetValue(p.query)
		p.input.CursorEnd()
		p.input.Focus()
		p.follow()
		return nil
	case km.String() == "esc" && p.query != "":
		p.query = ""
		p.apply(p.currentID())
		return common.Say("worklist: every patient")
	case key.Matches(km, k.Open):
		return p.open()
	}
	p.follow()
	return nil
}

func (p *Model) currentID() string {
	if s, ok := p.Current(); ok {
		return s.ID
	}
	return ""
}

// searchKey feeds the find input: the list narrows as the coder types;
// enter keeps the search and opens the one match, esc clears it.
func (p *Model) searchKey(km tea.KeyPressMsg) tea.Cmd {
	k := p.c.KeyMap
	switch {
	case km.String() == "esc":
		p.searching, p.query = false, ""
		p.input.Blur()
		p.apply(p.currentID())
		return nil
	case key.Matches(km, k.Accept):
		p.searching = false
		p.input.Blur()
		p.follow()
		if len(p.items) == 1 {
			return p.open()
		}
		return nil
	case km.String() == "down", km.String() == "up", km.String() == "pgdown", km.String() == "pgup":
		p.Navigate(km, k, len(p.items), p.visible())
		p.follow()
		return nil
	}
	return p.edit(km)
}

func (p *Model) edit(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	if v := p.input.Value(); v != p.query {
		p.query = v
		p.Cur = 0
		p.apply("")
	}
	return cmd
}

// open asks the root to open the encounter under the cursor.
func (p *Model) open() tea.Cmd {
	s, ok := p.Current()
	if !ok {
		if len(p.all) > 0 {
			return common.Fail(common.Refuse("no encounter matches: f changes the status filter, esc clears the search"))
		}
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
		return common.Fail(common.Refuse("%s", OwnSessionText(id, s.LeaseUntil.In(p.c.Now().Location()))))
	}
	return func() tea.Msg { return OpenMsg{ID: id, TakeOver: takeOver} }
}

// title counts the encounters by status, and says what is filtered.
func (p *Model) title() string {
	counts := map[store.Status]int{}
	for _, it := range p.all {
		counts[it.Status]++
	}
	n := len(p.all)
	head := fmt.Sprintf("%d encounter%s", n, common.Plural(n))
	if p.filter != All || p.query != "" {
		// What is shown first: a narrow title is cut at the end.
		what := p.filter.String()
		if p.filter == All {
			what = "found"
		}
		head = fmt.Sprintf("%s: %d of %d", what, len(p.items), n)
	}
	t := fmt.Sprintf(" Worklist  %s · %d new · %d in progress · %d exported",
		head, counts[store.New], counts[store.InProgress]+counts[store.Coded], counts[store.Exported])
	if r := counts[store.Rejected]; r > 0 {
		t += fmt.Sprintf(" · %d rejected", r)
	}
	return t
}

// View draws the worklist.
func (p *Model) View() string {
	st := p.c.Styles
	lines := []string{common.PaneTitle(st, p.title(), p.width, true)}
	switch {
	case p.searching:
		lines = append(lines, p.input.View())
	case p.query != "":
		lines = append(lines, st.Dim.Render(common.Clip(fmt.Sprintf(" find %q: / to change, esc to clear", common.OneLine(p.query)), p.width)))
	}
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
	case len(p.all) == 0:
		lines = append(lines, st.Dim.Render(" no encounters: import some into the inbox"))
	case len(p.items) == 0:
		what := "no encounter matches the search"
		if p.filter != All {
			what = fmt.Sprintf("no %s encounter matches", p.filter)
		}
		lines = append(lines, st.Dim.Render(" "+what+": f changes the filter, esc clears the search"))
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
