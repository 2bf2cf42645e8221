package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"codebench/encounter"
	"codebench/encounter/store"
	"codebench/encounter/store/storetest"
)

// clock is the time source of a test store: a storetest.Clock or the
// suite's.
type clock struct{ now func() time.Time }

func newClock() (*storetest.Clock, *clock) {
	c := storetest.NewClock()
	return c, &clock{now: c.Now}
}

func openTest(t testing.TB, path string, c *clock) *Store {
	t.Helper()
	var opts []Option
	if c != nil {
		opts = append(opts, WithClock(c.now))
	}
	s, err := Open(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var sample = storetest.Sample

var ctx = context.Background()

// backend is this store for the shared contract suite and benchmarks.
var backend = storetest.Backend{
	NewDB: func(t testing.TB, now func() time.Time) func() store.Store {
		path := filepath.Join(t.TempDir(), "w.db")
		return func() store.Store { return openTest(t, path, &clock{now: now}) }
	},
	Exec: func(s store.Store, query string) error {
		_, err := s.(*Store).db.Exec(query)
		return err
	},
}

// TestContract runs the store contract every backend meets.
func TestContract(t *testing.T) { storetest.Run(t, backend) }

func TestReopenKeepsEverything(t *testing.T) {
	_, c := newClock()
	path := filepath.Join(t.TempDir(), "sub", "w.db")
	s, err := Open(path, WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	enc := sample("e", encounter.NewDate(2026, 3, 2))
	s.Add(ctx, enc)
	l, _ := s.Lease(ctx, "e", "alice", time.Hour)
	enc.Diagnoses = []encounter.Diagnosis{{Code: "E1165"}}
	if err := s.SaveDraft(ctx, l, 0, enc, ""); err != nil {
		t.Fatal(err)
	}
	s.SetStatus(ctx, l, store.Coded, "done")
	wantList, _ := s.List(ctx)
	wantAudit, _ := s.Audit(ctx, "e")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	r := openTest(t, path, c)
	got, sum, err := r.Get(ctx, "e")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, enc) || sum.Status != store.Coded {
		t.Fatalf("after reopen: %+v %+v", got, sum)
	}
	list, _ := r.List(ctx)
	audit, _ := r.Audit(ctx, "e")
	if !reflect.DeepEqual(list, wantList) || !reflect.DeepEqual(audit, wantAudit) {
		t.Fatalf("reopen changed the worklist or audit:\n%+v\n%+v", list, wantList)
	}
	// The lease survives the restart too.
	if _, err := r.Lease(ctx, "e", "bob", time.Minute); !errors.Is(err, store.ErrLeased) {
		t.Fatalf("lease after reopen: %v", err)
	}
	if err := r.SaveDraft(ctx, l, 1, enc, ""); err != nil {
		t.Fatalf("old lease after reopen: %v", err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	s := openTest(t, path, nil)
	if _, err := s.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("newer schema: %v", err)
	}
}
