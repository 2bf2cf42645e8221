package encounter

import (
	"os"
	"strings"
	"sync"
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
	return &Encounter{
		ID:             "t1",
		Patient:        Patient{ID: "P-1", Name: "Test Patient", DateOfBirth: NewDate(1968, 8, 15), Sex: "M"},
		Provider:       Provider{NPI: "1234567893", Name: "Dr Test"},
		Service:        DateRange{From: NewDate(2026, 2, 3)},
		PlaceOfService: "11",
		Notes:          []Note{{ID: "n1", Title: "Visit", Text: "Type 2 diabetes with hypoglycemia without coma. Long-term insulin."}},
		Diagnoses:      []Diagnosis{{Code: "E11649"}, {Code: "Z794"}},
		Lines:          []ServiceLine{{Code: "99213", Units: 1, Pointers: []int{1, 2}}},
	}
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

var ruleCases = []ruleCase{
	fires(RulePatientID, "no patient id", Error, "claim", func(e *Encounter) { e.Patient.ID = "" }),
	quiet(RulePatientID, "patient id present", noChange),

	fires(RulePatientDOB, "no date of birth", Error, "claim", func(e *Encounter) { e.Patient.DateOfBirth = Date{} }),
	fires(RulePatientDOB, "born after the visit", Error, "claim", func(e *Encounter) { e.Patient.DateOfBirth = NewDate(2026, 3, 1) }),
	quiet(RulePatientDOB, "born on the day of service", func(e *Encounter) { e.Patient.DateOfBirth = e.Service.From }),

	fires(RulePatientSex, "no sex", Error, "claim", func(e *Encounter) { e.Patient.Sex = "" }),
	fires(RulePatientSex, "sex not F/M/U", Error, "claim", func(e *Encounter) { e.Patient.Sex = "X" }),
	quiet(RulePatientSex, "sex unknown is allowed", func(e *Encounter) { e.Patient.Sex = "U" }),

	fires(RuleProviderNPI, "no NPI", Error, "claim", func(e *Encounter) { e.Provider.NPI = "" }),
	fires(RuleProviderNPI, "NPI check digit wrong", Error, "claim", func(e *Encounter) { e.Provider.NPI = "1234567890" }),
	fires(RuleProviderNPI, "NPI too short", Error, "claim", func(e *Encounter) { e.Provider.NPI = "12345" }),
	quiet(RuleProviderNPI, "another valid NPI", func(e *Encounter) { e.Provider.NPI = "1453982617" }),

	fires(RuleDateOfService, "no date of service", Error, "claim", func(e *Encounter) { e.Service.From = Date{} }),
	fires(RuleDateOfService, "last date before first", Error, "claim", func(e *Encounter) { e.Service.To = NewDate(2026, 2, 1) }),
	quiet(RuleDateOfService, "two-day service", func(e *Encounter) { e.Service.To = NewDate(2026, 2, 4) }),

	fires(RulePlaceOfService, "no place of service", Error, "claim", func(e *Encounter) { e.PlaceOfService = "" }),
	fires(RulePlaceOfService, "malformed place", Error, "claim", func(e *Encounter) { e.PlaceOfService = "1A" }),
	fires(RulePlaceOfService, "unassigned place", Warning, "claim", func(e *Encounter) { e.PlaceOfService = "30" }),
	quiet(RulePlaceOfService, "emergency room", func(e *Encounter) { e.PlaceOfService = "23" }),

	fires(RuleDiagnosisNeeded, "no diagnosis", Error, "claim", func(e *Encounter) { e.Diagnoses = nil; e.Lines[0].Pointers = []int{1} }),
	quiet(RuleDiagnosisNeeded, "one diagnosis", func(e *Encounter) { e.Diagnoses = e.Diagnoses[:1]; e.Lines[0].Pointers = []int{1} }),

	fires(RuleLineNeeded, "no service line", Error, "claim", func(e *Encounter) { e.Lines = nil }),
	quiet(RuleLineNeeded, "one line", noChange),

	fires(RuleMaxDiagnoses, "13 diagnoses", Error, "claim", func(e *Encounter) {
		e.Diagnoses = append(e.Diagnoses, dxs("I10", "E785", "F17210", "Z6830", "M170", "J020", "R0789", "D510", "N401", "R351", "Z8673")...)
	}),
	quiet(RuleMaxDiagnoses, "12 diagnoses", func(e *Encounter) {
		e.Diagnoses = append(e.Diagnoses, dxs("I10", "E785", "F17210", "Z6830", "M170", "J020", "R0789", "D510", "N401", "R351")...)
	}),

	fires(RuleDuplicateDx, "same code twice", Error, "dx:3", func(e *Encounter) { e.Diagnoses = append(e.Diagnoses, dxs("E11.649")...) }),
	quiet(RuleDuplicateDx, "distinct codes", noChange),

	fires(RuleOverride, "override of a rule that cannot be overridden", Warning, "dx:1", func(e *Encounter) {
		e.Diagnoses[0].Code = "E11"
		e.Overrides = []Override{{Rule: RuleBillable, Target: "dx:1", Reason: "payer accepts it"}}
	}),
	fires(RuleOverride, "override without a reason", Warning, "dx:2", func(e *Encounter) {
		e.Diagnoses = dxs("E10649", "E11649")
		e.Overrides = []Override{{Rule: RuleExcludes1, Target: "dx:2", Reason: " "}}
	}),
	fires(RuleOverride, "override that no longer matches", Info, "dx:2", func(e *Encounter) {
		e.Overrides = []Override{{Rule: RuleExcludes1, Target: "dx:2", Reason: "unrelated"}}
	}),
	quiet(RuleOverride, "override that matches its edit", func(e *Encounter) {
		e.Diagnoses = dxs("E10649", "E11649")
		e.Overrides = []Override{{Rule: RuleExcludes1, Target: "dx:2", Reason: "unrelated"}}
	}),

	fires(RuleCodeOnDate, "HCPCS code terminated before the visit", Error, "line:2", func(e *Encounter) {
		e.Lines = append(e.Lines, ServiceLine{Code: "A9155", Units: 1, Pointers: []int{1}})
	}),
	fires(RuleCodeOnDate, "FY2026 code on a FY2025 date", Error, "dx:2", func(e *Encounter) {
		e.Service.From = NewDate(2025, 9, 15)
		e.Diagnoses[1].Code = "B8801"
	}),
	fires(RuleCodeOnDate, "code deleted in FY2026 on a FY2026 date", Error, "dx:2", func(e *Encounter) { e.Diagnoses[1].Code = "E7801" }),
	quiet(RuleCodeOnDate, "deleted code on a FY2025 date", func(e *Encounter) {
		e.Service.From = NewDate(2025, 5, 1)
		e.Diagnoses[1].Code = "E7801"
	}),

	fires(RuleOutsideRelease, "date after FY2026", Warning, "claim", func(e *Encounter) { e.Service.From = NewDate(2026, 10, 5) }),
	quiet(RuleOutsideRelease, "date inside FY2026", noChange),

	fires(RuleICDUnknown, "no such code", Error, "dx:2", func(e *Encounter) { e.Diagnoses[1].Code = "E1199" }),
	fires(RuleICDUnknown, "HCPCS code as a diagnosis", Error, "dx:2", func(e *Encounter) { e.Diagnoses[1].Code = "J1885" }),
	fires(RuleICDUnknown, "missing X placeholder", Error, "dx:2", func(e *Encounter) { e.Diagnoses[1].Code = "W010A" }),
	quiet(RuleICDUnknown, "known codes", noChange),

	fires(RuleBillable, "category header", Error, "dx:1", func(e *Encounter) { e.Diagnoses[0].Code = "E11" }),
	fires(RuleBillable, "subcategory header", Error, "dx:1", func(e *Encounter) { e.Diagnoses[0].Code = "E116" }),
	quiet(RuleBillable, "leaf codes", noChange),

	fires(RuleSeventh, "fracture without 7th character", Error, "dx:1", func(e *Encounter) { e.Diagnoses = dxs("S52.531") }),
	fires(RuleSeventh, "poisoning with placeholder, no 7th", Error, "dx:1", func(e *Encounter) { e.Diagnoses = dxs("T38.3X1") }),
	quiet(RuleSeventh, "fracture with 7th character", func(e *Encounter) { e.Diagnoses = dxs("S52.531A") }),

	fires(RuleExcludes1, "type 1 and type 2 diabetes", Error, "dx:2", func(e *Encounter) { e.Diagnoses = dxs("E10649", "E11649", "Z794") }),
	fires(RuleExcludes1, "reverse order", Error, "dx:2", func(e *Encounter) { e.Diagnoses = dxs("E11649", "E10649", "Z794") }),
	fires(RuleExcludes1, "qualified range is a warning", Warning, "dx:2", func(e *Encounter) { e.Diagnoses = dxs("E119", "G63", "Z794") }),
	quiet(RuleExcludes1, "Excludes2 is not Excludes1", func(e *Encounter) { e.Diagnoses = dxs("N1831", "E1122") }),

	fires(RuleManifestation, "dementia before Alzheimer's", Error, "dx:1", func(e *Encounter) { e.Diagnoses = dxs("F02.80", "G30.1") }),
	fires(RuleManifestation, "manifestation alone", Error, "dx:1", func(e *Encounter) { e.Diagnoses = dxs("G63") }),
	quiet(RuleManifestation, "Alzheimer's first", func(e *Encounter) { e.Diagnoses = dxs("G30.1", "F02.80") }),
	quiet(RuleManifestation, "code-first note without manifestation (CKD)", func(e *Encounter) { e.Diagnoses = dxs("N18.31") }),

	fires(RuleCodeFirst, "manifestation without its cause", Warning, "dx:2", func(e *Encounter) { e.Diagnoses = dxs("I10", "F02.80") }),
	fires(RuleCodeFirst, "code-first note without cause is info", Info, "dx:1", func(e *Encounter) { e.Diagnoses = dxs("N18.31") }),
	quiet(RuleCodeFirst, "cause coded", func(e *Encounter) { e.Diagnoses = dxs("G30.1", "F02.80") }),

	fires(RuleCodeFirstOrder, "ulcer before diabetic ulcer", Warning, "dx:1", func(e *Encounter) { e.Diagnoses = dxs("L97.512", "E11.621", "Z79.4") }),
	fires(RuleCodeFirstOrder, "manifestation before its cause, not first", Error, "dx:2", func(e *Encounter) { e.Diagnoses = dxs("I10", "F02.80", "G30.1") }),
	quiet(RuleCodeFirstOrder, "diabetic ulcer first", func(e *Encounter) { e.Diagnoses = dxs("E11.621", "L97.512", "Z79.4") }),

	fires(RuleUseAdditional, "insulin use not coded", Info, "dx:1", func(e *Encounter) { e.Diagnoses = e.Diagnoses[:1]; e.Lines[0].Pointers = []int{1} }),
	quiet(RuleUseAdditional, "insulin use coded", noChange),

	fires(RuleExternalFirst, "fall first", Error, "dx:1", func(e *Encounter) { e.Diagnoses = dxs("W01.0XXA", "S52.531A") }),
	quiet(RuleExternalFirst, "fracture first", func(e *Encounter) { e.Diagnoses = dxs("S52.531A", "W01.0XXA") }),

	fires(RuleEvidence, "evidence names a missing note", Warning, "dx:1", func(e *Encounter) {
		e.Diagnoses[0].Evidence = &Evidence{NoteID: "n9", Start: 0, End: 4}
	}),
	fires(RuleEvidence, "evidence outside the note", Warning, "dx:1", func(e *Encounter) {
		e.Diagnoses[0].Evidence = &Evidence{NoteID: "n1", Start: 10, End: 4000}
	}),
	quiet(RuleEvidence, "evidence inside the note", func(e *Encounter) {
		e.Diagnoses[0].Evidence = &Evidence{NoteID: "n1", Start: 0, End: 15, Text: "Type 2 diabetes"}
	}),

	fires(RuleMCEAge, "newborn code for an adult", Error, "dx:1", func(e *Encounter) { e.Diagnoses = dxs("Z38.00") }),
	fires(RuleMCEAge, "maternity code at 60", Error, "dx:1", func(e *Encounter) {
		e.Patient.Sex, e.Patient.DateOfBirth = "F", NewDate(1965, 1, 1)
		e.Diagnoses = dxs("O24.410", "Z3A.32")
	}),
	quiet(RuleMCEAge, "newborn code for a newborn", func(e *Encounter) {
		e.Patient.DateOfBirth = e.Service.From
		e.Diagnoses = dxs("Z38.00")
	}),

	fires(RuleMCESex, "prostate code for a woman", Error, "dx:1", func(e *Encounter) { e.Patient.Sex = "F"; e.Diagnoses = dxs("N40.1", "R35.1") }),
	quiet(RuleMCESex, "prostate code for a man", func(e *Encounter) { e.Diagnoses = dxs("N40.1", "R35.1") }),

	fires(RuleMCEUnchecked, "sex unknown", Warning, "claim", func(e *Encounter) { e.Patient.Sex = "U"; e.Diagnoses = dxs("N40.1", "R35.1") }),
	fires(RuleMCEUnchecked, "date of birth unknown", Warning, "claim", func(e *Encounter) { e.Patient.DateOfBirth = Date{}; e.Diagnoses = dxs("Z38.00") }),
	quiet(RuleMCEUnchecked, "both known", func(e *Encounter) { e.Diagnoses = dxs("N40.1", "R35.1") }),

	fires(RuleMCEPrincipal, "unacceptable principal on an inpatient claim", Warning, "dx:1", func(e *Encounter) {
		e.PlaceOfService = "21"
		e.Diagnoses = dxs("Z79.84", "E11.9")
	}),
	quiet(RuleMCEPrincipal, "same first-listed in the office", func(e *Encounter) { e.Diagnoses = dxs("Z79.84", "E11.9") }),

	fires(RuleLineUnknown, "no such HCPCS code", Error, "line:1", func(e *Encounter) { e.Lines[0].Code = "Z9999" }),
	fires(RuleLineUnknown, "diagnosis code on a line", Error, "line:1", func(e *Encounter) { e.Lines[0].Code = "E1165" }),
	fires(RuleLineUnknown, "CPT number missing from the imported file", Error, "line:1", func(e *Encounter) { e.Lines[0].Code = "99999" }),
	quiet(RuleLineUnknown, "HCPCS drug", func(e *Encounter) { e.Lines[0].Code = "J1885" }),

	{name: "CPT without descriptor file", rule: RuleCPTDescriptor, fires: true, sev: Info, target: "line:1", noCPT: true, change: noChange},
	quiet(RuleCPTDescriptor, "CPT with descriptor file", noChange),

	fires(RuleUnits, "zero units", Error, "line:1", func(e *Encounter) { e.Lines[0].Units = 0 }),
	quiet(RuleUnits, "one unit", noChange),

	fires(RuleCharge, "negative charge", Error, "line:1", func(e *Encounter) { e.Lines[0].Charge = -100 }),
	quiet(RuleCharge, "charge given", func(e *Encounter) { e.Lines[0].Charge = 12500 }),

	fires(RulePointerNeeded, "no pointer", Error, "line:1", func(e *Encounter) { e.Lines[0].Pointers = nil }),
	quiet(RulePointerNeeded, "pointers given", noChange),

	fires(RuleMaxPointers, "five pointers", Error, "line:1", func(e *Encounter) {
		e.Diagnoses = append(e.Diagnoses, dxs("I10", "E785", "F17210")...)
		e.Lines[0].Pointers = []int{1, 2, 3, 4, 5}
	}),
	quiet(RuleMaxPointers, "four pointers", func(e *Encounter) {
		e.Diagnoses = append(e.Diagnoses, dxs("I10", "E785", "F17210")...)
		e.Lines[0].Pointers = []int{1, 2, 3, 4}
	}),

	fires(RulePointerRange, "pointer past the diagnoses", Error, "line:1", func(e *Encounter) { e.Lines[0].Pointers = []int{1, 3} }),
	fires(RulePointerRange, "pointer twice", Error, "line:1", func(e *Encounter) { e.Lines[0].Pointers = []int{1, 1} }),
	fires(RulePointerRange, "pointer zero", Error, "line:1", func(e *Encounter) { e.Lines[0].Pointers = []int{0} }),
	quiet(RulePointerRange, "pointers in range", noChange),

	fires(RuleMaxModifiers, "five modifiers", Error, "line:1", func(e *Encounter) { e.Lines[0].Modifiers = []string{"25", "GT", "95", "GC", "Q5"} }),
	quiet(RuleMaxModifiers, "four modifiers", func(e *Encounter) { e.Lines[0].Modifiers = []string{"25", "GT", "95", "GC"} }),

	fires(RuleModifierUnknown, "no such modifier", Error, "line:1", func(e *Encounter) { e.Lines[0].Modifiers = []string{"1X"} }),
	quiet(RuleModifierUnknown, "HCPCS and CPT modifiers", func(e *Encounter) { e.Lines[0].Modifiers = []string{"25", "GT"} }),

	fires(RuleModifierRepeated, "modifier twice", Error, "line:1", func(e *Encounter) { e.Lines[0].Modifiers = []string{"25", "25"} }),
	quiet(RuleModifierRepeated, "modifiers once", func(e *Encounter) { e.Lines[0].Modifiers = []string{"25"} }),

	fires(RuleDuplicateLine, "same line twice", Warning, "line:2", func(e *Encounter) { e.Lines = append(e.Lines, e.Lines[0]) }),
	fires(RuleDuplicateLine, "modifier order does not matter", Warning, "line:2", func(e *Encounter) {
		e.Lines = []ServiceLine{
			{Code: "25600", Modifiers: []string{"RT", "GC"}, Units: 1, Pointers: []int{1}},
			{Code: "25600", Modifiers: []string{"GC", "RT"}, Units: 1, Pointers: []int{1}},
		}
	}),
	quiet(RuleDuplicateLine, "repeat marked with 76", func(e *Encounter) {
		e.Lines = append(e.Lines, ServiceLine{Code: "93000", Units: 1, Pointers: []int{1}}, ServiceLine{Code: "93000", Modifiers: []string{"76"}, Units: 1, Pointers: []int{1}})
	}),

	fires(Rule59WithX, "59 with XS", Error, "line:1", func(e *Encounter) { e.Lines[0].Modifiers = []string{"59", "XS"} }),
	quiet(Rule59WithX, "XS alone", func(e *Encounter) { e.Lines[0].Modifiers = []string{"XS"} }),
	quiet(Rule59WithX, "59 alone", func(e *Encounter) { e.Lines[0].Modifiers = []string{"59"} }),

	fires(RuleLeftRight, "LT and RT", Error, "line:1", func(e *Encounter) { e.Lines[0].Modifiers = []string{"LT", "RT"} }),
	quiet(RuleLeftRight, "RT alone", func(e *Encounter) { e.Lines[0].Modifiers = []string{"RT"} }),

	fires(RuleBilateralSide, "50 with RT", Error, "line:1", func(e *Encounter) { e.Lines[0].Modifiers = []string{"50", "RT"} }),
	quiet(RuleBilateralSide, "50 alone", func(e *Encounter) { e.Lines[0].Modifiers = []string{"50"} }),
}

func TestBaseHasNoEdits(t *testing.T) {
	_, set := testSets(t)
	if edits := Validate(base(), set); len(edits) != 0 {
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
			if h.Message == "" || h.Source == "" || h.Source != ruleByID[c.rule].Source {
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
	check(func(e *Encounter) { e.Diagnoses[0].Code = "E116" }, RuleBillable, "more characters", "E11.610")
	check(func(e *Encounter) { e.Diagnoses = dxs("S52.531") }, RuleSeventh, "A, B, C", "S52.531A = initial encounter for closed fracture")
	check(func(e *Encounter) { e.Diagnoses = dxs("E10649", "E11649") }, RuleExcludes1, "E10.649 (A)", "E11.649 (B)", "type 2 diabetes mellitus (E11.-)")
	check(func(e *Encounter) { e.Diagnoses = dxs("F02.80", "G30.1") }, RuleManifestation, "G30.1 (B) first")
	check(func(e *Encounter) { e.Diagnoses = dxs("Z38.00") }, RuleMCEAge, "newborn", "ages 0", "57")
	check(func(e *Encounter) { e.Diagnoses[1].Code = "E7801" }, RuleCodeOnDate, "deleted", "E78.01")
	check(func(e *Encounter) { e.Lines[0].Modifiers = []string{"LT", "RT"} }, RuleLeftRight, "50", "two lines")
}

func TestOverrides(t *testing.T) {
	_, set := testSets(t)
	e := base()
	e.Diagnoses = dxs("E10649", "E11649", "Z794")
	edits := Validate(e, set)
	if !HasErrors(edits) {
		t.Fatal("Excludes1 pair should be an error")
	}
	var ex Edit
	for _, ed := range edits {
		if ed.Rule == RuleExcludes1 {
			ex = ed
		}
	}
	e.Overrides = []Override{ex.Accept("type 1 diagnosis documented by endocrinology; query sent", "coder7", time.Date(2026, 2, 4, 9, 0, 0, 0, time.UTC))}
	edits = Validate(e, set)
	if HasErrors(edits) {
		t.Fatalf("overridden Excludes1 still blocks: %+v", edits)
	}
	found := false
	for _, ed := range edits {
		if ed.Rule == RuleExcludes1 {
			found = ed.Overridden != nil && ed.Overridden.Coder == "coder7"
		}
	}
	if !found {
		t.Error("the edit does not carry its override")
	}
	// Swapping the codes on the same targets lapses the override: it was
	// about E10.649 then E11.649, not the other way round.
	e.Diagnoses = dxs("E11649", "E10649", "Z794")
	if !HasErrors(Validate(e, set)) {
		t.Error("override carried over to a different pair")
	}
	// An override without codes matches by rule and target alone.
	e.Overrides = []Override{{Rule: RuleExcludes1, Target: "dx:2", Reason: "unrelated"}}
	if HasErrors(Validate(e, set)) {
		t.Error("override without codes did not apply")
	}
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

func TestValidNPI(t *testing.T) {
	for npi, want := range map[string]bool{
		"1234567893": true, "1453982617": true, "1234567890": false, "123456789": false, "12345678a3": false, "": false,
	} {
		if got := ValidNPI(npi); got != want {
			t.Errorf("ValidNPI(%q) = %v", npi, got)
		}
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
