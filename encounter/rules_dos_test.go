package encounter

import (
	"strings"
	"testing"

	"codebench/codesets"
)

var dosCases = []ruleCase{
	fires(RuleDateOfService, "no date of service", Error, "claim", func(e *Encounter) { e.Service.From = Date{} }),
	fires(RuleDateOfService, "last date before first", Error, "claim", func(e *Encounter) { e.Service.To = NewDate(2026, 2, 1) }),
	quiet(RuleDateOfService, "two-day service", func(e *Encounter) { e.Service.To = NewDate(2026, 2, 4) }),

	fires(RuleCodeOnDate, "HCPCS code terminated before the visit", Error, "line:2", func(e *Encounter) {
		e.Lines = append(e.Lines, ServiceLine{Code: "A9155", Units: 1, Pointers: []int{1}})
	}),
	fires(RuleCodeOnDate, "FY2027 code on a FY2026 date", Error, "dx:2", func(e *Encounter) {
		e.Service.From = NewDate(2026, 9, 15)
		e.Diagnoses[1].Code = "I4200"
	}),
	fires(RuleCodeOnDate, "code deleted in FY2027 on a FY2027 date", Error, "dx:2", func(e *Encounter) {
		e.Service.From = NewDate(2026, 11, 16)
		e.Diagnoses[1].Code = "T528X1A"
	}),
	quiet(RuleCodeOnDate, "code deleted in FY2027 on a FY2026 date", func(e *Encounter) {
		e.Service.From = NewDate(2026, 9, 15)
		e.Diagnoses[1].Code = "T528X1A"
	}),
	fires(RuleCodeOnDate, "dates across 1 October, code a header on the last", Error, "dx:2", func(e *Encounter) {
		e.Service = DateRange{From: NewDate(2026, 9, 30), To: NewDate(2026, 10, 1)}
		e.Diagnoses[1].Code = "I420"
	}),
	quiet(RuleCodeOnDate, "dates across 1 October, code valid in both", func(e *Encounter) {
		e.Service = DateRange{From: NewDate(2026, 9, 30), To: NewDate(2026, 10, 1)}
	}),

	fires(RuleOutsideRelease, "date after FY2027", Error, "claim", func(e *Encounter) { e.Service.From = NewDate(2027, 10, 5) }),
	fires(RuleOutsideRelease, "date before FY2026", Error, "claim", func(e *Encounter) { e.Service.From = NewDate(2025, 9, 15) }),
	quiet(RuleOutsideRelease, "date inside FY2026", noChange),
	quiet(RuleOutsideRelease, "date inside FY2027", func(e *Encounter) { e.Service.From = NewDate(2026, 11, 16) }),

	fires(RuleTitleRevised, "title revised in FY2027", Info, "dx:2", func(e *Encounter) {
		e.Service.From = NewDate(2026, 11, 16)
		e.Diagnoses[1].Code = "L02232"
	}),
	quiet(RuleTitleRevised, "same code on a FY2026 date", func(e *Encounter) { e.Diagnoses[1].Code = "L02232" }),
}

// TestValidationByRelease: the acceptance rows of issue #10 through
// Validate, on the real releases.
func TestValidationByRelease(t *testing.T) {
	_, set := testSets(t)
	check := func(code string, dos Date, wantRule, wantText string) {
		t.Helper()
		e := base()
		e.Service.From = dos
		e.Diagnoses[1].Code = codesets.Canonical(code)
		var got []Edit
		for _, ed := range Validate(e, set) {
			if ed.Target == "dx:2" && ed.Severity == Error {
				got = append(got, ed)
			}
		}
		switch {
		case wantRule == "" && len(got) > 0:
			t.Errorf("%s on %s: %+v", code, dos, got)
		case wantRule != "" && (len(got) != 1 || got[0].Rule != wantRule || !strings.Contains(got[0].Message, wantText) || !strings.Contains(got[0].Release, "ICD-10-CM FY20")):
			t.Errorf("%s on %s: got %+v, want one %s saying %q", code, dos, got, wantRule, wantText)
		}
	}
	before, after := NewDate(2026, 9, 15), NewDate(2026, 11, 16)
	for _, code := range []string{"I42.00", "QA1.71", "Z87.8901"} {
		check(code, after, "", "")
		check(code, before, RuleCodeOnDate, "is new in ICD-10-CM FY2027 (DOS from 2026-10-01)")
	}
	check("I42.0", before, "", "")
	check("I42.0", after, RuleBillable, "I42.0 is a header in ICD-10-CM FY2027 (DOS from 2026-10-01): pick I42.00, I42.01 or I42.09")
	check("Z87.890", before, "", "")
	check("Z87.890", after, RuleBillable, "Z87.890 is a header in ICD-10-CM FY2027 (DOS from 2026-10-01): pick")

	// Across 1 October: valid on the first date, a header on the last.
	e := base()
	e.Service = DateRange{From: NewDate(2026, 9, 30), To: NewDate(2026, 10, 2)}
	e.Diagnoses[1].Code = "I420"
	var msgs []string
	for _, ed := range Validate(e, set) {
		if ed.Rule == RuleCodeOnDate {
			msgs = append(msgs, ed.Message+" ["+ed.Release+"]")
		}
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0], "on the last date of service 2026-10-02: I42.0 is a header in ICD-10-CM FY2027") || !strings.Contains(msgs[0], "[ICD-10-CM FY2027, DOS 2026-10-01 to 2027-09-30]") {
		t.Errorf("across 1 October: %q", msgs)
	}
	// Excludes1 uses the notes of the claim's release and says so.
	e = base()
	e.Service.From = after
	e.Diagnoses = dxs("E10.649", "E11.649")
	found := false
	for _, ed := range Validate(e, set) {
		if ed.Rule == RuleExcludes1 {
			found = strings.Contains(ed.Release, "Excludes notes: ICD-10-CM FY2027 Tabular List")
		}
	}
	if !found {
		t.Error("Excludes1 on a FY2027 date should cite the FY2027 notes")
	}
}
