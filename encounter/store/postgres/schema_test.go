package postgres

import (
	"errors"
	"strings"
	"testing"
	"time"

	"codebench/encounter"
	"codebench/encounter/store"
	"codebench/encounter/store/postgres/pgtest"
	"codebench/encounter/store/storetest"
	"codebench/internal/tlstest"
)

// TestAuditAppendOnlyForEveryRole: the application role cannot change,
// delete, truncate or unprotect the audit log (it has no such privilege
// and does not own the table), and even the owner is stopped by the
// statement triggers.
func TestAuditAppendOnlyForEveryRole(t *testing.T) {
	db := newDB(t)
	app := open(t, db.AppDSN())
	if err := app.Add(ctx, storetest.Sample("e", dos)); err != nil {
		t.Fatal(err)
	}
	owner := open(t, db.OwnerDSN())
	var tableOwner string
	if err := owner.pool.QueryRow(ctx, `SELECT tableowner FROM pg_tables WHERE tablename = 'audit'`).Scan(&tableOwner); err != nil {
		t.Fatal(err)
	}
	if tableOwner != pgtest.OwnerRole {
		t.Fatalf("audit owned by %q", tableOwner)
	}
	tamper := []string{
		`UPDATE audit SET detail = 'tampered'`,
		`UPDATE audit SET detail = 'tampered' WHERE false`,
		`DELETE FROM audit`,
		`DELETE FROM audit WHERE false`,
		`TRUNCATE audit`,
	}
	for _, q := range tamper {
		if err := app.Exec(ctx, q); err == nil {
			t.Errorf("application role: %s accepted", q)
		}
		err := owner.Exec(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("owner: %s: %v, want the trigger's refusal", q, err)
		}
	}
	for _, q := range []string{
		`ALTER TABLE audit DISABLE TRIGGER audit_append_only`,
		`DROP TRIGGER audit_append_only ON audit`,
		`ALTER TABLE audit OWNER TO ` + pgtest.AppRole,
		`DROP TABLE audit`,
	} {
		if err := app.Exec(ctx, q); err == nil {
			t.Errorf("application role: %s accepted", q)
		}
	}
	audit, err := app.Audit(ctx, "e")
	if err != nil || len(audit) != 1 || audit[0].Action != "import" {
		t.Fatalf("audit after tampering: %+v %v", audit, err)
	}
}

var dos = encounter.NewDate(2026, 11, 2)

// TestSetupIsVersionedAndIdempotent: Setup applies each migration once,
// a second run applies none, the application role cannot run it, and
// Open refuses a database without the schema or with a newer one.
func TestSetupIsVersionedAndIdempotent(t *testing.T) {
	db := pgtest.Require(t).NewDatabase(t)
	if _, err := Open(ctx, db.AppDSN()); err == nil || !strings.Contains(err.Error(), "store init") {
		t.Fatalf("open before setup: %v", err)
	}
	if _, err := Setup(ctx, db.AppDSN(), pgtest.AppRole); err == nil {
		t.Fatal("the application role set up the schema")
	}
	applied, err := Setup(ctx, db.OwnerDSN(), pgtest.AppRole)
	if err != nil || len(applied) != SchemaVersion {
		t.Fatalf("first setup: %v %v", applied, err)
	}
	applied, err = Setup(ctx, db.OwnerDSN(), pgtest.AppRole)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second setup applied %v: %v", applied, err)
	}
	open(t, db.AppDSN())
	pgtest.Require(t).Exec(t, db.Name, `INSERT INTO schema_version(version) VALUES (99)`)
	if _, err := Open(ctx, db.AppDSN()); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("open on a newer schema: %v", err)
	}
	if _, err := Setup(ctx, db.OwnerDSN(), pgtest.AppRole); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("setup on a newer schema: %v", err)
	}
}

// TestDatabaseClockAndFencingGeneration: without a test clock, leases
// run on the database server's clock, and each lease's token carries a
// generation one above the last.
func TestDatabaseClockAndFencingGeneration(t *testing.T) {
	db := newDB(t)
	s := open(t, db.AppDSN())
	if err := s.Add(ctx, storetest.Sample("e", dos)); err != nil {
		t.Fatal(err)
	}
	var serverNow time.Time
	if err := s.pool.QueryRow(ctx, `SELECT clock_timestamp()`).Scan(&serverNow); err != nil {
		t.Fatal(err)
	}
	l, err := s.Lease(ctx, "e", "alice", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if d := l.Until.Sub(serverNow.Add(time.Hour)); d < 0 || d > time.Minute {
		t.Fatalf("lease until %v, server clock %v", l.Until, serverNow)
	}
	if !strings.HasPrefix(l.Token, "1.") {
		t.Fatalf("first token %q", l.Token)
	}
	if err := s.Release(ctx, l); err != nil {
		t.Fatal(err)
	}
	l2, err := s.Lease(ctx, "e", "bob", time.Hour)
	if err != nil || !strings.HasPrefix(l2.Token, "2.") {
		t.Fatalf("second token %q: %v", l2.Token, err)
	}
	_, sum, _ := s.Get(ctx, "e")
	if sum.LeasedBy != "bob" {
		t.Fatalf("holder %q", sum.LeasedBy)
	}
	// A token of the right generation but the wrong secret is no lease.
	forged := l2
	forged.Token = "2.00000000000000000000000000000000"
	if _, err := s.Renew(ctx, forged, time.Hour); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("forged token: %v", err)
	}
}

// TestOpenRedactsPassword: a bad URL's error never shows the password.
func TestOpenRedactsPassword(t *testing.T) {
	_, err := Open(ctx, "postgres://app:s3cret@[::1/db")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error: %v", err)
	}
	if got := Redact("postgres://app:s3cret@db.example/codebench?sslmode=verify-full&password=hunter2"); strings.Contains(got, "s3cret") || strings.Contains(got, "hunter2") {
		t.Fatalf("redacted: %s", got)
	}
}

// TestTLSVerified: a node connects over TLS, verifying the server's
// certificate against the authority it is given (PGSSLROOTCERT, as a
// deployment sets it); against another authority it refuses to connect.
func TestTLSVerified(t *testing.T) {
	c := pgtest.Require(t)
	db := newDB(t)
	t.Setenv("PGSSLROOTCERT", c.CA)
	s := open(t, db.AppTLSDSN("verify-full"))
	var ssl bool
	if err := s.pool.QueryRow(ctx, `SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).Scan(&ssl); err != nil || !ssl {
		t.Fatalf("connection not encrypted: %v %v", ssl, err)
	}
	if err := s.Add(ctx, storetest.Sample("e", dos)); err != nil {
		t.Fatal(err)
	}
	other, err := tlstest.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PGSSLROOTCERT", other.CA)
	if _, err := Open(ctx, db.AppTLSDSN("verify-full")); err == nil {
		t.Fatal("connected to a server whose certificate the given authority did not sign")
	}
}
