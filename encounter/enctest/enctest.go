// Package enctest holds test fixtures shared by the packages that export
// encounters: the parties every complete professional claim names.
package enctest

import "codebench/encounter"

// Parties are a valid billing provider, service facility, patient address
// and commercial coverage with the patient as subscriber (invented; the
// NPIs pass their check digit).
var (
	PatientAddress = encounter.Address{Line1: "12 Elm St", City: "Springfield", State: "IL", Zip: "62701"}
	Billing        = encounter.Provider{NPI: "1245319599", Name: "Test Family Practice", Taxonomy: "207Q00000X", TaxID: "123456789",
		Address: encounter.Address{Line1: "100 Main St", City: "Springfield", State: "IL", Zip: "627011234"}}
	Facility = encounter.Provider{NPI: "1326064841", Name: "Springfield General",
		Address: encounter.Address{Line1: "1 Hospital Dr", City: "Springfield", State: "IL", Zip: "627045678"}}
	Coverage = encounter.Coverage{PayerID: "87726", PayerName: "Test Health Plan", PayerType: encounter.PayerCommercial, MemberID: "W123456789", Group: "G1"}
)

// WithParties fills what e lacks of the parties above (the facility only
// for a hospital place of service) and returns e.
func WithParties(e *encounter.Encounter) *encounter.Encounter {
	if e.Patient.Address.IsZero() {
		e.Patient.Address = PatientAddress
	}
	if e.BillingProvider.IsZero() {
		e.BillingProvider = Billing
	}
	if e.Coverage.IsZero() {
		e.Coverage = Coverage
	}
	switch e.PlaceOfService {
	case "21", "22", "23":
		if e.ServiceFacility.IsZero() {
			e.ServiceFacility = Facility
		}
	}
	return e
}
