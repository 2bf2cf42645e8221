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
	"net/url"
	"os"
	"path/filepath"
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
}

var _ store.Store = (*Store)(nil)

// Option configures Open.
type Option func(*Store)

// WithClock replaces the wall clock (tests of lease expiry).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// Open opens or creates the store at path (its directory is created).
func Open(path string, opts ...Option) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("work store %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("work store %s: %w", path, err)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	// FULL: a commit is on disk when it returns, so an acknowledged draft
	// survives power loss too, not only a crash of the process.
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate") // take the write lock at BEGIN: no upgrade deadlocks
	dsn := "file:" + (&url.URL{Path: abs}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("work store %s: %w", path, err)
	}
	// Writers queue on mu; readers share a bounded pool, each connection
	// with its own page cache.
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(4)
	s := &Store{db: db, path: abs, now: time.Now, hub: hubFor(abs)}
	for _, o := range opts {
		o(s)
	}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, fmt.Errorf("work store %s: %w", path, err)
	}
	return s, nil
}

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

// header holds the worklist columns of an encounter.
type header struct {
	patient, provider []byte
	from, to          string
}

func headerOf(enc *encounter.Encounter) (header, error) {
	p, err := json.Marshal(enc.Patient)
	if err != nil {
		return header{}, err
	}
	v, err := json.Marshal(enc.Provider)
	if err != nil {
		return header{}, err
	}
	return header{patient: p, provider: v, from: enc.Service.From.String(), to: enc.Service.To.String()}, nil
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
	h, err := headerOf(enc)
	if err != nil {
		return fmt.Errorf("add encounter %s: %w", enc.ID, err)
	}
	err = s.change(ctx, enc.ID, func(tx *sql.Tx, now time.Time) error {
		res, err := tx.Exec(`INSERT INTO encounters(id, status, revision, imported, patient, provider, dos_from, dos_to, created_at, updated_at, revised_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING`,
			enc.ID, store.New, enc.Revision, data, h.patient, h.provider, h.from, h.to, nanos(now), nanos(now), nanos(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrExists
		}
		return appendAudit(tx, store.AuditEntry{EncounterID: enc.ID, Coder: SystemCoder, At: now, Revision: enc.Revision,
			Action: "import", Detail: fmt.Sprintf("imported: %d notes, %d diagnoses, %d service lines", len(enc.Notes), len(enc.Diagnoses), len(enc.Lines))})
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
	var status, from, to string
	var patient, provider []byte
	var leaseUntil, updated, revised int64
	dest := append([]any{&sum.ID, &status, &sum.Revision, &patient, &provider, &from, &to,
		&sum.LeasedBy, &leaseUntil, &updated, &revised, &sum.ExportKey, &sum.PendingExport}, extra...)
	if err := row.Scan(dest...); err != nil {
		return sum, err
	}
	sum.Status = store.Status(status)
	if err := json.Unmarshal(patient, &sum.Patient); err != nil {
		return sum, fmt.Errorf("encounter %s: patient: %w", sum.ID, err)
	}
	if err := json.Unmarshal(provider, &sum.Provider); err != nil {
		return sum, fmt.Errorf("encounter %s: provider: %w", sum.ID, err)
	}
	var err error
	if sum.Service.From, err = parseDate(from); err != nil {
		return sum, fmt.Errorf("encounter %s: %w", sum.ID, err)
	}
	if sum.Service.To, err = parseDate(to); err != nil {
		return sum, fmt.Errorf("encounter %s: %w", sum.ID, err)
	}
	sum.UpdatedAt, sum.RevisedAt = fromNanos(updated), fromNanos(revised)
	// An expired lease is nobody's.
	if until := fromNanos(leaseUntil); sum.LeasedBy != "" && until.After(s.now()) {
		sum.LeaseUntil = until
	} else {
		sum.LeasedBy = ""
	}
	return sum, nil
}

func parseDate(s string) (encounter.Date, error) {
	if s == "" {
		return encounter.Date{}, nil
	}
	return encounter.ParseDate(s)
}

// List returns the worklist, oldest date of service first.
func (s *Store) List(ctx context.Context) ([]store.Summary, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+summaryColumns+` FROM encounters ORDER BY dos_from, id`)
	if err != nil {
		return nil, fmt.Errorf("worklist: %w", err)
	}
	defer rows.Close()
	var out []store.Summary
	for rows.Next() {
		sum, err := s.scanSummary(rows)
		if err != nil {
			return nil, fmt.Errorf("worklist: %w", err)
		}
		out = append(out, sum)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("worklist: %w", err)
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
	data := draft
	if data == nil {
		data = imported
	}
	enc := new(encounter.Encounter)
	if err := json.Unmarshal(data, enc); err != nil {
		return nil, sum, fmt.Errorf("encounter %q: stored JSON: %w", id, err)
	}
	enc.Revision = sum.Revision
	return enc, sum, nil
}

// leaseRow is the part of a row every leased change checks.
type leaseRow struct {
	status   store.Status
	revision int
	coder    string
	token    string
	until    time.Time
	pending  string
	exported string
}

func readLeaseRow(tx *sql.Tx, id string) (leaseRow, error) {
	var r leaseRow
	var status string
	var until int64
	err := tx.QueryRow(`SELECT status, revision, lease_coder, lease_token, lease_until, pending_export, export_key FROM encounters WHERE id = ?`, id).
		Scan(&status, &r.revision, &r.coder, &r.token, &until, &r.pending, &r.exported)
	if errors.Is(err, sql.ErrNoRows) {
		return r, store.ErrNotFound
	}
	r.status, r.until = store.Status(status), fromNanos(until)
	return r, err
}

// held tells whether l is the lease currently in force on the row.
func (r leaseRow) held(l store.Lease, now time.Time) bool {
	return l.Token != "" && r.token == l.Token && r.until.After(now)
}

// checkLease reads the row of l's encounter and requires l to be in force.
func checkLease(tx *sql.Tx, l store.Lease, now time.Time) (leaseRow, error) {
	r, err := readLeaseRow(tx, l.EncounterID)
	if err != nil {
		return r, err
	}
	if !r.held(l, now) {
		return r, store.ErrLeaseLost
	}
	return r, nil
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
	if strings.TrimSpace(coder) == "" {
		return store.Lease{}, errors.New("lease: empty coder id")
	}
	if ttl <= 0 {
		return store.Lease{}, fmt.Errorf("lease: ttl %v must be positive", ttl)
	}
	var l store.Lease
	err := s.change(ctx, id, func(tx *sql.Tx, now time.Time) error {
		r, err := readLeaseRow(tx, id)
		if err != nil {
			return err
		}
		live := r.token != "" && r.until.After(now)
		if live && !(takeOver && r.coder == coder) {
			return &store.LeasedError{EncounterID: id, Coder: r.coder, Until: r.until}
		}
		l = store.Lease{EncounterID: id, Coder: coder, Token: newToken(), Until: now.Add(ttl)}
		if _, err := tx.Exec(`UPDATE encounters SET lease_coder = ?, lease_token = ?, lease_until = ? WHERE id = ?`,
			coder, l.Token, nanos(l.Until), id); err != nil {
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
		return appendAudit(tx, store.AuditEntry{EncounterID: id, Coder: coder, At: now, Revision: r.revision, Action: "lease", Detail: detail})
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
		if l.Token == "" || r.token != l.Token {
			return nil
		}
		if _, err := tx.Exec(`UPDATE encounters SET lease_coder = '', lease_token = '', lease_until = 0 WHERE id = ?`, l.EncounterID); err != nil {
			return err
		}
		return appendAudit(tx, store.AuditEntry{EncounterID: l.EncounterID, Coder: l.Coder, At: now, Revision: r.revision, Action: "release", Detail: "released"})
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
	h, err := headerOf(enc)
	if err != nil {
		return fmt.Errorf("save draft %q: %w", enc.ID, err)
	}
	var rev int
	err = s.change(ctx, enc.ID, func(tx *sql.Tx, now time.Time) error {
		r, err := checkLease(tx, l, now)
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
			return staleError(tx, enc.ID, base, r.revision)
		}
		prev, err := previous(tx, enc.ID)
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
		if _, err := tx.Exec(`UPDATE encounters SET draft = ?, revision = ?, status = ?, patient = ?, provider = ?, dos_from = ?, dos_to = ?, updated_at = ?, revised_at = ? WHERE id = ?`,
			data, rev, store.InProgress, h.patient, h.provider, h.from, h.to, nanos(now), nanos(now), enc.ID); err != nil {
			return err
		}
		entry := store.AuditEntry{EncounterID: enc.ID, Coder: l.Coder, At: now, Revision: rev}
		if r.status != store.InProgress {
			entry.Action, entry.Detail = "status", fmt.Sprintf("%s -> %s", r.status, store.InProgress)
			if err := appendAudit(tx, entry); err != nil {
				return err
			}
		}
		changes := store.Changes(prev, &saved)
		what := strings.Join(changes, "; ")
		if what == "" {
			what = "no change"
		}
		if detail != "" {
			what = detail + ": " + what
		}
		entry.Action, entry.Detail = "draft", what
		if err := appendAudit(tx, entry); err != nil {
			return err
		}
		actions, details := store.OverrideEntries(prev, &saved)
		for i := range actions {
			entry.Action, entry.Detail = actions[i], details[i]
			if err := appendAudit(tx, entry); err != nil {
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
func staleError(tx *sql.Tx, id string, base, now int) error {
	e := &store.StaleError{Base: base, Revision: now}
	var at int64
	err := tx.QueryRow(`SELECT coder, at FROM audit WHERE encounter_id = ? AND revision = ? AND action IN ('draft', 'import') ORDER BY seq DESC LIMIT 1`, id, now).Scan(&e.By, &at)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
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
	err := s.change(ctx, l.EncounterID, func(tx *sql.Tx, now time.Time) error {
		r, err := checkLease(tx, l, now)
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
		if _, err := tx.Exec(`UPDATE encounters SET status = ?, updated_at = ? WHERE id = ?`, status, nanos(now), l.EncounterID); err != nil {
			return err
		}
		what := fmt.Sprintf("%s -> %s", r.status, status)
		if detail != "" {
			what += ": " + detail
		}
		return appendAudit(tx, store.AuditEntry{EncounterID: l.EncounterID, Coder: l.Coder, At: now, Revision: r.revision, Action: "status", Detail: what})
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
	err := s.change(ctx, l.EncounterID, func(tx *sql.Tx, now time.Time) error {
		r, err := checkLease(tx, l, now)
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
		if _, err := tx.Exec(`UPDATE encounters SET pending_export = ?, updated_at = ? WHERE id = ?`, key, nanos(now), l.EncounterID); err != nil {
			return err
		}
		return appendAudit(tx, store.AuditEntry{EncounterID: l.EncounterID, Coder: l.Coder, At: now, Revision: r.revision,
			Action: "export", Detail: "export started as " + key})
	})
	if err != nil {
		return fmt.Errorf("begin export of %q: %w", l.EncounterID, err)
	}
	return nil
}

// MarkExported confirms the export begun under key.
func (s *Store) MarkExported(ctx context.Context, l store.Lease, key string) error {
	err := s.change(ctx, l.EncounterID, func(tx *sql.Tx, now time.Time) error {
		r, err := checkLease(tx, l, now)
		if err != nil {
			return err
		}
		if r.status == store.Exported && r.exported == key && r.pending == "" {
			return nil
		}
		if r.pending != key {
			return fmt.Errorf("no export started as %s (pending: %q)", key, r.pending)
		}
		if _, err := tx.Exec(`UPDATE encounters SET status = ?, export_key = ?, pending_export = '', updated_at = ? WHERE id = ?`,
			store.Exported, key, nanos(now), l.EncounterID); err != nil {
			return err
		}
		return appendAudit(tx, store.AuditEntry{EncounterID: l.EncounterID, Coder: l.Coder, At: now, Revision: r.revision,
			Action: "export", Detail: fmt.Sprintf("exported to the billing queue as %s (%s -> %s)", key, r.status, store.Exported)})
	})
	if err != nil {
		return fmt.Errorf("mark %q exported: %w", l.EncounterID, err)
	}
	return nil
}

// Log appends an audit entry; At defaults to now and Revision to the
// encounter's current revision.
func (s *Store) Log(ctx context.Context, e store.AuditEntry) error {
	if e.EncounterID == "" || e.Action == "" {
		return errors.New("audit: entry needs an encounter id and an action")
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
