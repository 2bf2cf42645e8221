package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/encounter/exporter"
)

// DefaultPayersFile is the payer policy file in the data directory.
const DefaultPayersFile = "payers.json"

const reopenUsage = "usage: codebench reopen [--store PATH] [--payers FILE] [--coder ID] (--replace|--void) --claim-number N --reason TEXT ID"

// runReopen reopens an exported encounter as a replacement or void of the
// claim it sent (the workbench does the same from its keys). Exit 1 when
// the payer's policy refuses the correction, 2 for anything else.
func runReopen(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("reopen", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	storePath := fs.String("store", "", "work store: a SQLite file or postgres://... (default: $"+StoreEnv+", else codebench.db in the data directory)")
	payers := fs.String("payers", "", "payer policies: which payers take replacements and voids (default: payers.json in the data directory; absent: all do)")
	coder := fs.String("coder", defaultCoder(), "coder id for the lease and the audit log")
	replace := fs.Bool("replace", false, "a replacement of the exported claim (frequency 7)")
	void := fs.Bool("void", false, "a void of the exported claim (frequency 8)")
	claimNumber := fs.String("claim-number", "", "the payer's claim control number of the claim sent (REF*F8)")
	reason := fs.String("reason", "", "why the claim is replaced or voided (audit log)")
	ids, err := parseFlagsAnywhere(fs, args)
	if err != nil {
		return 2
	}
	if len(ids) != 1 || *replace == *void {
		fmt.Fprintln(e.stderr, reopenUsage)
		return 2
	}
	failed := func(format string, a ...any) int { e.errorf(format, a...); return 2 }
	frequency := encounter.FrequencyReplacement
	if *void {
		frequency = encounter.FrequencyVoid
	}
	data, err := codesets.DataDir()
	if err != nil {
		return failed("%v", err)
	}
	spec, fromArgs := storeSpec(*storePath)
	if spec == "" {
		spec = filepath.Join(data, DefaultStoreFile)
	}
	if !isPostgres(spec) {
		if _, err := os.Stat(sqlitePath(spec)); err != nil {
			return failed("reopen: no work store at %s: %v", storeName(spec), err)
		}
	}
	if *payers == "" {
		*payers = filepath.Join(data, DefaultPayersFile)
	}
	pols, err := exporter.LoadPolicies(*payers)
	if err != nil {
		return failed("reopen: %v", err)
	}
	st, err := openStore(ctx, spec, fromArgs, e.notice)
	if err != nil {
		return failed("reopen: %v", err)
	}
	defer st.Close()
	l, err := st.Lease(ctx, ids[0], *coder, exporter.DefaultLeaseTTL)
	if err != nil {
		return failed("reopen %s: %v", ids[0], err)
	}
	defer st.Release(context.WithoutCancel(ctx), l)
	enc, err := exporter.Reopen(ctx, st, pols, l, frequency, *claimNumber, *reason)
	if errors.Is(err, exporter.ErrCorrectionRefused) {
		return e.errorf("%v", err)
	}
	if err != nil {
		return failed("%v", err)
	}
	kind := "replacement"
	if *void {
		kind = "void"
	}
	fmt.Fprintf(e.stdout, "%s reopened as revision %d, a %s of %s: correct it if needed, then export it\n", enc.ID, enc.Revision, kind, enc.Resubmission.Predecessor)
	return 0
}
