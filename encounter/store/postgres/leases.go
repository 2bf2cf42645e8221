package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"codebench/encounter/store"
)

// readLeaseRow locks the encounter's row (no other node changes it before
// the commit) and reads what every leased change checks, with the
// lease's generation.
func readLeaseRow(ctx context.Context, tx pgx.Tx, id string) (store.RowState, int64, error) {
	var r store.RowState
	var status string
	var until, seq int64
	err := tx.QueryRow(ctx, `SELECT status, revision, lease_coder, lease_token, lease_until_ns, lease_seq, pending_export, export_key
		FROM encounters WHERE id = $1 FOR UPDATE`, id).
		Scan(&status, &r.Revision, &r.Coder, &r.Token, &until, &seq, &r.Pending, &r.Exported)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, 0, store.ErrNotFound
	}
	r.Status, r.Until = store.Status(status), fromNanos(until)
	return r, seq, err
}

// lockRow locks and reads the row of l's encounter.
func lockRow(ctx context.Context, tx pgx.Tx, l store.Lease) (store.RowState, error) {
	r, _, err := readLeaseRow(ctx, tx, l.EncounterID)
	return r, err
}

// Lease gives one session of coder an exclusive hold for ttl under a new
// token; any other live lease, the same coder's included, refuses it.
func (s *Store) Lease(ctx context.Context, id, coder string, ttl time.Duration) (store.Lease, error) {
	return s.acquire(ctx, id, coder, ttl, false)
}

// TakeOver moves the encounter from another session of the same coder to
// a new lease; another coder's live lease refuses it.
func (s *Store) TakeOver(ctx context.Context, id, coder string, ttl time.Duration) (store.Lease, error) {
	return s.acquire(ctx, id, coder, ttl, true)
}

func (s *Store) acquire(ctx context.Context, id, coder string, ttl time.Duration, takeOver bool) (store.Lease, error) {
	if err := store.CheckLeaseArgs(coder, ttl); err != nil {
		return store.Lease{}, err
	}
	var l store.Lease
	err := s.write(ctx, func(tx pgx.Tx, now time.Time) error {
		r, seq, err := readLeaseRow(ctx, tx, id)
		if err != nil {
			return err
		}
		detail, err := store.DecideLease(r, id, coder, takeOver, now)
		if err != nil {
			return err
		}
		// The token leads with the lease's generation, so tokens of one
		// encounter are ordered as well as unguessable.
		seq++
		l = store.Lease{EncounterID: id, Coder: coder, Token: fmt.Sprintf("%d.%s", seq, newToken()), Until: now.Add(ttl)}
		if _, err := tx.Exec(ctx, `UPDATE encounters SET lease_coder = $1, lease_token = $2, lease_until_ns = $3, lease_seq = $4 WHERE id = $5`,
			coder, l.Token, nanos(l.Until), seq, id); err != nil {
			return err
		}
		return appendAudit(ctx, tx, store.AuditEntry{EncounterID: id, Coder: coder, At: now, Revision: r.Revision, Action: "lease", Detail: detail})
	})
	if err != nil {
		return store.Lease{}, fmt.Errorf("lease %q: %w", id, err)
	}
	return l, nil
}

// Renew extends l to ttl from now if it is still in force.
func (s *Store) Renew(ctx context.Context, l store.Lease, ttl time.Duration) (store.Lease, error) {
	if ttl <= 0 {
		return store.Lease{}, fmt.Errorf("renew lease: ttl %v must be positive", ttl)
	}
	err := s.write(ctx, func(tx pgx.Tx, now time.Time) error {
		r, err := lockRow(ctx, tx, l)
		if err != nil {
			return err
		}
		if err := r.CheckLease(l, now); err != nil {
			return err
		}
		l.Until = now.Add(ttl)
		_, err = tx.Exec(ctx, `UPDATE encounters SET lease_until_ns = $1 WHERE id = $2 AND lease_token = $3`, nanos(l.Until), l.EncounterID, l.Token)
		return err
	})
	if err != nil {
		return store.Lease{}, fmt.Errorf("renew lease on %q: %w", l.EncounterID, err)
	}
	return l, nil
}

// Release ends l if it is still the lease in force; releasing a lease
// that expired or was taken over is a no-op.
func (s *Store) Release(ctx context.Context, l store.Lease) error {
	err := s.write(ctx, func(tx pgx.Tx, now time.Time) error {
		r, err := lockRow(ctx, tx, l)
		if err != nil {
			return err
		}
		if l.Token == "" || r.Token != l.Token {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE encounters SET lease_coder = '', lease_token = '', lease_until_ns = 0 WHERE id = $1`, l.EncounterID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, store.AuditEntry{EncounterID: l.EncounterID, Coder: l.Coder, At: now, Revision: r.Revision, Action: "release", Detail: "released"})
	})
	if err != nil {
		return fmt.Errorf("release %q: %w", l.EncounterID, err)
	}
	return nil
}
