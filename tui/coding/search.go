package coding

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"codebench/codesets"
	"codebench/index"
	"codebench/tui/common"
	"codebench/tui/prefs"
	"codebench/tui/work"
)

// The search pane searches as the coder types: every change bumps a
// sequence number and schedules a tick; only the tick of the latest change
// starts a search, which runs as a command with a context (cancelled when
// a newer one starts), and results carrying an older number are dropped.
// Update never waits for the index.

type (
	searchTickMsg   struct{ seq int }
	searchResultMsg struct {
		seq   int
		query string
		res   index.Result
		err   error
	}
)

// searchRow is one line of the results: a hit, or with an empty query a
// favourite or recent code.
type searchRow struct {
	code *codesets.Code
	why  string
	tag  string // "★" favourite, "↺" recent
}

// system filters the ctrl+t key cycles through.
var systemFilters = []struct {
	name    string
	systems []codesets.System
}{
	{"all systems", nil},
	{"ICD-10-CM", []codesets.System{codesets.ICD10CM}},
	{"CPT+HCPCS", []codesets.System{codesets.CPT, codesets.HCPCS}},
}

type searchPane struct {
	c     *common.Common
	w     *work.Work
	prefs *prefs.Prefs

	width, high int
	// focus: the pane has the focus, and then its input always has the
	// keys: a code typed without a key first lands in the query.
	focus bool
	input textinput.Model

	seq     int
	cancel  context.CancelFunc
	running bool
	rhythm  rhythm

	shown  string // query of the rows shown
	rows   []searchRow
	titles common.TitleList // what each row shares with its neighbours
	total  uint64
	took   time.Duration
	err    error
	cur    int
	top    int

	filter  int
	history []string
	hpos    int

	// selected: the query is shown selected, and what the coder types next
	// replaces it (after a pick, on coming back to search); moving the
	// cursor keeps it for editing.
	selected bool

	building common.IndexProgress // the index being built (first run)

	// insertAt is where a diagnosis picked next goes (1 = A), when a note
	// opened the search on the codes it names; 0 appends.
	insertAt int

	// rowsGen counts changes to rows (they are rebuilt in place).
	rowsGen int
	cache   viewCache[searchViewKey]
	body    viewCache[searchBodyKey]
}

// searchViewKey is what the search pane's frame is drawn from.
type searchViewKey struct {
	paneKey
	input    inputKey
	selected bool
	rowsGen  int
	cur, top int
	shown    string
	running  bool
	err      string
	total    uint64
	took     time.Duration
	filter   int
	building common.IndexProgress
}

func newSearchPane(c *common.Common, w *work.Work, p *prefs.Prefs) *searchPane {
	in := textinput.New()
	in.Prompt = "/ "
	in.Placeholder = "words or a code: diabetes hyperglycemia, E11.65, 99213"
	in.CharLimit = 200
	km := textinput.DefaultKeyMap()
	// alt+←/→ go back and forward in the search history here.
	km.WordBackward.SetKeys("ctrl+left", "alt+b")
	km.WordForward.SetKeys("ctrl+right", "alt+f")
	// Up and down move in the results; there are no suggestions.
	km.NextSuggestion.SetEnabled(false)
	km.PrevSuggestion.SetEnabled(false)
	km.AcceptSuggestion.SetEnabled(false)
	in.KeyMap = km
	s := &searchPane{c: c, w: w, prefs: p, input: in}
	s.applyStyles()
	s.showPrefs()
	return s
}

func (p *searchPane) applyStyles() { p.input.SetStyles(p.c.InputStyles()) }

func (p *searchPane) SetSize(w, h int) {
	p.width, p.high = w, h
	p.input.SetWidth(max(w-3, 1))
	p.follow()
}

// setFocus gives the pane the focus, and its input with it; leaving
// records the query in the history.
func (p *searchPane) setFocus(f bool) {
	if f == p.focus {
		return
	}
	p.focus = f
	if f {
		p.input.Focus()
		p.input.CursorEnd()
		return
	}
	p.input.Blur()
	p.commit()
	p.selected = false
	p.insertAt = 0
}

// selectQuery selects the query, so typing starts a new search.
func (p *searchPane) selectQuery() {
	p.selected = p.focus && p.input.Value() != ""
}

// queryReplaceable tells whether what the coder types next starts a new
// query: the input is empty or shown selected.
func (p *searchPane) queryReplaceable() bool {
	return p.selected || p.input.Value() == ""
}

// replaceSelected applies a key to the selected query: text typed or a
// deletion replaces it, a cursor movement keeps it to edit; other keys
// (results, pick) leave the selection. It tells whether the key was
// handled here.
func (p *searchPane) replaceSelected(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if !p.selected {
		return nil, false
	}
	switch common.SelectionKey(msg) {
	case common.SelectionCleared:
		p.selected = false
		p.input.SetValue("")
		return p.schedule(), true
	case common.SelectionReplaced:
		p.selected = false
		p.input.SetValue("")
		return p.edit(msg), true
	case common.SelectionKept:
		p.selected = false
	}
	return nil, false
}

func (p *searchPane) ShortHelp() []key.Binding {
	k := p.c.KeyMap
	return []key.Binding{k.Pick, k.Results, k.LeaveSearch, k.Favourite, k.Systems, k.HistoryBack}
}

func (p *searchPane) FullHelp() [][]key.Binding {
	k := p.c.KeyMap
	return [][]key.Binding{
		{k.TypeQuery, k.TypeLine, k.ClearQuery, k.Pick, k.ResultUp, k.ResultDown, k.ResultPageUp, k.ResultPageDown, k.LeaveSearch},
		{k.Favourite, k.Systems, k.HistoryBack, k.HistoryFwd},
	}
}

func (p *searchPane) visible() int { return max(p.high-2, 1) }

func (p *searchPane) follow() {
	if p.cur >= len(p.rows) {
		p.cur = max(len(p.rows)-1, 0)
	}
	vis := p.visible()
	if p.cur < p.top {
		p.top = p.cur
	}
	if p.cur >= p.top+vis {
		p.top = p.cur - vis + 1
	}
	p.top = max(min(p.top, len(p.rows)-vis), 0)
}

// current is the highlighted code, nil when there is none.
func (p *searchPane) current() *codesets.Code {
	if p.cur < len(p.rows) {
		return p.rows[p.cur].code
	}
	return nil
}

func (p *searchPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case searchTickMsg:
		if msg.seq != p.seq {
			return nil // a newer keystroke follows
		}
		return p.run(msg.seq, strings.TrimSpace(p.input.Value()))
	case searchResultMsg:
		if msg.seq != p.seq {
			return nil // stale: the query changed since
		}
		p.running = false
		p.shown = msg.query
		p.err = msg.err
		p.rows = p.rows[:0]
		for _, h := range msg.res.Hits {
			p.rows = append(p.rows, searchRow{code: h.Code, why: h.Why, tag: p.tag(h.Code)})
		}
		p.total, p.took = msg.res.Total, msg.res.Took
		p.cur, p.top = 0, 0
		p.listWords()
		return p.highlighted()
	case tea.KeyPressMsg:
		return p.key(msg)
	case tea.PasteMsg:
		if p.focus {
			if p.selected {
				p.selected = false
				p.input.SetValue("")
			}
			return p.edit(msg)
		}
	}
	return nil
}

// key handles a key the root passes while the pane has the focus (esc,
// tab and the keys of every pane are the root's): keys that print nothing
// move in the results, pick, star; everything else edits the query.
func (p *searchPane) key(msg tea.KeyPressMsg) tea.Cmd {
	k := p.c.KeyMap
	prev := p.cur
	if cmd, ok := p.replaceSelected(msg); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, k.Pick):
		return p.pick()
	case key.Matches(msg, k.Favourite):
		return p.toggleFavourite()
	case key.Matches(msg, k.Systems):
		p.filter = (p.filter + 1) % len(systemFilters)
		return tea.Batch(p.searchNow(), common.Say("search: %s", systemFilters[p.filter].name))
	case key.Matches(msg, k.HistoryBack):
		return p.historyMove(-1)
	case key.Matches(msg, k.HistoryFwd):
		return p.historyMove(1)
	case key.Matches(msg, k.ResultUp):
		p.cur = max(p.cur-1, 0)
	case key.Matches(msg, k.ResultDown):
		p.cur = min(p.cur+1, max(len(p.rows)-1, 0))
	case key.Matches(msg, k.ResultPageUp):
		p.cur = max(p.cur-p.visible(), 0)
	case key.Matches(msg, k.ResultPageDown):
		p.cur = min(p.cur+p.visible(), max(len(p.rows)-1, 0))
	default:
		return p.edit(msg)
	}
	p.follow()
	if p.cur != prev {
		return p.highlighted()
	}
	return nil
}

// edit passes a key to the input and schedules a search if the text changed.
func (p *searchPane) edit(msg tea.Msg) tea.Cmd {
	before := p.input.Value()
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	if p.input.Value() == before {
		return cmd
	}
	return tea.Batch(cmd, p.schedule())
}

// schedule debounces a search of the input's text.
func (p *searchPane) schedule() tea.Cmd {
	p.seq++
	q := strings.TrimSpace(p.input.Value())
	if q == "" {
		p.stop()
		p.showPrefs()
		return p.highlighted()
	}
	seq := p.seq
	p.rhythm.key(p.c.Now())
	wait := p.rhythm.wait(p.c.Timing.Debounce, p.c.Timing.DebounceMax)
	return tea.Tick(wait, func(time.Time) tea.Msg { return searchTickMsg{seq: seq} })
}

// searchNow searches the input's text without waiting (history, filters,
// a search from the documentation).
func (p *searchPane) searchNow() tea.Cmd {
	p.seq++
	q := strings.TrimSpace(p.input.Value())
	if q == "" {
		p.stop()
		p.showPrefs()
		return p.highlighted()
	}
	return p.run(p.seq, q)
}

func (p *searchPane) stop() {
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
	p.running = false
}

// run starts the search as a command; the previous one is cancelled.
func (p *searchPane) run(seq int, q string) tea.Cmd {
	p.stop()
	if p.c.Searcher == nil {
		if p.building.Total == 0 {
			p.err = errors.New("the search index is not loaded")
		}
		return nil // IndexReady searches again
	}
	ctx, cancel := context.WithTimeout(p.c.Ctx, 10*time.Second)
	p.cancel = cancel
	p.running = true
	opts := p.options()
	searcher, codes := p.c.Searcher, p.c.Codes
	return func() tea.Msg {
		defer cancel()
		sq := q
		if e, ok := parseLineEntry(codes, q); ok && e.extras() {
			sq = e.code.Code // a line typed with its modifiers: find its code
		}
		res, err := searcher.Search(ctx, sq, opts)
		var added bool
		if res.Hits, added = withTypedCode(codes, sq, opts.Systems, res.Hits); added {
			res.Total++
		}
		if errors.Is(err, context.Canceled) {
			err = nil // superseded; the newer search reports
		}
		return searchResultMsg{seq: seq, query: q, res: res, err: err}
	}
}

// options narrow the search to the chosen systems and to codes valid on
// the date of service.
func (p *searchPane) options() index.Options {
	return index.Options{
		Systems: systemFilters[p.filter].systems,
		ValidOn: p.w.DosTime(),
		Limit:   p.c.Timing.SearchLimit,
	}
}

// typedCode is the code the query names exactly ("e11.65", "99213"), nil
// when it is words or a code of a system the filter leaves out.
func typedCode(codes *codesets.Set, q string, systems []codesets.System) *codesets.Code {
	if codes == nil || strings.ContainsRune(q, ' ') || len(q) < 3 || len(q) > 8 {
		return nil
	}
	c, ok := codes.Lookup(q)
	if !ok {
		if c = withPlaceholders(codes, q); c == nil {
			return nil
		}
	}
	if len(systems) > 0 {
		allowed := false
		for _, s := range systems {
			allowed = allowed || s == c.System
		}
		if !allowed {
			return nil
		}
	}
	return c
}

// withPlaceholders is the ICD-10-CM code a code typed without its X
// placeholders spells ("w101a" is W10.1XXA, "t3831a" T38.3X1A), nil when
// it spells none.
func withPlaceholders(codes *codesets.Set, q string) *codesets.Code {
	code := codesets.Canonical(q)
	n := len(code)
	if n < 4 || n > 6 || code[0] < 'A' || code[0] > 'Z' {
		return nil
	}
	for p := 3; p < n; p++ {
		cand := code[:p] + strings.Repeat("X", 7-n) + code[p:]
		if c, ok := codes.LookupIn(codesets.ICD10CM, cand); ok && c.Billable {
			return c
		}
	}
	return nil
}

// withTypedCode puts a code typed exactly first: a coder who knows the
// code wants it, with its notes, at once. added tells whether it was not
// among the hits (the total counts it then).
func withTypedCode(codes *codesets.Set, q string, systems []codesets.System, hits []index.Hit) (out []index.Hit, added bool) {
	c := typedCode(codes, q, systems)
	if c == nil {
		return hits, false
	}
	for i, h := range hits {
		if h.Code != nil && h.Code.System == c.System && h.Code.Code == c.Code {
			if i == 0 {
				return hits, false
			}
			out := append([]index.Hit{h}, hits[:i]...)
			return append(out, hits[i+1:]...), false
		}
	}
	return append([]index.Hit{{Code: c, Why: "code typed"}}, hits...), true
}

// setQuery replaces the query and searches it now.
func (p *searchPane) setQuery(q string) tea.Cmd {
	p.input.SetValue(q)
	p.input.CursorEnd()
	return p.searchNow()
}

// commit records the query in the history (on a pick, on leaving the
// input, on a search from the documentation).
func (p *searchPane) commit() {
	q := strings.TrimSpace(p.input.Value())
	if q == "" {
		return
	}
	if n := len(p.history); n > 0 && p.hpos < n && p.history[p.hpos] == q {
		return
	}
	if p.hpos < len(p.history)-1 {
		p.history = p.history[:p.hpos+1]
	}
	p.history = append(p.history, q)
	if len(p.history) > 100 {
		p.history = p.history[1:]
	}
	p.hpos = len(p.history) - 1
}

func (p *searchPane) historyMove(d int) tea.Cmd {
	p.commit()
	to := p.hpos + d
	if to < 0 || to >= len(p.history) {
		if d < 0 {
			return common.Say("search history: at the oldest search")
		}
		return common.Say("search history: at the newest search")
	}
	p.hpos = to
	return tea.Batch(p.setQuery(p.history[to]), common.Say("search history %d/%d", to+1, len(p.history)))
}

func (p *searchPane) tag(c *codesets.Code) string {
	if c != nil && p.prefs.IsFavourite(c.Code) {
		return "★"
	}
	return ""
}

// showPrefs lists the favourites and recent codes (the empty query).
func (p *searchPane) showPrefs() {
	p.shown = ""
	p.err = nil
	p.rows = p.rows[:0]
	p.total, p.took = 0, 0
	seen := map[string]bool{}
	add := func(code, tag string) {
		if seen[code] || p.c.Codes == nil {
			return
		}
		c, ok := p.c.Codes.Lookup(code)
		if !ok {
			return
		}
		seen[code] = true
		p.rows = append(p.rows, searchRow{code: c, tag: tag})
	}
	for _, f := range p.prefs.Favourites {
		add(f, "★")
	}
	for _, r := range p.prefs.Recent {
		add(r, "↺")
	}
	p.cur, p.top = 0, 0
	p.listWords()
}

// listWords notes what each row's title shares with its neighbours,
// which a narrow row drops first to show what tells it apart.
func (p *searchPane) listWords() {
	ts := make([][2]string, len(p.rows))
	for i, r := range p.rows {
		if r.code != nil && !r.code.DescriptorMissing {
			ts[i] = [2]string{r.code.Title(), r.code.Short}
		}
	}
	p.titles = common.NewTitleList(ts)
	p.rowsGen++
}

func (p *searchPane) refreshTags() {
	if p.shown == "" && strings.TrimSpace(p.input.Value()) == "" {
		cur := p.cur
		p.showPrefs()
		p.cur = min(cur, max(len(p.rows)-1, 0))
		p.follow()
		return
	}
	for i := range p.rows {
		p.rows[i].tag = p.tag(p.rows[i].code)
	}
	p.rowsGen++
}

func (p *searchPane) toggleFavourite() tea.Cmd {
	if !p.fresh() {
		return common.Fail(common.Refuse("the results are still coming: star once they show"))
	}
	c := p.current()
	if c == nil {
		return common.Fail(common.Refuse("no code highlighted to star"))
	}
	starred, ok := p.prefs.ToggleFavourite(c.Code)
	if !ok {
		return common.Fail(common.Refuse("favourites are full (%d); unstar one first", prefs.MaxFavourites))
	}
	p.refreshTags()
	return tea.Batch(savePrefs(p.c, *p.prefs), func() tea.Msg {
		if starred {
			return common.Status("★ "+c.Display()+" added to favourites", false)
		}
		return common.Status(c.Display()+" removed from favourites", false)
	})
}

// fresh tells whether the rows on screen are the results of the query in
// the input: not while a search of newer text is pending or running.
func (p *searchPane) fresh() bool {
	return !p.running && p.shown == strings.TrimSpace(p.input.Value())
}

// pick adds the highlighted code. Enter typed faster than the search
// answers must not pick a row of the previous results: a code typed
// exactly is picked at once, words wait for their results to be seen.
func (p *searchPane) pick() tea.Cmd {
	q := strings.TrimSpace(p.input.Value())
	if e, ok := parseLineEntry(p.c.Codes, q); ok && e.extras() {
		// A line typed with its modifiers, units or pointers: added as
		// typed, whatever row the results show.
		p.commit()
		p.insertAt = 0
		return func() tea.Msg { return pickMsg{code: e.code, entry: &e} }
	}
	if !p.fresh() {
		if c := typedCode(p.c.Codes, q, p.options().Systems); c != nil {
			p.commit()
			return p.pickMsg(c)
		}
		if p.c.Searcher == nil {
			return common.Fail(common.Refuse("the search index is not ready: type a code exactly to pick it"))
		}
		return tea.Batch(p.searchNow(), common.Say("searching %q: enter picks once the results show", common.Clip(common.OneLine(q), 40)))
	}
	c := p.current()
	if c == nil {
		return common.Fail(common.Refuse("no code to pick: type a search first"))
	}
	p.commit()
	return p.pickMsg(c)
}

// highlighted shows the highlighted code in the detail pane.
func (p *searchPane) highlighted() tea.Cmd {
	c := p.current()
	if c == nil {
		return nil
	}
	return func() tea.Msg { return showCodeMsg{code: c} }
}

func savePrefs(c *common.Common, pr prefs.Prefs) tea.Cmd {
	store, coder, logger := c.Prefs, c.Coder, c.Logger
	pr = pr.Clone()
	return func() tea.Msg {
		if err := store.Save(coder, pr); err != nil {
			logger.Warn("saving favourites", "err", err)
			return common.Status("favourites not saved: "+err.Error(), true)
		}
		return nil
	}
}

func systemTag(s codesets.System) string {
	switch s {
	case codesets.ICD10CM:
		return "ICD"
	case codesets.HCPCS:
		return "HCP"
	case codesets.CPT:
		return "CPT"
	}
	return "   "
}

func (p *searchPane) View() string {
	k := searchViewKey{
		paneKey: keyOf(p.c, p.width, p.high, p.focus), input: inputKeyOf(&p.input), selected: p.selected,
		rowsGen: p.rowsGen, cur: p.cur, top: p.top, shown: p.shown, running: p.running,
		total: p.total, took: p.took, filter: p.filter, building: p.building,
	}
	if p.err != nil {
		k.err = p.err.Error()
	}
	return p.cache.get(k, p.draw)
}

func (p *searchPane) draw() string {
	st := p.c.Styles
	title := " 2 Search"
	switch {
	case p.building.Total > 0:
		title += fmt.Sprintf("  building the index %d%%", p.building.Done*100/p.building.Total)
	case p.running:
		title += "  searching…"
	case p.err != nil:
	case p.shown != "":
		// The index's total may be an estimate; never fewer than shown.
		title += fmt.Sprintf("  %d of %d", len(p.rows), max(p.total, uint64(len(p.rows))))
		switch {
		case p.took >= time.Millisecond:
			title += fmt.Sprintf(" · %d ms", p.took.Milliseconds())
		case p.took > 0:
			title += " · <1 ms"
		}
	default:
		title += "  favourites ★ and recent ↺"
	}
	if e, ok := parseLineEntry(p.c.Codes, p.input.Value()); ok && e.extras() {
		// What enter adds, before the counts a narrow title would cut.
		title = " 2 Search  enter adds " + e.String()
	}
	if p.filter != 0 {
		title += " · " + systemFilters[p.filter].name
	}
	input := p.input.View()
	if p.selected {
		input = st.Prompt.Render(p.input.Prompt) + st.DocSelection.Render(common.Clip(common.OneLine(p.input.Value()), max(p.width-3, 1)))
	}
	head := common.Block([]string{common.PaneTitle(st, title, p.width, p.focus), input}, p.width, min(p.high, 2))
	if p.high <= 2 {
		return head
	}
	k := searchBodyKey{paneKey: keyOf(p.c, p.width, p.high, p.focus), rowsGen: p.rowsGen, cur: p.cur, top: p.top,
		shown: p.shown, building: p.building.Total}
	if p.err != nil {
		k.err = p.err.Error()
	}
	return head + "\n" + p.body.get(k, p.drawBody)
}

// searchBodyKey is what the results under the input are drawn from: a key
// typed redraws the input, not the rows.
type searchBodyKey struct {
	paneKey
	rowsGen  int
	cur, top int
	shown    string
	err      string
	building int
}

// drawBody draws the results (or what stands for them) under the input.
func (p *searchPane) drawBody() string {
	st := p.c.Styles
	var lines []string
	switch {
	case p.building.Total > 0 && len(p.rows) == 0:
		lines = append(lines, st.Dim.Render(fmt.Sprintf(" first run: indexing %d codes…", p.building.Total)))
	case p.err != nil:
		lines = append(lines, st.Error.Render(" "+common.OneLine(p.err.Error())))
	case len(p.rows) == 0 && p.shown != "":
		lines = append(lines, st.Dim.Render(" no codes match "+common.Clip(common.OneLine(p.shown), p.width-18)))
	case len(p.rows) == 0:
		lines = append(lines, st.Dim.Render(" type to search; ctrl+s stars a code"))
	}
	vis := p.visible()
	for i := p.top; i < len(p.rows) && i < p.top+vis && p.err == nil; i++ {
		lines = append(lines, p.row(i))
	}
	return common.Block(lines, p.width, p.high-2)
}

// row draws a result: star or recent tag, code, billable marker, title
// (with what matched when it is not the title) and, in a wide pane, the
// code system (the code's shape tells it in a narrow one).
func (p *searchPane) row(i int) string {
	st := p.c.Styles
	r := p.rows[i]
	c := r.code
	tag := r.tag
	if tag == "" {
		tag = " "
	}
	sys := ""
	if p.width >= wideSearch {
		sys = " " + systemTag(c.System)
	}
	room := max(p.width-13-len(sys), 4)
	title := p.rowTitle(r, room, p.titles.Shared(i))
	if i == p.cur {
		plain := fmt.Sprintf("%s %-8s %s %s%s", tag, c.Display(), billMark(c), title, sys)
		if p.focus {
			return st.RowCursor.Render(common.Fit(plain, p.width))
		}
		return st.RowCursorDim.Render(common.Fit(plain, p.width))
	}
	mark := st.Billable.Render("●")
	if !c.Billable {
		mark = st.Header0.Render("○")
	}
	return fmt.Sprintf("%s %-8s %s %s%s", tag, c.Display(), mark, title, st.System.Render(sys))
}

// wideSearch is the pane width from which rows show the code system.
const wideSearch = 64

// rowTitle fits a result's title, and what matched when that is not the
// title, into room cells; the title keeps at least two thirds.
func (p *searchPane) rowTitle(r searchRow, room int, shared map[string]bool) string {
	c := r.code
	long, short := c.Title(), c.Short
	if c.DescriptorMissing {
		short = ""
	}
	why := ""
	if r.why != "" && r.why != "code typed" {
		why = common.OneLine(r.why)
	}
	title := common.FitTitleIn(long, short, room, shared)
	// What matched goes after a title that leaves room for it; a narrow
	// pane gives the title its whole room (the detail pane lists the
	// index entries).
	switch rest := room - common.TextWidth(title) - 3; {
	case why == "":
	case rest >= 12:
		title += " · " + common.Elide(why, rest)
	case room >= 40:
		whyW := min(common.TextWidth(why), room/3)
		title = common.FitTitleIn(long, short, room-whyW-3, shared)
		title += " · " + common.Elide(why, room-common.TextWidth(title)-3)
	}
	return common.Fit(title, room)
}

func billMark(c *codesets.Code) string {
	if c.Billable {
		return "●"
	}
	return "○"
}

// pickMsg picks c, at the place a note gave when one opened the search.
func (p *searchPane) pickMsg(c *codesets.Code) tea.Cmd {
	at := p.insertAt
	p.insertAt = 0
	return func() tea.Msg { return pickMsg{code: c, at: at} }
}
