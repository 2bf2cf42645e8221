package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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
	h, err := headerOf(enc)
	if err != nil {
		return fmt.Errorf("save draft %q: %w", enc.ID, err)
	}
	var rev int
	err = s.write(ctx, func(tx pgx.Tx, now time.Time) error {
		r, err := checkLease(ctx, tx, l, now)
		if err != nil {
			return err
		}
		if r.pending != "" {
			return store.ErrExportPending
		}
		if r.status == store.Exported {
			return fmt.Errorf("%w: %s is exported; mark it rejected to rework it", store.ErrTransition, enc.ID)
		}
		if r.revision != base {
			return staleError(ctx, tx, enc.ID, base, r.revision)
		}
		prev, err := previous(ctx, tx, enc.ID)
		if err != nil {
			return err
		}
		rev = r.revision + 1
		saved := *enc
		saved.Revision = rev
		data, err := json.Marshal(&saved)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE encounters SET draft = $1, revision = $2, status = $3, patient = $4, provider = $5, dos_from = $6, dos_to = $7, updated_ns = $8, revised_ns = $8 WHERE id = $9`,
			data, rev, string(store.InProgress), h.patient, h.provider, h.from, h.to, nanos(now), enc.ID); err != nil {
			return err
		}
		entry := store.AuditEntry{EncounterID: enc.ID, Coder: l.Coder, At: now, Revision: rev}
		if r.status != store.InProgress {
			entry.Action, entry.Detail = "status", fmt.Sprintf("%s -> %s", r.status, store.InProgress)
			if err := appendAudit(ctx, tx, entry); err != nil {
				return err
			}
		}
		what := strings.Join(store.Changes(prev, &saved), "; ")
		if what == "" {
			what = "no change"
		}
		if detail != "" {
			what = detail + ": " + what
		}
		entry.Action, entry.Detail = "draft", what
		if err := appendAudit(ctx, tx, entry); err != nil {
			return err
		}
		actions, details := store.OverrideEntries(prev, &saved)
		for i := range actions {
			entry.Action, entry.Detail = actions[i], details[i]
			if err := appendAudit(ctx, tx, entry); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save draft %q: %w", enc.ID, err)
	}
	enc.Revision = rev
	return nil
}

// staleError says who moved the encounter past base, from the audit log.
func staleError(ctx context.Context, tx pgx.Tx, id string, base, now int) error {
	e := &store.StaleError{Base: base, Revision: now}
	var at int64
	err := tx.QueryRow(ctx, `SELECT coder, at_ns FROM audit WHERE encounter_id = $1 AND revision = $2 AND action IN ('draft', 'import') ORDER BY seq DESC LIMIT 1`, id, now).Scan(&e.By, &at)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
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
	data := draft
	if data == nil {
		data = imported
	}
	prev := new(encounter.Encounter)
	if err := json.Unmarshal(data, prev); err != nil {
		return nil, fmt.Errorf("stored JSON: %w", err)
	}
	return prev, nil
}

// SetStatus moves the encounter to status under l (see store.CanMove).
func (s *Store) SetStatus(ctx context.Context, l store.Lease, status store.Status, detail string) error {
	err := s.write(ctx, func(tx pgx.Tx, now time.Time) error {
		r, err := checkLease(ctx, tx, l, now)
		if err != nil {
			return err
		}
		if r.status == status {
			return nil
		}
		if status == store.Exported {
			return fmt.Errorf("%w: %s -> exported happens by exporting", store.ErrTransition, r.status)
		}
		if r.pending != "" {
			return store.ErrExportPending
		}
		if !store.CanMove(r.status, status) {
			return fmt.Errorf("%w: %s -> %s", store.ErrTransition, r.status, status)
		}
		if _, err := tx.Exec(ctx, `UPDATE encounters SET status = $1, updated_ns = $2 WHERE id = $3`, string(status), nanos(now), l.EncounterID); err != nil {
			return err
		}
		what := fmt.Sprintf("%s -> %s", r.status, status)
		if detail != "" {
			what += ": " + detail
		}
		return appendAudit(ctx, tx, store.AuditEntry{EncounterID: l.EncounterID, Coder: l.Coder, At: now, Revision: r.revision, Action: "status", Detail: what})
	})
	if err != nil {
		return fmt.Errorf("set status of %q: %w", l.EncounterID, err)
	}
	return nil
}

// BeginExport records that revision is about to be published under key.
func (s *Store) BeginExport(ctx context.Context, l store.Lease, revision int, key string) error {
	if key == "" {
		return errors.New("begin export: empty key")
	}
	err := s.write(ctx, func(tx pgx.Tx, now time.Time) error {
		r, err := checkLease(ctx, tx, l, now)
		if err != nil {
			return err
		}
		switch {
		case r.pending == key:
			return nil // a retry of the same export
		case r.pending != "":
			return fmt.Errorf("%w (%s)", store.ErrExportPending, r.pending)
		case r.revision != revision:
			return fmt.Errorf("%w: revision %d, now %d", store.ErrStale, revision, r.revision)
		case r.status == store.Exported && r.exported == key:
			return nil // already done; MarkExported will say so too
		case !store.CanMove(r.status, store.Exported):
			return fmt.Errorf("%w: %s -> exported", store.ErrTransition, r.status)
		}
		if _, err := tx.Exec(ctx, `UPDATE encounters SET pending_export = $1, updated_ns = $2 WHERE id = $3`, key, nanos(now), l.EncounterID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, store.AuditEntry{EncounterID: l.EncounterID, Coder: l.Coder, At: now, Revision: r.revision,
			Action: "export", Detail: "export started as " + key})
	})
	if err != nil {
		return fmt.Errorf("begin export of %q: %w", l.EncounterID, err)
	}
	return nil
}

// MarkExported confirms the export begun under key.
func (s *Store) MarkExported(ctx context.Context, l store.Lease, key string) error {
	err := s.write(ctx, func(tx pgx.Tx, now time.Time) error {
		r, err := checkLease(ctx, tx, l, now)
		if err != nil {
			return err
		}
		if r.status == store.Exported && r.exported == key && r.pending == "" {
			return nil
		}
		if r.pending != key {
			return fmt.Errorf("no export started as %s (pending: %q)", key, r.pending)
		}
		if _, err := tx.Exec(ctx, `UPDATE encounters SET status = $1, export_key = $2, pending_export = '', updated_ns = $3 WHERE id = $4`,
			string(store.Exported), key, nanos(now), l.EncounterID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, store.AuditEntry{EncounterID: l.EncounterID, Coder: l.Coder, At: now, Revision: r.revision,
			Action: "export", Detail: fmt.Sprintf("exported to the billing queue as %s (%s -> %s)", key, r.status, store.Exported)})
	})
	if err != nil {
		return fmt.Errorf("mark %q exported: %w", l.EncounterID, err)
	}
	return nil
}
