package encounter

var dosCases = []ruleCase{
	fires(RuleDateOfService, "no date of service", Error, "claim", func(e *Encounter) { e.Service.From = Date{} }),
	fires(RuleDateOfService, "last date before first", Error, "claim", func(e *Encounter) { e.Service.To = NewDate(2026, 2, 1) }),
	quiet(RuleDateOfService, "two-day service", func(e *Encounter) { e.Service.To = NewDate(2026, 2, 4) }),

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
}
