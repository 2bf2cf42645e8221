package encounter

import "testing"

// Cases of the payer family (rules_payer.go).

// Test parties: a valid billing provider, facility and commercial coverage
// with the patient as subscriber, as base() carries them.
var (
	testAddress  = Address{Line1: "12 Elm St", City: "Springfield", State: "IL", Zip: "62701"}
	testBilling  = Provider{NPI: "1245319599", Name: "Test Family Practice", TaxID: "123456789", Address: Address{Line1: "100 Main St", City: "Springfield", State: "IL", Zip: "627011234"}}
	testCoverage = Coverage{PayerID: "87726", PayerName: "Test Health Plan", PayerType: PayerCommercial, MemberID: "W123456789", Group: "G1"}
	testFacility = Provider{NPI: "1326064841", Name: "Springfield General", Address: Address{Line1: "1 Hospital Dr", City: "Springfield", State: "IL", Zip: "627045678"}}
)

// withClaimParties gives e the patient address, billing provider and
// coverage every clean claim of the tests carries.
func withClaimParties(e *Encounter) *Encounter {
	e.Patient.Address = testAddress
	e.BillingProvider = testBilling
	e.Coverage = testCoverage
	return e
}

var payerCases = []ruleCase{
	fires(RuleCoverage, "no coverage", Error, "claim", func(e *Encounter) { e.Coverage = Coverage{} }),
	fires(RuleCoverage, "no payer type", Error, "claim", func(e *Encounter) { e.Coverage.PayerType = "" }),
	quiet(RuleCoverage, "coverage given", noChange),
	fires(RuleMemberID, "no member id", Error, "claim", func(e *Encounter) { e.Coverage.MemberID = "" }),
	quiet(RuleMemberID, "member id given", noChange),
	quiet(RuleMemberID, "no coverage at all: the coverage edit says it", func(e *Encounter) { e.Coverage = Coverage{} }),
	fires(RulePatientName, "no patient name", Error, "claim", func(e *Encounter) { e.Patient.Name = " " }),
	quiet(RulePatientName, "name given", noChange),
	fires(RulePatientAddress, "no patient address", Error, "claim", func(e *Encounter) { e.Patient.Address = Address{} }),
	quiet(RulePatientAddress, "address given", noChange),
	fires(RuleSubscriber, "child without the subscriber", Error, "claim", func(e *Encounter) { e.Coverage.Relationship = RelChild }),
	fires(RuleSubscriber, "spouse without date of birth", Error, "claim", func(e *Encounter) {
		e.Coverage.Relationship = RelSpouse
		e.Coverage.Subscriber = Person{Name: "Pat Test", Sex: "F"}
	}),
	fires(RuleSubscriber, "subscriber given for self", Warning, "claim", func(e *Encounter) { e.Coverage.Subscriber = Person{Name: "Pat Test"} }),
	quiet(RuleSubscriber, "child with the subscriber", func(e *Encounter) {
		e.Coverage.Relationship = RelChild
		e.Coverage.Subscriber = Person{Name: "Pat Test", DateOfBirth: NewDate(1980, 1, 2), Sex: "F"}
	}),
	fires(RuleBillingProvider, "no billing provider", Error, "claim", func(e *Encounter) { e.BillingProvider = Provider{} }),
	fires(RuleBillingProvider, "bad check digit", Error, "claim", func(e *Encounter) { e.BillingProvider.NPI = "1245319598" }),
	fires(RuleBillingProvider, "no tax id", Error, "claim", func(e *Encounter) { e.BillingProvider.TaxID = "" }),
	fires(RuleBillingProvider, "5-digit ZIP", Error, "claim", func(e *Encounter) { e.BillingProvider.Address.Zip = "62701" }),
	fires(RuleBillingProvider, "post office box", Error, "claim", func(e *Encounter) { e.BillingProvider.Address.Line1 = "P.O. Box 44" }),
	quiet(RuleBillingProvider, "complete", noChange),
	fires(RuleServiceFacility, "emergency room without facility", Error, "claim", func(e *Encounter) { e.PlaceOfService = "23" }),
	fires(RuleServiceFacility, "facility with a 5-digit ZIP", Error, "claim", func(e *Encounter) {
		e.PlaceOfService = "21"
		e.ServiceFacility = testFacility
		e.ServiceFacility.Address.Zip = "62704"
	}),
	quiet(RuleServiceFacility, "emergency room with facility", func(e *Encounter) { e.PlaceOfService = "23"; e.ServiceFacility = testFacility }),
	quiet(RuleServiceFacility, "office", noChange),
	fires(RuleReferring, "referring without NPI", Error, "claim", func(e *Encounter) { e.ReferringProvider = Provider{Name: "Dr Ref"} }),
	quiet(RuleReferring, "referring with NPI", func(e *Encounter) { e.ReferringProvider = Provider{NPI: "1679576722", Name: "Dr Ref"} }),
	fires(RuleInjuryDate, "fracture without a date", Error, "dx:1", func(e *Encounter) { e.Diagnoses = dxs("S52.531A", "W01.0XXA") }),
	fires(RuleInjuryDate, "burn without a date", Error, "dx:2", func(e *Encounter) { e.Diagnoses = dxs("E11.649", "T23.201A") }),
	quiet(RuleInjuryDate, "fracture with the accident date", func(e *Encounter) {
		e.Diagnoses = dxs("S52.531A", "W01.0XXA")
		e.Onset = Onset{AccidentDate: NewDate(2026, 2, 2), AccidentType: AccidentOther}
	}),
	quiet(RuleInjuryDate, "complication of care is no injury", func(e *Encounter) { e.Diagnoses = dxs("T81.4XXA") }),
	quiet(RuleInjuryDate, "poisoning is no injury here", func(e *Encounter) { e.Diagnoses = dxs("T39.1X1A") }),
	fires(RuleAccident, "accident type without date", Error, "claim", func(e *Encounter) { e.Onset = Onset{Date: NewDate(2026, 2, 1), AccidentType: AccidentEmployment} }),
	fires(RuleAccident, "auto without state", Error, "claim", func(e *Encounter) {
		e.Onset = Onset{AccidentDate: NewDate(2026, 2, 1), AccidentType: AccidentAuto}
	}),
	fires(RuleAccident, "onset after the visit", Error, "claim", func(e *Encounter) { e.Onset = Onset{Date: NewDate(2026, 2, 4)} }),
	quiet(RuleAccident, "auto accident complete", func(e *Encounter) {
		e.Onset = Onset{AccidentDate: NewDate(2026, 2, 1), AccidentType: AccidentAuto, AccidentState: "IL"}
	}),
	fires(RuleNDC, "J-code without NDC, commercial", Warning, "line:2", func(e *Encounter) {
		e.Lines = append(e.Lines, ServiceLine{Code: "J3420", Units: 1, Pointers: []int{1}})
	}),
	fires(RuleNDC, "J-code without NDC, Medicaid", Error, "line:2", func(e *Encounter) {
		e.Coverage.PayerType = PayerMedicaid
		e.Lines = append(e.Lines, ServiceLine{Code: "J3420", Units: 1, Pointers: []int{1}})
	}),
	quiet(RuleNDC, "J-code with NDC", func(e *Encounter) {
		e.Coverage.PayerType = PayerMedicaid
		e.Lines = append(e.Lines, ServiceLine{Code: "J3420", Units: 1, Pointers: []int{1}, NDC: NDC{Code: "00143962001", Unit: "ML", Quantity: "1"}})
	}),
}

func TestInjuryCodeRange(t *testing.T) {
	for code, want := range map[string]bool{"S0000XA": true, "T3400XA": true, "T3499XS": true, "T360X1A": false, "T6591XA": false,
		"T66XXXA": true, "T797XXA": true, "T80211A": false, "T888XXA": false, "R07": false, "T": false} {
		if got := injuryCode(code); got != want {
			t.Errorf("injuryCode(%s) = %v, want %v", code, got, want)
		}
	}
}
