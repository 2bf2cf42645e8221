package postgres

import (
	"context"
	"fmt"

	"codebench/encounter"
	"codebench/encounter/store"
)

// SameDay returns the patient's other encounters with the provider on
// day (store.SameDay); the worklist index on dos_from finds the day.
func (s *Store) SameDay(ctx context.Context, patientID, npi string, day encounter.Date, except string) ([]*encounter.Encounter, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+summaryColumns+summaryFrom+` WHERE dos_from = $2 AND id <> $3 ORDER BY id`, s.nowParam(), day.String(), except)
	if err != nil {
		return nil, fmt.Errorf("same-day encounters: %w", err)
	}
	var sums []store.Summary
	for rows.Next() {
		sum, err := scanSummary(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("same-day encounters: %w", err)
		}
		sums = append(sums, sum)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("same-day encounters: %w", err)
	}
	return store.SameDayFrom(ctx, sums, patientID, npi, except, s.Get)
}
