package encounter

import "testing"

var claimCases = []ruleCase{
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

	fires(RuleLineUnknown, "no such HCPCS code", Error, "line:1", func(e *Encounter) { e.Lines[0].Code = "Z9999" }),
	fires(RuleLineUnknown, "diagnosis code on a line", Error, "line:1", func(e *Encounter) { e.Lines[0].Code = "E1165" }),
	fires(RuleLineUnknown, "CPT number missing from the imported file", Error, "line:1", func(e *Encounter) { e.Lines[0].Code = "99999" }),
	quiet(RuleLineUnknown, "HCPCS drug", func(e *Encounter) { e.Lines[0].Code = "J1885" }),

	{name: "CPT without descriptor file", rule: RuleCPTDescriptor, fires: true, sev: Info, target: "line:1", noCPT: true, change: noChange},
	quiet(RuleCPTDescriptor, "CPT with descriptor file", noChange),

	fires(RuleUnits, "zero units", Error, "line:1", func(e *Encounter) { e.Lines[0].Units = 0 }),
	quiet(RuleUnits, "one unit", noChange),

	// J1100 is billed per 1 mg; its MUE is 120: 116 is the slip of 16.
	fires(RuleUnitsUnusual, "116 units of a drug with MUE 120", Warning, "line:1", func(e *Encounter) { e.Lines[0].Code, e.Lines[0].Units = "J1100", 116 }),
	quiet(RuleUnitsUnusual, "16 units of that drug", func(e *Encounter) { e.Lines[0].Code, e.Lines[0].Units = "J1100", 16 }),
	quiet(RuleUnitsUnusual, "a small MUE is the MUE edit's", func(e *Encounter) { e.Lines[0].Units = 3 }),
	quiet(RuleUnitsUnusual, "above the MUE is the MUE edit's", func(e *Encounter) { e.Lines[0].Code, e.Lines[0].Units = "J1100", 130 }),
	fires(RuleUnitsUnusual, "three-digit units without an MUE", Warning, "line:1", func(e *Encounter) { e.Lines[0].Code, e.Lines[0].Units = "A4223", 150 }),
	quiet(RuleUnitsUnusual, "two-digit units without an MUE", func(e *Encounter) { e.Lines[0].Code, e.Lines[0].Units = "A4223", 30 }),

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
