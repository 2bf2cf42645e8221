package codesets

import (
	"regexp"
	"testing"
)

func TestICD10CMShape(t *testing.T) {
	re := regexp.MustCompile(ICD10CMPattern)
	for typed, want := range map[string]bool{
		"QA1.71": true, "QA171": true, "K6A": true, "K31.B": true, "K74.0A": true, "Z87.8901": true,
		"C4A.111": true, "E11.65": true, "e1165": true, "S52.521A": true, "T38.3X6A": true,
		"NOS": false, "HIV": false, "QAA1": false, "1A1": false, "E1": false, "E11.65123": false, "E11-65": false,
	} {
		if got := re.MatchString(typed); got != want {
			t.Errorf("ICD10CMPattern(%q) = %v, want %v", typed, got, want)
		}
		// The pattern and ICD10CMShaped agree on every spelling without
		// stray punctuation.
		if re.MatchString(typed) != ICD10CMShaped(Canonical(typed)) && typed != "E11-65" {
			t.Errorf("%q: pattern and ICD10CMShaped disagree", typed)
		}
	}
	for prefix, want := range map[string]bool{"Q": true, "QA": true, "QA1": true, "E1": true, "K6A": true, "9": false, "PAIN": false, "": false} {
		if got := ICD10CMPrefixShaped(prefix); got != want {
			t.Errorf("ICD10CMPrefixShaped(%q) = %v", prefix, got)
		}
	}
	if icd, _, _ := shape("QA171"); !icd {
		t.Error("lookups refuse the shape of QA1.71")
	}
}

func TestEveryCodeHasTheShape(t *testing.T) {
	for _, c := range mustSet(t).ICD10CM() {
		if !ICD10CMShaped(c.Code) {
			t.Errorf("%s does not have the ICD-10-CM code shape", c.Code)
		}
	}
}

func TestParseRefsNewShapes(t *testing.T) {
	refs := ParseRefs("Lynch syndrome (QA1.7-), wheezing NOS (R06.2), HIV disease (B20), colonic inertia (K6A.-) and (K31.A0-K31.B)")
	want := []Ref{{From: "QA17"}, {From: "R062"}, {From: "B20"}, {From: "K6A"}, {From: "K31A0", To: "K31B"}}
	if len(refs) != len(want) {
		t.Fatalf("refs %+v, want %+v", refs, want)
	}
	for i := range want {
		if refs[i] != want[i] {
			t.Errorf("ref %d: %+v, want %+v", i, refs[i], want[i])
		}
	}
}
