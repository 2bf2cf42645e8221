package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
)

// BackupInfo says what a backup holds.
type BackupInfo struct {
	Path       string
	Bytes      int64
	Encounters int
	AuditRows  int
}

// Backup writes a consistent copy of the live store to dest (VACUUM INTO:
// one read transaction, so writers in this and other processes go on and
// the copy is the store as of one moment). The copy is written 0600 under
// a temporary name, synced, checked (PRAGMA quick_check, row counts) and
// only then renamed to dest. dest must not exist: a backup never
// overwrites one.
func (s *Store) Backup(ctx context.Context, dest string) (BackupInfo, error) {
	info := BackupInfo{Path: dest}
	fail := func(err error) (BackupInfo, error) {
		return info, fmt.Errorf("backup of %s to %s: %w", s.path, dest, err)
	}
	if _, err := os.Lstat(dest); err == nil {
		return fail(errors.New("the file exists; a backup never overwrites one (choose a new name)"))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fail(err)
	}
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fail(err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".tmp-*") // 0600, empty: what VACUUM INTO wants
	if err != nil {
		return fail(err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	done := false
	defer func() {
		if !done {
			os.Remove(tmpPath)
		}
	}()
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", tmpPath); err != nil {
		return fail(err)
	}
	if err := syncFile(tmpPath); err != nil {
		return fail(err)
	}
	if info.Encounters, info.AuditRows, err = verifyCopy(ctx, tmpPath); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmpPath, dest); err != nil {
		return fail(err)
	}
	done = true
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	if st, err := os.Stat(dest); err == nil {
		info.Bytes = st.Size()
	}
	return info, nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// verifyCopy opens a copy read-only, checks it and counts its rows.
func verifyCopy(ctx context.Context, path string) (encounters, audit int, err error) {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	if err := quickCheck(db); err != nil {
		return 0, 0, fmt.Errorf("the copy does not check: %w", err)
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM encounters").Scan(&encounters); err != nil {
		return 0, 0, err
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM audit").Scan(&audit); err != nil {
		return 0, 0, err
	}
	return encounters, audit, nil
}
