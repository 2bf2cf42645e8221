package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"codebench/encounter"
	"codebench/encounter/store"
	"codebench/termsafe"
)

const importUsage = "usage: codebench import [--store PATH] DIR"

// escapeLines escapes each line of a message from outside, keeping the
// line breaks between them.
func escapeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = termsafe.Escape(l)
	}
	return strings.Join(lines, "\n")
}

// runImport moves the encounter files of an inbox directory into the work
// store: exit 0 when every file was imported, 1 when some were rejected
// (moved to DIR/rejected with a reason file), 2 on usage or I/O errors.
// Several imports of one inbox may run at once: each file is imported by
// exactly one of them.
func runImport(_ context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	storePath := fs.String("store", "", "work store: a SQLite file or postgres://... (default: $"+StoreEnv+", else codebench.db in the data directory)")
	dirs, err := parseFlagsAnywhere(fs, args)
	if err != nil {
		return 2
	}
	if len(dirs) != 1 {
		fmt.Fprintln(e.stderr, importUsage)
		return 2
	}
	dir := dirs[0]
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		fmt.Fprintf(e.stderr, "codebench: import: %s is not a directory\n", termsafe.Text(dir))
		return 2
	}
	spec, fromArgs := storeSpec(*storePath)
	if spec == "" {
		if spec, err = defaultStorePath(); err != nil {
			fmt.Fprintf(e.stderr, "codebench: import: %v\n", err)
			return 2
		}
	}
	*storePath = storeName(spec)
	st, err := openStore(context.Background(), spec, fromArgs, e.notice)
	if err != nil {
		fmt.Fprintf(e.stderr, "codebench: import: %v\n", err)
		return 2
	}
	defer st.Close()
	// Each Add is its own transaction: an interrupted import keeps what it
	// stored, and the inbox keeps the rest for the next run.
	ctx := context.WithoutCancel(context.Background())
	rep, err := encounter.Inbox{
		Dir:       dir,
		Add:       func(enc *encounter.Encounter) error { return st.Add(ctx, enc) },
		Duplicate: func(err error) bool { return errors.Is(err, store.ErrExists) },
		Notice:    e.notice,
	}.Import()
	for _, im := range rep.Imported {
		note := ""
		if im.Recovered {
			note = " (finishing an interrupted import)"
		}
		fmt.Fprintf(e.stdout, "imported %s from %s%s\n", termsafe.Text(im.ID), termsafe.Text(im.File), note)
	}
	// File names and reasons come from the inbox: escaped, never raw.
	for _, r := range rep.Rejected {
		fmt.Fprintf(e.stderr, "rejected %s -> %s: %s\n", termsafe.Text(r.File), termsafe.Text(filepath.Join(dir, r.MovedTo)), escapeLines(r.Reason.Error()))
	}
	summary := fmt.Sprintf("%d imported, %d rejected, %d skipped", len(rep.Imported), len(rep.Rejected), len(rep.Skipped))
	if n := len(rep.Concurrent); n > 0 {
		summary += fmt.Sprintf(", %d left to a concurrent import", n)
	}
	fmt.Fprintf(e.stdout, "%s into %s\n", summary, termsafe.Text(storeName(spec)))
	if err != nil {
		fmt.Fprintf(e.stderr, "codebench: import: %s\n", escapeLines(err.Error()))
		return 2
	}
	if len(rep.Rejected) > 0 {
		return 1
	}
	return 0
}
