package encounter

var mceCases = []ruleCase{
	fires(RuleMCEAge, "newborn code for an adult", Error, "dx:1", func(e *Encounter) { e.Diagnoses = dxs("Z38.00") }),
	fires(RuleMCEAge, "maternity code at 76 (v41.1: 9-64)", Error, "dx:1", func(e *Encounter) {
		e.Patient.Sex, e.Patient.DateOfBirth = "F", NewDate(1949, 6, 1)
		e.Diagnoses = dxs("O24.410", "Z3A.32")
	}),
	quiet(RuleMCEAge, "maternity code at 60 (v41.1 allows 9-64; v37 said 12-55)", func(e *Encounter) {
		e.Patient.Sex, e.Patient.DateOfBirth = "F", NewDate(1965, 1, 1)
		e.Diagnoses = dxs("O24.410", "Z3A.32")
	}),
	quiet(RuleMCEAge, "newborn code for a newborn", func(e *Encounter) {
		e.Patient.DateOfBirth = e.Service.From
		e.Diagnoses = dxs("Z38.00")
	}),

	fires(RuleMCESex, "prostate code for a woman", Error, "dx:1", func(e *Encounter) { e.Patient.Sex = "F"; e.Diagnoses = dxs("N40.1", "R35.1") }),
	fires(RuleMCESex, "endometriosis N80.101 on a male patient", Error, "dx:1", func(e *Encounter) { e.Diagnoses = dxs("N80.101") }),
	fires(RuleMCESex, "weeks of gestation Z3A on a male patient", Error, "dx:1", func(e *Encounter) { e.Diagnoses = dxs("Z3A.32", "Z33.1") }),
	fires(RuleMCESex, "FY2027 code newer than v41.1 takes its category's list (O00.121, female)", Error, "dx:1", func(e *Encounter) {
		e.Service.From = NewDate(2026, 11, 16)
		e.Diagnoses = dxs("O00.121")
	}),
	quiet(RuleMCESex, "prostate code for a man", func(e *Encounter) { e.Diagnoses = dxs("N40.1", "R35.1") }),

	fires(RuleMCEUnchecked, "sex unknown", Warning, "claim", func(e *Encounter) { e.Patient.Sex = "U"; e.Diagnoses = dxs("N40.1", "R35.1") }),
	fires(RuleMCEUnchecked, "date of birth unknown", Warning, "claim", func(e *Encounter) { e.Patient.DateOfBirth = Date{}; e.Diagnoses = dxs("Z38.00") }),
	quiet(RuleMCEUnchecked, "both known", func(e *Encounter) { e.Diagnoses = dxs("N40.1", "R35.1") }),

	fires(RuleMCEPrincipal, "unacceptable principal on an inpatient claim", Warning, "dx:1", func(e *Encounter) {
		e.PlaceOfService = "21"
		e.Diagnoses = dxs("Z79.84", "E11.9")
	}),
	quiet(RuleMCEPrincipal, "same first-listed in the office", func(e *Encounter) { e.Diagnoses = dxs("Z79.84", "E11.9") }),
}
