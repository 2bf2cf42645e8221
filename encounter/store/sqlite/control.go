package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"codebench/encounter/store"
)

var _ store.ControlNumbers = (*Store)(nil)

// controlSchema keeps one interchange control number per export key. It
// is created on open by every version that knows it (IF NOT EXISTS), so
// an older store gains it without a version change.
const controlSchema = `
CREATE TABLE IF NOT EXISTS control_numbers (
	key          TEXT PRIMARY KEY,
	number       INTEGER NOT NULL,
	allocated_at INTEGER NOT NULL
);`

// ControlNumber returns key's interchange control number, allocating the
// one after the last allocated (wrapping after 999999999) the first time.
func (s *Store) ControlNumber(ctx context.Context, key string) (int, error) {
	if key == "" {
		return 0, errors.New("control number: empty export key")
	}
	var n int
	err := s.write(ctx, func(tx *sql.Tx, now time.Time) error {
		err := tx.QueryRowContext(ctx, `SELECT number FROM control_numbers WHERE key = ?`, key).Scan(&n)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var last int
		err = tx.QueryRowContext(ctx, `SELECT number FROM control_numbers ORDER BY rowid DESC LIMIT 1`).Scan(&last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		n = last%store.MaxControlNumber + 1
		_, err = tx.ExecContext(ctx, `INSERT INTO control_numbers(key, number, allocated_at) VALUES (?, ?, ?)`, key, n, nanos(now))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("control number of %s: %w", key, err)
	}
	return n, nil
}
