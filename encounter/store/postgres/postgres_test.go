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

// backend is this store for the shared contract suite and benchmarks:
// each handle a pool of its own, as two nodes have.
var backend = storetest.Backend{
	NewDB: func(t testing.TB, now func() time.Time) func() store.Store {
		db := newDB(t)
		return func() store.Store { return open(t, db.AppDSN(), WithClock(now)) }
	},
	Exec: func(s store.Store, query string) error { return s.(*Store).Exec(ctx, query) },
}

// TestContract runs the store contract every backend meets, against a
// real PostgreSQL server.
func TestContract(t *testing.T) { storetest.Run(t, backend) }

// BenchmarkStore runs the benchmarks every backend shares (storetest).
func BenchmarkStore(b *testing.B) { storetest.Bench(b, backend) }

// BenchmarkNotifyDelay is how long a change made on one node takes to
// reach another node's watcher (LISTEN/NOTIFY): from the start of the
// lease or release call to the announcement's arrival.
func BenchmarkNotifyDelay(b *testing.B) {
	db := newDB(b)
	a, other := open(b, db.AppDSN()), open(b, db.AppDSN())
	if err := a.Add(ctx, storetest.Sample("e", dos)); err != nil {
		b.Fatal(err)
	}
	changes, err := other.Watch(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		l, err := a.Lease(ctx, "e", "alice", time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		if c := <-changes; c.EncounterID != "e" {
			b.Fatalf("change of %q", c.EncounterID)
		}
		total += time.Since(start)
		b.StopTimer()
		if err := a.Release(ctx, l); err != nil {
			b.Fatal(err)
		}
		<-changes
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/notice")
}
