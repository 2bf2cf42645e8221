package encounter

import (
	"testing"
	"time"
)

var overrideCases = []ruleCase{
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
