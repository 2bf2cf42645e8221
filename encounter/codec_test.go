package encounter

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// goodJSON is a small valid encounter used as the base of the decoder's
// table tests.
const goodJSON = `{
  "schema": "codebench.encounter/v2",
  "id": "enc-1",
  "revision": 2,
  "patient": {"id": "P-1", "name": "Ada Test", "date_of_birth": "1970-05-01", "sex": "F",
    "address": {"line1": "12 Elm St", "line2": "Apt 3", "city": "Springfield", "state": "IL", "zip": "62701"}},
  "provider": {"npi": "1234567893", "name": "Dr Test", "taxonomy": "207Q00000X"},
  "billing_provider": {"npi": "1245319599", "name": "Test Family Practice", "taxonomy": "261QP2300X", "tax_id": "12-3456789",
    "address": {"line1": "100 Main St", "city": "Springfield", "state": "IL", "zip": "62701-1234"}},
  "referring_provider": {"npi": "1679576722", "name": "Dr Referrer"},
  "service_facility": {"npi": "1326064841", "name": "Springfield General", "address": {"line1": "1 Hospital Dr", "city": "Springfield", "state": "IL", "zip": "627045678"}},
  "coverage": {"payer_id": "87726", "payer_name": "Test Health Plan", "payer_type": "commercial", "member_id": "W123456789", "group": "GRP-77",
    "relationship": "child", "subscriber": {"name": "Bo Test", "date_of_birth": "1945-02-03", "sex": "M",
      "address": {"line1": "12 Elm St", "city": "Springfield", "state": "IL", "zip": "62701"}}},
  "date_of_service": {"from": "2026-01-14", "to": "2026-01-14"},
  "place_of_service": "11",
  "onset": {"date": "2026-01-10", "accident_date": "2026-01-10", "accident_type": "auto", "accident_state": "IL"},
  "prior_authorization": "PA-2026-001",
  "resubmission": {"frequency": "7", "original_claim_number": "2026014000123", "predecessor": "enc-1-r1", "reason": "corrected units"},
  "notes": [
    {"id": "n1", "title": "Visit", "text": "Type 2 diabetes with hyperglycemia.\nOn insulin."}
  ],
  "diagnoses": [
    {"code": "e11.65", "evidence": {"note_id": "n1", "start": 0, "end": 34, "text": "Type 2 diabetes with hyperglycemia"}},
    {"code": "Z794"}
  ],
  "service_lines": [
    {"code": "99213", "modifiers": ["25"], "units": 1, "diagnosis_pointers": [1, 2], "charge_cents": 12500},
    {"code": "j1885", "diagnosis_pointers": [1], "ndc": {"code": "0409-3795-01", "unit": "ML", "quantity": 1.5}}
  ],
  "overrides": [
    {"rule": "icd.excludes1", "target": "dx:2", "codes": ["E11.65", "Z79.4"], "reason": "unrelated conditions", "coder": "c1", "at": "2026-01-15T10:00:00Z"}
  ],
  "coder_id": "c1",
  "code_sets": ["ICD-10-CM FY2026"]
}`

// goodJSONv1 is goodJSON as version 1 wrote it, without the v2 fields.
const goodJSONv1 = `{
  "schema": "codebench.encounter/v1",
  "id": "enc-1",
  "revision": 2,
  "patient": {"id": "P-1", "name": "Ada Test", "date_of_birth": "1970-05-01", "sex": "F"},
  "provider": {"npi": "1234567893", "name": "Dr Test"},
  "date_of_service": {"from": "2026-01-14", "to": "2026-01-14"},
  "place_of_service": "11",
  "notes": [
    {"id": "n1", "title": "Visit", "text": "Type 2 diabetes with hyperglycemia.\nOn insulin."}
  ],
  "diagnoses": [
    {"code": "e11.65", "evidence": {"note_id": "n1", "start": 0, "end": 34, "text": "Type 2 diabetes with hyperglycemia"}},
    {"code": "Z794"}
  ],
  "service_lines": [
    {"code": "99213", "modifiers": ["25"], "units": 1, "diagnosis_pointers": [1, 2], "charge_cents": 12500},
    {"code": "j1885", "diagnosis_pointers": [1]}
  ],
  "overrides": [
    {"rule": "icd.excludes1", "target": "dx:2", "codes": ["E11.65", "Z79.4"], "reason": "unrelated conditions", "coder": "c1", "at": "2026-01-15T10:00:00Z"}
  ],
  "coder_id": "c1",
  "code_sets": ["ICD-10-CM FY2026"]
}`

func TestDecodeGood(t *testing.T) {
	enc, err := Decode([]byte(goodJSON), "inbox/good.json")
	if err != nil {
		t.Fatal(err)
	}
	if enc.ID != "enc-1" || enc.Revision != 2 || enc.Patient.Sex != "F" || enc.Patient.DateOfBirth != NewDate(1970, 5, 1) {
		t.Errorf("header fields: %+v", enc)
	}
	if got := []string{enc.Diagnoses[0].Code, enc.Diagnoses[1].Code}; !reflect.DeepEqual(got, []string{"E1165", "Z794"}) {
		t.Errorf("codes not canonical: %v", got)
	}
	if enc.Lines[1].Code != "J1885" || enc.Lines[1].Units != 1 {
		t.Errorf("line 2: want J1885 with default units 1, got %+v", enc.Lines[1])
	}
	if enc.Lines[0].Charge != 12500 || !reflect.DeepEqual(enc.Lines[0].Pointers, []int{1, 2}) {
		t.Errorf("line 1: %+v", enc.Lines[0])
	}
	if o := enc.Overrides[0]; o.Reason != "unrelated conditions" || !o.At.Equal(time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)) || !reflect.DeepEqual(o.Codes, []string{"E1165", "Z794"}) {
		t.Errorf("override: %+v", o)
	}
}

// TestDecodeV2Fields: every v2 field lands in the model, canonical.
func TestDecodeV2Fields(t *testing.T) {
	enc, err := Decode([]byte(goodJSON), "good.json")
	if err != nil {
		t.Fatal(err)
	}
	b := enc.BillingProvider
	if b.NPI != "1245319599" || b.TaxID != "123456789" || b.Taxonomy != "261QP2300X" || b.Address.Zip != "627011234" || b.Address.String() != "100 Main St, Springfield, IL 62701-1234" {
		t.Errorf("billing provider %+v", b)
	}
	c := enc.Coverage
	if c.PayerType != PayerCommercial || c.MemberID != "W123456789" || c.Group != "GRP-77" || c.PatientIsSubscriber() || c.Subscriber.Name != "Bo Test" || c.Subscriber.Sex != "M" {
		t.Errorf("coverage %+v", c)
	}
	if enc.ReferringProvider.NPI != "1679576722" || enc.ServiceFacility.Address.City != "Springfield" || enc.Provider.Taxonomy != "207Q00000X" {
		t.Errorf("providers %+v %+v", enc.ReferringProvider, enc.ServiceFacility)
	}
	if o := enc.Onset; o.Date != NewDate(2026, 1, 10) || o.AccidentType != AccidentAuto || o.AccidentState != "IL" {
		t.Errorf("onset %+v", o)
	}
	if enc.PriorAuthorization != "PA-2026-001" || enc.Frequency() != FrequencyReplacement || enc.Resubmission.OriginalClaimNumber != "2026014000123" {
		t.Errorf("claim fields %+v %+v", enc.PriorAuthorization, enc.Resubmission)
	}
	if n := enc.Lines[1].NDC; n.Code != "00409379501" || n.Unit != "ML" || n.Quantity != "1.5" {
		t.Errorf("ndc %+v", n)
	}
	if enc.TotalCharge() != 12500 {
		t.Errorf("total %d", enc.TotalCharge())
	}
	// The work store keeps encounters with encoding/json: v2 survives it.
	out, _ := Encode(enc)
	var back Encounter
	if err := json.Unmarshal(out, &back); err != nil || !reflect.DeepEqual(&back, enc) {
		t.Errorf("encoding/json round trip: %v\n%+v", err, back)
	}
}

// TestDecodeV1StillRead: a version 1 file decodes, and encodes as v2.
func TestDecodeV1StillRead(t *testing.T) {
	enc, err := Decode([]byte(goodJSONv1), "v1.json")
	if err != nil {
		t.Fatal(err)
	}
	if enc.ID != "enc-1" || len(enc.Diagnoses) != 2 || !enc.Coverage.IsZero() || enc.Frequency() != FrequencyOriginal {
		t.Errorf("v1 encounter %+v", enc)
	}
	out, _ := Encode(enc)
	if !bytes.Contains(out, []byte(SchemaV2)) || bytes.Contains(out, []byte("coverage")) || bytes.Contains(out, []byte("resubmission")) {
		t.Errorf("v1 encounter encoded:\n%s", out)
	}
	if back, err := Decode(out, "v2.json"); err != nil || !reflect.DeepEqual(back, enc) {
		t.Errorf("v1 -> v2 round trip: %v\n%+v\n%+v", err, back, enc)
	}
}

func TestCanonicalNDC(t *testing.T) {
	for in, want := range map[string]string{
		"00409379501": "00409379501", "0409-3795-01": "00409379501", "00409-3795-01": "00409379501",
		"12345-678-90": "12345067890", "12345-6789-1": "12345678901",
		"1234567890": "", "123-4567-89": "", "12345-6789-012": "", "1234a-6789-01": "", "": "",
	} {
		got, ok := CanonicalNDC(in)
		if got != want || ok != (want != "") {
			t.Errorf("CanonicalNDC(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
}

func TestParseAddress(t *testing.T) {
	a, err := ParseAddress("1 Main St, Suite 2, Springfield, il 62701-1234")
	if err != nil || a != (Address{"1 Main St", "Suite 2", "Springfield", "IL", "627011234"}) || a.String() != "1 Main St, Suite 2, Springfield, IL 62701-1234" {
		t.Errorf("%+v %v %q", a, err, a.String())
	}
	for _, bad := range []string{"Springfield IL 62701", "1 Main St, Springfield, Illinois 62701", "1 Main St, Springfield, IL 627", ", Springfield, IL 62701"} {
		if _, err := ParseAddress(bad); err == nil {
			t.Errorf("ParseAddress(%q) accepted", bad)
		}
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	enc, err := Decode([]byte(goodJSON), "good.json")
	if err != nil {
		t.Fatal(err)
	}
	out, err := Encode(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`"schema": "codebench.encounter/v2"`)) {
		t.Errorf("Encode does not write the schema:\n%s", out)
	}
	back, err := Decode(out, "encoded.json")
	if err != nil {
		t.Fatalf("Encode output does not decode: %v\n%s", err, out)
	}
	again, _ := Encode(back)
	if !bytes.Equal(out, again) {
		t.Errorf("second round trip differs:\n%s\n---\n%s", out, again)
	}
	// An empty encounter encodes with [] lists, which the decoder accepts.
	min := &Encounter{ID: "x", Notes: []Note{{ID: "n", Text: "t"}}}
	out, _ = Encode(min)
	if _, err := Decode(out, "min.json"); err != nil {
		t.Errorf("minimal encounter: %v\n%s", err, out)
	}
}

// TestDecodeErrors: every bad input names the file and the field.
func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		name     string
		edit     func(string) string
		raw      []byte // used instead of edit when set
		field    string // the field path the error must name ("" for file-level)
		contains string
	}{
		{name: "unknown top-level field", edit: repl(`"revision": 2,`, `"revision": 2, "priority": 1,`), field: "priority", contains: "unknown field"},
		{name: "unknown nested field", edit: repl(`"sex": "F"`, `"sex": "F", "dob": "1970-01-01"`), field: "patient.dob", contains: "unknown field"},
		{name: "units not a number", edit: repl(`"units": 1,`, `"units": "two",`), field: "service_lines[0].units", contains: "want a number"},
		{name: "fractional units", edit: repl(`"units": 1,`, `"units": 1.5,`), field: "service_lines[0].units", contains: "whole number"},
		{name: "negative charge", edit: repl(`12500`, `-5`), field: "service_lines[0].charge_cents", contains: "out of range"},
		{name: "pointer out of range", edit: repl(`[1, 2]`, `[1, 13]`), field: "service_lines[0].diagnosis_pointers[1]", contains: "out of range"},
		{name: "bad date", edit: repl(`"1970-05-01"`, `"05/01/1970"`), field: "patient.date_of_birth", contains: "YYYY-MM-DD"},
		{name: "impossible date", edit: repl(`"from": "2026-01-14"`, `"from": "2026-02-30"`), field: "date_of_service.from", contains: "YYYY-MM-DD"},
		{name: "bad sex", edit: repl(`"sex": "F"`, `"sex": "X"`), field: "patient.sex", contains: "F, M or U"},
		{name: "bad npi", edit: repl(`"1234567893"`, `"12345"`), field: "provider.npi", contains: "10-digit"},
		{name: "bad icd code", edit: repl(`"code": "Z794"`, `"code": "Z79 4!"`), field: "diagnoses[1].code", contains: "ICD-10-CM"},
		{name: "bad procedure code", edit: repl(`"code": "99213"`, `"code": "992131"`), field: "service_lines[0].code", contains: "CPT or HCPCS"},
		{name: "bad modifier", edit: repl(`["25"]`, `["2"]`), field: "service_lines[0].modifiers[0]", contains: "modifier"},
		{name: "missing schema", edit: repl(`"schema": "codebench.encounter/v2",`, ``), field: "schema", contains: "missing"},
		{name: "wrong schema", edit: repl(`codebench.encounter/v2`, `codebench.encounter/v9`), field: "schema", contains: "not a known format"},
		{name: "v2 field in a v1 file", edit: repl(`codebench.encounter/v2`, `codebench.encounter/v1`), field: "billing_provider", contains: "new in codebench.encounter/v2"},
		{name: "payer type", edit: repl(`"payer_type": "commercial"`, `"payer_type": "Medicare"`), field: "coverage.payer_type", contains: `"Medicare" is not a payer type (medicare, medicaid, commercial, other)`},
		{name: "payer id delimiter", edit: repl(`"payer_id": "87726"`, `"payer_id": "877*26"`), field: "coverage.payer_id", contains: "letters, digits"},
		{name: "blank payer name", edit: repl(`"payer_name": "Test Health Plan"`, `"payer_name": "  "`), field: "coverage.payer_name", contains: "empty"},
		{name: "relationship", edit: repl(`"relationship": "child"`, `"relationship": "19"`), field: "coverage.relationship", contains: "not a relationship"},
		{name: "subscriber without name", edit: repl(`"subscriber": {"name": "Bo Test", `, `"subscriber": {`), field: "coverage.subscriber.name", contains: "missing"},
		{name: "tax id", edit: repl(`"tax_id": "12-3456789"`, `"tax_id": "1-23456789"`), field: "billing_provider.tax_id", contains: "employer identification number"},
		{name: "taxonomy", edit: repl(`"taxonomy": "207Q00000X"`, `"taxonomy": "207Q00000"`), field: "provider.taxonomy", contains: "NUCC taxonomy"},
		{name: "billing without address", edit: repl(`"tax_id": "12-3456789",
    "address": {"line1": "100 Main St", "city": "Springfield", "state": "IL", "zip": "62701-1234"}}`, `"tax_id": "12-3456789"}`), field: "billing_provider.address", contains: "missing"},
		{name: "tax id on the referring provider", edit: repl(`"name": "Dr Referrer"`, `"name": "Dr Referrer", "tax_id": "123456789"`), field: "referring_provider.tax_id", contains: "unknown field"},
		{name: "zip", edit: repl(`"zip": "62701-1234"`, `"zip": "6270"`), field: "billing_provider.address.zip", contains: "not a ZIP code"},
		{name: "state", edit: repl(`"state": "IL", "zip": "62701-1234"`, `"state": "il", "zip": "62701-1234"`), field: "billing_provider.address.state", contains: "USPS"},
		{name: "blank street", edit: repl(`"line1": "100 Main St"`, `"line1": " "`), field: "billing_provider.address.line1", contains: "empty"},
		{name: "accident type", edit: repl(`"accident_type": "auto"`, `"accident_type": "car"`), field: "onset.accident_type", contains: "not an accident type"},
		{name: "onset date", edit: repl(`"onset": {"date": "2026-01-10"`, `"onset": {"date": "01/10/2026"`), field: "onset.date", contains: "not a date"},
		{name: "frequency", edit: repl(`"frequency": "7"`, `"frequency": "1"`), field: "resubmission.frequency", contains: "not a resubmission frequency"},
		{name: "resubmission reason", edit: repl(`"reason": "corrected units"`, `"reason": ""`), field: "resubmission.reason", contains: "needs its reason"},
		{name: "predecessor", edit: repl(`"predecessor": "enc-1-r1"`, `"predecessor": "enc-1"`), field: "resubmission.predecessor", contains: "export key"},
		{name: "ndc code", edit: repl(`"code": "0409-3795-01"`, `"code": "040937950"`), field: "service_lines[1].ndc.code", contains: "not an NDC"},
		{name: "ndc unit", edit: repl(`"unit": "ML"`, `"unit": "mL"`), field: "service_lines[1].ndc.unit", contains: "unit of measure"},
		{name: "ndc quantity zero", edit: repl(`"quantity": 1.5`, `"quantity": 0`), field: "service_lines[1].ndc.quantity", contains: "above 0"},
		{name: "ndc quantity decimals", edit: repl(`"quantity": 1.5`, `"quantity": 1.2345`), field: "service_lines[1].ndc.quantity", contains: "3 decimals"},
		{name: "ndc quantity string", edit: repl(`"quantity": 1.5`, `"quantity": "1.5"`), field: "service_lines[1].ndc.quantity", contains: "want a number"},
		{name: "missing id", edit: repl(`"id": "enc-1",`, ``), field: "id", contains: "missing"},
		{name: "id with slash", edit: repl(`"id": "enc-1"`, `"id": "../etc/passwd"`), field: "id", contains: "letters, digits"},
		{name: "missing notes", edit: cutNotes, field: "notes", contains: "missing"},
		{name: "empty notes", edit: emptyNotes, field: "notes", contains: "no notes"},
		{name: "duplicate note id", edit: repl(`{"id": "n1", "title": "Visit",`, `{"id": "n1", "text": "x"}, {"id": "n1", "title": "Visit",`), field: "notes[1].id", contains: "already used"},
		{name: "empty note text", edit: repl(`"text": "Type 2 diabetes with hyperglycemia.\nOn insulin."`, `"text": "  "`), field: "notes[0].text", contains: "empty"},
		{name: "escape sequence in note", edit: repl(`On insulin.`, `On \u001b[31minsulin.`), field: "notes[0].text", contains: "ESC"},
		{name: "8-bit CSI in note", edit: repl(`On insulin.`, `On \u009b31minsulin.`), field: "notes[0].text", contains: "CSI"},
		{name: "bidi override in note", edit: repl(`On insulin.`, `On \u202einsulin.`), field: "notes[0].text", contains: "bidirectional"},
		{name: "newline in a name", edit: repl(`"Ada Test"`, `"Ada\nTest"`), field: "patient.name", contains: "one line"},
		{name: "NUL escaped in a title", edit: repl(`"title": "Visit"`, `"title": "Vis\u0000it"`), field: "notes[0].title", contains: "control"},
		{name: "evidence past the note", edit: repl(`"end": 34, "text": "Type 2 diabetes with hyperglycemia"`, `"end": 340`), field: "diagnoses[0].evidence", contains: "past the end"},
		{name: "evidence text mismatch", edit: repl(`"text": "Type 2 diabetes with hyperglycemia"}`, `"text": "Type 1 diabetes with hyperglycemia"}`), field: "diagnoses[0].evidence", contains: "does not match"},
		{name: "evidence unknown note", edit: repl(`"note_id": "n1"`, `"note_id": "n9"`), field: "diagnoses[0].evidence", contains: "names no note"},
		{name: "override without reason", edit: repl(`"reason": "unrelated conditions"`, `"reason": " "`), field: "overrides[0].reason", contains: "reason"},
		{name: "override bad target", edit: repl(`"target": "dx:2"`, `"target": "diagnosis 2"`), field: "overrides[0].target", contains: "target"},
		{name: "override bad time", edit: repl(`2026-01-15T10:00:00Z`, `yesterday`), field: "overrides[0].at", contains: "RFC 3339"},
		{name: "object where array expected", edit: repl(`"diagnosis_pointers": [1]`, `"diagnosis_pointers": {"a": 1}`), field: "service_lines[1].diagnosis_pointers", contains: "want an array"},
		{name: "null list", edit: repl(`"code_sets": ["ICD-10-CM FY2026"]`, `"code_sets": null`), field: "code_sets", contains: "want an array, got null"},
		{name: "repeated key", edit: repl(`"coder_id": "c1",`, `"coder_id": "c1", "coder_id": "c2",`), contains: "appears twice"},
		{name: "truncated", edit: func(s string) string { return s[:len(s)/2] }, contains: "malformed JSON"},
		{name: "trailing data", edit: func(s string) string { return s + "\n{}" }, contains: "after the top-level object"},
		{name: "not an object", raw: []byte(`[1,2,3]`), field: "", contains: "want an object"},
		{name: "empty file", raw: []byte("  \n"), contains: "empty file"},
		{name: "binary", raw: []byte("{\"id\": \"a\x00b\"}"), contains: "binary file"},
		{name: "invalid UTF-8", raw: []byte("{\"schema\": \"codebench.encounter/v1\",\n \"id\": \"\xff\xfe\"}"), contains: "invalid UTF-8 at byte"},
		{name: "too large", raw: bytes.Repeat([]byte(" "), MaxFileSize+1), contains: "larger than"},
		{name: "too deep", raw: []byte(strings.Repeat("[", 100) + strings.Repeat("]", 100)), contains: "nested deeper"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := c.raw
			if data == nil {
				edited := c.edit(goodJSON)
				if edited == goodJSON {
					t.Fatal("test edit did not change the input")
				}
				data = []byte(edited)
			}
			_, err := Decode(data, "inbox/visit3.json")
			if err == nil {
				t.Fatal("decoded without error")
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error is %T, want *FileError", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "inbox/visit3.json: ") {
				t.Errorf("error does not start with the file name: %q", msg)
			}
			if c.field != "" && !strings.Contains(msg, "field "+c.field+": ") {
				t.Errorf("error does not name field %s: %q", c.field, msg)
			}
			if !strings.Contains(msg, c.contains) {
				t.Errorf("error %q does not say %q", msg, c.contains)
			}
		})
	}
}

func TestDecodeErrorLines(t *testing.T) {
	data := strings.Replace(goodJSON, `"units": 1,`, `"units": "two",`, 1)
	_, err := Decode([]byte(data), "v.json")
	want := 1 + strings.Count(data[:strings.Index(data, `"two"`)], "\n")
	if fe, ok := err.(*FileError); !ok || fe.Problems[0].Line != want {
		t.Errorf("want the problem on line %d, got %v", want, err)
	}
}

func TestDecodeListsSeveralProblems(t *testing.T) {
	data := strings.NewReplacer(`"units": 1,`, `"units": "two",`, `"sex": "F"`, `"sex": "W"`).Replace(goodJSON)
	_, err := Decode([]byte(data), "v.json")
	fe, ok := err.(*FileError)
	if !ok || len(fe.Problems) != 2 {
		t.Fatalf("want 2 problems, got %v", err)
	}
}

func TestDecodeNormalizesLineEnds(t *testing.T) {
	data := strings.Replace(goodJSON, `hyperglycemia.\nOn insulin.`, `hyperglycemia.\r\nOn insulin.\rEnd.`, 1)
	enc, err := Decode([]byte(data), "crlf.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := enc.Notes[0].Text; got != "Type 2 diabetes with hyperglycemia.\nOn insulin.\nEnd." {
		t.Errorf("note text %q", got)
	}
	// A byte-order mark is allowed.
	if _, err := Decode(append([]byte("\xef\xbb\xbf"), goodJSON...), "bom.json"); err != nil {
		t.Errorf("BOM: %v", err)
	}
}

func repl(old, new string) func(string) string {
	return func(s string) string { return strings.Replace(s, old, new, 1) }
}

func cutNotes(s string) string {
	i := strings.Index(s, `"notes": [`)
	j := strings.Index(s, `"diagnoses"`)
	return s[:i] + s[j:]
}

func emptyNotes(s string) string {
	i := strings.Index(s, `"notes": [`)
	j := strings.Index(s, `"diagnoses"`)
	return s[:i] + `"notes": [], ` + s[j:]
}

// FuzzDecode: the decoder never panics, and what it accepts survives an
// Encode/Decode round trip unchanged.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(goodJSON))
	f.Add([]byte(`{"schema":"codebench.encounter/v1","id":"a","notes":[{"id":"n","text":"x"}]}`))
	f.Add([]byte(`{"schema":"codebench.encounter/v1","id":"a","notes":[{"id":"n","text":"\u001b[2J"}]}`))
	f.Add([]byte(`{"a":{"a":{"a":[[[[]]]]}}}`))
	f.Add([]byte(`{"schema":"codebench.encounter/v1","id":"a","notes":[{"id":"n","text":"héllo"}],"diagnoses":[{"code":"A00","evidence":{"note_id":"n","start":1,"end":3}}]}`))
	f.Add([]byte("\xef\xbb\xbf{}"))
	f.Add([]byte(`{"id": 1e400}`))
	f.Add([]byte(goodJSONv1))
	f.Add([]byte(`{"schema":"codebench.encounter/v2","id":"a","notes":[{"id":"n","text":"x"}],"service_lines":[{"code":"J1100","ndc":{"code":"00009-0047-01","unit":"ML","quantity":0.10}}],"coverage":{"payer_id":"X","payer_name":"Y","payer_type":"other"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		enc, err := Decode(data, "fuzz.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.json: ") {
				t.Fatalf("error without file name: %v", err)
			}
			return
		}
		out, err := Encode(enc)
		if err != nil {
			t.Fatalf("Encode: %v", err)
		}
		back, err := Decode(out, "again.json")
		if err != nil {
			t.Fatalf("accepted input does not round-trip: %v\n%s", err, out)
		}
		again, _ := Encode(back)
		if !bytes.Equal(out, again) {
			t.Fatalf("round trip changed the encounter:\n%s\n---\n%s", out, again)
		}
		for _, n := range back.Notes {
			if _, _, bad := unsafeRune(n.Text, true); bad {
				t.Fatalf("accepted a control character in note %q", n.ID)
			}
		}
	})
}
