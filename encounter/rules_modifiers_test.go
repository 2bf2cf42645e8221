package encounter

var modifierCases = []ruleCase{
	fires(RuleMaxModifiers, "five modifiers", Error, "line:1", func(e *Encounter) { e.Lines[0].Modifiers = []string{"25", "GT", "95", "GC", "Q5"} }),
	quiet(RuleMaxModifiers, "four modifiers", func(e *Encounter) { e.Lines[0].Modifiers = []string{"25", "GT", "95", "GC"} }),

	fires(RuleModifierUnknown, "no such modifier", Error, "line:1", func(e *Encounter) { e.Lines[0].Modifiers = []string{"1X"} }),
	quiet(RuleModifierUnknown, "HCPCS and CPT modifiers", func(e *Encounter) { e.Lines[0].Modifiers = []string{"25", "GT"} }),

	fires(RuleModifierRepeated, "modifier twice", Error, "line:1", func(e *Encounter) { e.Lines[0].Modifiers = []string{"25", "25"} }),
	quiet(RuleModifierRepeated, "modifiers once", func(e *Encounter) { e.Lines[0].Modifiers = []string{"25"} }),

	fires(Rule59WithX, "59 with XS", Error, "line:1", func(e *Encounter) { e.Lines[0].Modifiers = []string{"59", "XS"} }),
	quiet(Rule59WithX, "XS alone", func(e *Encounter) { e.Lines[0].Modifiers = []string{"XS"} }),
	quiet(Rule59WithX, "59 alone", func(e *Encounter) { e.Lines[0].Modifiers = []string{"59"} }),

	fires(RuleLeftRight, "LT and RT", Error, "line:1", func(e *Encounter) { e.Lines[0].Modifiers = []string{"LT", "RT"} }),
	quiet(RuleLeftRight, "RT alone", func(e *Encounter) { e.Lines[0].Modifiers = []string{"RT"} }),

	fires(RuleBilateralSide, "50 with RT", Error, "line:1", func(e *Encounter) { e.Lines[0].Modifiers = []string{"50", "RT"} }),
	quiet(RuleBilateralSide, "50 alone", func(e *Encounter) { e.Lines[0].Modifiers = []string{"50"} }),
}
