package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codebench/encounter/store"
	"codebench/encounter/store/postgres"
	"codebench/encounter/store/postgres/pgtest"
	"codebench/encounter/store/sqlite"
)

// TestStoreInitAndMigrate: `store init` sets up the schema as the owner
// and is idempotent; `store migrate` copies a worked SQLite store into
// it, says what it verified, and refuses to copy into it again; the
// application role then serves the copy.
func TestStoreInitAndMigrate(t *testing.T) {
	db := pgtest.Require(t).NewDatabase(t)
	t.Setenv(StoreEnv, db.OwnerDSN())
	code, out, errOut := runCmd(t, "store", "init", "--app-role", pgtest.AppRole)
	if code != 0 || !strings.Contains(out, "applied migrations") {
		t.Fatalf("store init: %d %s %s", code, out, errOut)
	}
	if code, out, _ := runCmd(t, "store", "init", "--app-role", pgtest.AppRole); code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("second store init: %d %s", code, out)
	}

	path := filepath.Join(t.TempDir(), "work.db")
	src, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	n, err := seedDemo(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	l, err := src.Lease(ctx, "enc-1015", "alice", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	enc, _, _ := src.Get(ctx, "enc-1015")
	enc.Overrides = nil
	if err := src.SaveDraft(ctx, l, enc.Revision, enc, "autosave"); err != nil {
		t.Fatal(err)
	}
	src.Close()

	code, out, errOut = runCmd(t, "store", "migrate", "--from", "sqlite:"+path)
	if code != 0 || !strings.Contains(out, "verified") || !strings.Contains(out, "encounters") {
		t.Fatalf("store migrate: %d %s %s", code, out, errOut)
	}
	code, _, errOut = runCmd(t, "store", "migrate", "--from", "sqlite:"+path)
	if code == 0 || !strings.Contains(errOut, "not empty") || !strings.Contains(errOut, "nothing was copied") {
		t.Fatalf("migrate into a non-empty store: %d %s", code, errOut)
	}
	code, _, errOut = runCmd(t, "store", "migrate", "--from", "sqlite:"+filepath.Join(t.TempDir(), "typo.db"))
	if code == 0 || !strings.Contains(errOut, "no SQLite work store") {
		t.Fatalf("migrate from a missing file: %d %s", code, errOut)
	}

	app, err := postgres.Open(ctx, db.AppDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	list, err := app.List(ctx)
	if err != nil || len(list) != n {
		t.Fatalf("copied worklist: %d of %d: %v", len(list), n, err)
	}
	if _, err := app.Lease(ctx, "enc-1015", "bob", time.Minute); err == nil {
		t.Fatal("alice's lease did not come along")
	}
	var ds store.Digest
	if ds, err = store.DigestOf(ctx, app); err != nil || !strings.Contains(out, ds.Rows) || !strings.Contains(out, ds.Audit) {
		t.Fatalf("reported checksums %s, store's %+v (%v)", out, ds, err)
	}
}

// TestStorePasswordNeverOnTheCommandLine: a PostgreSQL URL with a
// password is refused on argv, by every command that takes --store, and
// the refusal does not repeat the password.
func TestStorePasswordNeverOnTheCommandLine(t *testing.T) {
	t.Setenv("CODEBENCH_DATA", t.TempDir())
	url := "postgres://app:hunter2@db.example/codebench"
	for _, args := range [][]string{
		{"store", "init", "--store", url, "--app-role", "app"},
		{"store", "migrate", "--from", "sqlite:x.db", "--to", url},
		{"import", "--store", url, t.TempDir()},
		{"export", "--store", url, "enc-1"},
		{"serve", "--store", url},
		{"serve", "--queue", "nats://billing:hunter2@nats.example:4222"},
		{"export", "--queue", "nats://hunter2@nats.example:4222,nats2.example", "enc-1"},
	} {
		code, out, errOut := runCmd(t, args...)
		if code == 0 || strings.Contains(out+errOut, "hunter2") || !strings.Contains(errOut, "command line") {
			t.Errorf("%v: exit %d\n%s%s", args[:2], code, out, errOut)
		}
	}
}
