package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"codebench/encounter/store"
)

// leaseRow is the part of a row every leased change checks, read under
// the row's lock so no other node changes it before the commit.
type leaseRow struct {
	status   store.Status
	revision int
	coder    string
	token    string
	until    time.Time
	seq      int64
	pending  string
	exported string
}

func readLeaseRow(ctx context.Context, tx pgx.Tx, id string) (leaseRow, error) {
	var r leaseRow
	var status string
	var until int64
	err := tx.QueryRow(ctx, `SELECT status, revision, lease_coder, lease_token, lease_until_ns, lease_seq, pending_export, export_key
		FROM encounters WHERE id = $1 FOR UPDATE`, id).
		Scan(&status, &r.revision, &r.coder, &r.token, &until, &r.seq, &r.pending, &r.exported)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, store.ErrNotFound
	}
	r.status, r.until = store.Status(status), fromNanos(until)
	return r, err
}

// held tells whether l is the lease currently in force on the row.
func (r leaseRow) held(l store.Lease, now time.Time) bool {
	return l.Token != "" && r.token == l.Token && r.until.After(now)
}

// checkLease locks the row of l's encounter and requires l to be in
// force: the fencing check every leased change makes.
func checkLease(ctx context.Context, tx pgx.Tx, l store.Lease, now time.Time) (leaseRow, error) {
	r, err := readLeaseRow(ctx, tx, l.EncounterID)
	if err != nil {
		return r, err
	}
	if !r.held(l, now) {
		return r, store.ErrLeaseLost
	}
	return r, nil
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
	if strings.TrimSpace(coder) == "" {
		return store.Lease{}, errors.New("lease: empty coder id")
	}
	if ttl <= 0 {
		return store.Lease{}, fmt.Errorf("lease: ttl %v must be positive", ttl)
	}
	var l store.Lease
	err := s.write(ctx, func(tx pgx.Tx, now time.Time) error {
		r, err := readLeaseRow(ctx, tx, id)
		if err != nil {
			return err
		}
		live := r.token != "" && r.until.After(now)
		if live && !(takeOver && r.coder == coder) {
			return &store.LeasedError{EncounterID: id, Coder: r.coder, Until: r.until}
		}
		// The token leads with the lease's generation, so tokens of one
		// encounter are ordered as well as unguessable.
		seq := r.seq + 1
		l = store.Lease{EncounterID: id, Coder: coder, Token: fmt.Sprintf("%d.%s", seq, newToken()), Until: now.Add(ttl)}
		if _, err := tx.Exec(ctx, `UPDATE encounters SET lease_coder = $1, lease_token = $2, lease_until_ns = $3, lease_seq = $4 WHERE id = $5`,
			coder, l.Token, nanos(l.Until), seq, id); err != nil {
			return err
		}
		detail := "leased"
		switch {
		case live:
			detail = fmt.Sprintf("taken over from another session of %s (its lease ran until %s)", coder, r.until.UTC().Format(time.RFC3339))
		case r.token != "" && r.coder != coder:
			detail = fmt.Sprintf("leased (%s's lease expired %s)", r.coder, r.until.UTC().Format(time.RFC3339))
		case r.token != "":
			detail = fmt.Sprintf("leased (an earlier session's lease expired %s)", r.until.UTC().Format(time.RFC3339))
		}
		return appendAudit(ctx, tx, store.AuditEntry{EncounterID: id, Coder: coder, At: now, Revision: r.revision, Action: "lease", Detail: detail})
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
		if _, err := checkLease(ctx, tx, l, now); err != nil {
			return err
		}
		l.Until = now.Add(ttl)
		_, err := tx.Exec(ctx, `UPDATE encounters SET lease_until_ns = $1 WHERE id = $2 AND lease_token = $3`, nanos(l.Until), l.EncounterID, l.Token)
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
		r, err := readLeaseRow(ctx, tx, l.EncounterID)
		if err != nil {
			return err
		}
		if l.Token == "" || r.token != l.Token {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE encounters SET lease_coder = '', lease_token = '', lease_until_ns = 0 WHERE id = $1`, l.EncounterID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, store.AuditEntry{EncounterID: l.EncounterID, Coder: l.Coder, At: now, Revision: r.revision, Action: "release", Detail: "released"})
	})
	if err != nil {
		return fmt.Errorf("release %q: %w", l.EncounterID, err)
	}
	return nil
}
