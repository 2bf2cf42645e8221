package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"codebench/encounter/store"
	"codebench/encounter/store/postgres"
	"codebench/encounter/store/sqlite"
)

const storeUsage = `usage:
  codebench store init [--store URL] --app-role ROLE
      create or upgrade the PostgreSQL schema, as the role that owns it,
      and grant ROLE (the role serve nodes connect as) what it needs
  codebench store migrate --from sqlite:PATH [--to URL]
      copy a SQLite work store into an empty PostgreSQL one, then verify
      counts and checksums

  codebench store backup [--store PATH] DEST
      copy a live SQLite work store to DEST (a new file, 0600), checked;
      coders keep working meanwhile. Restore: stop codebench, move the
      store and its -wal and -shm files aside, copy DEST into its place.
      (A PostgreSQL store is backed up with pg_dump.)

URL defaults to $CODEBENCH_STORE; passwords come from PGPASSWORD or a
password file (PGPASSFILE, ~/.pgpass), never from the command line.`

// runStore administers work stores: the PostgreSQL schema and moving a
// SQLite store to PostgreSQL.
func runStore(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, storeUsage)
		return 2
	}
	switch args[0] {
	case "init":
		return runStoreInit(ctx, e, args[1:])
	case "migrate":
		return runStoreMigrate(ctx, e, args[1:])
	case "backup":
		return runStoreBackup(ctx, e, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintln(e.stdout, storeUsage)
		return 0
	}
	fmt.Fprintln(e.stderr, storeUsage)
	return e.errorf("store: unknown subcommand %q", args[0])
}

// postgresTarget reads a PostgreSQL URL from a flag or $CODEBENCH_STORE.
func postgresTarget(flagName, value string) (string, error) {
	spec, fromArgs := storeSpec(value)
	if spec == "" {
		return "", fmt.Errorf("no PostgreSQL database: give --%s postgres://... or set $%s", flagName, StoreEnv)
	}
	if !isPostgres(spec) {
		return "", fmt.Errorf("--%s %s: not a postgres:// URL", flagName, storeName(spec))
	}
	return spec, checkNoSecret(spec, fromArgs)
}

func runStoreInit(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("store init", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	url := fs.String("store", "", "PostgreSQL URL, connecting as the schema's owner (default: $"+StoreEnv+")")
	appRole := fs.String("app-role", "", "the role serve nodes connect as: granted read/write on encounters, read/append on the audit log")
	if code := parseNoArgs(fs, args); code >= 0 {
		return code
	}
	if *appRole == "" {
		return e.errorf("store init: --app-role is required: the nodes must connect as a role that does not own the audit log")
	}
	spec, err := postgresTarget("store", *url)
	if err != nil {
		return e.errorf("store init: %v", err)
	}
	applied, err := postgres.Setup(ctx, spec, *appRole)
	if err != nil {
		return e.errorf("store init %s: %v", storeName(spec), err)
	}
	if len(applied) == 0 {
		fmt.Fprintf(e.stdout, "%s: schema version %d, up to date; %s granted\n", storeName(spec), postgres.SchemaVersion, *appRole)
	} else {
		fmt.Fprintf(e.stdout, "%s: applied migrations %v, schema version %d; %s granted\n", storeName(spec), applied, postgres.SchemaVersion, *appRole)
	}
	return 0
}

func runStoreMigrate(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("store migrate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	from := fs.String("from", "", "the SQLite work store to copy: sqlite:PATH")
	to := fs.String("to", "", "the empty PostgreSQL work store, set up by store init (default: $"+StoreEnv+")")
	if code := parseNoArgs(fs, args); code >= 0 {
		return code
	}
	if *from == "" || isPostgres(*from) {
		return e.errorf("store migrate: --from sqlite:PATH is required")
	}
	spec, err := postgresTarget("to", *to)
	if err != nil {
		return e.errorf("store migrate: %v", err)
	}
	path := sqlitePath(*from)
	// Open would create an empty store at a mistyped path.
	if info, err := os.Stat(path); err != nil || info.IsDir() {
		return e.errorf("store migrate: no SQLite work store at %s", path)
	}
	src, err := sqlite.Open(path)
	if err != nil {
		return e.errorf("store migrate: %v", err)
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, spec)
	if err != nil {
		return e.errorf("store migrate: %v", err)
	}
	defer dst.Close()
	dg, err := store.Copy(ctx, src, dst)
	if errors.Is(err, store.ErrNotEmpty) {
		return e.errorf("store migrate: %v; nothing was copied", err)
	}
	if err != nil {
		return e.errorf("store migrate %s -> %s: %v", path, storeName(spec), err)
	}
	fmt.Fprintf(e.stdout, "copied %s -> %s: %d encounters (sha256 %s), %d audit entries (sha256 %s); counts and checksums verified\n",
		path, storeName(spec), dg.Encounters, dg.Rows, dg.AuditEntries, dg.Audit)
	return 0
}

// runStoreBackup copies a live SQLite store to a new file.
func runStoreBackup(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("store backup", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	path := fs.String("store", "", "the SQLite work store (default: $"+StoreEnv+", else codebench.db in the data directory)")
	rest, err := parseFlagsAnywhere(fs, args)
	if err != nil {
		return 2
	}
	if len(rest) != 1 {
		fmt.Fprintln(e.stderr, "usage: codebench store backup [--store PATH] DEST")
		return 2
	}
	spec, _ := storeSpec(*path)
	if spec == "" {
		if spec, err = defaultStorePath(); err != nil {
			return e.errorf("store backup: %v", err)
		}
	}
	if isPostgres(spec) {
		return e.errorf("store backup: %s is PostgreSQL; back it up with pg_dump (or your database's snapshots)", storeName(spec))
	}
	src := sqlitePath(spec)
	if _, err := os.Stat(src); err != nil {
		return e.errorf("store backup: no work store at %s: %v", src, err)
	}
	st, err := sqlite.Open(src, sqlite.WithNotice(e.notice))
	if err != nil {
		return e.errorf("store backup: %v", err)
	}
	defer st.Close()
	info, err := st.Backup(ctx, rest[0])
	if err != nil {
		return e.errorf("store backup: %v", err)
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s: %d encounters, %d audit entries, %d bytes, checked\n", src, info.Path, info.Encounters, info.AuditRows, info.Bytes)
	return 0
}
