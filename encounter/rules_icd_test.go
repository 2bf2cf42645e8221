package encounter

var icdCases = []ruleCase{
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
}
