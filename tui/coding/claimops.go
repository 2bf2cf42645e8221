package coding

import (
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"codebench/codesets"
	"codebench/tui/common"
	"codebench/tui/work"
)

// Claim operations the panes ask for by message: a pick adds or recodes,
// an undo takes back, an edit's target is selected. Each goes through
// work, which enforces the claim's limits.

// pick adds a code to the claim: diagnoses for ICD-10-CM, lines for the
// others. A header or a code that needs a 7th character opens the detail
// pane to choose.
func (s *Screen) pick(c *codesets.Code, at int) tea.Cmd {
	if s.w.Enc == nil {
		return common.Fail(common.Refuse("open an encounter first"))
	}
	if c.System == codesets.ICD10CM && (!c.Billable || c.NeedsSeventh()) {
		s.detail.code = nil
		s.detail.show(c)
		s.setFocus(PaneDetail)
		if len(s.detail.choices) > 0 {
			if s.detail.picker() {
				return common.Say("%s needs a 7th character: type it or choose with ↑↓ enter", c.Display())
			}
			return common.Say("%s is a header, not billable: choose one of its codes", c.Display())
		}
		return common.Fail(common.Refuse("%s is not billable", c.Display()))
	}
	var err error
	if c.System == codesets.ICD10CM {
		hadSpan := s.w.Span != nil
		n := len(s.w.Enc.Diagnoses) + 1
		if at > 0 && at < n {
			n = at
		}
		if err = s.w.AddDiagnosisAt(c, n-1); err == nil {
			s.detail.show(c) // the code added, not the picker it came from
			s.claim.selectDiagnosis(n - 1)
			s.doc.clearSelection()
			s.touch(c)
			if s.focus == PaneDetail {
				// Back to the search the code came from; esc there still
				// leads where the coder was before searching.
				from := s.searchFrom
				s.setFocus(PaneSearch)
				s.searchFrom = from
			}
			ev := ""
			if hadSpan {
				ev = " with evidence"
			}
			s.search.selectQuery()
			return tea.Batch(savePrefs(s.c, *s.prefs), common.Say("%s added as diagnosis %s%s", c.Display(), common.Letter(n), ev))
		}
	} else if err = s.w.AddLine(c); err == nil {
		n := len(s.w.Enc.Lines)
		s.claim.selectLine(n - 1)
		s.touch(c)
		s.search.selectQuery()
		return tea.Batch(savePrefs(s.c, *s.prefs), common.Say("%s added as line %d %s", c.Display(), n, s.pointerHint(n-1)))
	}
	return common.Fail(err)
}

// undo takes back the latest change to the claim and puts the claim
// cursor back on the row the change was made on: a line deleted and
// brought back is under the cursor again.
func (s *Screen) undo() tea.Cmd {
	detail, at, err := s.w.UndoLast()
	if err != nil {
		return common.Fail(err)
	}
	switch {
	case at.Index < 0:
		s.claim.follow()
	case at.Line:
		s.claim.selectLine(min(at.Index, max(s.claim.nlines()-1, 0)))
	default:
		s.claim.selectDiagnosis(min(at.Index, max(s.claim.ndx()-1, 0)))
	}
	return tea.Batch(s.claim.showRow(), common.Say("undone: %s", detail))
}

// recode replaces diagnosis i with c, from the detail pane opened on it.
func (s *Screen) recode(i int, c *codesets.Code) tea.Cmd {
	if c.System == codesets.ICD10CM && (!c.Billable || c.NeedsSeventh()) {
		s.detail.drill(c)
		return common.Fail(common.Refuse("%s is not billable: choose one of its codes", c.Display()))
	}
	if i < len(s.w.Enc.Diagnoses) && codesets.Canonical(s.w.Enc.Diagnoses[i].Code) == c.Code {
		s.setFocus(PaneClaim)
		return common.Say("diagnosis %s is already %s", common.Letter(i+1), c.Display())
	}
	if err := s.w.ReplaceDiagnosis(i, c); err != nil {
		return common.Fail(err)
	}
	s.detail.show(c)
	s.claim.selectDiagnosis(i)
	s.touch(c)
	s.setFocus(PaneClaim)
	return tea.Batch(savePrefs(s.c, *s.prefs), common.Say("diagnosis %s recoded as %s", common.Letter(i+1), c.Display()))
}

func (s *Screen) touch(c *codesets.Code) {
	s.prefs.Touch(c.Code)
	s.search.refreshTags()
}

// gotoTarget selects the claim row an edit is about.
func (s *Screen) gotoTarget(t string) tea.Cmd {
	kind, n, _ := strings.Cut(t, ":")
	var i int
	if _, err := fmt.Sscan(n, &i); err != nil || i < 1 {
		return common.Say("%s is about the whole claim", common.TargetName(t))
	}
	switch kind {
	case "dx":
		if i <= s.claim.ndx() {
			s.claim.selectDiagnosis(i - 1)
			s.setFocus(PaneClaim)
			return nil
		}
	case "line":
		if i <= s.claim.nlines() {
			s.claim.selectLine(i - 1)
			s.setFocus(PaneClaim)
			return nil
		}
	}
	return common.Fail(errors.New(common.TargetName(t) + " is no longer on the claim"))
}

// pointerHint says what a new line points at and the keys that change it
// from where the coder is: in the search pane letters and digits are
// typed into the query, so the way to the claim starts with esc.
func (s *Screen) pointerHint(line int) string {
	keys := "p changes it"
	switch s.focus {
	case PaneSearch:
		keys = "esc 4 p changes it"
	case PaneClaim:
	default:
		keys = "4 p changes it"
	}
	ps := s.w.Enc.Lines[line].Pointers
	if len(ps) == 0 {
		return "pointing at no diagnosis yet: the first one added links it"
	}
	hint := "→ " + work.PointerLetters(ps, " ")
	if d := s.w.Enc.Lines[line].NDC; !d.IsZero() {
		// Only the documentation gives a new line its NDC (n changes it).
		hint += "; NDC " + work.NDCText(d) + " from the notes"
	}
	return hint + "; " + keys
}

// addEntry adds a line typed in the search with its modifiers, units and
// pointers, in one change.
func (s *Screen) addEntry(e lineEntry) tea.Cmd {
	if s.w.Enc == nil {
		return common.Fail(common.Refuse("open an encounter first"))
	}
	if err := s.w.AddLineWith(s.c.Codes, e.code, strings.Join(e.mods, " "), e.units, e.ptrs); err != nil {
		return common.Fail(err)
	}
	n := len(s.w.Enc.Lines)
	l := s.w.Enc.Lines[n-1]
	s.claim.selectLine(n - 1)
	s.touch(e.code)
	s.search.selectQuery()
	what := e.code.Display()
	for _, m := range l.Modifiers {
		what += "-" + m
	}
	if l.Units != 1 {
		what += fmt.Sprintf(" ×%d", l.Units)
	}
	return tea.Batch(savePrefs(s.c, *s.prefs), common.Say("%s added as line %d %s", what, n, s.pointerHint(n-1)))
}
