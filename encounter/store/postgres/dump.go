package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"codebench/encounter"
	"codebench/encounter/store"
)

// Dump reads every encounter (id order) and audit entry (sequence order)
// from one snapshot (a repeatable-read, read-only transaction).
func (s *Store) Dump(ctx context.Context, row func(store.Row) error, audit func(store.AuditEntry) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, `SELECT id, status, revision, imported, draft, lease_coder, lease_token, lease_until_ns,
		pending_export, export_key, created_ns, updated_ns, revised_ns FROM encounters ORDER BY id COLLATE "C"`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var r store.Row
		var status string
		var until, created, updated, revised int64
		if err := rows.Scan(&r.ID, &status, &r.Revision, &r.Imported, &r.Draft, &r.LeaseCoder, &r.LeaseToken, &until,
			&r.PendingExport, &r.ExportKey, &created, &updated, &revised); err != nil {
			rows.Close()
			return err
		}
		r.Status = store.Status(status)
		r.LeaseUntil, r.CreatedAt, r.UpdatedAt, r.RevisedAt = fromNanos(until), fromNanos(created), fromNanos(updated), fromNanos(revised)
		if err := row(r); err != nil {
			rows.Close()
			return err
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	arows, err := tx.Query(ctx, `SELECT seq, encounter_id, coder, at_ns, revision, action, detail FROM audit ORDER BY seq`)
	if err != nil {
		return err
	}
	defer arows.Close()
	for arows.Next() {
		e, err := scanAudit(arows)
		if err != nil {
			return err
		}
		if err := audit(e); err != nil {
			return err
		}
	}
	return arows.Err()
}

// Load copies a whole store in, in one transaction: it locks both tables
// against other writers, refuses a store holding any encounter or audit
// entry (store.ErrNotEmpty), keeps the audit sequence numbers and moves
// the sequence past them.
func (s *Store) Load(ctx context.Context, rows []store.Row, audit []store.AuditEntry) error {
	return s.write(ctx, func(tx pgx.Tx, _ time.Time) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE encounters, audit IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		var n int64
		if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM encounters) + (SELECT count(*) FROM audit)`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: %s holds %d encounters and audit entries", store.ErrNotEmpty, s.display, n)
		}
		var copied [][]any
		for _, r := range rows {
			data := r.Draft
			if data == nil {
				data = r.Imported
			}
			var enc encounter.Encounter
			if err := json.Unmarshal(data, &enc); err != nil {
				return fmt.Errorf("encounter %q: stored JSON: %w", r.ID, err)
			}
			h, err := store.HeaderOf(&enc)
			if err != nil {
				return fmt.Errorf("encounter %q: %w", r.ID, err)
			}
			copied = append(copied, []any{r.ID, string(r.Status), r.Revision, r.Imported, r.Draft, h.Patient, h.Provider, h.From, h.To,
				r.LeaseCoder, r.LeaseToken, nanos(r.LeaseUntil), r.PendingExport, r.ExportKey,
				nanos(r.CreatedAt), nanos(r.UpdatedAt), nanos(r.RevisedAt)})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"encounters"}, []string{"id", "status", "revision", "imported", "draft",
			"patient", "provider", "dos_from", "dos_to", "lease_coder", "lease_token", "lease_until_ns", "pending_export", "export_key",
			"created_ns", "updated_ns", "revised_ns"}, pgx.CopyFromRows(copied)); err != nil {
			return fmt.Errorf("copy encounters: %w", err)
		}
		entries := make([][]any, len(audit))
		var last int64
		for i, e := range audit {
			entries[i] = []any{e.Seq, e.EncounterID, e.Coder, nanos(e.At), e.Revision, e.Action, e.Detail}
			last = max(last, e.Seq)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit"}, []string{"seq", "encounter_id", "coder", "at_ns", "revision", "action", "detail"},
			pgx.CopyFromRows(entries)); err != nil {
			return fmt.Errorf("copy audit: %w", err)
		}
		if last > 0 {
			if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('audit', 'seq'), $1)`, last); err != nil {
				return fmt.Errorf("audit sequence: %w", err)
			}
		}
		return nil
	})
}
