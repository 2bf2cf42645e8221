package pgtest

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestDatabasePerTest: each test gets its own database, owned by the
// owner role, reachable by the application role.
func TestDatabasePerTest(t *testing.T) {
	c := Require(t)
	a, b := c.NewDatabase(t), c.NewDatabase(t)
	if a.Name == b.Name {
		t.Fatal("two tests share a database")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, a.AppDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var owner, user string
	if err := conn.QueryRow(ctx, `SELECT pg_get_userbyid(datdba), current_user FROM pg_database WHERE datname = current_database()`).Scan(&owner, &user); err != nil {
		t.Fatal(err)
	}
	if owner != OwnerRole || user != AppRole {
		t.Fatalf("database owned by %q, connected as %q", owner, user)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE x (a int)`); err == nil {
		t.Fatal("the application role may create tables")
	}
}
