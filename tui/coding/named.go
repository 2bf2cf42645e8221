package coding

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"codebench/codesets"
	"codebench/tui/common"
)

// The notes of a code that name other codes ("code first", "use
// additional code", "code also") are listed in the detail pane under the
// code; a adds the one under the cursor at the place its note gives it:
// a code first goes before the code whose note names it, the others
// after. A note that names a range opens the search on it, and the code
// picked there takes that place.

// namedRef is a code or range a note of the shown code names.
type namedRef struct {
	kind codesets.NoteKind // CodeFirst, UseAdditional or CodeAlso
	ref  codesets.Ref
	code *codesets.Code // the one billable code the note names; nil for a range
	note string         // the note's item, for the row
}

// namedRefs lists what the notes name, each reference once, in the order
// a coder reads them (code first, use additional, code also).
func namedRefs(codes *codesets.Set, notes []codesets.Note) []namedRef {
	var out []namedRef
	seen := map[codesets.Ref]bool{}
	for _, kind := range []codesets.NoteKind{codesets.CodeFirst, codesets.UseAdditional, codesets.CodeAlso} {
		for _, n := range notes {
			if n.Kind != kind {
				continue
			}
			for _, r := range n.Refs() {
				if seen[r] {
					continue
				}
				seen[r] = true
				nr := namedRef{kind: kind, ref: r, note: n.Text}
				if r.To == "" && codes != nil {
					if c, ok := codes.LookupIn(codesets.ICD10CM, r.From); ok && c.Billable && len(c.Children()) == 0 {
						nr.code = c
					}
				}
				out = append(out, nr)
			}
		}
	}
	return out
}

// label is the row's note kind in a word.
func (n namedRef) label() string {
	switch n.kind {
	case codesets.CodeFirst:
		return "first"
	case codesets.CodeAlso:
		return "also"
	}
	return "add"
}

// query is what the search is opened on for a range: the codes the
// range's ends share ("N18.1-N18.6" searches N18).
func (n namedRef) query() string {
	if n.ref.To == "" {
		return codesets.Dotted(codesets.ICD10CM, n.ref.From)
	}
	a, b := n.ref.From, n.ref.To
	k := 0
	for k < len(a) && k < len(b) && a[k] == b[k] {
		k++
	}
	if k < 3 {
		return n.ref.String() // no shared category: the range itself
	}
	return codesets.Dotted(codesets.ICD10CM, a[:k])
}

// addNamedMsg asks to add what a note of code by names.
type addNamedMsg struct {
	named namedRef
	by    *codesets.Code
}

// addNamed adds the code a note names, or opens the search on the range
// it names, at the place the note gives it.
func (s *Screen) addNamed(msg addNamedMsg) tea.Cmd {
	if err := s.w.Editable(); err != nil {
		return common.Fail(err)
	}
	n, by := msg.named, msg.by
	// Where it goes: before the code whose note says "code first", after
	// the others (at the end of the list).
	at, where := len(s.w.Enc.Diagnoses), "at the end"
	for i, d := range s.w.Enc.Diagnoses {
		if by != nil && codesets.Canonical(d.Code) == by.Code && n.kind == codesets.CodeFirst {
			at, where = i, "before "+by.Display()
		}
	}
	if n.code != nil {
		for i, d := range s.w.Enc.Diagnoses {
			if codesets.Canonical(d.Code) == n.code.Code {
				return common.Fail(common.Refuse("%s is already diagnosis %s", n.code.Display(), common.Letter(i+1)))
			}
		}
		if err := s.w.AddDiagnosisAt(n.code, at); err != nil {
			return common.Fail(err)
		}
		s.claim.selectDiagnosis(at)
		s.touch(n.code)
		return tea.Batch(savePrefs(s.c, *s.prefs), common.Say("%s added as diagnosis %s (%s %s)", n.code.Display(), common.Letter(at+1), strings.ToLower(n.kind.Label()), byName(by)))
	}
	s.setFocus(PaneSearch)
	cmd := s.search.setQuery(n.query())
	s.search.commit()
	s.search.selectQuery()
	if at < len(s.w.Enc.Diagnoses) {
		s.search.insertAt = at + 1 // the pick goes there
	}
	return tea.Batch(cmd, common.Say("%s %s: enter adds the code %s", strings.ToLower(n.kind.Label()), n.ref, where))
}

func byName(c *codesets.Code) string {
	if c == nil {
		return ""
	}
	return "of " + c.Display()
}

// namedRow is a named reference's row in the detail pane.
func (n namedRef) prefix(onClaim string) string {
	mark := " "
	if onClaim != "" {
		mark = "✓"
	}
	return fmt.Sprintf("%s %-5s %-11s ", mark, n.label(), n.ref)
}

// onClaim is the letter of the diagnosis a reference covers, "" when
// none does.
func (p *detailPane) onClaim(n namedRef) string {
	if p.w.Enc == nil {
		return ""
	}
	for i, d := range p.w.Enc.Diagnoses {
		if n.ref.Covers(codesets.Canonical(d.Code)) {
			return common.Letter(i + 1)
		}
	}
	return ""
}

// namedTitle is what the row says after the reference: the item of the
// note that names it, without the codes.
func namedTitle(n namedRef) string {
	t := strings.TrimSpace(n.note)
	if i := strings.Index(t, "("); i > 0 {
		t = strings.TrimSpace(t[:i])
	}
	return t
}

// NamedRefs lists the codes and ranges the notes of c name, as the detail
// pane lists them (dotted; a range as "N18.1-N18.6").
func NamedRefs(codes *codesets.Set, c *codesets.Code) []string {
	if codes == nil || c == nil || c.System != codesets.ICD10CM {
		return nil
	}
	var out []string
	for _, n := range namedRefs(codes, codes.Detail(c).Notes) {
		out = append(out, n.ref.String())
	}
	return out
}
