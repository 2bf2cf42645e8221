package codesets

import (
	"strings"
	"testing"
	"time"
)

// The acceptance rows of issue #10, on the real releases.
func TestCodesByDateOfService(t *testing.T) {
	s := mustSet(t)
	before, after := d(2026, 9, 15), d(2026, 11, 16)
	for _, code := range []string{"I42.00", "QA1.71", "Z87.8901"} {
		if a := s.CodeOn(ICD10CM, code, after); a.Status != Billable || a.Release.Name != "FY2027" || a.Err() != nil {
			t.Errorf("%s on %s: %v in %v, %v", code, after.Format("2006-01-02"), a.Status, a.Release, a.Err())
		}
		a := s.CodeOn(ICD10CM, code, before)
		if a.Status != NotYet || a.Release.Name != "FY2026" || a.Other.Name != "FY2027" {
			t.Errorf("%s on %s: %v (release %v, other %v)", code, before.Format("2006-01-02"), a.Status, a.Release, a.Other)
		}
		if err := a.Err(); err == nil || !strings.Contains(err.Error(), "new in ICD-10-CM FY2027 (DOS from 2026-10-01)") {
			t.Errorf("%s on %s: %v", code, before.Format("2006-01-02"), err)
		}
	}
	for code, children := range map[string]string{"I42.0": "pick I42.00, I42.01 or I42.09", "Z87.890": "Z87.8901"} {
		if a := s.CodeOn(ICD10CM, code, before); a.Status != Billable || a.Release.Name != "FY2026" {
			t.Errorf("%s on %s: %v", code, before.Format("2006-01-02"), a.Status)
		}
		a := s.CodeOn(ICD10CM, code, after)
		if a.Status != Header {
			t.Errorf("%s on %s: %v, want a header", code, after.Format("2006-01-02"), a.Status)
		}
		want := Dotted(ICD10CM, Canonical(code)) + " is a header in ICD-10-CM FY2027 (DOS from 2026-10-01): "
		if err := a.Err(); err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), children) {
			t.Errorf("%s on %s: %v", code, after.Format("2006-01-02"), err)
		}
	}
	// The issue's own wording.
	if err := s.CodeOn(ICD10CM, "I42.0", after).Err(); err == nil || err.Error() != "I42.0 is a header in ICD-10-CM FY2027 (DOS from 2026-10-01): pick I42.00, I42.01 or I42.09" {
		t.Errorf("I42.0 message: %v", err)
	}
	// A code FY2027 deleted: valid until 30 September 2026, then the
	// message points at its replacements.
	a := s.CodeOn(ICD10CM, "T52.8X1A", after)
	if a.Status != NoLonger || a.Other.Name != "FY2026" {
		t.Fatalf("T52.8X1A on %s: %v", after.Format("2006-01-02"), a.Status)
	}
	if msg := a.Err().Error(); !strings.Contains(msg, "valid through 2026-09-30 (ICD-10-CM FY2026)") || !strings.Contains(msg, "T52.8") {
		t.Errorf("T52.8X1A: %s", msg)
	}
	if s.CodeOn(ICD10CM, "T52.8X1A", before).Status != Billable {
		t.Error("T52.8X1A is billable in FY2026")
	}
	// A code before FY2026: no release is loaded.
	if a := s.CodeOn(ICD10CM, "E11.9", d(2025, 9, 30)); a.Status != NoRelease || !strings.Contains(a.Err().Error(), "no ICD-10-CM release loaded for the date of service 2025-09-30") {
		t.Errorf("E11.9 in FY2025: %v %v", a.Status, a.Err())
	}
	if a := s.CodeOn(ICD10CM, "E11.99", after); a.Status != Unknown {
		t.Errorf("E11.99: %v", a.Status)
	}
}

func TestFY2027Counts(t *testing.T) {
	s := fy27(t)
	if s.Release().Name != "FY2027" || s.Release().Range() != "2026-10-01 to 2027-09-30" {
		t.Fatalf("release %s %s", s.Release().Name, s.Release().Range())
	}
	billable := 0
	for _, c := range s.ICD10CM() {
		if c.Billable {
			billable++
		}
		if x, ok := s.LookupIn(ICD10CM, c.Code); !ok || x != c {
			t.Fatalf("%s: listed but not found as itself", c.Code)
		}
	}
	if n := len(s.ICD10CM()); n != 98403 || billable != 74879 {
		t.Errorf("FY2027: %d order lines, %d billable; want 98403 and 74879", n, billable)
	}
	if got := len(s.Release().added); got != 190-30+15 {
		// 190 codes added, of which 15 turn a FY2026 header's children
		// billable... counted as billable codes new to FY2027.
		t.Logf("FY2027 billable codes new: %d", got)
	}
}

// The FY2027 order is the official file's: a new category sits where the
// order file puts it, and unchanged categories keep their place.
func TestFY2027Order(t *testing.T) {
	s := fy27(t)
	list := s.ICD10CM()
	pos := map[string]int{}
	for i, c := range list {
		pos[c.Code] = i
	}
	for _, pair := range [][2]string{{"Q999", "QA0"}, {"K659", "K6A"}, {"A00", "A000"}, {"I42", "I420"}, {"I420", "I4200"}} {
		if pos[pair[1]] != pos[pair[0]]+1 {
			t.Errorf("%s should follow %s: positions %d, %d", pair[1], pair[0], pos[pair[0]], pos[pair[1]])
		}
	}
	if list[0].Code != "A00" || list[len(list)-1].Code != "U099" {
		t.Errorf("first %s, last %s", list[0].Code, list[len(list)-1].Code)
	}
}

// Unchanged categories share their codes between the releases; changed
// ones have their own.
func TestReleasesShareUnchangedCodes(t *testing.T) {
	a, b := fy26(t), fy27(t)
	e26, _ := a.Lookup("E11.9")
	e27, _ := b.Lookup("E11.9")
	if e26 != e27 {
		t.Error("E11.9 is unchanged: FY2026 and FY2027 should share it")
	}
	i26, _ := a.Lookup("I42.1")
	i27, _ := b.Lookup("I42.1")
	if i26 == i27 || i26.Long != i27.Long {
		t.Error("I42.1's category changed: each release has its own copy, same title")
	}
	h26, _ := a.Lookup("I42.0")
	h27, _ := b.Lookup("I42.0")
	if !h26.Billable || h27.Billable || len(h26.Children()) != 0 || len(h27.Children()) != 3 {
		t.Errorf("I42.0: FY2026 billable=%v children %d; FY2027 billable=%v children %d", h26.Billable, len(h26.Children()), h27.Billable, len(h27.Children()))
	}
	if h27.Parent() != i27.Parent() || h27.Parent().Block() == nil {
		t.Error("FY2027 I42 hierarchy")
	}
	if !h26.Terminated.Equal(d(2026, 9, 30)) {
		t.Errorf("I42.0 as billable ends %v", h26.Terminated)
	}
	new27, _ := b.Lookup("I42.00")
	if !new27.Effective.Equal(d(2026, 10, 1)) {
		t.Errorf("I42.00 effective %v", new27.Effective)
	}
	shared := 0
	for _, c := range b.ICD10CM() {
		if x, ok := a.LookupIn(ICD10CM, c.Code); ok && x == c {
			shared++
		}
	}
	if shared < 95000 {
		t.Errorf("only %d FY2027 codes shared with FY2026", shared)
	}
}

// New categories the FY2023 Tabular lacks get the notes of their chapter
// only, and say the notes' source predates them.
func TestNotesOfNewCodes(t *testing.T) {
	s := fy27(t)
	qa, _ := s.Lookup("QA1.71")
	if qa.Parent() == nil || qa.Parent().Parent() == nil {
		t.Fatalf("QA1.71 hierarchy")
	}
	cat := qa.Parent().Parent()
	if cat == nil || cat.Code != "QA1" || cat.Block() == nil || cat.Block().ID != "ch17" {
		t.Fatalf("QA1 category and block: %+v", cat)
	}
	if !qa.NotesPredate() || !strings.Contains(s.NotesSource(qa), "predates QA1.71") || !strings.Contains(s.NotesSource(qa), "chapter notes only") {
		t.Errorf("QA1.71 notes source: %s", s.NotesSource(qa))
	}
	k6a, _ := s.Lookup("K6A")
	if k6a.Block() == nil || k6a.Block().ID != "ch11" {
		t.Errorf("K6A block: %+v", k6a.Block())
	}
	e119, _ := s.Lookup("E11.9")
	if e119.NotesPredate() {
		t.Error("E11.9 is in the FY2023 Tabular")
	}
	// A code new in FY2027 inherits its category's notes.
	z, _ := s.Lookup("Z87.8901")
	if !z.NotesPredate() || len(s.Notes(z)) == 0 {
		t.Errorf("Z87.8901 notes: %d", len(s.Notes(z)))
	}
}

// FY2027 has Excludes notes of its own, which stand for the FY2023
// Tabular's on FY2027 dates of service.
func TestExcludesByRelease(t *testing.T) {
	s := fy27(t)
	refsOf := func(code string, kind NoteKind, from string) string {
		c, ok := s.Lookup(code)
		if !ok {
			t.Fatalf("%s missing", code)
		}
		var refs []string
		for _, n := range s.NotesOf(c, kind) {
			if n.From == from {
				for _, r := range n.Refs() {
					refs = append(refs, r.String())
				}
			}
		}
		return strings.Join(refs, " ")
	}
	for _, tc := range []struct {
		code string
		kind NoteKind
		from string
		want []string
	}{
		{"J45.909", Excludes1, "J45", []string{"J69.8", "J60", "R06.2", "J67.8"}},
		{"E11.9", Excludes1, "E11", []string{"E08", "E09", "O24.4", "P70.2", "E13", "E10"}},
		{"I10", Excludes1, "I10", []string{"O10-O11", "O13-O16"}},
		{"I10", Excludes2, "I10", []string{"I60-I69", "H35.0"}},
		{"I10", Excludes1, "I10-I1A", []string{"P29.2", "I27.0"}},
	} {
		got := refsOf(tc.code, tc.kind, tc.from)
		for _, w := range tc.want {
			if !strings.Contains(" "+got+" ", " "+w+" ") {
				t.Errorf("%s %s at %s: refs %q lack %s", tc.code, tc.kind, tc.from, got, w)
			}
		}
	}
	// The row without parsed references is read from its text.
	c, _ := s.Lookup("E72.20")
	found := false
	for _, n := range s.NotesOf(c, Excludes1) {
		if strings.Contains(n.Text, "homocitrullinemia") {
			found = !n.RefsParsed() && len(n.Refs()) == 1 && n.Refs()[0].From == "E724"
		}
	}
	if !found {
		t.Error("E72.20's Excludes1 note without parsed references should read E72.4 from its text")
	}
	// The duplicated A87 row counts once.
	a87, _ := s.Lookup("A87.0")
	dup := 0
	for _, n := range s.NotesOf(a87, Excludes1) {
		if strings.HasPrefix(n.Text, "meningitis due to herpesvirus") {
			dup++
		}
	}
	if dup != 1 {
		t.Errorf("A87's herpesvirus Excludes1 note appears %d times", dup)
	}
	// Other kinds still come from the FY2023 Tabular.
	e, _ := s.Lookup("E11.65")
	if ua := notesText(s.Notes(e), UseAdditional); !strings.Contains(ua, "E11: insulin (Z79.4)") {
		t.Errorf("E11.65 use additional in FY2027:\n%s", ua)
	}
	// FY2026 keeps the Tabular's Excludes.
	if fy26(t).Release().excludes != nil || !strings.Contains(fy26(t).Release().ExcludesSource(), "FY2023") {
		t.Error("FY2026 Excludes source")
	}
}

func TestTitleRevisedShowsBoth(t *testing.T) {
	s := mustSet(t)
	a := s.CodeOn(ICD10CM, "L02.232", d(2026, 11, 16))
	if a.Status != Billable || a.Before == nil || a.Before.Long != "Carbuncle of back [any part, except buttock]" || a.Found.Long != "Carbuncle of back [any part, except buttock and flank]" {
		t.Fatalf("L02.232: %+v", a)
	}
	det := fy27(t).Detail(a.Found)
	if det.TitleBefore != a.Before.Long || det.TitleBeforeRelease != "ICD-10-CM FY2026" || det.Release != "ICD-10-CM FY2027" {
		t.Errorf("detail: %+v", det)
	}
	var b strings.Builder
	det.WriteText(&b)
	if !strings.Contains(b.String(), `Title revised: in ICD-10-CM FY2026 it was "Carbuncle of back [any part, except buttock]"`) {
		t.Errorf("detail text:\n%s", b.String())
	}
}

func TestReleaseOn(t *testing.T) {
	s := mustSet(t)
	for date, want := range map[string]string{"2025-10-01": "FY2026", "2026-09-30": "FY2026", "2026-10-01": "FY2027", "2027-09-30": "FY2027", "2025-09-30": "", "2027-10-01": ""} {
		day, _ := time.Parse(time.DateOnly, date)
		r, ok := s.ReleaseOn(day)
		if got := ""; ok {
			got = r.Name
			if got != want {
				t.Errorf("%s: %s, want %s", date, got, want)
			}
		} else if want != "" {
			t.Errorf("%s: no release, want %s", date, want)
		}
	}
	if s.On(d(2026, 1, 1)) != s.On(d(2026, 6, 1)) {
		t.Error("On should return one view per release")
	}
	if none := s.On(d(2024, 1, 1)); none.Release() != nil || len(none.ICD10CM()) != 0 {
		t.Error("a date without release has no ICD-10-CM codes")
	}
}

// Views of a set with CPT carry the CPT codes.
func TestViewsKeepCPT(t *testing.T) {
	s := mustSet(t).WithCPT([]*Code{{System: CPT, Code: "99999", Billable: true, Long: "invented", Short: "invented"}}, "test")
	for _, v := range []*Set{s, s.On(d(2026, 1, 1)), s.On(d(2026, 11, 1))} {
		if c, ok := v.LookupIn(CPT, "99999"); !ok || c.DescriptorMissing {
			t.Errorf("view of %v lacks the CPT code", v.Release())
		}
	}
}
