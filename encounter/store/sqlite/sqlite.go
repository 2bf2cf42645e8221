// Package sqlite is the default work store: one SQLite file (pure Go,
// modernc.org/sqlite) in WAL mode, safe for many coder sessions in one
// process and for several processes sharing the file.
//
// Every change is one transaction that also appends its audit entries, so
// the log and the state never disagree. The audit table refuses UPDATE and
// DELETE by trigger.
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"codebench/encounter"
	"codebench/encounter/store"
)

// BusyTimeout is how long a write waits for another process's transaction
// before failing.
const BusyTimeout = 10 * time.Second

// schemaVersion is kept in PRAGMA user_version.
const schemaVersion = 1

const schema = `
CREATE TABLE IF NOT EXISTS encounters (
	id             TEXT PRIMARY KEY,
	status         TEXT NOT NULL,
	revision       INTEGER NOT NULL,
	imported       BLOB NOT NULL,  -- encounter JSON as imported
	draft          BLOB,           -- latest saved encounter JSON, NULL before the first draft
	patient        TEXT NOT NULL,  -- JSON, for the worklist
	provider       TEXT NOT NULL,  -- JSON
	dos_from       TEXT NOT NULL,  -- YYYY-MM-DD sorts as text
	dos_to         TEXT NOT NULL,
	lease_coder    TEXT NOT NULL DEFAULT '',
	lease_token    TEXT NOT NULL DEFAULT '',
	lease_until    INTEGER NOT NULL DEFAULT 0, -- unix nanoseconds
	pending_export TEXT NOT NULL DEFAULT '',
	export_key     TEXT NOT NULL DEFAULT '',
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	revised_at     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS encounters_worklist ON encounters(dos_from, id);
CREATE TABLE IF NOT EXISTS audit (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	encounter_id TEXT NOT NULL,
	coder        TEXT NOT NULL,
	at           INTEGER NOT NULL,
	revision     INTEGER NOT NULL,
	action       TEXT NOT NULL,
	detail       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_encounter ON audit(encounter_id, seq);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
`

// SystemCoder is the audit actor for changes no coder made (imports).
const SystemCoder = "system"

// Store is a store.Store on one SQLite file.
type Store struct {
	db   *sql.DB
	path string
	now  func() time.Time
	// mu serialises this process's writers so they queue here instead of
	// polling SQLite's busy handler; other processes still wait on the
	// file lock (BusyTimeout).
	mu sync.Mutex
	// hub announces changes to watchers in this process (watch.go).
	hub *store.Hub
	// notice hears of permissions tightened at open.
	notice func(string)
}

var _ store.Store = (*Store)(nil)

// Path is the database file.
func (s *Store) Path() string { return s.path }

func (s *Store) migrate() error {
	return s.write(context.Background(), func(tx *sql.Tx, _ time.Time) error {
		var v int
		if err := tx.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
			return err
		}
		if v > schemaVersion {
			return fmt.Errorf("schema version %d is newer than this codebench (%d); upgrade codebench", v, schemaVersion)
		}
		if _, err := tx.Exec(schema + controlSchema); err != nil {
			return err
		}
		_, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", schemaVersion))
		return err
	})
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// write runs fn in one write transaction; now is read once the write lock
// is held, so lease checks see the time of the change.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx, now time.Time) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx, s.now()); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func appendAudit(tx *sql.Tx, e store.AuditEntry) error {
	_, err := tx.Exec(`INSERT INTO audit(encounter_id, coder, at, revision, action, detail) VALUES (?,?,?,?,?,?)`,
		e.EncounterID, e.Coder, nanos(e.At), e.Revision, e.Action, e.Detail)
	return err
}

// Add stores a newly imported encounter with status New.
func (s *Store) Add(ctx context.Context, enc *encounter.Encounter) error {
	if strings.TrimSpace(enc.ID) == "" {
		return errors.New("add encounter: empty id")
	}
	data, err := json.Marshal(enc)
	if err != nil {
		return fmt.Errorf("add encounter %s: %w", enc.ID, err)
	}
	h, err := store.HeaderOf(enc)
	if err != nil {
		return fmt.Errorf("add encounter %s: %w", enc.ID, err)
	}
	err = s.change(ctx, enc.ID, func(tx *sql.Tx, now time.Time) error {
		res, err := tx.Exec(`INSERT INTO encounters(id, status, revision, imported, patient, provider, dos_from, dos_to, created_at, updated_at, revised_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING`,
			enc.ID, store.New, enc.Revision, data, h.Patient, h.Provider, h.From, h.To, nanos(now), nanos(now), nanos(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrExists
		}
		return appendAudit(tx, store.ImportEntry(enc, SystemCoder, now))
	})
	if err != nil {
		return fmt.Errorf("add encounter %s: %w", enc.ID, err)
	}
	return nil
}

const summaryColumns = `id, status, revision, patient, provider, dos_from, dos_to, lease_coder, lease_until, updated_at, revised_at, export_key, pending_export`

type scanner interface{ Scan(dest ...any) error }

func (s *Store) scanSummary(row scanner, extra ...any) (store.Summary, error) {
	var sum store.Summary
	var c store.Columns
	dest := append([]any{&sum.ID, &c.Status, &sum.Revision, &c.Patient, &c.Provider, &c.From, &c.To,
		&sum.LeasedBy, &c.LeaseUntil, &c.Updated, &c.Revised, &sum.ExportKey, &sum.PendingExport}, extra...)
	if err := row.Scan(dest...); err != nil {
		return sum, err
	}
	return sum, c.Fill(&sum, s.now())
}

// List returns the worklist, oldest date of service first.
func (s *Store) List(ctx context.Context) ([]store.Summary, error) {
	return s.summaries(ctx, "worklist", `ORDER BY dos_from, id`)
}

// summaries reads the summaries of the encounters that tail (a WHERE and
// ORDER BY) selects; what names the read in errors.
func (s *Store) summaries(ctx context.Context, what, tail string, args ...any) ([]store.Summary, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+summaryColumns+` FROM encounters `+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []store.Summary
	for rows.Next() {
		sum, err := s.scanSummary(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, sum)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// Get returns the latest saved state: the draft if any, else the imported
// encounter, with Revision set to the stored revision.
func (s *Store) Get(ctx context.Context, id string) (*encounter.Encounter, store.Summary, error) {
	var imported, draft []byte
	sum, err := s.scanSummary(s.db.QueryRowContext(ctx,
		`SELECT `+summaryColumns+`, imported, draft FROM encounters WHERE id = ?`, id), &imported, &draft)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Summary{}, fmt.Errorf("encounter %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, store.Summary{}, fmt.Errorf("encounter %q: %w", id, err)
	}
	enc, err := store.Latest(imported, draft)
	if err != nil {
		return nil, sum, fmt.Errorf("encounter %q: %w", id, err)
	}
	enc.Revision = sum.Revision
	return enc, sum, nil
}

// readLeaseRow reads what every leased change checks (store.RowState);
// the caller holds the write lock.
func readLeaseRow(tx *sql.Tx, id string) (store.RowState, error) {
	var r store.RowState
	var status string
	var until int64
	err := tx.QueryRow(`SELECT status, revision, lease_coder, lease_token, lease_until, pending_export, export_key FROM encounters WHERE id = ?`, id).
		Scan(&status, &r.Revision, &r.Coder, &r.Token, &until, &r.Pending, &r.Exported)
	if errors.Is(err, sql.ErrNoRows) {
		return r, store.ErrNotFound
	}
	r.Status, r.Until = store.Status(status), fromNanos(until)
	return r, err
}

// checkLease reads the row of l's encounter and requires l to be in force.
func checkLease(tx *sql.Tx, l store.Lease, now time.Time) (store.RowState, error) {
	r, err := readLeaseRow(tx, l.EncounterID)
	if err != nil {
		return r, err
	}
	return r, r.CheckLease(l, now)
}

func newToken() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
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
	err := s.change(ctx, id, func(tx *sql.Tx, now time.Time) error {
		r, err := readLeaseRow(tx, id)
		if err != nil {
			return err
		}
		detail, err := store.DecideLease(r, id, coder, takeOver, now)
		if err != nil {
			return err
		}
		l = store.Lease{EncounterID: id, Coder: coder, Token: newToken(), Until: now.Add(ttl)}
		if _, err := tx.Exec(`UPDATE encounters SET lease_coder = ?, lease_token = ?, lease_until = ? WHERE id = ?`,
			coder, l.Token, nanos(l.Until), id); err != nil {
			return err
		}
		return appendAudit(tx, store.AuditEntry{EncounterID: id, Coder: coder, At: now, Revision: r.Revision, Action: "lease", Detail: detail})
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
	err := s.write(ctx, func(tx *sql.Tx, now time.Time) error {
		if _, err := checkLease(tx, l, now); err != nil {
			return err
		}
		l.Until = now.Add(ttl)
		_, err := tx.Exec(`UPDATE encounters SET lease_until = ? WHERE id = ? AND lease_token = ?`, nanos(l.Until), l.EncounterID, l.Token)
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
	err := s.change(ctx, l.EncounterID, func(tx *sql.Tx, now time.Time) error {
		r, err := readLeaseRow(tx, l.EncounterID)
		if err != nil {
			return err
		}
		if l.Token == "" || r.Token != l.Token {
			return nil
		}
		if _, err := tx.Exec(`UPDATE encounters SET lease_coder = '', lease_token = '', lease_until = 0 WHERE id = ?`, l.EncounterID); err != nil {
			return err
		}
		return appendAudit(tx, store.AuditEntry{EncounterID: l.EncounterID, Coder: l.Coder, At: now, Revision: r.Revision, Action: "release", Detail: "released"})
	})
	if err != nil {
		return fmt.Errorf("release %q: %w", l.EncounterID, err)
	}
	return nil
}

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
	err = s.change(ctx, enc.ID, func(tx *sql.Tx, now time.Time) error {
		r, err := readLeaseRow(tx, enc.ID)
		if err != nil {
			return err
		}
		if err := store.CheckDraft(r, l, base, enc, now); err != nil {
			return staleBy(tx, enc.ID, err)
		}
		prev, err := previous(tx, enc.ID)
		if err != nil {
			return err
		}
		plan, err := store.PlanDraft(r, l, prev, enc, detail, now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE encounters SET draft = ?, revision = ?, status = ?, patient = ?, provider = ?, dos_from = ?, dos_to = ?, updated_at = ?, revised_at = ? WHERE id = ?`,
			plan.JSON, plan.Revision, store.InProgress, h.Patient, h.Provider, h.From, h.To, nanos(now), nanos(now), enc.ID); err != nil {
			return err
		}
		for _, e := range plan.Entries {
			if err := appendAudit(tx, e); err != nil {
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
func staleBy(tx *sql.Tx, id string, err error) error {
	var e *store.StaleError
	if !errors.As(err, &e) {
		return err
	}
	var at int64
	qerr := tx.QueryRow(`SELECT coder, at FROM audit WHERE encounter_id = ? AND revision = ? AND action IN ('draft', 'import') ORDER BY seq DESC LIMIT 1`, id, e.Revision).Scan(&e.By, &at)
	if qerr != nil && !errors.Is(qerr, sql.ErrNoRows) {
		return qerr
	}
	e.At = fromNanos(at)
	return e
}

// previous reads the state a draft replaces, for the audit diff.
func previous(tx *sql.Tx, id string) (*encounter.Encounter, error) {
	var imported, draft []byte
	if err := tx.QueryRow(`SELECT imported, draft FROM encounters WHERE id = ?`, id).Scan(&imported, &draft); err != nil {
		return nil, err
	}
	return store.Latest(imported, draft)
}

// SetStatus moves the encounter to status under l (see store.CanMove).
func (s *Store) SetStatus(ctx context.Context, l store.Lease, status store.Status, detail string) error {
	err := s.change(ctx, l.EncounterID, func(tx *sql.Tx, now time.Time) error {
		r, err := readLeaseRow(tx, l.EncounterID)
		if err != nil {
			return err
		}
		entry, err := store.DecideStatus(r, l, status, detail, now)
		if err != nil || entry == nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE encounters SET status = ?, updated_at = ? WHERE id = ?`, status, nanos(now), l.EncounterID); err != nil {
			return err
		}
		return appendAudit(tx, *entry)
	})
	if err != nil {
		return fmt.Errorf("set status of %q: %w", l.EncounterID, err)
	}
	return nil
}

// BeginExport records that revision is about to be published under key.
func (s *Store) BeginExport(ctx context.Context, l store.Lease, revision int, key string) error {
	err := s.change(ctx, l.EncounterID, func(tx *sql.Tx, now time.Time) error {
		r, err := readLeaseRow(tx, l.EncounterID)
		if err != nil {
			return err
		}
		entry, err := store.DecideBeginExport(r, l, revision, key, now)
		if err != nil || entry == nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE encounters SET pending_export = ?, updated_at = ? WHERE id = ?`, key, nanos(now), l.EncounterID); err != nil {
			return err
		}
		return appendAudit(tx, *entry)
	})
	if err != nil {
		return fmt.Errorf("begin export of %q: %w", l.EncounterID, err)
	}
	return nil
}

// MarkExported confirms the export begun under key.
func (s *Store) MarkExported(ctx context.Context, l store.Lease, key string) error {
	err := s.change(ctx, l.EncounterID, func(tx *sql.Tx, now time.Time) error {
		r, err := readLeaseRow(tx, l.EncounterID)
		if err != nil {
			return err
		}
		entry, err := store.DecideMarkExported(r, l, key, now)
		if err != nil || entry == nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE encounters SET status = ?, export_key = ?, pending_export = '', updated_at = ? WHERE id = ?`,
			store.Exported, key, nanos(now), l.EncounterID); err != nil {
			return err
		}
		return appendAudit(tx, *entry)
	})
	if err != nil {
		return fmt.Errorf("mark %q exported: %w", l.EncounterID, err)
	}
	return nil
}

// Log appends an audit entry; At defaults to now and Revision to the
// encounter's current revision.
func (s *Store) Log(ctx context.Context, e store.AuditEntry) error {
	if err := store.CheckLogEntry(e); err != nil {
		return err
	}
	err := s.write(ctx, func(tx *sql.Tx, now time.Time) error {
		if e.At.IsZero() {
			e.At = now
		}
		if e.Revision == 0 {
			if err := tx.QueryRow(`SELECT revision FROM encounters WHERE id = ?`, e.EncounterID).Scan(&e.Revision); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		return appendAudit(tx, e)
	})
	if err != nil {
		return fmt.Errorf("audit %q: %w", e.EncounterID, err)
	}
	return nil
}

// Audit returns the entries of one encounter, oldest first.
func (s *Store) Audit(ctx context.Context, id string) ([]store.AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, encounter_id, coder, at, revision, action, detail FROM audit WHERE encounter_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("audit %q: %w", id, err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		var at int64
		if err := rows.Scan(&e.Seq, &e.EncounterID, &e.Coder, &at, &e.Revision, &e.Action, &e.Detail); err != nil {
			return nil, fmt.Errorf("audit %q: %w", id, err)
		}
		e.At = fromNanos(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit %q: %w", id, err)
	}
	return out, nil
}
