package demo

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"codebench/codesets"
	"codebench/encounter"
)

func TestDemoDecodes(t *testing.T) {
	encs, err := Encounters()
	if err != nil {
		t.Fatal(err)
	}
	if len(encs) < 12 {
		t.Fatalf("%d demo encounters, want at least 12", len(encs))
	}
	kinds := map[string]int{}
	ids := map[string]bool{}
	for i, e := range encs {
		name := Names()[i]
		kinds[filepath.Ext(name)]++
		if ids[e.ID] {
			t.Errorf("%s: id %s used twice", name, e.ID)
		}
		ids[e.ID] = true
		from := e.Service.From
		if from.Before(encounter.NewDate(2025, 10, 1).Time) || from.After(encounter.NewDate(2026, 9, 30).Time) {
			t.Errorf("%s: date of service %s outside FY2026", name, from)
		}
		if !encounter.ValidNPI(e.Provider.NPI) {
			t.Errorf("%s: NPI %s fails its check digit", name, e.Provider.NPI)
		}
		if _, ok := Answers()[e.ID]; !ok {
			t.Errorf("%s: no expected coding for %s", name, e.ID)
		}
	}
	if kinds[".md"] == 0 || kinds[".txt"] == 0 {
		t.Errorf("want Markdown and text notes among the demo files: %v", kinds)
	}
}

// TestAnswerKeyValidatesClean codes every demo encounter as the answer
// key says and expects no error and no warning: the key is what a coder
// learns from, so the edits must agree with it.
func TestAnswerKeyValidatesClean(t *testing.T) {
	set, err := codesets.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	encs, err := Encounters()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range encs {
		coded, ok := Code(e)
		if !ok {
			t.Errorf("%s: not in the answer key", e.ID)
			continue
		}
		a := Answers()[e.ID]
		if len(a.Why) == 0 {
			t.Errorf("%s: the answer key gives no rationale", e.ID)
		}
		for _, ed := range encounter.Validate(coded, set) {
			if ed.Severity == encounter.Error || ed.Severity == encounter.Warning {
				t.Errorf("%s: %s %s %s: %s", e.ID, ed.Severity, ed.Rule, ed.Target, ed.Message)
			}
		}
	}
	if n, m := len(Answers()), len(encs); n != m {
		t.Errorf("the answer key has %d encounters, the inbox %d", n, m)
	}
}

// TestAnswersAreCopies: a caller changing its key cannot change the next
// caller's.
func TestAnswersAreCopies(t *testing.T) {
	a := Answers()["enc-1001"]
	a.Diagnoses[0] = "X"
	a.Lines[0].Pointers[0] = 9
	if b := Answers()["enc-1001"]; b.Diagnoses[0] == "X" || b.Lines[0].Pointers[0] == 9 {
		t.Fatal("Answers shares memory between callers")
	}
}

// TestStatedAgesMatchTheDateOfBirth: a note that gives the patient's age
// ("75-year-old") agrees with the date of birth on the date of service.
func TestStatedAgesMatchTheDateOfBirth(t *testing.T) {
	encs, err := Encounters()
	if err != nil {
		t.Fatal(err)
	}
	stated := regexp.MustCompile(`\b(\d{1,3})-year-old\b`)
	checked := 0
	for _, e := range encs {
		age := e.Patient.AgeOn(e.Service.From)
		for _, n := range e.Notes {
			for _, m := range stated.FindAllStringSubmatchIndex(n.Text, -1) {
				after := n.Text[m[1]:min(m[1]+20, len(n.Text))]
				if strings.Contains(after, "mother") || strings.Contains(after, "father") {
					continue // a parent's age, not the patient's
				}
				m := []string{n.Text[m[0]:m[1]], n.Text[m[2]:m[3]]}
				checked++
				if m[1] != strconv.Itoa(age) {
					t.Errorf("%s %s: the note says %s-year-old; born %s, the patient is %d on %s", e.ID, n.ID, m[1], e.Patient.DateOfBirth, age, e.Service.From)
				}
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d stated ages found", checked)
	}
}

// TestEvidenceMatchesTheNotes: every evidence span of the partly coded
// demos covers exactly its quoted text.
func TestEvidenceMatchesTheNotes(t *testing.T) {
	encs, err := Encounters()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range encs {
		for i, d := range e.Diagnoses {
			ev := d.Evidence
			if ev == nil {
				continue
			}
			found := false
			for _, n := range e.Notes {
				if n.ID == ev.NoteID {
					found = true
					if ev.Start < 0 || ev.End > len(n.Text) || ev.Start >= ev.End || n.Text[ev.Start:ev.End] != ev.Text {
						t.Errorf("%s dx %d: evidence %d-%d does not cover %q", e.ID, i+1, ev.Start, ev.End, ev.Text)
					}
				}
			}
			if !found {
				t.Errorf("%s dx %d: evidence names note %q", e.ID, i+1, ev.NoteID)
			}
		}
	}
}

// TestPartlyCodedDemosShowEdits: the partly coded demos carry the mistakes
// they were written with.
func TestPartlyCodedDemosShowEdits(t *testing.T) {
	set, err := codesets.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"enc-1002": {encounter.RuleSeventh},
		"enc-1007": {encounter.RuleCodeFirstOrder, encounter.RulePointerNeeded},
		"enc-1010": {encounter.Rule59WithX, encounter.RulePointerRange},
		"enc-1013": {encounter.RuleManifestation},
		"enc-1014": {encounter.RuleExcludes1},
	}
	encs, _ := Encounters()
	for _, e := range encs {
		rules := want[e.ID]
		if len(rules) == 0 {
			if len(e.Diagnoses)+len(e.Lines) > 0 {
				t.Errorf("%s is coded but not listed here", e.ID)
			}
			continue
		}
		got := map[string]bool{}
		for _, ed := range encounter.Validate(e, set) {
			got[ed.Rule] = true
		}
		for _, r := range rules {
			if !got[r] {
				t.Errorf("%s: edit %s missing", e.ID, r)
			}
		}
	}
}

func TestWriteInboxIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	n, err := WriteInbox(dir)
	if err != nil || n != len(Names()) {
		t.Fatalf("wrote %d of %d: %v", n, len(Names()), err)
	}
	stored := map[string]bool{}
	rep, err := encounter.ImportInbox(dir, func(e *encounter.Encounter) error { stored[e.ID] = true; return nil })
	if err != nil || len(rep.Imported) != len(Names()) || len(rep.Rejected) != 0 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	// A second start writes nothing: the files were imported.
	n, err = WriteInbox(dir)
	if err != nil || n != 0 {
		t.Fatalf("second write: %d %v", n, err)
	}
	left, _ := os.ReadDir(dir)
	for _, e := range left {
		if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left in the inbox: %s", e.Name())
		}
	}
}

// TestDemoFeesChargeEveryLine: the demo fee schedule has a fee for every
// line of the answer key.
func TestDemoFeesChargeEveryLine(t *testing.T) {
	s := FeeSchedule()
	encs, err := Encounters()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range encs {
		coded, _ := Code(e)
		if _, missing := s.Fill(coded); len(missing) > 0 {
			t.Errorf("%s: no fee for %v", e.ID, missing)
		}
		if coded.TotalCharge() <= 0 {
			t.Errorf("%s: total %d", e.ID, coded.TotalCharge())
		}
	}
}
