package demo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codebench/codesets"
	"codebench/encounter"
)

// line is a service line in the expected coding.
type line struct {
	code  string
	mods  []string
	units int
	ptrs  []int
}

// coding is how a professional coder codes each demo encounter. It is the
// answer key for the demo, and a check of the edits: a correct claim must
// raise no error.
var coding = map[string]struct {
	dx    []string
	lines []line
}{
	"enc-1001": {[]string{"E11.22", "I12.9", "N18.31", "Z79.4"}, []line{{"99214", nil, 1, []int{1, 2, 3, 4}}, {"83036", nil, 1, []int{1}}, {"80053", nil, 1, []int{1, 3}}}},
	"enc-1002": {[]string{"S52.531A", "W01.0XXA", "Y92.480"}, []line{{"99283", []string{"57"}, 1, []int{1}}, {"25600", []string{"RT"}, 1, []int{1}}}},
	"enc-1003": {[]string{"O24.410", "Z3A.32"}, []line{{"99213", nil, 1, []int{1, 2}}, {"82947", nil, 1, []int{1}}}},
	"enc-1004": {[]string{"Z38.00", "P59.9"}, []line{{"99462", nil, 1, []int{1, 2}}}},
	"enc-1005": {[]string{"D51.0"}, []line{{"96372", nil, 1, []int{1}}, {"J3420", nil, 1, []int{1}}}},
	"enc-1006": {[]string{"J45.41", "Z77.22"}, []line{
		{"99284", []string{"25"}, 1, []int{1, 2}}, {"94640", nil, 1, []int{1}}, {"94640", []string{"76"}, 1, []int{1}},
		{"J7613", nil, 5, []int{1}}, {"96372", nil, 1, []int{1}}, {"J1100", nil, 16, []int{1}}}},
	"enc-1007": {[]string{"E11.621", "L97.512", "Z79.84"}, []line{{"99213", []string{"25"}, 1, []int{1, 2, 3}}, {"11042", nil, 1, []int{1, 2}}}},
	"enc-1008": {[]string{"Z00.00", "I10", "E78.5", "Z13.31"}, []line{{"G0439", nil, 1, []int{1, 2, 3}}, {"G0444", nil, 1, []int{4}}}},
	"enc-1009": {[]string{"R07.89", "I10", "F17.210"}, []line{{"99284", nil, 1, []int{1, 2, 3}}, {"93010", nil, 1, []int{1}}}},
	"enc-1010": {[]string{"N40.1", "R35.1", "R39.14"}, []line{{"99204", nil, 1, []int{1, 2, 3}}, {"51798", nil, 1, []int{1, 3}}}},
	"enc-1011": {[]string{"M17.0"}, []line{{"20610", []string{"50"}, 1, []int{1}}, {"J3301", nil, 8, []int{1}}}},
	"enc-1012": {[]string{"J02.0"}, []line{{"99213", nil, 1, []int{1}}, {"87880", nil, 1, []int{1}}}},
	"enc-1013": {[]string{"G30.1", "F02.B0"}, []line{{"99214", nil, 1, []int{1, 2}}}},
	"enc-1014": {[]string{"E11.649", "Z79.4"}, []line{{"99213", nil, 1, []int{1, 2}}, {"82962", nil, 1, []int{1}}}},
	"enc-1015": {[]string{"S93.491A", "W10.1XXA"}, []line{{"99203", nil, 1, []int{1}}, {"73610", []string{"RT"}, 1, []int{1}}, {"L4350", []string{"RT"}, 1, []int{1}}}},
}

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
		if _, ok := coding[e.ID]; !ok {
			t.Errorf("%s: no expected coding for %s", name, e.ID)
		}
	}
	if kinds[".md"] == 0 || kinds[".txt"] == 0 {
		t.Errorf("want Markdown and text notes among the demo files: %v", kinds)
	}
}

// TestDemoCodedCorrectlyHasNoErrors codes every demo encounter as the key
// says and expects no error edit.
func TestDemoCodedCorrectlyHasNoErrors(t *testing.T) {
	set, err := codesets.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	encs, err := Encounters()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range encs {
		key := coding[e.ID]
		e.Diagnoses = nil
		for _, c := range key.dx {
			e.Diagnoses = append(e.Diagnoses, encounter.Diagnosis{Code: codesets.Canonical(c)})
		}
		e.Lines = nil
		for _, l := range key.lines {
			e.Lines = append(e.Lines, encounter.ServiceLine{Code: l.code, Modifiers: l.mods, Units: l.units, Pointers: l.ptrs})
		}
		for _, ed := range encounter.Validate(e, set) {
			if ed.Severity == encounter.Error || ed.Severity == encounter.Warning {
				t.Errorf("%s: %s %s %s: %s", e.ID, ed.Severity, ed.Rule, ed.Target, ed.Message)
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
