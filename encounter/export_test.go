package encounter_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"codebench/codesets"
	"codebench/encounter"
)

// exportSet is the embedded code sets plus the invented CPT fixture.
func exportSet(t *testing.T) *codesets.Set {
	t.Helper()
	set, err := codesets.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../codesets/testdata/cpt_fixture.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	codes, err := codesets.ParseCPT(f, "cpt_fixture.tsv")
	if err != nil {
		t.Fatal(err)
	}
	return set.WithCPT(codes, "cpt_fixture.tsv (invented descriptors)")
}

var overrideAt = time.Date(2026, 3, 3, 14, 5, 0, 0, time.FixedZone("EST", -5*3600))

// exportEncounter is a clean claim but for one Excludes1 pair, which it
// overrides with a reason.
func exportEncounter() *encounter.Encounter {
	dos := encounter.NewDate(2026, 3, 2)
	return &encounter.Encounter{
		ID:       "ENC-1001",
		Revision: 3,
		Patient: encounter.Patient{ID: "P-77", Name: "Ada Example", DateOfBirth: encounter.NewDate(1961, 5, 2), Sex: "F",
			Address: encounter.Address{Line1: "12 Elm St", City: "Springfield", State: "IL", Zip: "62701"}},
		Provider:       encounter.Provider{NPI: "1234567893", Name: "Dr. Grey"},
		Service:        encounter.DateRange{From: dos, To: dos},
		PlaceOfService: "11",
		Diagnoses:      []encounter.Diagnosis{{Code: "E1165"}, {Code: "E109"}, {Code: "I10"}},
		Lines: []encounter.ServiceLine{
			{Code: "99213", Modifiers: []string{"25"}, Units: 1, Pointers: []int{1, 2}, Charge: 12500},
			{Code: "96372", Modifiers: []string{"RT"}, Units: 3, Pointers: []int{3}, Charge: 1000},
			{Code: "J1885", Units: 2, Pointers: []int{1}, Charge: 1000},
		},
		Overrides: []encounter.Override{{Rule: encounter.RuleExcludes1, Target: "dx:2", Reason: "type 1 history documented separately",
			Coder: "alice", At: overrideAt}},
		CoderID:         "alice",
		BillingProvider: encounter.Provider{NPI: "1245319599", Name: "Test Family Practice", TaxID: "123456789", Address: encounter.Address{Line1: "100 Main St", City: "Springfield", State: "IL", Zip: "627011234"}},
		ServiceFacility: encounter.Provider{NPI: "1326064841", Name: "Springfield General", Address: encounter.Address{Line1: "1 Hospital Dr", City: "Springfield", State: "IL", Zip: "627045678"}},
		Coverage:        encounter.Coverage{PayerID: "87726", PayerName: "Test Health Plan", PayerType: encounter.PayerCommercial, MemberID: "W123456789"},
	}
}

func title(t *testing.T, set *codesets.Set, sys codesets.System, code string) string {
	t.Helper()
	c, ok := set.LookupIn(sys, code)
	if !ok {
		t.Fatalf("%s %s missing from the code sets", sys, code)
	}
	return c.Title()
}

func TestExportMapsEveryField(t *testing.T) {
	set := exportSet(t)
	enc := exportEncounter()
	created := time.Date(2026, 3, 4, 10, 30, 15, 999, time.FixedZone("PST", -8*3600))
	doc, edits, err := encounter.Export(enc, set, created)
	if err != nil {
		t.Fatal(err)
	}
	if len(edits) == 0 || edits[0].Rule != encounter.RuleExcludes1 || edits[0].Overridden == nil {
		t.Fatalf("edits: %+v", edits)
	}
	rt, _ := set.Modifier("RT")
	usd := func(c encounter.Cents) *encounter.ClaimMoney { return &encounter.ClaimMoney{Value: c, Currency: "USD"} }
	pos := &encounter.ClaimConcept{Coding: []encounter.ClaimCoding{{System: encounter.SystemPlaceOfService, Code: "11", Display: "Office"}}}
	dx := func(seq int, code, display string) encounter.ClaimDiagnosis {
		return encounter.ClaimDiagnosis{Sequence: seq, DiagnosisCodeableConcept: encounter.ClaimConcept{Coding: []encounter.ClaimCoding{
			{System: encounter.SystemICD10CM, Code: display, Display: title(t, set, codesets.ICD10CM, code)}}}}
	}
	want := &encounter.ExportDoc{
		Schema:       "codebench.claim/v1",
		ResourceType: "Claim",
		ID:           "ENC-1001-r3",
		Contained: []encounter.ClaimPatient{{ResourceType: "Patient", ID: "patient",
			Identifier: []encounter.ClaimIdentifier{{System: encounter.SystemPatientID, Value: "P-77"}},
			Name:       []encounter.ClaimName{{Text: "Ada Example"}}, Gender: "female", BirthDate: "1961-05-02"}},
		Identifier:     []encounter.ClaimIdentifier{{System: encounter.SystemEncounterID, Value: "ENC-1001"}},
		Status:         "active",
		Type:           encounter.ClaimConcept{Coding: []encounter.ClaimCoding{{System: "http://terminology.hl7.org/CodeSystem/claim-type", Code: "professional", Display: "Professional"}}},
		Use:            "claim",
		Patient:        encounter.ClaimReference{Reference: "#patient", Display: "Ada Example"},
		BillablePeriod: encounter.ClaimPeriod{Start: "2026-03-02", End: "2026-03-02"},
		Created:        "2026-03-04T18:30:15Z",
		Provider:       encounter.ClaimReference{Identifier: &encounter.ClaimIdentifier{System: "http://hl7.org/fhir/sid/us-npi", Value: "1234567893"}, Display: "Dr. Grey"},
		Priority:       encounter.ClaimConcept{Coding: []encounter.ClaimCoding{{System: "http://terminology.hl7.org/CodeSystem/processpriority", Code: "normal", Display: "Normal"}}},
		Diagnosis: []encounter.ClaimDiagnosis{
			dx(1, "E1165", "E11.65"),
			dx(2, "E109", "E10.9"),
			dx(3, "I10", "I10"),
		},
		Item: []encounter.ClaimItem{
			{
				Sequence: 1, DiagnosisSequence: []int{1, 2},
				ProductOrService: encounter.ClaimConcept{Coding: []encounter.ClaimCoding{{System: "http://www.ama-assn.org/go/cpt", Code: "99213",
					Display: "Invented office visit descriptor for an established patient, low complexity"}}},
				Modifier:     []encounter.ClaimConcept{{Coding: []encounter.ClaimCoding{{System: "http://www.ama-assn.org/go/cpt", Code: "25"}}}},
				ServicedDate: "2026-03-02", LocationCodeableConcept: pos,
				Quantity: encounter.ClaimQuantity{Value: 1}, UnitPrice: usd(12500), Net: usd(12500),
			},
			{
				Sequence: 2, DiagnosisSequence: []int{3},
				ProductOrService: encounter.ClaimConcept{Coding: []encounter.ClaimCoding{{System: encounter.SystemCPT, Code: "96372",
					Display: title(t, set, codesets.CPT, "96372")}}},
				Modifier:     []encounter.ClaimConcept{{Coding: []encounter.ClaimCoding{{System: "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", Code: "RT", Display: rt.Title()}}}},
				ServicedDate: "2026-03-02", LocationCodeableConcept: pos,
				Quantity: encounter.ClaimQuantity{Value: 3}, Net: usd(1000), // 10.00 / 3 has no exact unit price
			},
			{
				Sequence: 3, DiagnosisSequence: []int{1},
				ProductOrService: encounter.ClaimConcept{Coding: []encounter.ClaimCoding{{System: encounter.SystemHCPCS, Code: "J1885",
					Display: title(t, set, codesets.HCPCS, "J1885")}}},
				ServicedDate: "2026-03-02", LocationCodeableConcept: pos,
				Quantity: encounter.ClaimQuantity{Value: 2}, UnitPrice: usd(500), Net: usd(1000),
			},
		},
		Total: usd(14500),
		Codebench: encounter.ClaimExtension{
			EncounterID: "ENC-1001",
			Revision:    3,
			Coder:       "alice",
			CodeSets:    doc.Codebench.CodeSets, // checked below
			Overrides: []encounter.ClaimOverride{{
				Rule: encounter.RuleExcludes1, Target: "dx:2", Codes: []string{"E1165", "E109"},
				Message: edits[0].Message, Source: edits[0].Source,
				Reason: "type 1 history documented separately", Coder: "alice", At: "2026-03-03T19:05:00Z",
			}},
		},
	}
	if !reflect.DeepEqual(doc, want) {
		g, _ := doc.JSON()
		w, _ := want.JSON()
		t.Fatalf("export document differs:\n%s", lineDiff(string(g), string(w)))
	}
	sets := strings.Join(doc.Codebench.CodeSets, " | ")
	for _, s := range []string{"ICD-10-CM FY2026", "HCPCS Level II 2025 October", "MCE v41.1", "NCCI PTP practitioner 2024-07-01", "CPT cpt_fixture.tsv"} {
		if !strings.Contains(sets, s) {
			t.Errorf("code sets %q lack %q", sets, s)
		}
	}
}

// lineDiff shows the first differing lines of two JSON documents.
func lineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	var b strings.Builder
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			b.WriteString("line " + strconv.Itoa(i+1) + "\n  got:  " + gl + "\n  want: " + wl + "\n")
		}
	}
	return b.String()
}

// TestExportJSONNames checks the FHIR names and shapes in the bytes, which
// is what billing reads.
func TestExportJSONNames(t *testing.T) {
	set := exportSet(t)
	doc, _, err := encounter.Export(exportEncounter(), set, time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	data, err := doc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	get := func(path ...any) any {
		var v any = m
		for _, p := range path {
			switch k := p.(type) {
			case string:
				v = v.(map[string]any)[k]
			case int:
				v = v.([]any)[k]
			}
		}
		return v
	}
	checks := []struct {
		path []any
		want string
	}{
		{[]any{"schema"}, "codebench.claim/v1"},
		{[]any{"resourceType"}, "Claim"},
		{[]any{"diagnosis", 0, "sequence"}, "1"},
		{[]any{"diagnosis", 0, "diagnosisCodeableConcept", "coding", 0, "system"}, "http://hl7.org/fhir/sid/icd-10-cm"},
		{[]any{"diagnosis", 0, "diagnosisCodeableConcept", "coding", 0, "code"}, "E11.65"},
		{[]any{"diagnosis", 0, "diagnosisCodeableConcept", "coding", 0, "display"}, "Type 2 diabetes mellitus with hyperglycemia"},
		{[]any{"item", 0, "productOrService", "coding", 0, "system"}, "http://www.ama-assn.org/go/cpt"},
		{[]any{"item", 0, "diagnosisSequence", 1}, "2"},
		{[]any{"item", 0, "modifier", 0, "coding", 0, "code"}, "25"},
		{[]any{"item", 0, "quantity", "value"}, "1"},
		{[]any{"item", 0, "net", "value"}, "125.00"},
		{[]any{"item", 0, "net", "currency"}, "USD"},
		{[]any{"item", 0, "locationCodeableConcept", "coding", 0, "code"}, "11"},
		{[]any{"item", 2, "productOrService", "coding", 0, "system"}, "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"},
		{[]any{"item", 2, "unitPrice", "value"}, "5.00"},
		{[]any{"total", "value"}, "145.00"},
		{[]any{"provider", "identifier", "system"}, "http://hl7.org/fhir/sid/us-npi"},
		{[]any{"provider", "identifier", "value"}, "1234567893"},
		{[]any{"billablePeriod", "start"}, "2026-03-02"},
		{[]any{"patient", "reference"}, "#patient"},
		{[]any{"contained", 0, "birthDate"}, "1961-05-02"},
		{[]any{"codebench", "encounterId"}, "ENC-1001"},
		{[]any{"codebench", "revision"}, "3"},
		{[]any{"codebench", "overrides", 0, "reason"}, "type 1 history documented separately"},
	}
	for _, c := range checks {
		if got := get(c.path...); got == nil || toString(got) != c.want {
			t.Errorf("%v = %v, want %s", c.path, got, c.want)
		}
	}
	if _, ok := get("item", 1).(map[string]any)["unitPrice"]; ok {
		t.Error("unitPrice given for a charge that does not divide by the units")
	}

	// Consumers can read the document back with these types, losslessly.
	var back encounter.ExportDoc
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	again, _ := back.JSON()
	if !bytes.Equal(again, data) {
		t.Fatalf("read back and written again differs:\n%s", lineDiff(string(again), string(data)))
	}
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestExportIsDeterministic(t *testing.T) {
	set := exportSet(t)
	at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	a, _, err := encounter.Export(exportEncounter(), set, at)
	if err != nil {
		t.Fatal(err)
	}
	// Same instant, another zone and a monotonic reading: same bytes.
	b, _, _ := encounter.Export(exportEncounter(), set, at.In(time.FixedZone("X", 3600)))
	ab, _ := a.JSON()
	bb, _ := b.JSON()
	if !bytes.Equal(ab, bb) {
		t.Fatalf("two exports of one revision differ:\n%s", lineDiff(string(ab), string(bb)))
	}
	if !bytes.HasSuffix(ab, []byte("}\n")) || bytes.Contains(ab, []byte(`\u003c`)) {
		t.Fatal("document framing")
	}
}

func TestExportRefusesErrors(t *testing.T) {
	set := exportSet(t)
	enc := exportEncounter()
	enc.Overrides = nil
	enc.Lines[2].Pointers = []int{7}
	doc, edits, err := encounter.Export(enc, set, time.Now())
	if doc != nil {
		t.Fatal("document built despite errors")
	}
	var refused *encounter.ExportRefusedError
	if !errors.As(err, &refused) || !errors.Is(err, encounter.ErrExportRefused) {
		t.Fatalf("error %T %v", err, err)
	}
	var rules []string
	for _, e := range refused.Blocking {
		if e.Severity != encounter.Error || e.Overridden != nil {
			t.Fatalf("non-blocking edit listed: %+v", e)
		}
		rules = append(rules, e.Target+" "+e.Rule)
	}
	got := strings.Join(rules, ", ")
	for _, want := range []string{"dx:2 icd.excludes1", "line:3 line.pointer-range"} {
		if !strings.Contains(got, want) {
			t.Errorf("blocking edits %q lack %q", got, want)
		}
	}
	if !encounter.HasErrors(edits) || refused.ID != "ENC-1001" || refused.Revision != 3 {
		t.Fatalf("refusal: %+v", refused)
	}
	msg := err.Error()
	if !strings.Contains(msg, "ENC-1001 revision 3 refused") || !strings.Contains(msg, "dx:2 icd.excludes1") {
		t.Fatalf("message: %s", msg)
	}
}

func TestExportCodingVariants(t *testing.T) {
	embedded, err := codesets.Embedded() // no CPT descriptors imported
	if err != nil {
		t.Fatal(err)
	}
	enc := exportEncounter()
	enc.Service.To = encounter.NewDate(2026, 3, 4)
	enc.Patient.Sex, enc.Patient.Name = "U", ""
	enc.PlaceOfService = "23"
	for i := range enc.Lines {
		enc.Lines[i].Charge = 0
	}
	doc, edits, err := encounter.Export(enc, embedded, time.Now())
	if err != nil {
		t.Fatalf("%v\n%+v", err, edits)
	}
	if c := doc.Item[0].ProductOrService.Coding[0]; c.System != encounter.SystemCPT || c.Code != "99213" || c.Display != "" {
		t.Fatalf("CPT without a descriptor file: %+v", c)
	}
	if doc.BillablePeriod != (encounter.ClaimPeriod{Start: "2026-03-02", End: "2026-03-04"}) ||
		doc.Item[0].ServicedDate != "" || *doc.Item[0].ServicedPeriod != doc.BillablePeriod {
		t.Fatalf("period: %+v %+v", doc.BillablePeriod, doc.Item[0])
	}
	p := doc.Contained[0]
	if p.Gender != "unknown" || p.Name != nil || doc.Patient.Display != "" {
		t.Fatalf("patient: %+v", p)
	}
	er, _ := encounter.PlaceOfService("23")
	for _, it := range doc.Item {
		if it.Net != nil || it.UnitPrice != nil {
			t.Fatalf("item without charge: %+v", it)
		}
		if c := it.LocationCodeableConcept.Coding[0]; c.Code != "23" || c.Display != er || c.System != encounter.SystemPlaceOfService {
			t.Fatalf("place of service: %+v", c)
		}
	}
	if doc.Total != nil {
		t.Fatal("total without charges")
	}
	if strings.Contains(strings.Join(doc.Codebench.CodeSets, " "), "fixture") {
		t.Fatal("CPT source named without an import")
	}
}

func TestCentsJSON(t *testing.T) {
	for cents, text := range map[encounter.Cents]string{0: "0.00", 5: "0.05", 12345: "123.45", -50: "-0.50", -12345: "-123.45"} {
		b, _ := json.Marshal(cents)
		if string(b) != text {
			t.Errorf("%d -> %s, want %s", cents, b, text)
		}
		var back encounter.Cents
		if err := json.Unmarshal(b, &back); err != nil || back != cents {
			t.Errorf("%s -> %d %v", b, back, err)
		}
	}
	for in, want := range map[string]encounter.Cents{"12": 1200, "12.5": 1250} {
		var c encounter.Cents
		if err := json.Unmarshal([]byte(in), &c); err != nil || c != want {
			t.Errorf("%s -> %d %v", in, c, err)
		}
	}
	for _, bad := range []string{"1.234", `"1.00"`, "1e2", ".5"} {
		var c encounter.Cents
		if err := json.Unmarshal([]byte(bad), &c); err == nil {
			t.Errorf("%s accepted as %d", bad, c)
		}
	}
}
