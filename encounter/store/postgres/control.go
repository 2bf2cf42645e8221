package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"codebench/encounter/store"
)

var _ store.ControlNumbers = (*Store)(nil)

// ControlNumber returns key's interchange control number, taking the next
// value of the interchange_control sequence (1-999999999, cycling) the
// first time; concurrent first calls for one key agree on the number the
// insert that won stored.
func (s *Store) ControlNumber(ctx context.Context, key string) (int, error) {
	if key == "" {
		return 0, errors.New("control number: empty export key")
	}
	var n int
	err := s.write(ctx, func(tx pgx.Tx, now time.Time) error {
		if _, err := tx.Exec(ctx, `INSERT INTO control_numbers(key, number, allocated_ns)
			VALUES ($1, nextval('interchange_control'), $2) ON CONFLICT (key) DO NOTHING`, key, nanos(now)); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT number FROM control_numbers WHERE key = $1`, key).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("control number of %s: %w", key, err)
	}
	return n, nil
}
