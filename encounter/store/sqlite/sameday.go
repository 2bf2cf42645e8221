package sqlite

import (
	"context"

	"codebench/encounter"
	"codebench/encounter/store"
)

// SameDay returns the patient's other encounters with the provider on
// day (store.SameDay); the worklist index on dos_from finds the day.
func (s *Store) SameDay(ctx context.Context, patientID, npi string, day encounter.Date, except string) ([]*encounter.Encounter, error) {
	sums, err := s.summaries(ctx, "same-day encounters", `WHERE dos_from = ? AND id <> ? ORDER BY id`, day.String(), except)
	if err != nil {
		return nil, err
	}
	return store.SameDayFrom(ctx, sums, patientID, npi, except, s.Get)
}
