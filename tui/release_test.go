package tui

import (
	"context"
	"testing"

	"codebench/codesets"
	"codebench/encounter"
)

// An encounter dated in FY2027 is coded with FY2027: the header names the
// release, lookups and details come from it and the edits follow it.
func TestEncounterUsesTheReleaseOfItsDate(t *testing.T) {
	r := newRig(t, nil)
	enc := &encounter.Encounter{
		ID:        "enc-fy27",
		Patient:   encounter.Patient{ID: "p27", Name: "Ana Ruiz", DateOfBirth: encounter.NewDate(1960, 3, 4), Sex: "F"},
		Provider:  encounter.Provider{NPI: "1234567893", Name: "Dr Lee"},
		Service:   encounter.DateRange{From: encounter.NewDate(2026, 11, 16)},
		Notes:     []encounter.Note{{ID: "n1", Title: "Visit", Text: "Dilated cardiomyopathy, follow-up."}},
		Diagnoses: []encounter.Diagnosis{{Code: "I420"}},
	}
	if err := r.store.Add(context.Background(), enc); err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, New(r.opts))
	d.press("r")
	d.openEncounter("enc-fy27")
	d.must("DOS 2026-11-16", "FY2027 ·", "I42.0      header!")
	found := false
	for _, e := range d.m.w.Edits {
		found = found || e.Message == "I42.0 is a header in ICD-10-CM FY2027 (DOS from 2026-10-01): pick I42.00, I42.01 or I42.09"
	}
	if !found {
		t.Errorf("edits lack the FY2027 header error: %+v", d.m.w.Edits)
	}
	if rel := d.m.c.Codes.Release(); rel == nil || rel.Name != "FY2027" {
		t.Fatalf("session release %v", rel)
	}
	if c, ok := d.m.c.Codes.Lookup("I42.0"); !ok || c.Billable || len(c.Children()) != 3 {
		t.Errorf("I42.0 in the open encounter's release: %+v", c)
	}
	// Back on the worklist and into a FY2026 encounter: its release.
	d.press("q")
	for i := 0; i < 40; i++ {
		d.press("up")
	}
	d.openEncounter("enc-1011") // dated 2026-09-03
	if rel := d.m.c.Codes.Release(); rel == nil || rel.Name != "FY2026" {
		t.Fatalf("enc-1011 release %v", rel)
	}
	d.must(" FY2026 ") // the release of its date, in the header
}

// A server's new data (an import) reaches a session when it opens its
// next encounter, never in the middle of one.
func TestSessionTakesNewDataAtTheNextEncounter(t *testing.T) {
	r := newRig(t, nil)
	newer := r.opts.Codes.WithCPT([]*codesets.Code{{System: codesets.CPT, Code: "99999", Billable: true, Long: "Invented descriptor", Short: "Invented"}}, "newer data")
	data := Data{Codes: r.opts.Codes}
	opts := r.opts
	opts.Current = func() Data { return data }
	opts.Notice = "the HCPCS Level II file in use, 2025 October, is 4 quarters old"
	d := newDriver(t, New(opts))
	d.must("4 quarters old")
	d.openEncounter("enc-1001")
	if c, _ := d.m.c.Codes.LookupIn(codesets.CPT, "99999"); c.Long == "Invented descriptor" {
		t.Fatal("new data before it was loaded")
	}
	data = Data{Codes: newer}
	d.press("g") // still the same encounter: nothing changes
	if c, _ := d.m.c.Codes.LookupIn(codesets.CPT, "99999"); c.Long == "Invented descriptor" {
		t.Fatal("the open encounter switched data")
	}
	d.press("q")
	for i := 0; i < 40; i++ {
		d.press("up")
	}
	d.openEncounter("enc-1011")
	if c, ok := d.m.c.Codes.LookupIn(codesets.CPT, "99999"); !ok || c.Long != "Invented descriptor" || d.m.c.Codes.CPTSource != "newer data" {
		t.Errorf("the next encounter did not take the new data: %+v", c)
	}
}
