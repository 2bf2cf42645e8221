package encounter

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// goodJSON is a small valid encounter used as the base of the decoder's
// table tests.
const goodJSON = `{
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

func TestEncodeRoundTrip(t *testing.T) {
	enc, err := Decode([]byte(goodJSON), "good.json")
	if err != nil {
		t.Fatal(err)
	}
	out, err := Encode(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`"schema": "codebench.encounter/v1"`)) {
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
		{name: "missing schema", edit: repl(`"schema": "codebench.encounter/v1",`, ``), field: "schema", contains: "missing"},
		{name: "wrong schema", edit: repl(`codebench.encounter/v1`, `codebench.encounter/v9`), field: "schema", contains: "not a known format"},
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
