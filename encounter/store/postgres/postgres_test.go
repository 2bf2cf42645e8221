package postgres

import (
	"context"
	"os"
	"testing"
	"time"

	"codebench/encounter/store"
	"codebench/encounter/store/postgres/pgtest"
	"codebench/encounter/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var ctx = context.Background()

// newDB makes a database with the schema set up by the owner role; open
// connects as the application role, as a serve node does.
func newDB(t testing.TB) *pgtest.Database {
	t.Helper()
	db := pgtest.Require(t).NewDatabase(t)
	if _, err := Setup(ctx, db.OwnerDSN(), pgtest.AppRole); err != nil {
		t.Fatal(err)
	}
	return db
}

func open(t testing.TB, dsn string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(ctx, dsn, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestContract runs the store contract every backend meets, against a
// real PostgreSQL server, each handle a pool of its own (as two nodes).
func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Backend{
		NewDB: func(t *testing.T, now func() time.Time) func() store.Store {
			db := newDB(t)
			return func() store.Store { return open(t, db.AppDSN(), WithClock(now)) }
		},
		Exec: func(s store.Store, query string) error { return s.(*Store).Exec(ctx, query) },
	})
}
