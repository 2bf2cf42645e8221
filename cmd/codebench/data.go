package main

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"
	"time"

	"codebench/codesets"
	"codebench/codesets/dataimport"
	"codebench/index"
)

const dataUsage = `usage:
  codebench data import [--kind KIND] [--release NAME] [--from DATE] [--to DATE] [--no-index] FILE...
  codebench data status [--json] [--today DATE]
  codebench data remove ID`

// runData loads official code-set and payer files into the data
// directory, lists what is loaded, and takes imports out again.
func runData(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		return e.errorf("%s", dataUsage)
	}
	switch args[0] {
	case "import":
		return runDataImport(ctx, e, args[1:])
	case "status":
		return runDataStatus(e, args[1:])
	case "remove":
		return runDataRemove(ctx, e, args[1:])
	}
	return e.errorf("data %s: unknown; %s", codesets.Quote(args[0], 40), dataUsage)
}

func dateFlag(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return t, fmt.Errorf("--%s %s: want a date as YYYY-MM-DD", name, codesets.Quote(v, 20))
	}
	return t, nil
}

func runDataImport(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("data import", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	kind := fs.String("kind", "", "the files' kind when their names and headings do not tell it: "+kindList())
	release := fs.String("release", "", "the release's name (FY2028, \"2026 January\") or a payer table's version, when the file names do not tell it")
	from := fs.String("from", "", "first date of service it applies to (YYYY-MM-DD), when the file names do not tell it")
	to := fs.String("to", "", "last date of service it is published for (YYYY-MM-DD)")
	noIndex := fs.Bool("no-index", false, "do not rebuild the search index now (codebench builds it when next opened)")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(files) == 0 {
		return e.errorf("%s", dataUsage)
	}
	opt := dataimport.Options{Kind: *kind, Release: *release}
	if opt.From, err = dateFlag("from", *from); err != nil {
		return e.errorf("%v", err)
	}
	if opt.To, err = dateFlag("to", *to); err != nil {
		return e.errorf("%v", err)
	}
	dir, set, err := openDataDir()
	if err != nil {
		return e.errorf("%v", err)
	}
	start := time.Now()
	res, err := dataimport.Import(dir, set, files, opt)
	if err != nil {
		return e.errorf("data import: %v\nnothing was changed", err)
	}
	for _, r := range res.Imported {
		dates := "from " + r.From
		if r.To != "" {
			dates = r.From + " to " + r.To
		}
		fmt.Fprintf(e.stdout, "imported %s %s (%s) as %s\n", r.Kind, r.Name, dates, r.ID)
		var counts []string
		for k, v := range r.Counts {
			counts = append(counts, fmt.Sprintf("%d %s", v, k))
		}
		sort.Strings(counts)
		fmt.Fprintf(e.stdout, "  %s; checked: %s\n", strings.Join(counts, ", "), strings.Join(r.Checks, ", "))
		for _, f := range r.Files {
			name := f.Name
			if f.Member != "" {
				name += ":" + f.Member
			}
			fmt.Fprintf(e.stdout, "  %s sha256 %s\n", name, f.SHA256)
		}
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(e.stdout, "  skipped %s (no file to import)\n", codesets.Quote(s, 120))
	}
	fmt.Fprintf(e.stdout, "checked and kept in %.1fs in %s\n", time.Since(start).Seconds(), codesets.ReleasesDir(dir))
	if *noIndex {
		return 0
	}
	return rebuildIndex(ctx, e, dir)
}

// openDataDir loads the data directory's code sets.
func openDataDir() (string, *codesets.Set, error) {
	dir, err := codesets.DataDir()
	if err != nil {
		return "", nil, err
	}
	set, err := codesets.Open(dir)
	return dir, set, err
}

// rebuildIndex builds the search index of the data directory as it now
// is, with progress; a running `codebench serve` builds its own in the
// background when it sees the change.
func rebuildIndex(ctx context.Context, e *env, dir string) int {
	set, err := codesets.Open(dir)
	if err != nil {
		return e.errorf("%v", err)
	}
	root, err := index.DefaultCacheRoot()
	if err != nil {
		return e.errorf("%v", err)
	}
	if err := index.Rebuild(ctx, set, root, progressPrinter(e.stderr)); err != nil {
		return e.errorf("search index: %v (the import is kept; codebench index build retries)", err)
	}
	return 0
}

func kindList() string {
	var names []string
	for _, k := range dataimport.Kinds {
		names = append(names, k.Name())
	}
	return strings.Join(names, ", ")
}

func runDataStatus(e *env, args []string) int {
	fs := flag.NewFlagSet("data status", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	todayFlag := fs.String("today", "", "check as of this date (YYYY-MM-DD) rather than today")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	today, err := dateFlag("today", *todayFlag)
	if err != nil {
		return e.errorf("%v", err)
	}
	if today.IsZero() {
		today = time.Now()
	}
	dir, set, err := openDataDir()
	if err != nil {
		return e.errorf("%v", err)
	}
	rep, err := dataimport.Status(dir, set, today)
	if err != nil {
		return e.errorf("%v", err)
	}
	if *asJSON {
		if err := writeJSON(e.stdout, rep); err != nil {
			return e.errorf("%v", err)
		}
		return 0
	}
	rep.WriteText(e.stdout)
	return 0
}

func runDataRemove(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("data remove", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	noIndex := fs.Bool("no-index", false, "do not rebuild the search index now")
	ids, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(ids) != 1 {
		return e.errorf("usage: codebench data remove ID (codebench data status lists the ids)")
	}
	dir, err := codesets.DataDir()
	if err != nil {
		return e.errorf("%v", err)
	}
	r, err := dataimport.Remove(dir, ids[0])
	if err != nil {
		return e.errorf("data remove: %v", err)
	}
	fmt.Fprintf(e.stdout, "removed %s %s (%s); what was loaded before it is back\n", r.Kind, r.Name, r.ID)
	if *noIndex {
		return 0
	}
	return rebuildIndex(ctx, e, dir)
}
