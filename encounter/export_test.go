package encounter_test

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"codebench/codesets"
	"codebench/encounter"
)

// exportSet is the embedded code sets plus the invented CPT fixture.
func exportSet(t *testing.T) *codesets.Set {
	t.Helper()
	set, err := codesets.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../codesets/testdata/cpt_fixture.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	codes, err := codesets.ParseCPT(f, "cpt_fixture.tsv")
	if err != nil {
		t.Fatal(err)
	}
	return set.WithCPT(codes, "cpt_fixture.tsv (invented descriptors)")
}

var overrideAt = time.Date(2026, 3, 3, 14, 5, 0, 0, time.FixedZone("EST", -5*3600))

// exportEncounter is a clean claim but for one Excludes1 pair, which it
// overrides with a reason.
func exportEncounter() *encounter.Encounter {
	dos := encounter.NewDate(2026, 3, 2)
	return &encounter.Encounter{
		ID:       "ENC-1001",
		Revision: 3,
		Patient: encounter.Patient{ID: "P-77", Name: "Ada Example", DateOfBirth: encounter.NewDate(1961, 5, 2), Sex: "F",
			Address: encounter.Address{Line1: "12 Elm St", City: "Springfield", State: "IL", Zip: "62701"}},
		Provider:       encounter.Provider{NPI: "1234567893", Name: "Dr. Grey"},
		Service:        encounter.DateRange{From: dos, To: dos},
		PlaceOfService: "11",
		Diagnoses:      []encounter.Diagnosis{{Code: "E1165"}, {Code: "E109"}, {Code: "I10"}},
		Lines: []encounter.ServiceLine{
			{Code: "99213", Modifiers: []string{"25"}, Units: 1, Pointers: []int{1, 2}, Charge: 12500},
			{Code: "96372", Modifiers: []string{"RT"}, Units: 3, Pointers: []int{3}, Charge: 1000},
			{Code: "J1885", Units: 2, Pointers: []int{1}, Charge: 1000},
		},
		Overrides: []encounter.Override{{Rule: encounter.RuleExcludes1, Target: "dx:2", Reason: "type 1 history documented separately",
			Coder: "alice", At: overrideAt}},
		CoderID:         "alice",
		BillingProvider: encounter.Provider{NPI: "1245319599", Name: "Test Family Practice", TaxID: "123456789", Address: encounter.Address{Line1: "100 Main St", City: "Springfield", State: "IL", Zip: "627011234"}},
		ServiceFacility: encounter.Provider{NPI: "1326064841", Name: "Springfield General", Address: encounter.Address{Line1: "1 Hospital Dr", City: "Springfield", State: "IL", Zip: "627045678"}},
		Coverage:        encounter.Coverage{PayerID: "87726", PayerName: "Test Health Plan", PayerType: encounter.PayerCommercial, MemberID: "W123456789"},
	}
}

// TestExportBuildsTheClaim: the claim carries every field the renderers
// need, resolved: titles, systems, split names, pointers, totals, the
// accepted override with its reason, the releases used.
func TestExportBuildsTheClaim(t *testing.T) {
	set := exportSet(t)
	enc := exportEncounter()
	enc.Diagnoses[0].Evidence = &encounter.Evidence{NoteID: "n1", Start: 0, End: 4}
	enc.Notes = []encounter.Note{{ID: "n1", Title: "Visit", Text: "Type 2 diabetes"}}
	enc.Provider.Name = "Grey, Meredith A, MD"
	created := time.Date(2026, 3, 4, 10, 30, 15, 999, time.FixedZone("PST", -8*3600))
	c, edits, err := encounter.Export(enc, set, created)
	if err != nil {
		t.Fatal(err)
	}
	if len(edits) == 0 || edits[0].Rule != encounter.RuleExcludes1 || edits[0].Overridden == nil {
		t.Fatalf("edits: %+v", edits)
	}
	if c.Key != "ENC-1001-r3" || c.Frequency != "1" || !c.Created.Equal(time.Date(2026, 3, 4, 18, 30, 15, 0, time.UTC)) || c.Created.Location() != time.UTC {
		t.Errorf("header: %+v", c)
	}
	if c.PatientName.Family != "Example" || !reflect.DeepEqual(c.PatientName.Given, []string{"Ada"}) {
		t.Errorf("patient name %+v", c.PatientName)
	}
	if n := c.RenderingNm; n.Family != "Grey" || !reflect.DeepEqual(n.Given, []string{"Meredith", "A"}) || !reflect.DeepEqual(n.Suffix, []string{"MD"}) {
		t.Errorf("rendering name %+v", n)
	}
	if d := c.Diagnoses[0]; d.Code != "E1165" || d.Display != "E11.65" || d.Title != title(t, set, codesets.ICD10CM, "E1165") {
		t.Errorf("diagnosis %+v", d)
	}
	if l := c.Lines[2]; l.Code != "J1885" || l.System != codesets.HCPCS || l.Title != title(t, set, codesets.HCPCS, "J1885") || l.Units != 2 {
		t.Errorf("line 3 %+v", l)
	}
	if m := c.Lines[0].Modifiers[0]; m.Code != "25" || m.System != codesets.CPT {
		t.Errorf("modifier %+v", m)
	}
	if m := c.Lines[1].Modifiers[0]; m.Code != "RT" || m.System != codesets.HCPCS || m.Title == "" {
		t.Errorf("modifier %+v", m)
	}
	if c.TotalCharge != 14500 {
		t.Errorf("total %d", c.TotalCharge)
	}
	if len(c.Overrides) != 1 || c.Overrides[0].Reason != "type 1 history documented separately" || c.Overrides[0].Source == "" {
		t.Errorf("overrides %+v", c.Overrides)
	}
	if len(c.EvidenceList) != 1 || c.EvidenceList[0].Diagnosis != 1 || c.EvidenceList[0].Text != "Type" {
		t.Errorf("evidence %+v", c.EvidenceList)
	}
	sets := strings.Join(c.CodeSets, " | ")
	for _, s := range []string{"ICD-10-CM FY2026", "HCPCS Level II 2025 October", "MCE v41.1", "NCCI PTP practitioner 2024-07-01", "CPT cpt_fixture.tsv"} {
		if !strings.Contains(sets, s) {
			t.Errorf("code sets %q lack %q", sets, s)
		}
	}
}

func TestSplitName(t *testing.T) {
	for in, want := range map[string]encounter.PersonName{
		"Ada Example":          {Text: "Ada Example", Family: "Example", Given: []string{"Ada"}},
		"Helen Castellano, DO": {Text: "Helen Castellano, DO", Family: "Castellano", Given: []string{"Helen"}, Suffix: []string{"DO"}},
		"Grey, Meredith A, MD": {Text: "Grey, Meredith A, MD", Family: "Grey", Given: []string{"Meredith", "A"}, Suffix: []string{"MD"}},
		"Baby Girl Nguyen":     {Text: "Baby Girl Nguyen", Family: "Nguyen", Given: []string{"Baby", "Girl"}},
		"John Smith Jr.":       {Text: "John Smith Jr.", Family: "Smith", Given: []string{"John"}, Suffix: []string{"Jr."}},
		"Cher":                 {Text: "Cher", Family: "Cher", Given: []string{}},
	} {
		got := encounter.SplitName(in)
		if got.Text != want.Text || got.Family != want.Family || len(got.Given) != len(want.Given) || strings.Join(got.Given, " ") != strings.Join(want.Given, " ") || strings.Join(got.Suffix, " ") != strings.Join(want.Suffix, " ") {
			t.Errorf("SplitName(%q) = %+v, want %+v", in, got, want)
		}
	}
}

func TestExportRefusesErrors(t *testing.T) {
	set := exportSet(t)
	enc := exportEncounter()
	enc.Overrides = nil
	enc.Lines[2].Pointers = []int{7}
	c, edits, err := encounter.Export(enc, set, time.Now())
	if c != nil {
		t.Fatal("claim built despite errors")
	}
	var refused *encounter.ExportRefusedError
	if !errors.As(err, &refused) || !errors.Is(err, encounter.ErrExportRefused) {
		t.Fatalf("error %T %v", err, err)
	}
	var rules []string
	for _, e := range refused.Blocking {
		if e.Severity != encounter.Error || e.Overridden != nil {
			t.Fatalf("non-blocking edit listed: %+v", e)
		}
		rules = append(rules, e.Target+" "+e.Rule)
	}
	got := strings.Join(rules, ", ")
	for _, want := range []string{"dx:2 icd.excludes1", "line:3 line.pointer-range"} {
		if !strings.Contains(got, want) {
			t.Errorf("blocking edits %q lack %q", got, want)
		}
	}
	if !encounter.HasErrors(edits) || refused.ID != "ENC-1001" || refused.Revision != 3 {
		t.Fatalf("refusal: %+v", refused)
	}
	msg := err.Error()
	if !strings.Contains(msg, "ENC-1001 revision 3 refused") || !strings.Contains(msg, "dx:2 icd.excludes1") {
		t.Fatalf("message: %s", msg)
	}
}

func TestCentsJSON(t *testing.T) {
	for cents, text := range map[encounter.Cents]string{0: "0.00", 5: "0.05", 12345: "123.45", -50: "-0.50", -12345: "-123.45"} {
		b, _ := json.Marshal(cents)
		if string(b) != text {
			t.Errorf("%d -> %s, want %s", cents, b, text)
		}
		var back encounter.Cents
		if err := json.Unmarshal(b, &back); err != nil || back != cents {
			t.Errorf("%s -> %d %v", b, back, err)
		}
	}
	for in, want := range map[string]encounter.Cents{"12": 1200, "12.5": 1250} {
		var c encounter.Cents
		if err := json.Unmarshal([]byte(in), &c); err != nil || c != want {
			t.Errorf("%s -> %d %v", in, c, err)
		}
	}
	for _, bad := range []string{"1.234", `"1.00"`, "1e2", ".5"} {
		var c encounter.Cents
		if err := json.Unmarshal([]byte(bad), &c); err == nil {
			t.Errorf("%s accepted as %d", bad, c)
		}
	}
}

func title(t *testing.T, set *codesets.Set, sys codesets.System, code string) string {
	t.Helper()
	c, ok := set.LookupIn(sys, code)
	if !ok {
		t.Fatalf("%s %s missing from the code sets", sys, code)
	}
	return c.Title()
}
