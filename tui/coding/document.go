package coding

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"codebench/encounter"
	"codebench/tui/common"
	"codebench/tui/work"
)

// The documentation pane lays the notes out itself rather than through a
// viewport: every drawn cell keeps the byte offset of the note text it came
// from, so a selection maps back to an exact evidence span and highlights
// land on the right characters however the text wraps.

const docGutter = 2 // claim letter of the evidence starting on the line

type docCell struct {
	off int    // byte offset in the note text
	s   string // what to draw (control characters already neutralised)
	w   int    // width in cells
}

type docLine struct {
	note  int
	title bool
	cells []docCell
}

type docWord struct {
	note, line int
	start, end int // byte span in the note text
	col        int // column of the first cell
}

type selMode int

const (
	selNone selMode = iota
	selWords
	selLines
)

// docSearchMsg asks the search pane to search the selected span.
type docSearchMsg struct{ query string }

type docPane struct {
	c     *common.Common
	w     *work.Work
	width int
	high  int
	focus bool

	lines []docLine
	words []docWord
	cur   int // word under the cursor
	goal  int // column kept while moving up and down
	top   int

	mode   selMode
	anchor int

	terms []string // search terms, lower case

	keptTop savedTop
	cache   viewCache[docViewKey]
}

// docViewKey is what the documentation pane's frame is drawn from: layout
// makes new lines and words each time, so their identity stands for their
// content; the claim's fingerprint covers the evidence.
type docViewKey struct {
	paneKey
	enc              *encounter.Encounter
	claim            uint64
	lines            *docLine
	nlines           int
	words            *docWord
	nwords           int
	cur, top, anchor int
	mode             selMode
	terms            string
}

func newDocPane(c *common.Common, w *work.Work) *docPane { return &docPane{c: c, w: w} }

// SetSize lays the notes out again for the new width. A pane made
// shorter for a while (the claim has the focus) scrolls only as far as
// the cursor needs, and shows the same lines again when it grows back.
func (p *docPane) SetSize(w, h int) {
	relayout := w != p.width
	grown := h > p.high
	if h < p.high && !p.keptTop.ok {
		p.keptTop = savedTop{p.top, true}
	}
	p.width, p.high = w, h
	if relayout {
		p.layout()
		p.keptTop = savedTop{}
	}
	if grown && p.keptTop.ok {
		p.top, p.keptTop = p.keptTop.top, savedTop{}
	}
	p.follow()
}

// savedTop is the first line shown before the pane was made shorter.
type savedTop struct {
	top int
	ok  bool
}

// reset shows a newly opened encounter from the top.
func (p *docPane) reset() {
	p.keptTop = savedTop{}
	p.cur, p.top, p.goal, p.mode = 0, 0, 0, selNone
	p.words = nil
	p.layout()
}

func (p *docPane) layout() {
	// Word indexes change with the width: keep the cursor and the anchor
	// by their place in the text.
	curOff, curNote, ancOff, ancNote := -1, -1, -1, -1
	if p.cur < len(p.words) {
		curNote, curOff = p.words[p.cur].note, p.words[p.cur].start
	}
	if p.anchor < len(p.words) {
		ancNote, ancOff = p.words[p.anchor].note, p.words[p.anchor].start
	}
	p.lines, p.words = nil, nil
	if p.w.Enc == nil {
		return
	}
	tw := max(p.width-docGutter, 8)
	for ni, n := range p.w.Enc.Notes {
		if ni > 0 {
			p.lines = append(p.lines, docLine{note: ni})
		}
		title := common.OneLine(n.Title)
		if title == "" {
			title = common.OneLine(n.ID)
		}
		p.lines = append(p.lines, docLine{note: ni, title: true, cells: []docCell{{off: -1, s: title, w: ansi.StringWidth(title)}}})
		p.wrapNote(ni, n.Text, tw)
	}
	p.cur, p.anchor = p.wordAt(curNote, curOff), p.wordAt(ancNote, ancOff)
}

// wordAt is the index of the first word of note at or after byte off.
func (p *docPane) wordAt(note, off int) int {
	for i, wd := range p.words {
		if wd.note == note && wd.end > off {
			return i
		}
	}
	return 0
}

// wrapNote splits a note into display lines of at most width cells,
// breaking after spaces where it can, and collects its words.
func (p *docPane) wrapNote(ni int, text string, width int) {
	var cells []docCell
	flush := func() {
		for len(cells) > 0 {
			cut, col := len(cells), 0
			for i, c := range cells {
				if col+c.w > width {
					cut = i
					// Break after the last space, if there is one.
					for j := i - 1; j > 0; j-- {
						if cells[j].s == " " {
							cut = j + 1
							break
						}
					}
					if cut == 0 {
						cut = 1
					}
					break
				}
				col += c.w
			}
			p.addLine(ni, cells[:cut])
			cells = cells[cut:]
		}
	}
	empty := true
	soft := softBreaks(text, width)
	hidden := markup(text)
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case hidden[i]:
			// Markdown markup: the words show, the marks do not.
		case r == '\n' && soft[i]:
			// A break the note's own wrapping made: flow on.
			cells = append(cells, docCell{off: i, s: " ", w: 1})
		case r == '\n':
			if len(cells) == 0 {
				p.addLine(ni, nil)
			}
			flush()
			empty = true
		case r == '\r' && i+1 < len(text) && text[i+1] == '\n':
			// CR LF: the LF ends the line.
		case r == '\t':
			cells = append(cells, docCell{off: i, s: "  ", w: 2})
			empty = false
		default:
			s := common.DisplayRune(r)
			cells = append(cells, docCell{off: i, s: s, w: max(ansi.StringWidth(s), 1)})
			empty = false
		}
		i += n
	}
	if !empty || len(cells) > 0 {
		flush()
	}
}

// softBreaks finds the line breaks of a note that only wrapped a paragraph
// at the width of the program that wrote it (a text file at 80 columns):
// drawn as breaks in a narrower pane they leave ragged short lines. A break
// is soft when the next line's first word would not have fitted on the
// line, or when the line stops mid-sentence and the next goes on in lower
// case; never before a list item, heading, label ("PLAN:") or indented
// line. It maps the byte offset of each soft '\n'. A note whose lines all
// fit the pane keeps its layout.
func softBreaks(text string, width int) map[int]bool {
	type line struct {
		start, end int // end excludes the '\n' (and a '\r' before it)
		n          int // runes
	}
	var lines []line
	longest := 0
	for start := 0; start <= len(text); {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		e := end
		if e > start && text[e-1] == '\r' {
			e--
		}
		l := line{start, e, utf8.RuneCountInString(text[start:e])}
		lines = append(lines, l)
		longest = max(longest, l.n)
		start = end + 1
	}
	if longest <= width {
		return nil
	}
	var soft map[int]bool
	for i := 0; i+1 < len(lines); i++ {
		a, b := text[lines[i].start:lines[i].end], text[lines[i+1].start:lines[i+1].end]
		if strings.TrimSpace(a) == "" || strings.TrimSpace(b) == "" || b[0] == ' ' || b[0] == '\t' || startsBlock(b) {
			continue
		}
		first, _, _ := strings.Cut(b, " ")
		filled := longest <= 132 && lines[i].n+1+utf8.RuneCountInString(first) > longest
		r, _ := utf8.DecodeRuneInString(b)
		last := strings.TrimRight(a, " \t")
		midSentence := !strings.ContainsAny(last[len(last)-1:], ".:;?!") && unicode.IsLower(r)
		if filled || midSentence {
			if soft == nil {
				soft = map[int]bool{}
			}
			nl := lines[i].end
			if nl < len(text) && text[nl] == '\r' {
				nl++
			}
			soft[nl] = true
		}
	}
	return soft
}

// markup finds the Markdown marks a note written in Markdown carries:
// "#" of headings and paired "**" of bold. They are not drawn; the text
// keeps them, so evidence spans stay exact. A note without a heading is
// left as it is ("** ALERT **" is not Markdown there).
func markup(text string) map[int]bool {
	if !strings.HasPrefix(text, "#") && !strings.Contains(text, "\n#") {
		return nil
	}
	hidden := map[int]bool{}
	for start := 0; start < len(text); {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		line := text[start:end]
		// "## Heading": the hashes and the space after them.
		h := 0
		for h < len(line) && h < 6 && line[h] == '#' {
			h++
		}
		if h > 0 && h < len(line) && line[h] == ' ' {
			for k := 0; k <= h; k++ {
				hidden[start+k] = true
			}
		}
		// "**bold**": only marks that pair up on the line.
		if n := strings.Count(line, "**"); n >= 2 && n%2 == 0 {
			for k := 0; k+1 < len(line); k++ {
				if line[k] == '*' && line[k+1] == '*' {
					hidden[start+k], hidden[start+k+1] = true, true
					k++
				}
			}
		}
		start = end + 1
	}
	return hidden
}

// startsBlock tells whether a line starts a list item, a heading, a quote,
// a table row or a label such as "IMPRESSION:".
func startsBlock(l string) bool {
	switch l[0] {
	case '-', '*', '+', '#', '|', '>':
		return true
	}
	if strings.HasPrefix(l, "•") {
		return true
	}
	// "1. " or "2) "
	i := 0
	for i < len(l) && l[i] >= '0' && l[i] <= '9' {
		i++
	}
	if i > 0 && i+1 < len(l) && (l[i] == '.' || l[i] == ')') && l[i+1] == ' ' {
		return true
	}
	// An upper-case label before a colon.
	label, _, ok := strings.Cut(l, ":")
	if ok && len(label) <= 30 && strings.ToUpper(label) == label && strings.IndexFunc(label, unicode.IsLetter) >= 0 {
		return true
	}
	return false
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// addLine appends a display line and the words that start on it. Words are
// runs of letters and digits, joined across - ' . / when both sides are
// letters or digits ("E11.65", "type-2", "O'Brien").
func (p *docPane) addLine(ni int, cells []docCell) {
	li := len(p.lines)
	p.lines = append(p.lines, docLine{note: ni, cells: cells})
	text := p.w.Enc.Notes[ni].Text
	col := 0
	in := false
	for i, c := range cells {
		r, _ := utf8.DecodeRuneInString(text[c.off:])
		wordy := isWordRune(r) && c.s != "\uFFFD"
		if !wordy && in && strings.ContainsRune("-'./", r) && i+1 < len(cells) {
			nr, _ := utf8.DecodeRuneInString(text[cells[i+1].off:])
			wordy = isWordRune(nr)
		}
		switch {
		case wordy && !in:
			p.words = append(p.words, docWord{note: ni, line: li, start: c.off, col: col})
			in = true
		case !wordy && in:
			in = false
		}
		if in {
			_, n := utf8.DecodeRuneInString(text[c.off:])
			p.words[len(p.words)-1].end = c.off + n
		}
		col += c.w
	}
}

// Words that wrap continue on the next line as a new word; that keeps the
// cursor simple and a selection across them still covers both parts.

func (p *docPane) ShortHelp() []key.Binding {
	k := p.c.KeyMap
	return []key.Binding{k.SelectWords, k.SelectLines, k.SearchSpan, k.NextMatch}
}

func (p *docPane) FullHelp() [][]key.Binding {
	k := p.c.KeyMap
	return [][]key.Binding{
		{k.Up, k.Down, k.WordLeft, k.WordRight, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.SelectWords, k.SelectLines, k.Unselect, k.SearchSpan, k.NextMatch, k.PrevMatch, k.NextNote, k.PrevNote},
	}
}

func (p *docPane) visible() int { return max(p.high-1, 1) }

// follow scrolls so the cursor's line is visible.
func (p *docPane) follow() {
	if len(p.words) == 0 {
		p.top = min(p.top, max(len(p.lines)-p.visible(), 0))
		return
	}
	p.cur = min(max(p.cur, 0), len(p.words)-1)
	line := p.words[p.cur].line
	vis := p.visible()
	if line < p.top {
		p.top = line
		// Show the note's title when its first line is reached.
		if line > 0 && p.lines[line-1].title {
			p.top = line - 1
		}
	}
	if line >= p.top+vis {
		p.top = line - vis + 1
	}
	p.top = max(p.top, 0)
}

func (p *docPane) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok || len(p.words) == 0 {
		return nil
	}
	k := p.c.KeyMap
	switch {
	case key.Matches(km, k.WordRight):
		p.moveTo(p.cur+1, true)
	case key.Matches(km, k.WordLeft):
		p.moveTo(p.cur-1, true)
	case key.Matches(km, k.Down):
		p.moveLines(1)
	case key.Matches(km, k.Up):
		p.moveLines(-1)
	case key.Matches(km, k.PageDown):
		p.moveLines(p.visible() - 1)
	case key.Matches(km, k.PageUp):
		p.moveLines(-(p.visible() - 1))
	case key.Matches(km, k.Top):
		p.moveTo(0, true)
	case key.Matches(km, k.Bottom):
		p.moveTo(len(p.words)-1, true)
	case key.Matches(km, k.NextNote):
		p.jumpNote(1)
	case key.Matches(km, k.PrevNote):
		p.jumpNote(-1)
	case key.Matches(km, k.NextMatch):
		p.jumpMatch(1)
	case key.Matches(km, k.PrevMatch):
		p.jumpMatch(-1)
	case key.Matches(km, k.SelectWords):
		p.toggleSelect(selWords)
	case key.Matches(km, k.SelectLines):
		p.toggleSelect(selLines)
	case key.Matches(km, k.Unselect):
		p.clearSelection()
	case key.Matches(km, k.SearchSpan):
		return p.searchSpan()
	}
	return nil
}

func (p *docPane) moveTo(i int, setGoal bool) {
	p.keptTop = savedTop{} // the coder moved: the cursor leads
	p.cur = min(max(i, 0), len(p.words)-1)
	if setGoal {
		p.goal = p.words[p.cur].col
	}
	p.follow()
	p.updateSpan()
}

// moveLines moves the cursor n display lines (up when negative) to the
// word nearest the goal column, skipping lines without words.
func (p *docPane) moveLines(n int) {
	line := p.words[p.cur].line
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	target := line
	for moved := 0; moved < n; {
		next := -1
		for l := target + step; l >= 0 && l < len(p.lines); l += step {
			if p.firstWordOn(l) >= 0 {
				next = l
				break
			}
		}
		if next < 0 {
			break
		}
		target = next
		moved++
	}
	if target == line {
		if step > 0 {
			p.moveTo(len(p.words)-1, false)
		} else {
			p.moveTo(0, false)
		}
		return
	}
	best := p.firstWordOn(target)
	for i := best; i < len(p.words) && p.words[i].line == target; i++ {
		if abs(p.words[i].col-p.goal) < abs(p.words[best].col-p.goal) {
			best = i
		}
	}
	p.moveTo(best, false)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// firstWordOn is the index of the first word on line l, or -1.
func (p *docPane) firstWordOn(l int) int {
	i := sort.Search(len(p.words), func(i int) bool { return p.words[i].line >= l })
	if i < len(p.words) && p.words[i].line == l {
		return i
	}
	return -1
}

func (p *docPane) jumpNote(dir int) {
	note := p.words[p.cur].note
	if dir > 0 {
		for i := p.cur; i < len(p.words); i++ {
			if p.words[i].note > note {
				p.moveTo(i, true)
				return
			}
		}
		return
	}
	// To the start of this note, or of the previous one when already there.
	start := p.cur
	for start > 0 && p.words[start-1].note == note {
		start--
	}
	if start == p.cur && start > 0 {
		prev := p.words[start-1].note
		for start > 0 && p.words[start-1].note == prev {
			start--
		}
	}
	p.moveTo(start, true)
}

func (p *docPane) matches(i int) bool {
	if len(p.terms) == 0 {
		return false
	}
	wd := p.words[i]
	w := strings.ToLower(p.w.Enc.Notes[wd.note].Text[wd.start:wd.end])
	for _, t := range p.terms {
		if strings.HasPrefix(w, t) {
			return true
		}
	}
	return false
}

func (p *docPane) jumpMatch(dir int) {
	n := len(p.words)
	for k := 1; k < n; k++ {
		i := ((p.cur+dir*k)%n + n) % n
		if p.matches(i) {
			p.moveTo(i, true)
			return
		}
	}
}

func (p *docPane) toggleSelect(m selMode) {
	if p.mode == m {
		p.clearSelection()
		return
	}
	p.mode, p.anchor = m, p.cur
	p.updateSpan()
}

func (p *docPane) clearSelection() {
	p.mode = selNone
	p.w.Span = nil
}

// selection is the selected byte span of one note (the anchor's); ok is
// false when nothing is selected.
func (p *docPane) selection() (note, start, end int, ok bool) {
	if p.mode == selNone || len(p.words) == 0 || p.anchor >= len(p.words) {
		return 0, 0, 0, false
	}
	a, c := p.words[p.anchor], p.words[min(p.cur, len(p.words)-1)]
	note = a.note
	lo, hi := a, c
	if c.note != a.note || c.start < a.start {
		lo, hi = c, a
	}
	switch p.mode {
	case selWords:
		start, end = lo.start, hi.end
	case selLines:
		start = p.lineStart(lo.line)
		end = p.lineEnd(hi.line)
	}
	// A selection never crosses into another note: clamp to the anchor's.
	if c.note != a.note {
		text := p.w.Enc.Notes[note].Text
		if c.note > a.note {
			start, end = a.start, len(text)
			if p.mode == selLines {
				start = p.lineStart(a.line)
			}
		} else {
			start, end = 0, a.end
			if p.mode == selLines {
				end = p.lineEnd(a.line)
			}
		}
	}
	return note, start, end, end > start
}

func (p *docPane) lineStart(l int) int {
	if len(p.lines[l].cells) == 0 {
		return 0
	}
	return p.lines[l].cells[0].off
}

func (p *docPane) lineEnd(l int) int {
	cs := p.lines[l].cells
	if len(cs) == 0 {
		return 0
	}
	last := cs[len(cs)-1]
	text := p.w.Enc.Notes[p.lines[l].note].Text
	_, n := utf8.DecodeRuneInString(text[last.off:])
	end := last.off + n
	// Trailing spaces are not part of what the coder meant.
	for end > cs[0].off && (text[end-1] == ' ' || text[end-1] == '\t' || text[end-1] == '\n' || text[end-1] == '\r') {
		end--
	}
	return end
}

// updateSpan publishes the selection as the evidence span.
func (p *docPane) updateSpan() {
	note, start, end, ok := p.selection()
	if !ok {
		p.w.Span = nil
		return
	}
	n := p.w.Enc.Notes[note]
	p.w.Span = &encounter.Evidence{NoteID: n.ID, Start: start, End: end, Text: n.Text[start:end]}
}

// maxQuery bounds a search built from a long selection.
const maxQuery = 200

// searchSpan searches the selection, or the word under the cursor (which
// then becomes the selection, so the code picked next records it).
func (p *docPane) searchSpan() tea.Cmd {
	if p.mode == selNone {
		p.mode, p.anchor = selWords, p.cur
	}
	p.updateSpan()
	if p.w.Span == nil {
		return nil
	}
	q := common.OneLine(p.w.Span.Text)
	if len(q) > maxQuery {
		q = q[:maxQuery]
		if i := strings.LastIndexByte(q, ' '); i > 0 {
			q = q[:i]
		}
		q = strings.ToValidUTF8(q, "")
	}
	q = strings.TrimFunc(q, func(r rune) bool { return !isWordRune(r) })
	if q == "" {
		return nil
	}
	return func() tea.Msg { return docSearchMsg{query: q} }
}

// setTerms highlights the words of the current search.
func (p *docPane) setTerms(query string) {
	p.terms = p.terms[:0]
	for _, f := range strings.FieldsFunc(strings.ToLower(query), func(r rune) bool { return !isWordRune(r) }) {
		if utf8.RuneCountInString(f) >= 3 {
			p.terms = append(p.terms, f)
		}
	}
}

// showEvidence moves to and selects a diagnosis's evidence.
func (p *docPane) showEvidence(ev *encounter.Evidence) bool {
	if ev == nil || p.w.Enc == nil {
		return false
	}
	for i, wd := range p.words {
		if p.w.Enc.Notes[wd.note].ID == ev.NoteID && wd.end > ev.Start {
			j := i
			for j+1 < len(p.words) && p.words[j+1].note == wd.note && p.words[j+1].start < ev.End {
				j++
			}
			p.mode, p.anchor = selWords, i
			p.moveTo(j, true)
			p.top = max(min(p.words[i].line-1, p.top), 0)
			p.follow()
			return true
		}
	}
	return false
}

type span struct{ start, end int }

// evidence lists, per note, the evidence spans with their claim letters.
func (p *docPane) evidence() map[int][]struct {
	span
	letter string
} {
	out := map[int][]struct {
		span
		letter string
	}{}
	if p.w.Enc == nil {
		return out
	}
	for di, d := range p.w.Enc.Diagnoses {
		ev := d.Evidence
		if ev == nil {
			continue
		}
		for ni, n := range p.w.Enc.Notes {
			if n.ID == ev.NoteID && ev.Start >= 0 && ev.End <= len(n.Text) && ev.Start < ev.End {
				out[ni] = append(out[ni], struct {
					span
					letter string
				}{span{ev.Start, ev.End}, common.Letter(di + 1)})
			}
		}
	}
	return out
}

type docClass int

const (
	clsPlain docClass = iota
	clsEvidence
	clsMatch
	clsSelection
	clsCursor
)

func (p *docPane) View() string {
	return p.cache.get(docViewKey{
		paneKey: keyOf(p.c, p.width, p.high, p.focus), enc: p.w.Enc, claim: claimPrint(p.w.Enc),
		lines: unsafe.SliceData(p.lines), nlines: len(p.lines), words: unsafe.SliceData(p.words), nwords: len(p.words),
		cur: p.cur, top: p.top, anchor: p.anchor, mode: p.mode, terms: joinKey(p.terms),
	}, p.draw)
}

func (p *docPane) draw() string {
	st := p.c.Styles
	title := " 1 Documentation"
	if p.w.Enc != nil && len(p.words) > 0 {
		wd := p.words[p.cur]
		if len(p.w.Enc.Notes) > 1 {
			title += fmt.Sprintf("  note %d/%d", wd.note+1, len(p.w.Enc.Notes))
		}
		if _, s, e, ok := p.selection(); ok {
			title += fmt.Sprintf("  %d selected", e-s)
		}
	}
	lines := []string{common.PaneTitle(st, title, p.width, p.focus)}
	if p.w.Enc == nil || len(p.lines) == 0 {
		lines = append(lines, st.Dim.Render(" no documentation in this encounter"))
		return common.Block(lines, p.width, p.high)
	}
	selNote, selStart, selEnd, selOK := p.selection()
	var cur docWord
	if len(p.words) > 0 {
		cur = p.words[p.cur]
	}
	evid := p.evidence()
	vis := p.visible()
	for li := p.top; li < len(p.lines) && li < p.top+vis; li++ {
		ln := p.lines[li]
		if ln.title {
			lines = append(lines, st.NoteTitle.Render("▌ "+ln.cells[0].s))
			continue
		}
		gut := "  "
		for _, e := range evid[ln.note] {
			if len(ln.cells) > 0 && e.start >= ln.cells[0].off && e.start <= ln.cells[len(ln.cells)-1].off {
				gut = st.Gutter.Render(e.letter) + " "
				break
			}
		}
		matchEnds := p.lineMatches(li)
		var b strings.Builder
		b.WriteString(gut)
		var run strings.Builder
		runCls := clsPlain
		emit := func() {
			if run.Len() == 0 {
				return
			}
			b.WriteString(p.classStyle(runCls).Render(run.String()))
			run.Reset()
		}
		for _, c := range ln.cells {
			cls := clsPlain
			for _, e := range evid[ln.note] {
				if c.off >= e.start && c.off < e.end {
					cls = clsEvidence
				}
			}
			for _, m := range matchEnds {
				if c.off >= m.start && c.off < m.end {
					cls = clsMatch
				}
			}
			if selOK && ln.note == selNote && c.off >= selStart && c.off < selEnd {
				cls = clsSelection
			}
			if p.focus && ln.note == cur.note && c.off >= cur.start && c.off < cur.end {
				cls = clsCursor
			}
			if cls != runCls {
				emit()
				runCls = cls
			}
			run.WriteString(c.s)
		}
		emit()
		lines = append(lines, b.String())
	}
	return common.Block(lines, p.width, p.high)
}

// lineMatches are the spans of search-term matches on line li.
func (p *docPane) lineMatches(li int) []span {
	if len(p.terms) == 0 {
		return nil
	}
	var out []span
	for i := p.firstWordOn(li); i >= 0 && i < len(p.words) && p.words[i].line == li; i++ {
		if p.matches(i) {
			out = append(out, span{p.words[i].start, p.words[i].end})
		}
	}
	return out
}

func (p *docPane) classStyle(c docClass) lipgloss.Style {
	st := p.c.Styles
	switch c {
	case clsEvidence:
		return st.DocEvidence
	case clsMatch:
		return st.DocMatch
	case clsSelection:
		return st.DocSelection
	case clsCursor:
		return st.DocCursor
	}
	return st.Row
}
