package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"codebench/encounter"
)

func perm(t *testing.T, p string) os.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func TestStoreIsPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "w.db")
	s := openTest(t, path, nil)
	s.Add(ctx, sample("e", encounter.NewDate(2026, 3, 2)))
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if m := perm(t, p); m != 0o600 {
			t.Errorf("%s created %04o, want 0600", filepath.Base(p), m)
		}
	}
	if m := perm(t, dir); m != 0o700 {
		t.Errorf("directory created %04o, want 0700", m)
	}
	s.Close()

	// A store left readable by others is tightened at open, and says so.
	os.Chmod(dir, 0o755)
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.Chmod(p, 0o644)
	}
	var notes []string
	r, err := Open(path, WithNotice(func(m string) { notes = append(notes, m) }))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if perm(t, dir) != 0o700 || perm(t, path) != 0o600 {
		t.Fatalf("not tightened: dir %04o, store %04o", perm(t, dir), perm(t, path))
	}
	if len(notes) < 2 || !strings.Contains(strings.Join(notes, "\n"), "w.db held patient data readable by others (0644); tightened to 0600") {
		t.Fatalf("notices: %q", notes)
	}
}

func TestDamagedStoresRefused(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)
	if _, err := Open(empty); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "empty (0 bytes)") {
		t.Fatalf("0-byte store: %v", err)
	}
	if st, _ := os.Stat(empty); st.Size() != 0 {
		t.Fatal("the refused empty file was written to")
	}
	notDB := filepath.Join(dir, "notes.db")
	os.WriteFile(notDB, []byte(strings.Repeat("not a database\n", 400)), 0o600)
	if _, err := Open(notDB); !errors.Is(err, ErrDamaged) {
		t.Fatalf("a text file: %v", err)
	}

	// A real store with a page overwritten.
	path := filepath.Join(dir, "w.db")
	s := openTest(t, path, nil)
	for i := range 200 {
		e := sample(fmt.Sprintf("e%03d", i), encounter.NewDate(2026, 3, 2))
		e.Notes[0].Text = strings.Repeat("Type 2 diabetes with hyperglycemia. ", 40)
		if err := s.Add(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	s.Close() // checkpoints the WAL into the file
	data, _ := os.ReadFile(path)
	if len(data) < 64<<10 {
		t.Fatalf("store only %d bytes", len(data))
	}
	for i := 20 << 10; i < 28<<10; i++ {
		data[i] ^= 0x5a
	}
	os.WriteFile(path, data, 0o600)
	if _, err := Open(path); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "restore it from a backup") {
		t.Fatalf("damaged store: %v", err)
	}
}

// TestBackupOfALiveStore: a backup taken while coders save drafts is one
// consistent moment of the store (every draft's audit entry with it),
// private, checked, never overwriting; restoring is opening it.
func TestBackupOfALiveStore(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, filepath.Join(dir, "w.db"), nil)
	const encounters = 8
	for i := range encounters {
		s.Add(ctx, sample(fmt.Sprintf("e%d", i), encounter.NewDate(2026, 3, 2)))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range encounters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("e%d", i)
			l, err := s.Lease(ctx, id, "coder-"+id, time.Hour)
			if err != nil {
				t.Error(err)
				return
			}
			enc, _, _ := s.Get(ctx, id)
			for k := 1; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				enc.Lines = []encounter.ServiceLine{{Code: "99213", Units: k, Pointers: []int{}}}
				if err := s.SaveDraft(ctx, l, enc.Revision, enc, ""); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	backups := filepath.Join(dir, "backups")
	var infos []BackupInfo
	for i := range 3 {
		info, err := s.Backup(context.Background(), filepath.Join(backups, fmt.Sprintf("b%d.db", i)))
		if err != nil {
			close(stop)
			t.Fatal(err)
		}
		infos = append(infos, info)
	}
	close(stop)
	wg.Wait()
	if _, err := s.Backup(ctx, infos[0].Path); err == nil || !strings.Contains(err.Error(), "never overwrites") {
		t.Fatalf("backup over an existing file: %v", err)
	}
	for _, info := range infos {
		if perm(t, info.Path) != 0o600 || info.Encounters != encounters || info.Bytes == 0 {
			t.Fatalf("backup %+v, mode %04o", info, perm(t, info.Path))
		}
		r := openTest(t, info.Path, nil) // restoring is opening the copy
		for i := range encounters {
			id := fmt.Sprintf("e%d", i)
			enc, sum, err := r.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			audit, _ := r.Audit(ctx, id)
			drafts := 0
			for _, a := range audit {
				if a.Action == "draft" {
					drafts++
				}
			}
			if drafts != sum.Revision || sum.Revision > 0 && enc.Lines[0].Units != sum.Revision {
				t.Fatalf("%s in %s: revision %d, %d draft entries, units %v: not one moment", id, filepath.Base(info.Path), sum.Revision, drafts, enc.Lines)
			}
		}
	}
	if left, _ := filepath.Glob(filepath.Join(backups, ".*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}
