// Package postgres is the work store for several serve nodes: encounters,
// drafts, leases and the append-only audit log in one PostgreSQL
// database, behind the same store.Store contract as the SQLite store.
//
// Every change is one transaction that locks the encounter's row (SELECT
// ... FOR UPDATE), checks the lease's fencing token and appends its audit
// entries, so a node that lost its lease cannot write, and the log and
// the state never disagree. Leases expire by the database server's clock,
// one clock for every node. Changes to leases, statuses and revisions are
// announced with NOTIFY (see Watch).
//
// The schema belongs to an owner role (Setup); nodes connect as an
// application role that may only read and append the audit log.
package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"codebench/encounter"
	"codebench/encounter/store"
)

// SystemCoder is the audit actor for changes no coder made (imports).
const SystemCoder = "system"

// Store is a store.Store on a PostgreSQL database.
type Store struct {
	pool    *pgxpool.Pool
	cfg     *pgxpool.Config
	now     func() time.Time // nil: the database server's clock
	display string

	hub      store.Hub
	listenMu sync.Mutex
	stop     context.CancelFunc // ends the listener; nil until the first Watch
	stopped  chan struct{}
}

var (
	_ store.Store   = (*Store)(nil)
	_ store.Watcher = (*Store)(nil)
	_ store.Dumper  = (*Store)(nil)
	_ store.Loader  = (*Store)(nil)
)

// Option configures Open.
type Option func(*Store)

// WithClock replaces the database clock (tests of lease expiry).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithMaxConns caps the pool (default: pgxpool's, at least 4).
func WithMaxConns(n int32) Option { return func(s *Store) { s.cfg.MaxConns = n } }

// IsURL tells whether a --store value names a PostgreSQL database.
func IsURL(spec string) bool {
	scheme, _, ok := strings.Cut(spec, "://")
	return ok && (strings.EqualFold(scheme, "postgres") || strings.EqualFold(scheme, "postgresql"))
}

func parseConfig(dsn string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the DSN, password and all.
		return nil, fmt.Errorf("work store %s: not a valid PostgreSQL URL", Redact(dsn))
	}
	return cfg, nil
}

// Redact hides a password in a postgres:// URL for messages and logs.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// display names the database without secrets: user@host:port/db.
func display(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	host := c.Host
	if strings.HasPrefix(host, "/") {
		host = "unix:" + host
	}
	return fmt.Sprintf("postgres %s@%s:%d/%s", c.User, host, c.Port, c.Database)
}

// Open connects to the database dsn names (a postgres:// URL or key=value
// string; the password and TLS settings may come from PGPASSWORD,
// PGPASSFILE, PGSSLMODE, PGSSLROOTCERT and the other libpq variables)
// and checks that its schema is this codebench's.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg, err := parseConfig(dsn)
	if err != nil {
		return nil, err
	}
	s := &Store{cfg: cfg, display: display(cfg)}
	for _, o := range opts {
		o(s)
	}
	if cfg.MaxConns < 4 {
		cfg.MaxConns = 4
	}
	s.pool, err = pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("work store %s: %w", s.display, err)
	}
	if err := checkSchema(ctx, s.pool); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("work store %s: %w", s.display, err)
	}
	return s, nil
}

// String names the database without secrets.
func (s *Store) String() string { return s.display }

// Close stops the change listener and closes the pool.
func (s *Store) Close() error {
	s.listenMu.Lock()
	if s.stop != nil {
		s.stop()
		<-s.stopped
		s.stop = nil
	}
	s.listenMu.Unlock()
	s.pool.Close()
	return nil
}

// dbNow is the database server's clock in unix nanoseconds.
const dbNow = `((extract(epoch FROM clock_timestamp()) * 1000000)::bigint * 1000)`

// clock reads the time a change happens at.
func (s *Store) clock(ctx context.Context, q pgx.Tx) (time.Time, error) {
	if s.now != nil {
		return s.now(), nil
	}
	var ns int64
	if err := q.QueryRow(ctx, `SELECT `+dbNow).Scan(&ns); err != nil {
		return time.Time{}, err
	}
	return time.Unix(0, ns).UTC(), nil
}

// nowParam is the reader's clock for a query: the test clock, or -1 to
// ask the query for the server's (see nowExpr).
func (s *Store) nowParam() int64 {
	if s.now != nil {
		return nanos(s.now())
	}
	return -1
}

// nowExpr turns parameter $n of nowParam into nanoseconds.
func nowExpr(n int) string {
	return fmt.Sprintf(`(CASE WHEN $%d::bigint < 0 THEN %s ELSE $%d::bigint END)`, n, dbNow, n)
}

// write runs fn in one transaction; now is read at its start.
func (s *Store) write(ctx context.Context, fn func(tx pgx.Tx, now time.Time) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	now, err := s.clock(ctx, tx)
	if err != nil {
		return err
	}
	if err := fn(tx, now); err != nil {
		return err
	}
	return tx.Commit(ctx)
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

func appendAudit(ctx context.Context, tx pgx.Tx, e store.AuditEntry) error {
	_, err := tx.Exec(ctx, `INSERT INTO audit(encounter_id, coder, at_ns, revision, action, detail) VALUES ($1,$2,$3,$4,$5,$6)`,
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
	err = s.write(ctx, func(tx pgx.Tx, now time.Time) error {
		tag, err := tx.Exec(ctx, `INSERT INTO encounters(id, status, revision, imported, patient, provider, dos_from, dos_to, created_ns, updated_ns, revised_ns)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9,$9) ON CONFLICT (id) DO NOTHING`,
			enc.ID, string(store.New), enc.Revision, data, h.Patient, h.Provider, h.From, h.To, nanos(now))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return store.ErrExists
		}
		return appendAudit(ctx, tx, store.ImportEntry(enc, SystemCoder, now))
	})
	if err != nil {
		return fmt.Errorf("add encounter %s: %w", enc.ID, err)
	}
	return nil
}

// summaryColumns are read FROM summaryFrom: the reader's clock is
// evaluated once per query, not per row.
var (
	summaryColumns = `id, status, revision, patient, provider, dos_from, dos_to, lease_coder, lease_until_ns, updated_ns, revised_ns, export_key, pending_export, n.ns`
	summaryFrom    = ` FROM encounters, (SELECT ` + nowExpr(1) + `) AS n(ns)`
)

func scanSummary(row pgx.Row, extra ...any) (store.Summary, error) {
	var sum store.Summary
	var c store.Columns
	var now int64
	dest := append([]any{&sum.ID, &c.Status, &sum.Revision, &c.Patient, &c.Provider, &c.From, &c.To,
		&sum.LeasedBy, &c.LeaseUntil, &c.Updated, &c.Revised, &sum.ExportKey, &sum.PendingExport, &now}, extra...)
	if err := row.Scan(dest...); err != nil {
		return sum, err
	}
	return sum, c.Fill(&sum, fromNanos(now))
}

// List returns the worklist, oldest date of service first.
func (s *Store) List(ctx context.Context) ([]store.Summary, error) {
	return s.summaries(ctx, "worklist", ` ORDER BY dos_from, id`)
}

// summaries reads the summaries of the encounters that tail (a WHERE and
// ORDER BY, its parameters from $2: $1 is the store's now) selects; what
// names the read in errors.
func (s *Store) summaries(ctx context.Context, what, tail string, args ...any) ([]store.Summary, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+summaryColumns+summaryFrom+tail, append([]any{s.nowParam()}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []store.Summary
	for rows.Next() {
		sum, err := scanSummary(rows)
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
	sum, err := scanSummary(s.pool.QueryRow(ctx,
		`SELECT `+summaryColumns+`, imported, draft`+summaryFrom+` WHERE id = $2`, s.nowParam(), id), &imported, &draft)
	if errors.Is(err, pgx.ErrNoRows) {
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

func newToken() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Log appends an audit entry; At defaults to now and Revision to the
// encounter's current revision.
func (s *Store) Log(ctx context.Context, e store.AuditEntry) error {
	if err := store.CheckLogEntry(e); err != nil {
		return err
	}
	err := s.write(ctx, func(tx pgx.Tx, now time.Time) error {
		if e.At.IsZero() {
			e.At = now
		}
		if e.Revision == 0 {
			err := tx.QueryRow(ctx, `SELECT revision FROM encounters WHERE id = $1`, e.EncounterID).Scan(&e.Revision)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		return appendAudit(ctx, tx, e)
	})
	if err != nil {
		return fmt.Errorf("audit %q: %w", e.EncounterID, err)
	}
	return nil
}

// Audit returns the entries of one encounter, oldest first.
func (s *Store) Audit(ctx context.Context, id string) ([]store.AuditEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, encounter_id, coder, at_ns, revision, action, detail FROM audit WHERE encounter_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("audit %q: %w", id, err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("audit %q: %w", id, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit %q: %w", id, err)
	}
	return out, nil
}

func scanAudit(row pgx.Row) (store.AuditEntry, error) {
	var e store.AuditEntry
	var at int64
	err := row.Scan(&e.Seq, &e.EncounterID, &e.Coder, &at, &e.Revision, &e.Action, &e.Detail)
	e.At = fromNanos(at)
	return e, err
}

// Exec runs one SQL statement on the store's pool as its role (tests and
// administration; never with outside input).
func (s *Store) Exec(ctx context.Context, sql string, args ...any) error {
	_, err := s.pool.Exec(ctx, sql, args...)
	return err
}

// isCode tells whether err is a PostgreSQL error with that SQLSTATE.
func isCode(err error, code string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == code
}
