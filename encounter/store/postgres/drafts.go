package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"codebench/encounter"
	"codebench/encounter/store"
)

// SaveDraft stores enc as the encounter's latest state under l if the
// encounter is still at revision base, bumps the revision (written back
// into enc once committed), moves a new, coded or rejected encounter to in
// progress, and logs what changed, each new override with its reason, in
// the same transaction.
func (s *Store) SaveDraft(ctx context.Context, l store.Lease, base int, enc *encounter.Encounter, detail string) error {
	if enc.ID != l.EncounterID {
		return fmt.Errorf("save draft: encounter %q under the lease of %q", enc.ID, l.EncounterID)
	}
	h, err := store.HeaderOf(enc)
	if err != nil {
		return fmt.Errorf("save draft %q: %w", enc.ID, err)
	}
	var rev int
	err = s.write(ctx, func(tx pgx.Tx, now time.Time) error {
		r, err := lockRow(ctx, tx, l)
		if err != nil {
			return err
		}
		if err := store.CheckDraft(r, l, base, enc, now); err != nil {
			return staleBy(ctx, tx, enc.ID, err)
		}
		prev, err := previous(ctx, tx, enc.ID)
		if err != nil {
			return err
		}
		plan, err := store.PlanDraft(r, l, prev, enc, detail, now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE encounters SET draft = $1, revision = $2, status = $3, patient = $4, provider = $5, dos_from = $6, dos_to = $7, updated_ns = $8, revised_ns = $8 WHERE id = $9`,
			plan.JSON, plan.Revision, string(store.InProgress), h.Patient, h.Provider, h.From, h.To, nanos(now), enc.ID); err != nil {
			return err
		}
		for _, e := range plan.Entries {
			if err := appendAudit(ctx, tx, e); err != nil {
				return err
			}
		}
		rev = plan.Revision
		return nil
	})
	if err != nil {
		return fmt.Errorf("save draft %q: %w", enc.ID, err)
	}
	enc.Revision = rev
	return nil
}

// staleBy fills in a *store.StaleError who moved the encounter on and
// when, from the audit log; other errors pass through.
func staleBy(ctx context.Context, tx pgx.Tx, id string, err error) error {
	var e *store.StaleError
	if !errors.As(err, &e) {
		return err
	}
	var at int64
	qerr := tx.QueryRow(ctx, `SELECT coder, at_ns FROM audit WHERE encounter_id = $1 AND revision = $2 AND action IN ('draft', 'import') ORDER BY seq DESC LIMIT 1`, id, e.Revision).Scan(&e.By, &at)
	if qerr != nil && !errors.Is(qerr, pgx.ErrNoRows) {
		return qerr
	}
	e.At = fromNanos(at)
	return e
}

// previous reads the state a draft replaces, for the audit diff.
func previous(ctx context.Context, tx pgx.Tx, id string) (*encounter.Encounter, error) {
	var imported, draft []byte
	if err := tx.QueryRow(ctx, `SELECT imported, draft FROM encounters WHERE id = $1`, id).Scan(&imported, &draft); err != nil {
		return nil, err
	}
	return store.Latest(imported, draft)
}

// SetStatus moves the encounter to status under l (see store.CanMove).
func (s *Store) SetStatus(ctx context.Context, l store.Lease, status store.Status, detail string) error {
	err := s.write(ctx, func(tx pgx.Tx, now time.Time) error {
		r, err := lockRow(ctx, tx, l)
		if err != nil {
			return err
		}
		entry, err := store.DecideStatus(r, l, status, detail, now)
		if err != nil || entry == nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE encounters SET status = $1, updated_ns = $2 WHERE id = $3`, string(status), nanos(now), l.EncounterID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, *entry)
	})
	if err != nil {
		return fmt.Errorf("set status of %q: %w", l.EncounterID, err)
	}
	return nil
}

// BeginExport records that revision is about to be published under key.
func (s *Store) BeginExport(ctx context.Context, l store.Lease, revision int, key string) error {
	err := s.write(ctx, func(tx pgx.Tx, now time.Time) error {
		r, err := lockRow(ctx, tx, l)
		if err != nil {
			return err
		}
		entry, err := store.DecideBeginExport(r, l, revision, key, now)
		if err != nil || entry == nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE encounters SET pending_export = $1, updated_ns = $2 WHERE id = $3`, key, nanos(now), l.EncounterID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, *entry)
	})
	if err != nil {
		return fmt.Errorf("begin export of %q: %w", l.EncounterID, err)
	}
	return nil
}

// MarkExported confirms the export begun under key.
func (s *Store) MarkExported(ctx context.Context, l store.Lease, key string) error {
	err := s.write(ctx, func(tx pgx.Tx, now time.Time) error {
		r, err := lockRow(ctx, tx, l)
		if err != nil {
			return err
		}
		entry, err := store.DecideMarkExported(r, l, key, now)
		if err != nil || entry == nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE encounters SET status = $1, export_key = $2, pending_export = '', updated_ns = $3 WHERE id = $4`,
			string(store.Exported), key, nanos(now), l.EncounterID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, *entry)
	})
	if err != nil {
		return fmt.Errorf("mark %q exported: %w", l.EncounterID, err)
	}
	return nil
}
