package encounter

import (
	"strings"
	"testing"

	"codebench/codesets"
)

// TestICD10CMCodeShapes: the decoder and the JSON Schema accept the codes
// FY2027 brought, with letters in the second to seventh places, and refuse
// spellings that are no code's shape.
func TestICD10CMCodeShapes(t *testing.T) {
	sc := loadSchema(t)
	for _, tc := range []struct {
		code string
		ok   bool
	}{
		{"QA1.71", true}, {"qa171", true}, {"K6A", true}, {"K31.B", true}, {"K74.0A", true},
		{"Z87.8901", true}, {"C4A.111", true}, {"E11.65", true},
		{"QAA.1", false}, {"NOS", false}, {"1A1", false}, {"Q.A1", false}, {"E1", false}, {"QA1.71234", false},
	} {
		data := strings.Replace(goodJSON, `"code": "Z794"`, `"code": "`+tc.code+`"`, 1)
		schemaOK := len(sc.check("", sc.root, parseGeneric(t, []byte(data)))) == 0
		enc, err := Decode([]byte(data), "shape.json")
		if schemaOK != tc.ok || (err == nil) != tc.ok {
			t.Errorf("%s: schema accepts=%v, decoder error=%v; want accepted=%v", tc.code, schemaOK, err, tc.ok)
			continue
		}
		if tc.ok && enc.Diagnoses[1].Code != codesets.Canonical(tc.code) {
			t.Errorf("%s decoded as %q", tc.code, enc.Diagnoses[1].Code)
		}
		if !tc.ok && !strings.Contains(err.Error(), "diagnoses[1].code") {
			t.Errorf("%s: error does not name the field: %v", tc.code, err)
		}
	}
}

// The schema states the decoder's pattern, which codesets owns.
func TestSchemaStatesTheCodeShape(t *testing.T) {
	sc := loadSchema(t)
	dx := sc.root["properties"].(map[string]any)["diagnoses"].(map[string]any)
	code := dx["items"].(map[string]any)["properties"].(map[string]any)["code"].(map[string]any)
	if got := code["pattern"]; got != codesets.ICD10CMPattern {
		t.Errorf("schema diagnosis code pattern %q, want codesets.ICD10CMPattern %q", got, codesets.ICD10CMPattern)
	}
}
