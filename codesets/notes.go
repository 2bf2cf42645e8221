package codesets

import (
	"slices"
	"strings"
)

// Notes by release. The notes other than Excludes come from the FY2023
// Tabular List for every release, and codes newer than it inherit them
// from their category, section and chapter. A release with Excludes notes
// of its own (FY2027) uses those instead of the Tabular's, on every
// level: code, parents, section, chapter.

// Notes are the notes that apply to c in the view's release: its own
// followed by those it inherits from every level above it, parents up to
// the category, then the section and chapter. Each note says where it
// was declared (Note.From); within one level they come in the order of
// NoteKinds.
func (s *Set) Notes(c *Code) []Note {
	// Size the result once: the edits read the notes of every diagnosis
	// on every keystroke.
	n := 0
	for x := c; x != nil; x = x.parent {
		n += len(x.notes) + len(s.ownExcludes(x.Code))
	}
	for b := c.rootBlock(); b != nil; b = b.Parent {
		n += len(b.notes) + len(s.ownExcludes(b.ID))
	}
	out := make([]Note, 0, n)
	for x := c; x != nil; x = x.parent {
		out = s.level(out, x.notes, x.Code)
	}
	for b := c.rootBlock(); b != nil; b = b.Parent {
		out = s.level(out, b.notes, b.ID)
	}
	return out
}

// NotesOf returns the notes of one kind that apply to c.
func (s *Set) NotesOf(c *Code, kind NoteKind) []Note {
	var out []Note
	for _, n := range s.Notes(c) {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

// level appends the notes of one code or block: the Tabular's, with the
// release's own Excludes in place of the Tabular's when it has them.
func (s *Set) level(out, tabular []Note, id string) []Note {
	own := s.ownExcludes(id)
	if own == nil && (s.rel == nil || s.rel.excludes == nil) {
		return append(out, tabular...)
	}
	start := len(out)
	for _, n := range tabular {
		if s.rel.excludes != nil && (n.Kind == Excludes1 || n.Kind == Excludes2) {
			continue
		}
		out = append(out, n)
	}
	out = append(out, own...)
	slices.SortStableFunc(out[start:], func(a, b Note) int { return kindRank[a.Kind] - kindRank[b.Kind] })
	return out
}

// ownExcludes are the release's own Excludes notes of a code or block.
func (s *Set) ownExcludes(id string) []Note {
	if s.rel != nil && s.rel.excludes != nil {
		return s.rel.excludes[id]
	}
	return nil
}

// NoteKinds lists the kinds of notes in the order the Tabular gives them.
var NoteKinds = []NoteKind{Includes, Inclusion, Excludes1, Excludes2, CodeFirst, UseAdditional, CodeAlso, GeneralNote, SeventhNote}

var kindRank = func() map[NoteKind]int {
	m := map[NoteKind]int{}
	for i, k := range NoteKinds {
		m[k] = i
	}
	return m
}()

func (c *Code) rootBlock() *Block {
	x := c
	for x.parent != nil {
		x = x.parent
	}
	return x.block
}

// parseRefList reads references as gen writes them: canonical codes and
// ranges joined by ";" ("E08;O244;O10-O11").
func parseRefList(s string) []Ref {
	var out []Ref
	for _, part := range strings.Split(s, ";") {
		from, to, _ := strings.Cut(part, "-")
		if from != "" {
			out = append(out, Ref{From: from, To: to})
		}
	}
	return out
}

// NotesSource says where the notes of c come from in the view's release,
// and whether that source predates the code.
func (s *Set) NotesSource(c *Code) string {
	if c.System != ICD10CM {
		return ""
	}
	var b strings.Builder
	if s.rel != nil && s.rel.excludes != nil {
		b.WriteString("Excludes1/Excludes2 from " + s.rel.ExcludesSource() + "; other notes from the FY2023 Tabular List")
	} else {
		b.WriteString("FY2023 Tabular List")
	}
	if c.notesPredate {
		b.WriteString(" (it predates " + c.Display() + ": notes inherited from its category, section and chapter only")
		if c.rootBlock() != nil && strings.HasPrefix(c.rootBlock().ID, "ch") {
			b.WriteString("; its category is in no FY2023 section, so chapter notes only")
		}
		b.WriteString(")")
	}
	return b.String()
}
