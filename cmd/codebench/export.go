package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"codebench/encounter"
	"codebench/encounter/exporter"
	"codebench/encounter/queue"
	"codebench/encounter/queue/dirqueue"
	"codebench/encounter/store"
)

// Exit codes of codebench export.
const (
	exportOK      = 0 // delivered to the billing queue, or exported before (idempotent)
	exportRefused = 1 // error edits block the export
	exportFailed  = 2 // bad usage, unknown id, leased, I/O, or the queue refused it (credentials, permissions, stream)
	exportSpooled = 3 // spooled, not delivered: the queue server is unreachable; forwarded when it is back
)

const exportUsage = "usage: codebench export [--store PATH] [--queue SPEC] [--format fhir|837p] [--x12-envelope PATH] [--edit-sets SPEC] [--coder ID] [--take-over] [--json] ID"

// exportReport is the --json output.
type exportReport struct {
	ID       string `json:"id"`
	Revision int    `json:"revision"`
	Key      string `json:"key,omitempty"`
	// Result: exported, spooled, already-exported, resumed, refused,
	// queue-refused or failed.
	Result string `json:"result"`
	// Delivery: delivered, or spooled (kept on this machine, not yet
	// delivered); empty when nothing was published now.
	Delivery string `json:"delivery,omitempty"`
	Path     string `json:"path,omitempty"` // the file, for a directory queue
	// Location is where the export went, as recorded when it was made: a
	// file or a NATS stream; empty when that was not recorded.
	Location string           `json:"location,omitempty"`
	Error    string           `json:"error,omitempty"`
	Edits    []encounter.Edit `json:"edits"`
}

// runExport exports one coded encounter from the work store to the billing
// queue, for scripts: exit 0 when it is in the queue (now or before), 1
// when error edits refuse it, 3 when it is spooled and not delivered (the
// queue server is unreachable), 2 for anything else, the queue refusing it
// included.
func runExport(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	storePath := fs.String("store", "", "work store: a SQLite file or postgres://... (default: $"+StoreEnv+", else codebench.db in the data directory)")
	queueSpec := fs.String("queue", "", "billing queue: a directory, dir:PATH or nats://host:4222[?stream=...] (default: $CODEBENCH_QUEUE, else billing-queue in the data directory)")
	coder := fs.String("coder", defaultCoder(), "coder id for the lease and the audit log")
	asJSON := fs.Bool("json", false, "print the result as JSON on stdout")
	var ff formatFlags
	ff.register(fs)
	var editSets editSetsFlag
	editSets.register(fs)
	takeOver := fs.Bool("take-over", false, "take the encounter over from another session of the same --coder (an export that crashed, a workbench left open); another coder's lease still refuses")
	ids, err := parseFlagsAnywhere(fs, args)
	if err != nil {
		return exportFailed
	}
	if len(ids) != 1 {
		fmt.Fprintln(e.stderr, exportUsage)
		return exportFailed
	}
	id := ids[0]
	report := exportReport{ID: id, Edits: []encounter.Edit{}}
	fail := func(code int, result string, err error) int {
		report.Result, report.Error = result, err.Error()
		if *asJSON {
			e.exportJSON(id, report)
		}
		fmt.Fprintf(e.stderr, "codebench: export %s: %v\n", id, err)
		return code
	}

	if err := checkQueueNoSecret(*queueSpec); err != nil {
		return fail(exportFailed, "failed", err)
	}
	spec, fromArgs := storeSpec(*storePath)
	if spec == "" {
		if spec, err = defaultStorePath(); err != nil {
			return fail(exportFailed, "failed", err)
		}
	}
	*storePath = storeName(spec)
	if !isPostgres(spec) {
		if _, err := os.Stat(sqlitePath(spec)); err != nil {
			return fail(exportFailed, "failed", fmt.Errorf("no work store at %s (import encounters first): %w", *storePath, err))
		}
	}
	if *queueSpec == "" {
		if *queueSpec, err = defaultQueueSpec(); err != nil {
			return fail(exportFailed, "failed", err)
		}
	}
	set, err := openCodesets()
	if err != nil {
		return fail(exportFailed, "failed", err)
	}
	st, err := openStore(ctx, spec, fromArgs, e.notice)
	if err != nil {
		return fail(exportFailed, "failed", err)
	}
	defer st.Close()
	if err := checkQueueSpec(*queueSpec); err != nil {
		return fail(exportFailed, "failed", err)
	}
	x := &exporter.Exporter{Store: st, Codes: set, Coder: *coder, TakeOver: *takeOver,
		Checks: newClaimChecks(set, st, editSets.sets, nil).options}
	if err := ff.configure(x); err != nil {
		return fail(exportFailed, "failed", err)
	}
	// Exported before: say where it went, as recorded then, without
	// opening this run's queue (which may not be the one it went to, and
	// would be created empty).
	if _, sum, err := st.Get(ctx, id); err == nil && sum.Status == store.Exported && sum.PendingExport == "" {
		report.Revision, report.Key, report.Result = sum.Revision, sum.ExportKey, "already-exported"
		report.Location = exporter.RecordedLocation(ctx, st, id, sum.ExportKey)
		if filepath.IsAbs(report.Location) {
			report.Path = report.Location
		}
		if *asJSON {
			e.exportJSON(id, report)
			return exportOK
		}
		where := "to " + report.Location
		if report.Location == "" {
			where = "(where it went was not recorded: it was exported before codebench kept that)"
		}
		fmt.Fprintf(e.stdout, "%s revision %d was already exported as %s %s\n", id, sum.Revision, sum.ExportKey, where)
		return exportOK
	}
	q, err := openQueue(*queueSpec, e.notice)
	if err != nil {
		return fail(exportFailed, "failed", err)
	}
	defer q.Close()

	x.Queue = q
	res, err := x.Export(ctx, id)
	report.Revision, report.Key = res.Revision, res.Key
	if res.Edits != nil {
		report.Edits = res.Edits
	}
	var refused *encounter.ExportRefusedError
	switch {
	case errors.As(err, &refused):
		report.Result = "refused"
		if *asJSON {
			e.exportJSON(id, report)
		} else {
			fmt.Fprintf(e.stdout, "%s revision %d not exported: %d error edit(s) to fix or override\n", id, res.Revision, len(refused.Blocking))
			printEdits(e.stdout, refused.Blocking)
			if w := warningsOf(res.Edits); len(w) > 0 {
				fmt.Fprintf(e.stdout, "and %d warning(s):\n", len(w))
				printEdits(e.stdout, w)
			}
		}
		return exportRefused
	case errors.Is(err, store.ErrNotFound):
		msg := fmt.Sprintf("no encounter %q in %s", id, *storePath)
		if near := sameIgnoringCase(ctx, st, id); len(near) > 0 {
			msg += "; did you mean " + strings.Join(near, " or ") + "?"
		}
		return fail(exportFailed, "failed", errors.New(msg))
	case errors.Is(err, queue.ErrRefused):
		return fail(exportFailed, "queue-refused", err)
	case err != nil:
		return fail(exportFailed, "failed", err)
	}

	report.Location = res.Location
	report.Delivery = string(res.Delivery)
	if dq, ok := q.(*dirqueue.Queue); ok {
		report.Path = dq.PathOf(res.Key, x.Format.ContentType())
	}
	code := exportOK
	switch {
	case res.Already:
		report.Result = "already-exported"
	case res.Delivery == queue.Spooled:
		report.Result, code = "spooled", exportSpooled
	case res.Resumed:
		report.Result = "resumed"
	default:
		report.Result = "exported"
	}
	if *asJSON {
		e.exportJSON(id, report)
		return code
	}
	where := res.Key
	switch {
	case res.Location != "":
		where = res.Location
	case report.Path != "":
		where = report.Path
	}
	switch {
	case res.Already:
		fmt.Fprintf(e.stdout, "%s revision %d was already exported: %s\n", id, res.Revision, where)
	case res.Delivery == queue.Spooled:
		fmt.Fprintf(e.stdout, "%s revision %d spooled, NOT delivered: the billing queue server is unreachable; the export waits on this machine and is forwarded, once, when it is back (codebench queue status shows it): %s\n", id, res.Revision, where)
	case res.Resumed:
		fmt.Fprintf(e.stdout, "%s revision %d exported (finished an interrupted export): %s\n", id, res.Revision, where)
	default:
		fmt.Fprintf(e.stdout, "%s revision %d exported: %s\n", id, res.Revision, where)
	}
	// Warnings do not block billing but a coder should see them.
	if warnings := warningsOf(res.Edits); len(warnings) > 0 {
		fmt.Fprintf(e.stderr, "%d warning(s):\n", len(warnings))
		printEdits(e.stderr, warnings)
	}
	return code
}

// warningsOf picks the warnings nobody accepted.
func warningsOf(edits []encounter.Edit) []encounter.Edit {
	var out []encounter.Edit
	for _, ed := range edits {
		if ed.Severity == encounter.Warning && ed.Overridden == nil {
			out = append(out, ed)
		}
	}
	return out
}

// sameIgnoringCase finds stored ids that differ from id only in case
// (ENC-1001 typed for enc-1001).
func sameIgnoringCase(ctx context.Context, st store.Store, id string) []string {
	list, err := st.List(ctx)
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range list {
		if strings.EqualFold(s.ID, id) {
			out = append(out, s.ID)
		}
	}
	return out
}

// printEdits lists edits one per line: severity, target, rule, message,
// and the override reason when the coder accepted one.
func printEdits(w io.Writer, edits []encounter.Edit) {
	for _, ed := range edits {
		line := fmt.Sprintf("  %-7s %-8s %-26s %s", strings.ToUpper(string(ed.Severity)), ed.Target, ed.Rule, ed.Message)
		if ed.Overridden != nil {
			line += fmt.Sprintf(" [overridden by %s: %s]", ed.Overridden.Coder, ed.Overridden.Reason)
		}
		fmt.Fprintln(w, line)
	}
}

// writeJSON writes v indented, as every --json output is.
func writeJSON(w io.Writer, v any) error {
	je := json.NewEncoder(w)
	je.SetIndent("", "  ")
	return je.Encode(v)
}

// exportJSON writes an export's report; the export stands whatever
// happens to stdout, so a failed write is said on stderr, not as the
// export's result.
func (e *env) exportJSON(id string, report exportReport) {
	if err := writeJSON(e.stdout, report); err != nil {
		fmt.Fprintf(e.stderr, "codebench: export %q: the JSON report was not written: %v\n", id, err)
	}
}

// parseFlagsAnywhere parses flags that come before or after the
// positional arguments ("export ID --coder alice") and returns the
// positionals.
func parseFlagsAnywhere(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(positional, rest...), nil // "--": the rest are not flags
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}
