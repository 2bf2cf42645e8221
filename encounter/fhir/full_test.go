package fhir

import (
	"strings"
	"testing"
	"time"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/encounter/enctest"
)

// full is a claim that uses every element the Bundle can carry: a child
// covered by a parent, referring provider, facility, accident, prior
// authorisation, NDC, a date range, an override and evidence, and it
// replaces an earlier claim.
func full() *encounter.Encounter {
	dos := encounter.NewDate(2026, 3, 2)
	e := enctest.WithParties(&encounter.Encounter{
		ID: "enc_77", Revision: 4,
		Patient:  encounter.Patient{ID: "P-77", Name: "Ada Example", DateOfBirth: encounter.NewDate(2015, 5, 2), Sex: "F"},
		Provider: encounter.Provider{NPI: "1234567893", Name: "Grey, Meredith, MD", Taxonomy: "207Q00000X"},
		Service:  encounter.DateRange{From: dos, To: encounter.NewDate(2026, 3, 3)}, PlaceOfService: "22",
		ReferringProvider:  encounter.Provider{NPI: "1679576722", Name: "Dr Referrer"},
		Onset:              encounter.Onset{Date: encounter.NewDate(2026, 3, 1), AccidentDate: encounter.NewDate(2026, 3, 1), AccidentType: encounter.AccidentAuto, AccidentState: "IL"},
		PriorAuthorization: "PA-1",
		Resubmission:       encounter.Resubmission{Frequency: "7", OriginalClaimNumber: "2026061000123", Predecessor: "enc_77-r2", Reason: "units corrected"},
		Notes:              []encounter.Note{{ID: "n1", Text: "Fell off a bike; wrist fracture. Asthma."}},
		Diagnoses:          []encounter.Diagnosis{{Code: "S52531A", Evidence: &encounter.Evidence{NoteID: "n1", Start: 17, End: 31}}, {Code: "J4541"}, {Code: "V180XXA"}},
		Lines: []encounter.ServiceLine{
			{Code: "99213", Modifiers: []string{"25"}, Units: 1, Pointers: []int{1, 2}, Charge: 12500},
			{Code: "J7613", Units: 3, Pointers: []int{2}, Charge: 1000, NDC: encounter.NDC{Code: "00487950101", Unit: "ML", Quantity: "7.5"}},
		},
		CoderID: "alice",
	})
	e.Coverage.Relationship = encounter.RelChild
	e.Coverage.Subscriber = encounter.Person{Name: "Bo Example", DateOfBirth: encounter.NewDate(1980, 1, 2), Sex: "M"}
	return e
}

func TestFullBundle(t *testing.T) {
	set, _ := codesets.Embedded()
	enc := full()
	c, edits, err := encounter.Export(enc, set, time.Date(2026, 3, 4, 10, 30, 0, 0, time.FixedZone("EST", -5*3600)))
	if err != nil {
		t.Fatalf("%v %+v", err, edits)
	}
	data, err := JSON(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(data); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	again, _ := JSON(c)
	if string(again) != string(data) {
		t.Fatal("two renders of one claim differ")
	}
	for _, want := range []string{
		`"resourceType": "RelatedPerson"`, `"resourceType": "Location"`, `"code": "PRN"`, `"code": "child"`,
		`"preAuthRef": [`, `"PA-1"`, `"code": "MVA"`, `"state": "IL"`, `"system": "http://hl7.org/fhir/sid/ndc"`, `"code": "00487-9501-01"`,
		`"value": 7.5`, `"code": "mL"`, `"servicedPeriod": {`, `"value": "2026061000123"`, `"value": "enc_77-r2"`, `"code": "referring"`,
		`"valueCode": "7"`, `"url": "https://codebench.invalid/fhir/StructureDefinition/evidence"`, `"valueString": "wrist fracture"`,
		`"recorded": "2026-03-04T15:30:00Z"`, `"value": "12-3456789"`, `"postalCode": "62701-1234"`, `"value": 135.00`, `"code": "207Q00000X"`,
		`"url": "https://codebench.invalid/fhir/StructureDefinition/code-set-release"`,
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("bundle lacks %s", want)
		}
	}
	sum, err := Summarize(data)
	if err != nil || sum.Key != "enc_77-r4" || sum.EncounterID != "enc_77" || sum.Frequency != "7" || sum.Related != "2026061000123" ||
		sum.Total != "135.00" || sum.Coder != "alice" || sum.MemberID != "W123456789" || sum.Items[1].NDC != "00487-9501-01" || sum.Status != "active" {
		t.Errorf("summary %+v %v", sum, err)
	}

	// An override is recorded with its reason.
	enc.Lines = append(enc.Lines, enc.Lines[0])
	enc.Overrides = []encounter.Override{{Rule: encounter.RuleDuplicateLine, Target: "line:3", Reason: "second visit the same day", Coder: "alice"}}
	c, _, err = encounter.Export(enc, set, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	data, _ = JSON(c)
	if !strings.Contains(string(data), `"valueString": "second visit the same day"`) || !strings.Contains(string(data), `"valueCode": "line.duplicate"`) {
		t.Errorf("override not recorded:\n%s", data)
	}
	if err := Validate(data); err != nil {
		t.Error(err)
	}

	// A void is a cancelled claim.
	v := full()
	v.Resubmission.Frequency = encounter.FrequencyVoid
	c, _, _ = encounter.Export(v, set, time.Now())
	data, _ = JSON(c)
	if sum, _ := Summarize(data); sum.Status != "cancelled" || sum.Frequency != "8" {
		t.Errorf("void: %+v", sum)
	}
	if err := Validate(data); err != nil {
		t.Error(err)
	}
}
