package encounter

import (
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"codebench/codesets"
)

var (
	setsOnce            sync.Once
	embeddedSet, cptSet *codesets.Set
	setsErr             error
)

// testSets returns the embedded code sets, and the same with the invented
// CPT fixture loaded.
func testSets(tb testing.TB) (plain, withCPT *codesets.Set) {
	tb.Helper()
	setsOnce.Do(func() {
		embeddedSet, setsErr = codesets.Embedded()
		if setsErr != nil {
			return
		}
		var f *os.File
		if f, setsErr = os.Open("../codesets/testdata/cpt_fixture.tsv"); setsErr != nil {
			return
		}
		defer f.Close()
		var codes []*codesets.Code
		if codes, setsErr = codesets.ParseCPT(f, "cpt_fixture.tsv"); setsErr == nil {
			cptSet = embeddedSet.WithCPT(codes, "fixture")
		}
	})
	if setsErr != nil {
		tb.Fatal(setsErr)
	}
	return embeddedSet, cptSet
}

// base is a correctly coded office visit: Validate finds nothing.
func base() *Encounter {
	return withClaimParties(&Encounter{
		ID:             "t1",
		Patient:        Patient{ID: "P-1", Name: "Test Patient", DateOfBirth: NewDate(1968, 8, 15), Sex: "M"},
		Provider:       Provider{NPI: "1234567893", Name: "Dr Test"},
		Service:        DateRange{From: NewDate(2026, 2, 3)},
		PlaceOfService: "11",
		Notes:          []Note{{ID: "n1", Title: "Visit", Text: "Type 2 diabetes with hypoglycemia without coma. Long-term insulin."}},
		Diagnoses:      []Diagnosis{{Code: "E11649"}, {Code: "Z794"}},
		Lines:          []ServiceLine{{Code: "99213", Units: 1, Pointers: []int{1, 2}}},
	})
}

func dxs(codes ...string) []Diagnosis {
	out := make([]Diagnosis, len(codes))
	for i, c := range codes {
		out[i] = Diagnosis{Code: codesets.Canonical(c)}
	}
	return out
}

// ruleCase is one row of the per-rule table: after change, the rule fires
// (with severity sev, on target, when given) or does not fire.
type ruleCase struct {
	name   string
	rule   string
	fires  bool
	sev    Severity // checked when set
	target string   // checked when set
	noCPT  bool     // validate without the CPT fixture
	change func(e *Encounter)
}

func fires(rule, name string, sev Severity, target string, change func(e *Encounter)) ruleCase {
	return ruleCase{name: name, rule: rule, fires: true, sev: sev, target: target, change: change}
}

func quiet(rule, name string, change func(e *Encounter)) ruleCase {
	return ruleCase{name: name, rule: rule, change: change}
}

func noChange(*Encounter) {}

// ruleCases is every family's table (rules_<family>_test.go).
var ruleCases = slices.Concat(claimCases, dosCases, icdCases, mceCases, modifierCases, ncciCases, mueCases, addOnCases, pfsCases, payerCases, overrideCases)

func TestBaseHasNoEdits(t *testing.T) {
	_, set := testSets(t)
	edits := Validate(base(), set)
	// The one edit: the embedded NCCI tables (2024-07-01) predate every
	// 2026 claim's quarter, and the claim says so.
	if len(edits) != 1 || edits[0].Rule != RuleNCCIAge {
		t.Fatalf("the base encounter should be clean, got %+v", edits)
	}
}

// TestRules runs the table: each case fires its rule (with the severity
// and target given) or does not.
func TestRules(t *testing.T) {
	plain, withCPT := testSets(t)
	for _, c := range ruleCases {
		t.Run(c.rule+"/"+c.name, func(t *testing.T) {
			if _, ok := Rule(c.rule); !ok {
				t.Fatalf("rule %s is not registered", c.rule)
			}
			e := base()
			c.change(e)
			set := withCPT
			if c.noCPT {
				set = plain
			}
			edits := Validate(e, set)
			var hits []Edit
			for _, ed := range edits {
				if ed.Rule == c.rule {
					hits = append(hits, ed)
				}
			}
			if !c.fires {
				if len(hits) > 0 {
					t.Fatalf("fired: %+v", hits)
				}
				return
			}
			if len(hits) == 0 {
				t.Fatalf("did not fire; edits: %+v", edits)
			}
			h := hits[0]
			if c.sev != "" && h.Severity != c.sev {
				t.Errorf("severity %s, want %s (%s)", h.Severity, c.sev, h.Message)
			}
			if c.target != "" && h.Target != c.target {
				t.Errorf("target %s, want %s (%s)", h.Target, c.target, h.Message)
			}
			// Edits resting on a payer table cite the table as loaded, with
			// its version; the others cite the registry's source.
			if h.Message == "" || h.Source == "" || h.Version == "" && h.Source != ruleByID[c.rule].Source {
				t.Errorf("edit lacks message or source: %+v", h)
			}
		})
	}
}

// TestEveryRuleTested: each registered rule has a case that fires it and
// one that does not.
func TestEveryRuleTested(t *testing.T) {
	fired, quietCase := map[string]bool{}, map[string]bool{}
	for _, c := range ruleCases {
		if c.fires {
			fired[c.rule] = true
		} else {
			quietCase[c.rule] = true
		}
	}
	for _, r := range Rules() {
		if !fired[r.ID] || !quietCase[r.ID] {
			t.Errorf("rule %s: firing case %v, not-firing case %v", r.ID, fired[r.ID], quietCase[r.ID])
		}
		if r.Source == "" || r.Summary == "" {
			t.Errorf("rule %s lacks source or summary", r.ID)
		}
	}
}

func TestMessagesHelpTheCoder(t *testing.T) {
	_, set := testSets(t)
	check := func(change func(*Encounter), rule string, want ...string) {
		t.Helper()
		e := base()
		change(e)
		for _, ed := range Validate(e, set) {
			if ed.Rule == rule {
				for _, w := range want {
					if !strings.Contains(ed.Message, w) {
						t.Errorf("%s message %q lacks %q", rule, ed.Message, w)
					}
				}
				return
			}
		}
		t.Errorf("%s did not fire", rule)
	}
	check(func(e *Encounter) { e.Diagnoses[1].Code = "E1199" }, RuleICDUnknown, "E11.99", "nearest: E11.")
	check(func(e *Encounter) { e.Diagnoses[1].Code = "W010A" }, RuleICDUnknown, "W01.0XXA")
	check(func(e *Encounter) { e.Diagnoses[0].Code = "E116" }, RuleBillable, "is a header in ICD-10-CM FY2026 (DOS from 2025-10-01)", "E11.610")
	check(func(e *Encounter) { e.Diagnoses = dxs("S52.531") }, RuleSeventh, "A, B, C", "S52.531A = initial encounter for closed fracture")
	check(func(e *Encounter) { e.Diagnoses = dxs("E10649", "E11649") }, RuleExcludes1, "E10.649 (A)", "E11.649 (B)", "type 2 diabetes mellitus (E11.-)")
	check(func(e *Encounter) { e.Diagnoses = dxs("F02.80", "G30.1") }, RuleManifestation, "G30.1 (B) first")
	check(func(e *Encounter) { e.Diagnoses = dxs("Z38.00") }, RuleMCEAge, "newborn", "ages 0", "57")
	check(func(e *Encounter) { e.Service.From = NewDate(2026, 11, 16); e.Diagnoses = dxs("O00.121") }, RuleMCESex, "O00.121 is for female patients", "MCE v41.1 predates O00.121", "every O00 code")
	check(func(e *Encounter) { e.Service.From, e.Diagnoses[1].Code = NewDate(2026, 11, 16), "T528X1A" }, RuleCodeOnDate, "T52.8X1A", "valid through 2026-09-30 (ICD-10-CM FY2026)", "T52.81")
	check(func(e *Encounter) { e.Lines[0].Modifiers = []string{"LT", "RT"} }, RuleLeftRight, "50", "two lines")
}

func TestEditsSortedErrorsFirst(t *testing.T) {
	_, set := testSets(t)
	e := base()
	e.PlaceOfService = "30"                                                // warning
	e.Diagnoses = dxs("E11649")                                            // use-additional info
	e.Lines = []ServiceLine{{Code: "99213", Units: 0, Pointers: []int{1}}} // error
	edits := Validate(e, set)
	last := -1
	for _, ed := range edits {
		if r := rank(ed.Severity); r < last {
			t.Fatalf("not sorted: %+v", edits)
		} else {
			last = r
		}
	}
	if len(edits) < 3 || edits[0].Severity != Error {
		t.Fatalf("edits: %+v", edits)
	}
}

func TestHasErrors(t *testing.T) {
	o := &Override{Rule: RuleExcludes1, Reason: "x"}
	cases := []struct {
		edits []Edit
		want  bool
	}{
		{nil, false},
		{[]Edit{{Severity: Warning}, {Severity: Info}}, false},
		{[]Edit{{Severity: Error}}, true},
		{[]Edit{{Severity: Error, Overridden: o}}, false},
		{[]Edit{{Severity: Error, Overridden: o}, {Severity: Error}}, true},
	}
	for i, c := range cases {
		if got := HasErrors(c.edits); got != c.want {
			t.Errorf("case %d: HasErrors = %v", i, got)
		}
	}
}

// BenchmarkValidate measures a typical coded claim: six diagnoses with
// Excludes1, code-first and use-additional notes, four lines.
func BenchmarkValidate(b *testing.B) {
	_, set := testSets(b)
	e := base()
	e.Diagnoses = dxs("E11.621", "L97.512", "I12.9", "N18.31", "Z79.4", "F17.210")
	e.Lines = []ServiceLine{
		{Code: "99214", Modifiers: []string{"25"}, Units: 1, Pointers: []int{1, 2, 3, 4}},
		{Code: "11042", Units: 1, Pointers: []int{1, 2}},
		{Code: "83036", Units: 1, Pointers: []int{1}},
		{Code: "J1885", Units: 2, Pointers: []int{2}},
	}
	Validate(e, set) // decode the payer tables outside the timing
	b.ReportAllocs()
	for b.Loop() {
		Validate(e, set)
	}
}

// BenchmarkValidateWorst: twelve diagnoses, an unknown code and an
// Excludes1 pair.
func BenchmarkValidateWorst(b *testing.B) {
	_, set := testSets(b)
	e := base()
	e.Diagnoses = dxs("E10649", "E11649", "Z794", "I10", "E785", "F17210", "M170", "J020", "R0789", "D510", "G30.1", "F02.80")
	e.Diagnoses = append(e.Diagnoses, Diagnosis{Code: "X999"})
	for i := 0; i < 6; i++ {
		e.Lines = append(e.Lines, ServiceLine{Code: "99213", Modifiers: []string{"59", "XS"}, Units: 1, Pointers: []int{1, 2, 3, 4}})
	}
	Validate(e, set)
	b.ReportAllocs()
	for b.Loop() {
		Validate(e, set)
	}
}

// TestReadmeListsRules keeps README.md's rule table and override list in
// step with the registry.
func TestReadmeListsRules(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	var overridable []string
	for _, r := range Rules() {
		ov := ""
		if r.Overridable {
			ov = "yes"
			overridable = append(overridable, r.ID)
		}
		row := "| `" + r.ID + "` | " + string(r.Severity) + " | " + ov + " |"
		if !strings.Contains(doc, row) {
			t.Errorf("README.md lacks the row %q", row)
		}
	}
	start := strings.Index(doc, "Only these rules can be overridden:")
	end := strings.Index(doc[start:], "Everything else")
	if start < 0 || end < 0 {
		t.Fatal("README.md lacks the override paragraph")
	}
	para := doc[start : start+end]
	for _, id := range overridable {
		if !strings.Contains(para, "`"+id+"`") {
			t.Errorf("override paragraph lacks %s", id)
		}
	}
	if n := strings.Count(para, "`"); n != 2*len(overridable) {
		t.Errorf("override paragraph names %d rules, the registry %d", n/2, len(overridable))
	}
}

// BenchmarkValidate20Lines: the budget, a Medicare claim of 12
// diagnoses and 20 lines with every payer edit set on (PTP pairs, MUE,
// add-on codes, fee-schedule indicators, MCE); at most 200 µs.
func BenchmarkValidate20Lines(b *testing.B) {
	plain, _ := testSets(b)
	e := base()
	e.Coverage.PayerType = PayerMedicare
	e.Diagnoses = dxs("E11.621", "L97.512", "I12.9", "N18.31", "Z79.4", "F17.210", "I10", "E78.5", "M17.0", "J02.0", "R07.89", "D51.0")
	codes := []string{"99214", "11042", "11045", "97597", "20610", "76942", "93000", "93010", "36415", "83036",
		"80053", "85025", "J1100", "96372", "J3301", "29881", "27447", "71046", "73610", "G0463"}
	for i, c := range codes {
		e.Lines = append(e.Lines[:min(i, len(e.Lines))], ServiceLine{Code: c, Units: 1, Pointers: []int{1 + i%12}})
	}
	e.Lines[0].Modifiers = []string{"25"}
	e.Lines[7].Modifiers = []string{"59"}
	e.Lines[12].Units = 200
	ValidateWith(e, plain, Options{}) // decode the payer tables outside the timing
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		ValidateWith(e, plain, Options{})
	}
	// The process's CPU time per validation: on a machine shared with
	// other builds the wall time per op overstates the work.
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

// processCPU is the user and system time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
