package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"codebench/encounter/store"
	"codebench/encounter/store/postgres"
	"codebench/encounter/store/sqlite"
)

// StoreEnv names the environment variable that gives the work store when
// --store does not: the way to pass a PostgreSQL URL without putting it
// on a command line, where every user of the machine can read it.
const StoreEnv = "CODEBENCH_STORE"

// storeSpec is the --store value, else $CODEBENCH_STORE; fromArgs says
// which, since only the environment may carry a password.
func storeSpec(flagValue string) (spec string, fromArgs bool) {
	if flagValue != "" {
		return flagValue, true
	}
	return os.Getenv(StoreEnv), false
}

// isPostgres tells whether a store spec names a PostgreSQL database.
func isPostgres(spec string) bool { return postgres.IsURL(spec) }

// sqlitePath is the file a SQLite spec names (PATH or sqlite:PATH).
func sqlitePath(spec string) string {
	if p, ok := strings.CutPrefix(spec, "sqlite:"); ok {
		return p
	}
	return spec
}

// storeName names a store for messages and logs, without secrets.
func storeName(spec string) string {
	if isPostgres(spec) {
		return postgres.Redact(spec)
	}
	return sqlitePath(spec)
}

// openStore opens the work store a spec names: a SQLite file (PATH or
// sqlite:PATH) or a PostgreSQL database (postgres://...). notice hears of
// permissions tightened on a SQLite store.
func openStore(ctx context.Context, spec string, fromArgs bool, notice func(string)) (store.Store, error) {
	if err := checkNoSecret(spec, fromArgs); err != nil {
		return nil, err
	}
	if isPostgres(spec) {
		st, err := postgres.Open(ctx, spec)
		if err != nil {
			return nil, err // not a typed nil inside the interface
		}
		return st, nil
	}
	if scheme, _, ok := strings.Cut(spec, "://"); ok {
		return nil, fmt.Errorf("work store %q: unknown scheme %q (want a SQLite file path, sqlite:PATH or postgres://...)", spec, scheme)
	}
	st, err := sqlite.Open(sqlitePath(spec), sqlite.WithNotice(notice))
	if err != nil {
		return nil, err
	}
	return st, nil
}
