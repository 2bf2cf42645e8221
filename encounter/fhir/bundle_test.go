package fhir

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/encounter/demo"
)

func TestDemoBundlesValidate(t *testing.T) {
	set, err := codesets.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	encs, err := demo.Encounters()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range encs {
		coded, _ := demo.Code(e)
		demo.FeeSchedule().Fill(coded)
		c, _, err := encounter.Export(coded, set, time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC))
		if err != nil {
			t.Errorf("%s: %v", e.ID, err)
			continue
		}
		if c.TotalCharge <= 0 {
			t.Errorf("%s: no charges", e.ID)
		}
		data, err := JSON(c)
		if err != nil {
			t.Fatal(err)
		}
		if err := Validate(data); err != nil {
			t.Errorf("%s: %v\n%s", e.ID, err, data)
		}
	}
}

func TestValidateRefuses(t *testing.T) {
	set, _ := codesets.Embedded()
	encs, _ := demo.Encounters()
	coded, _ := demo.Code(encs[0])
	c, _, err := encounter.Export(coded, set, time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	good, _ := JSON(c)
	for _, tc := range []struct{ name, old, new, want string }{
		{"non-FHIR key", `"resourceType": "Bundle",`, `"resourceType": "Bundle", "schema": "codebench.claim/v1",`, `error at "Bundle": unknown field`},
		{"bad date", `"birthDate": "1958-03-12"`, `"birthDate": "03/12/1958"`, "birthDate"},
		{"bad type", `"type": "collection"`, `"type": "document"`, "collection"},
	} {
		bad := strings.Replace(string(good), tc.old, tc.new, 1)
		if bad == string(good) {
			t.Fatalf("%s: edit did not apply", tc.name)
		}
		err := Validate([]byte(bad))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// Elements removed or pointed elsewhere.
	for _, tc := range []struct {
		name string
		edit func(claim map[string]any, entries []any)
		want string
	}{
		{"no insurance", func(c map[string]any, _ []any) { delete(c, "insurance") }, `missing required field "insurance"`},
		{"no patient", func(c map[string]any, _ []any) { delete(c, "patient") }, `missing required field "patient"`},
		{"patient points at the coverage", func(c map[string]any, e []any) {
			c["patient"].(map[string]any)["reference"] = fullURLOf(e, "Coverage")
		}, "Claim.patient: refers to a Coverage; want Patient"},
		{"dangling reference", func(c map[string]any, _ []any) {
			c["insurer"].(map[string]any)["reference"] = "urn:uuid:00000000-0000-5000-8000-000000000000"
		}, "Claim.insurer: reference names no entry"},
	} {
		var doc map[string]any
		if err := json.Unmarshal(good, &doc); err != nil {
			t.Fatal(err)
		}
		entries := doc["entry"].([]any)
		tc.edit(entries[0].(map[string]any)["resource"].(map[string]any), entries)
		bad, _ := json.Marshal(doc)
		err := Validate(bad)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func fullURLOf(entries []any, resourceType string) string {
	for _, e := range entries {
		m := e.(map[string]any)
		if m["resource"].(map[string]any)["resourceType"] == resourceType {
			return m["fullUrl"].(string)
		}
	}
	return ""
}
