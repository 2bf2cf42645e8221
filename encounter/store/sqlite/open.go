package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"codebench/encounter/phifile"
)

// Option configures Open.
type Option func(*Store)

// WithClock replaces the wall clock (tests of lease expiry).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithNotice receives a line for each permission Open tightened on the
// store, its directory or its -wal and -shm files.
func WithNotice(n func(msg string)) Option { return func(s *Store) { s.notice = n } }

// ErrDamaged: the file is not a usable work store (empty, not SQLite, or
// failing its integrity check). Open refuses it rather than start over.
var ErrDamaged = errors.New("damaged work store")

// Open opens or creates the store at path. The store holds patient data:
// a new store is created 0600 in a 0700 directory, and an existing one
// found readable by others is tightened (WithNotice says so). An existing
// file that is empty, is not a SQLite database or fails PRAGMA
// quick_check is refused (ErrDamaged), never treated as a new store.
func Open(path string, opts ...Option) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("work store %s: %w", path, err)
	}
	s := &Store{path: abs, now: time.Now, hub: hubFor(abs)}
	for _, o := range opts {
		o(s)
	}
	fail := func(err error) (*Store, error) { return nil, fmt.Errorf("work store %s: %w", path, err) }
	if err := phifile.MkdirAll(filepath.Dir(abs), s.notice); err != nil {
		return fail(err)
	}
	created, err := createPrivate(abs)
	if err != nil {
		return fail(err)
	}
	if !created {
		if err := checkNotEmpty(abs); err != nil {
			return fail(err)
		}
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
		return fail(err)
	}
	// Writers queue on mu; readers share a bounded pool, each connection
	// with its own page cache.
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(4)
	s.db = db
	if err := quickCheck(db); err != nil {
		db.Close()
		return fail(err)
	}
	// SQLite gives -wal and -shm the main file's mode; older stores may
	// have looser ones.
	if err := phifile.TightenAll(s.notice, abs, abs+"-wal", abs+"-shm"); err != nil {
		db.Close()
		return fail(err)
	}
	if err := s.migrate(); err != nil {
		db.Close()
		return fail(err)
	}
	return s, nil
}

// createPrivate creates the store file 0600 if there is none; it reports
// whether it did (a new store).
func createPrivate(path string) (bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, phifile.FileMode)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, f.Close()
}

// checkNotEmpty refuses an existing store file of 0 bytes (truncated, or
// a copy that went wrong) unless its write-ahead log holds the data.
func checkNotEmpty(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%w: not a regular file", ErrDamaged)
	}
	if st.Size() > 0 {
		return nil
	}
	if wal, err := os.Stat(path + "-wal"); err == nil && wal.Size() > 0 {
		return nil
	}
	return fmt.Errorf("%w: the file is empty (0 bytes), so it holds no encounters, drafts or audit log; restore it from a backup (codebench store backup), or delete it to start an empty store", ErrDamaged)
}

// quickCheck runs PRAGMA quick_check: a file that is not SQLite, or whose
// pages or indexes are damaged, is refused.
func quickCheck(db *sql.DB) error {
	rows, err := db.Query("PRAGMA quick_check")
	if err != nil {
		return fmt.Errorf("%w: %v; restore it from a backup", ErrDamaged, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("%w: %v", ErrDamaged, err)
		}
		if line != "ok" && len(problems) < 5 {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%w: %v; restore it from a backup", ErrDamaged, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: PRAGMA quick_check found: %s; restore it from a backup", ErrDamaged, strings.Join(problems, "; "))
	}
	return nil
}
