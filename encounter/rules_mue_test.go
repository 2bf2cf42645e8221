package encounter

import (
	"reflect"
	"testing"
	"time"
)

// units sets the units of line i (1-based).
func units(e *Encounter, i, n int) { e.Lines[i-1].Units = n }

var mueCases = []ruleCase{
	numbersOnly(fires(RuleMUE, "J1100 × 200 (MUE 120, MAI 3)", Error, "line:1", func(e *Encounter) { lines(e, l("J1100")); units(e, 1, 200) })),
	numbersOnly(fires(RuleMUE, "J1100 summed over two lines (MAI 3: per day)", Error, "line:1", func(e *Encounter) {
		lines(e, l("J1100"), l("J1100", "76"))
		units(e, 1, 100)
		units(e, 2, 40)
	})),
	numbersOnly(quiet(RuleMUE, "J1100 × 120", func(e *Encounter) { lines(e, l("J1100")); units(e, 1, 120) })),
	numbersOnly(fires(RuleMUE, "99213 × 3 (MUE 2, MAI 3)", Error, "line:1", func(e *Encounter) { units(e, 1, 3) })),
	numbersOnly(quiet(RuleMUE, "99213 × 2", func(e *Encounter) { units(e, 1, 2) })),
	numbersOnly(fires(RuleMUE, "99486 × 5 on one line (MUE 4, MAI 1)", Error, "line:1", func(e *Encounter) { lines(e, l("99486")); units(e, 1, 5) })),
	numbersOnly(quiet(RuleMUE, "MAI 1 lines with 76 are not summed (99486 × 3 twice)", func(e *Encounter) {
		lines(e, l("99486"), l("99486", "76"))
		units(e, 1, 3)
		units(e, 2, 3)
	})),

	numbersOnly(fires(RuleMUEAbsolute, "11042 × 2 (MUE 1, MAI 2)", Error, "line:1", func(e *Encounter) { lines(e, l("11042")); units(e, 1, 2) })),
	numbersOnly(quiet(RuleMUEAbsolute, "11042 × 1", func(e *Encounter) { lines(e, l("11042")) })),

	numbersOnly(fires(RuleMUEZero, "G0463 is not payable to practitioners (MUE 0)", Error, "line:2", func(e *Encounter) { lines(e, l("99213", "25"), l("G0463")) })),
	numbersOnly(fires(RuleMUEZero, "L4350 is DMEPOS, billed to the DME MAC (MUE 0)", Error, "line:1", func(e *Encounter) { lines(e, l("L4350")) })),
	numbersOnly(quiet(RuleMUEZero, "99213 has an MUE of 2", noChange)),
}

var addOnCases = []ruleCase{
	numbersOnly(fires(RuleAddOn, "11045 without its primary 11042 (type 1)", Error, "line:1", func(e *Encounter) { lines(e, l("11045")) })),
	numbersOnly(quiet(RuleAddOn, "11045 with 11042", func(e *Encounter) { lines(e, l("11042"), l("11045")) })),
	numbersOnly(fires(RuleAddOn, "0054T without any procedure (type 2)", Warning, "line:1", func(e *Encounter) { lines(e, l("0054T")) })),
	numbersOnly(fires(RuleAddOn, "20701 without a listed primary (type 3)", Warning, "line:1", func(e *Encounter) { lines(e, l("20701")) })),
	numbersOnly(quiet(RuleAddOn, "no add-on code", noChange)),
}

// TestMUEAcceptance: the real rows and what the messages say.
func TestMUEAcceptance(t *testing.T) {
	c := medicareClaim(l("J1100"))
	units(c, 1, 200)
	e := editsOf(t, c, RuleMUE)
	wantMessage(t, e, "J1100: 200 units", "NCCI MUE 120 for J1100", "MAI 3: per day, clinical", "rationale: Clinical: Data", "appealable")
	if r, _ := Rule(RuleMUE); !r.Overridable {
		t.Error("MAI 3 edits are appealable: overridable with a reason")
	}
	c = medicareClaim(l("99213"))
	units(c, 1, 3)
	wantMessage(t, editsOf(t, c, RuleMUE), "NCCI MUE 2 for 99213")
	c = medicareClaim(l("11042"))
	units(c, 1, 2)
	wantMessage(t, editsOf(t, c, RuleMUEAbsolute), "MAI 2: per day, absolute", "no documentation makes more payable")
	if r, _ := Rule(RuleMUEAbsolute); r.Overridable {
		t.Error("MAI 2 is absolute")
	}
	wantMessage(t, editsOf(t, medicareClaim(l("99213", "25"), l("G0463")), RuleMUEZero), "G0463 is not payable to practitioners", "hospital outpatient clinic visit")
	wantMessage(t, editsOf(t, medicareClaim(l("L4350")), RuleMUEZero), "DME MAC")

	// An override with a reason accepts a MAI 3 edit.
	c = medicareClaim(l("J1100"))
	units(c, 1, 200)
	e = editsOf(t, c, RuleMUE)
	c.Overrides = []Override{e[0].Accept("dose documented: 200 mg for anaphylaxis", "coder7", time.Date(2026, 2, 4, 9, 0, 0, 0, time.UTC))}
	if e := editsOf(t, c, RuleMUE); e[0].Overridden == nil {
		t.Error("override not applied")
	}
}

func TestAddOnAcceptance(t *testing.T) {
	wantMessage(t, editsOf(t, medicareClaim(l("11045")), RuleAddOn), "type 1 add-on code", "primary codes (11042)", "remove 11045")
}

// TestEditSetsByPayer: the edits are Medicare's; other payer types get
// the sets the site configures.
func TestEditSetsByPayer(t *testing.T) {
	c := medicareClaim(l("J1100"), l("69210", "50"))
	units(c, 1, 200)
	for _, pt := range []PayerType{PayerMedicare, PayerMedicaid, PayerCommercial, ""} {
		c.Coverage.PayerType = pt
		mue, pfs := len(editsOf(t, c, RuleMUE)) > 0, len(editsOf(t, c, RulePFSBilateral)) > 0
		want := pt == PayerMedicare || pt == ""
		if pfs != want || mue != (want || pt == PayerMedicaid) {
			t.Errorf("payer %q: MUE %v, PFS %v", pt, mue, pfs)
		}
	}
	sets, err := ParseEditSets("commercial=ncci-mue; medicaid=none")
	if err != nil {
		t.Fatal(err)
	}
	c.Coverage.PayerType = PayerCommercial
	if len(editsOf(t, c, RuleMUE, Options{EditSets: sets})) == 0 {
		t.Error("a site's setting was not applied")
	}
	for _, bad := range []string{"medicare=ncci", "dental=all", "medicare"} {
		if _, err := ParseEditSets(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if got, _ := ParseEditSets(sets.String()); !reflect.DeepEqual(got, sets) {
		t.Errorf("String does not read back: %s", sets)
	}
}
