package storetest

import (
	"testing"
	"time"

	"codebench/encounter"
	"codebench/encounter/store"
)

// testSameDay: the patient's other encounters with the provider on the
// date, latest saved state, not the claim itself, not another patient's,
// provider's or day's.
func testSameDay(t *testing.T, b Backend) {
	r := newRig(t, b)
	day := encounter.NewDate(2026, 3, 9)
	add := func(id, patient, npi string, dos encounter.Date) *encounter.Encounter {
		e := Sample(id, dos)
		e.Patient.ID, e.Provider.NPI = patient, npi
		if err := r.s.Add(ctx, e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	claim := add("claim", "P-7", "1234567893", day)
	add("morning", "P-7", "1234567893", day)
	add("evening", "P-7", "1234567893", day)
	add("other-patient", "P-8", "1234567893", day)
	add("other-provider", "P-7", "1245319599", day)
	add("next-day", "P-7", "1234567893", encounter.NewDate(2026, 3, 10))
	// The latest saved state counts: a line added in a draft is seen.
	l := r.lease("evening", "coder1", time.Hour)
	ev, _ := r.get("evening")
	ev.Lines = append(ev.Lines, encounter.ServiceLine{Code: "93000", Units: 1, Pointers: []int{1}})
	ev.Diagnoses = []encounter.Diagnosis{{Code: "R0789"}}
	if err := r.s.SaveDraft(ctx, l, ev.Revision, ev, "ecg"); err != nil {
		t.Fatal(err)
	}
	got, err := store.SameDayOf(ctx, r.s, claim)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range got {
		ids = append(ids, e.ID)
	}
	if len(ids) != 2 || ids[0] != "evening" || ids[1] != "morning" {
		t.Fatalf("same-day encounters %v, want [evening morning]", ids)
	}
	if len(got[0].Lines) != 1 || got[0].Lines[0].Code != "93000" {
		t.Errorf("the draft's lines are not seen: %+v", got[0].Lines)
	}
	none, err := store.SameDayOf(ctx, r.s, &encounter.Encounter{ID: "x", Provider: claim.Provider, Service: claim.Service})
	if err != nil || len(none) != 0 {
		t.Errorf("an encounter without a patient id: %v %v", none, err)
	}
}
