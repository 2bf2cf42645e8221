package store

import (
	"context"
	"fmt"

	"codebench/encounter"
)

// SameDay finds the encounters the payer edits count with a claim: NCCI
// procedure-to-procedure pairs and MUE units apply per patient, rendering
// provider and date of service, across claims. Both backends implement
// it; the contract suite checks it.
type SameDay interface {
	// SameDay returns the latest saved state of the other encounters
	// (not except) of the patient with the provider whose first date of
	// service is day, in id order, at most MaxSameDay of them.
	SameDay(ctx context.Context, patientID, npi string, day encounter.Date, except string) ([]*encounter.Encounter, error)
}

// MaxSameDay bounds the encounters SameDay returns: a patient seen more
// often than this by one provider on one day is not a coding workload.
const MaxSameDay = 50

// SameDayOf returns the encounters validated with enc (for
// encounter.Options.SameDay): none when enc lacks the patient, provider
// or date that define them.
func SameDayOf(ctx context.Context, s Store, enc *encounter.Encounter) ([]*encounter.Encounter, error) {
	if enc.Patient.ID == "" || enc.Provider.NPI == "" || enc.Service.From.IsZero() {
		return nil, nil
	}
	f, ok := s.(SameDay)
	if !ok {
		return nil, fmt.Errorf("store %T cannot find same-day encounters", s)
	}
	return f.SameDay(ctx, enc.Patient.ID, enc.Provider.NPI, enc.Service.From, enc.ID)
}

// SameDayFrom finishes a backend's SameDay: of the summaries of the
// date, the patient's encounters with the provider (not except), each
// read with get (the latest saved state).
func SameDayFrom(ctx context.Context, sums []Summary, patientID, npi, except string,
	get func(ctx context.Context, id string) (*encounter.Encounter, Summary, error)) ([]*encounter.Encounter, error) {
	var out []*encounter.Encounter
	for _, s := range sums {
		if s.ID == except || s.Patient.ID != patientID || s.Provider.NPI != npi {
			continue
		}
		if len(out) == MaxSameDay {
			break
		}
		enc, _, err := get(ctx, s.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, enc)
	}
	return out, nil
}
