package sqlite

import (
	"context"
	"database/sql"

	"codebench/encounter/store"
)

var _ store.Dumper = (*Store)(nil)

// Dump reads every encounter (id order) and audit entry (sequence order)
// in one read transaction, so the two agree.
func (s *Store) Dump(ctx context.Context, row func(store.Row) error, audit func(store.AuditEntry) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id, status, revision, imported, draft, lease_coder, lease_token, lease_until,
		pending_export, export_key, created_at, updated_at, revised_at FROM encounters ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r store.Row
		var status string
		var until, created, updated, revised int64
		if err := rows.Scan(&r.ID, &status, &r.Revision, &r.Imported, &r.Draft, &r.LeaseCoder, &r.LeaseToken, &until,
			&r.PendingExport, &r.ExportKey, &created, &updated, &revised); err != nil {
			return err
		}
		r.Status = store.Status(status)
		r.LeaseUntil, r.CreatedAt, r.UpdatedAt, r.RevisedAt = fromNanos(until), fromNanos(created), fromNanos(updated), fromNanos(revised)
		if err := row(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	arows, err := tx.QueryContext(ctx, `SELECT seq, encounter_id, coder, at, revision, action, detail FROM audit ORDER BY seq`)
	if err != nil {
		return err
	}
	defer arows.Close()
	for arows.Next() {
		var e store.AuditEntry
		var at int64
		if err := arows.Scan(&e.Seq, &e.EncounterID, &e.Coder, &at, &e.Revision, &e.Action, &e.Detail); err != nil {
			return err
		}
		e.At = fromNanos(at)
		if err := audit(e); err != nil {
			return err
		}
	}
	return arows.Err()
}
