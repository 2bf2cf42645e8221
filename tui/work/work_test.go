package work

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/encounter/fees"
	"codebench/tui/common"
)

func testWork(t *testing.T) (*Work, *codesets.Set) {
	t.Helper()
	codes, err := codesets.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return &Work{Enc: &encounter.Encounter{ID: "enc-t", Notes: []encounter.Note{{ID: "n1", Title: "t", Text: "x"}}}}, codes
}

func code(t *testing.T, codes *codesets.Set, s string) *codesets.Code {
	t.Helper()
	c, ok := codes.Lookup(s)
	if !ok {
		t.Fatalf("%s not in the code sets", s)
	}
	return c
}

func wantRefusal(t *testing.T, err error, contains string) {
	t.Helper()
	var ue *common.UserError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), contains) {
		t.Fatalf("want a refusal mentioning %q, got %v", contains, err)
	}
}

func TestClaimLimitsAreEnforcedWithAMessage(t *testing.T) {
	w, codes := testWork(t)
	dx := []string{"E11.22", "I12.9", "N18.31", "Z79.4", "E78.5", "I10", "R60.0", "E66.9", "Z68.30", "K21.9", "M17.11", "J45.909"}
	for _, c := range dx {
		if err := w.AddDiagnosis(code(t, codes, c)); err != nil {
			t.Fatalf("adding %s: %v", c, err)
		}
	}
	wantRefusal(t, w.AddDiagnosis(code(t, codes, "R05.1")), "at most 12 diagnoses")
	wantRefusal(t, w.AddDiagnosis(code(t, codes, "E11.22")), "already diagnosis A")
	wantRefusal(t, w.AddDiagnosis(code(t, codes, "99213")), "not a diagnosis code")
	if len(w.Enc.Diagnoses) != 12 {
		t.Fatalf("%d diagnoses after refusals", len(w.Enc.Diagnoses))
	}

	if err := w.AddLine(code(t, codes, "99214")); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, w.AddLine(code(t, codes, "E11.22")), "not a procedure")
	wantRefusal(t, w.SetPointers(0, "ABCDE"), "at most 4")
	wantRefusal(t, w.SetPointers(0, "A A"), "twice")
	wantRefusal(t, w.SetPointers(0, "M"), "not a claim letter")
	wantRefusal(t, w.SetModifiers(codes, 0, "25 59 RT LT 76"), "at most 4 modifiers")
	wantRefusal(t, w.SetModifiers(codes, 0, "ZZ9"), "not a modifier")
	wantRefusal(t, w.SetUnits(0, 0), "units must be 1")
	wantRefusal(t, w.SetUnits(0, MaxUnits+1), "units must be 1")
	if _, err := ParseUnits("two"); err == nil {
		t.Fatal("units 'two' accepted")
	}
	l := w.Enc.Lines[0]
	if !slices.Equal(l.Pointers, []int{1, 2, 3, 4}) || len(l.Modifiers) != 0 || l.Units != 1 {
		t.Fatalf("a refused value changed the line: %+v", l)
	}
	if err := w.SetPointers(0, "a, c d"); err != nil {
		t.Fatal(err)
	}
	if err := w.SetModifiers(codes, 0, "25,rt"); err != nil {
		t.Fatal(err)
	}
	l = w.Enc.Lines[0]
	if !slices.Equal(l.Pointers, []int{1, 3, 4}) || !slices.Equal(l.Modifiers, []string{"25", "RT"}) {
		t.Fatalf("line %+v", l)
	}
}

func TestReorderAndRemoveKeepPointersOnTheirCodes(t *testing.T) {
	w, codes := testWork(t)
	for _, c := range []string{"E11.22", "I12.9", "N18.31"} {
		if err := w.AddDiagnosis(code(t, codes, c)); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []string{"99214", "36415"} {
		if err := w.AddLine(code(t, codes, c)); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.SetPointers(0, "AB"))
	must(w.SetPointers(1, "C"))
	// Move I12.9 (B) to first: line 1 still points at E11.22 and I12.9.
	j, err := w.MoveDiagnosis(1, -1)
	must(err)
	if j != 0 || w.Enc.Diagnoses[0].Code != "I129" {
		t.Fatalf("after move: %v", w.Enc.Diagnoses)
	}
	pointed := func(line int) []string {
		var out []string
		for _, p := range w.Enc.Lines[line].Pointers {
			out = append(out, w.Enc.Diagnoses[p-1].Code)
		}
		slices.Sort(out)
		return out
	}
	if got := pointed(0); !slices.Equal(got, []string{"E1122", "I129"}) {
		t.Fatalf("line 1 points at %v", got)
	}
	if _, err := w.MoveDiagnosis(0, -1); err == nil {
		t.Fatal("moved the first diagnosis further up")
	}
	// Remove N18.31 (C): line 2 loses its only pointer and is reported.
	orphans, primary, err := w.RemoveDiagnosis(2)
	must(err)
	if !slices.Equal(orphans, []int{2}) || len(primary) != 0 || len(w.Enc.Lines[1].Pointers) != 0 {
		t.Fatalf("orphans %v, line 2 %+v", orphans, w.Enc.Lines[1])
	}
	// Remove I12.9 (A): line 1 keeps E11.22, now A.
	_, _, err = w.RemoveDiagnosis(0)
	must(err)
	if !slices.Equal(w.Enc.Lines[0].Pointers, []int{1}) || w.Enc.Diagnoses[0].Code != "E1122" {
		t.Fatalf("after removing A: %+v %+v", w.Enc.Diagnoses, w.Enc.Lines[0])
	}
	if len(w.Changes) == 0 {
		t.Fatal("changes not recorded for the audit")
	}
}

func TestReadOnlyRefusesChanges(t *testing.T) {
	w, codes := testWork(t)
	w.ReadOnly = "exported"
	wantRefusal(t, w.AddDiagnosis(code(t, codes, "E11.22")), "read-only")
	if len(w.Changes) != 0 {
		t.Fatal("a refused change was recorded")
	}
}

func TestCloneIsDeep(t *testing.T) {
	e := &encounter.Encounter{
		Diagnoses: []encounter.Diagnosis{{Code: "E1122", Evidence: &encounter.Evidence{NoteID: "n", Start: 1, End: 2}}},
		Lines:     []encounter.ServiceLine{{Code: "99214", Modifiers: []string{"25"}, Pointers: []int{1}, Units: 1}},
		Overrides: []encounter.Override{{Rule: "r", Codes: []string{"A"}}},
	}
	c := Clone(e)
	c.Diagnoses[0].Evidence.Start = 9
	c.Lines[0].Modifiers[0] = "59"
	c.Lines[0].Pointers[0] = 2
	c.Overrides[0].Codes[0] = "B"
	if e.Diagnoses[0].Evidence.Start != 1 || e.Lines[0].Modifiers[0] != "25" || e.Lines[0].Pointers[0] != 1 || e.Overrides[0].Codes[0] != "A" {
		t.Fatal("clone shares memory with the working copy")
	}
}

// A new line points at diagnosis A; lines coded before any diagnosis
// point at the first one when it comes, and keep pointing at nothing
// else.
func TestNewLinesPointAtDiagnosisA(t *testing.T) {
	w, codes := testWork(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.AddLine(code(t, codes, "99213")))
	if ps := w.Enc.Lines[0].Pointers; len(ps) != 0 {
		t.Fatalf("a line before any diagnosis points at %v", ps)
	}
	must(w.AddDiagnosis(code(t, codes, "J02.0")))
	if ps := w.Enc.Lines[0].Pointers; !slices.Equal(ps, []int{1}) {
		t.Fatalf("after the only diagnosis: %v", ps)
	}
	must(w.AddDiagnosis(code(t, codes, "R50.9")))
	must(w.AddLine(code(t, codes, "87880")))
	if ps := w.Enc.Lines[1].Pointers; !slices.Equal(ps, []int{1}) {
		t.Fatalf("new line points at %v, want A", ps)
	}
	must(w.SetPointers(0, ""))
	must(w.AddDiagnosis(code(t, codes, "R51.9")))
	if ps := w.Enc.Lines[0].Pointers; len(ps) != 0 {
		t.Fatalf("a third diagnosis linked a line the coder emptied: %v", ps)
	}
}

// A new E/M line is about every problem addressed: it points at every
// diagnosis, up to four, leaving out external causes, as * does; other
// lines point at A, and what the coder types wins.
func TestNewEMLinesPointAtEveryDiagnosis(t *testing.T) {
	w, codes := testWork(t)
	for _, c := range []string{"S93.491A", "W10.1XXA", "E11.9", "I10", "Z79.4", "E78.5"} {
		if err := w.AddDiagnosis(code(t, codes, c)); err != nil {
			t.Fatal(err)
		}
	}
	for i, tc := range []struct {
		code, typed string
		want        []int
	}{
		{"99203", "", []int{1, 3, 4, 5}}, // W10.1XXA left out, four at most
		{"73610", "", []int{1}},
		{"99213", "c", []int{3}},
		{"G0439", "", []int{1}}, // a HCPCS visit is not CPT E/M: A
	} {
		if err := w.AddLineWith(codes, code(t, codes, tc.code), "", 0, tc.typed); err != nil {
			t.Fatal(err)
		}
		if got := w.Enc.Lines[i].Pointers; !slices.Equal(got, tc.want) {
			t.Errorf("%s %q points at %v, want %v", tc.code, tc.typed, got, tc.want)
		}
	}
}

// A line that pointed only at the first-listed diagnosis keeps pointing
// at the claim's primary reason when that diagnosis is removed (enc-1014:
// E10.649 removed, E11.649 takes A); a line that pointed only at another
// removed diagnosis is left for the coder and reported.
func TestLinesOfTheRemovedPrimaryPointAtTheNewOne(t *testing.T) {
	w, codes := testWork(t)
	for _, c := range []string{"E10.649", "E11.649", "Z79.4"} {
		if err := w.AddDiagnosis(code(t, codes, c)); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range []struct{ code, ptrs string }{{"99214", "abc"}, {"82962", "a"}, {"36415", "c"}} {
		if err := w.AddLineWith(codes, code(t, codes, l.code), "", 0, l.ptrs); err != nil {
			t.Fatal(err)
		}
	}
	orphans, primary, err := w.RemoveDiagnosis(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(orphans) != 0 || !slices.Equal(primary, []int{2}) {
		t.Fatalf("orphans %v, relinked %v", orphans, primary)
	}
	if got := w.Enc.Lines[1].Pointers; !slices.Equal(got, []int{1}) || w.Enc.Diagnoses[0].Code != "E11649" {
		t.Fatalf("82962 points at %v of %v", got, w.Enc.Diagnoses)
	}
	if got := w.Enc.Lines[0].Pointers; !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("99214 points at %v", got)
	}
	if d := w.Changes[len(w.Changes)-1]; !strings.Contains(d, "line 2 now point at A") {
		t.Fatalf("audit detail %q", d)
	}
	orphans, primary, err = w.RemoveDiagnosis(1) // Z79.4, line 3's only pointer
	if err != nil || !slices.Equal(orphans, []int{3}) || len(primary) != 0 || len(w.Enc.Lines[2].Pointers) != 0 {
		t.Fatalf("orphans %v, relinked %v, line 3 %v, %v", orphans, primary, w.Enc.Lines[2].Pointers, err)
	}
	// An external cause never becomes a line's reason (enc-1002: the
	// fracture removed leaves the fall, W01.0XXA, first).
	w, _ = testWork(t)
	for _, c := range []string{"S52.531A", "W01.0XXA"} {
		if err := w.AddDiagnosis(code(t, codes, c)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.AddLine(code(t, codes, "29125")); err != nil {
		t.Fatal(err)
	}
	if orphans, primary, err = w.RemoveDiagnosis(0); err != nil || !slices.Equal(orphans, []int{1}) || len(primary) != 0 {
		t.Fatalf("after removing the fracture: orphans %v, relinked %v, %v", orphans, primary, err)
	}
}

// Re-sequencing moves each pointer with its diagnosis and keeps its place
// on the line: the first pointer stays the line's primary diagnosis.
func TestPointersFollowTheirDiagnosisAndKeepTheirPlace(t *testing.T) {
	w, codes := testWork(t)
	for _, c := range []string{"E11.22", "I12.9", "N18.31", "Z79.4"} {
		if err := w.AddDiagnosis(code(t, codes, c)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.AddLine(code(t, codes, "36415")); err != nil {
		t.Fatal(err)
	}
	if err := w.SetPointers(0, "c a"); err != nil { // N18.31 first, E11.22 second
		t.Fatal(err)
	}
	pointed := func() []string {
		var out []string
		for _, p := range w.Enc.Lines[0].Pointers {
			out = append(out, w.Enc.Diagnoses[p-1].Code)
		}
		return out
	}
	for _, mv := range []struct{ i, d int }{{2, -1}, {1, -1}, {0, 1}, {3, -1}, {2, -1}} {
		if _, err := w.MoveDiagnosis(mv.i, mv.d); err != nil {
			t.Fatal(err)
		}
		if got := pointed(); !slices.Equal(got, []string{"N1831", "E1122"}) {
			t.Fatalf("after moving %d by %d the line points at %v", mv.i, mv.d, got)
		}
	}
	// A diagnosis removed takes its pointer; the others keep their order.
	if err := w.SetPointers(0, "a b c"); err != nil {
		t.Fatal(err)
	}
	before := pointed()
	if _, _, err := w.RemoveDiagnosis(1); err != nil {
		t.Fatal(err)
	}
	if got := pointed(); !slices.Equal(got, []string{before[0], before[2]}) {
		t.Fatalf("after removing B: %v, was %v", got, before)
	}
}

// TestPayerEditsOverrideFlow: the edits pane's override flow takes the
// payer edits as the registry says: an MUE of MAI 3 is accepted with a
// reason and stops blocking; an indicator-0 PTP pair is refused.
func TestPayerEditsOverrideFlow(t *testing.T) {
	w, codes := testWork(t)
	w.Enc.Patient = encounter.Patient{ID: "P-1", DateOfBirth: encounter.NewDate(1950, 1, 2), Sex: "F"}
	w.Enc.Service = encounter.DateRange{From: encounter.NewDate(2026, 2, 3)}
	w.Enc.Coverage.PayerType = encounter.PayerMedicare
	w.Enc.Diagnoses = []encounter.Diagnosis{{Code: "K2270"}}
	w.Enc.Lines = []encounter.ServiceLine{
		{Code: "43239", Units: 1, Pointers: []int{1}},
		{Code: "43235", Units: 1, Pointers: []int{1}},
		{Code: "J1100", Units: 200, Pointers: []int{1}},
	}
	validate := func(e *encounter.Encounter) []encounter.Edit { return encounter.Validate(e, codes) }
	w.Validate(validate)
	find := func(rule string) encounter.Edit {
		for _, e := range w.Edits {
			if e.Rule == rule {
				return e
			}
		}
		t.Fatalf("no %s edit: %+v", rule, w.Edits)
		return encounter.Edit{}
	}
	at := time.Date(2026, 2, 4, 9, 0, 0, 0, time.UTC)
	_, err := w.Override(find(encounter.RulePTP), "distinct service documented", "coder7", at)
	wantRefusal(t, err, "cannot be overridden")
	if _, err := w.Override(find(encounter.RuleMUE), "200 mg documented for anaphylaxis", "coder7", at); err != nil {
		t.Fatal(err)
	}
	w.Validate(validate)
	if e := find(encounter.RuleMUE); e.Overridden == nil {
		t.Error("the MUE override did not apply")
	}
}

func TestMoney(t *testing.T) {
	for typed, want := range map[string]int64{"125": 12500, "125.5": 12550, "$1,250.00": 125000, "0.99": 99, ".5": 50} {
		if got, err := ParseMoney(typed); err != nil || got != want {
			t.Errorf("%q: %d %v, want %d", typed, got, err, want)
		}
	}
	for _, bad := range []string{"", ".", "12.345", "-5", "1.-5", "abc", "1e5", "99999999999"} {
		if _, err := ParseMoney(bad); err == nil && bad != "" {
			t.Errorf("%q accepted", bad)
		}
	}
	if got := Money(125000); got != "$1,250.00" {
		t.Errorf("Money: %s", got)
	}
}

// With a fee schedule a line is charged when added, and its charge
// follows its units and modifiers until the coder sets one.
func TestChargesFollowTheFeeSchedule(t *testing.T) {
	w, codes := testWork(t)
	w.Enc.Service.From = encounter.NewDate(2026, 3, 2)
	w.Fees = mustFees(t, "code,modifier,amount,effective_from\n99213,,125.00,2025-01-01\n20610,,210.00,2025-01-01\n20610,50,315.00,2025-01-01\n")
	if err := w.AddDiagnosis(code(t, codes, "M17.0")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"99213", "20610"} {
		if err := w.AddLine(code(t, codes, c)); err != nil {
			t.Fatal(err)
		}
	}
	if c := w.Enc.Lines[1].Charge; c != 21000 {
		t.Fatalf("20610 charged %d", c)
	}
	if err := w.SetModifiers(codes, 1, "50"); err != nil || w.Enc.Lines[1].Charge != 31500 {
		t.Fatalf("with 50: %d %v", w.Enc.Lines[1].Charge, err)
	}
	if err := w.SetUnits(0, 2); err != nil || w.Enc.Lines[0].Charge != 25000 {
		t.Fatalf("two units: %d %v", w.Enc.Lines[0].Charge, err)
	}
	// Set by hand: it stays.
	if err := w.SetCharge(0, "99"); err != nil || w.Enc.Lines[0].Charge != 9900 {
		t.Fatalf("by hand: %d %v", w.Enc.Lines[0].Charge, err)
	}
	if err := w.SetUnits(0, 3); err != nil || w.Enc.Lines[0].Charge != 9900 {
		t.Fatalf("a charge set by hand moved with the units: %d", w.Enc.Lines[0].Charge)
	}
	// Empty: back to the schedule's.
	if err := w.SetCharge(0, ""); err != nil || w.Enc.Lines[0].Charge != 37500 {
		t.Fatalf("back to the schedule: %d %v", w.Enc.Lines[0].Charge, err)
	}
}

func mustFees(t *testing.T, csv string) *fees.Schedule {
	t.Helper()
	s, err := fees.Parse(strings.NewReader(csv), "test.csv")
	if err != nil {
		t.Fatal(err)
	}
	return s
}
