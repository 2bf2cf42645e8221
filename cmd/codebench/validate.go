package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"codebench/encounter"
	"codebench/termsafe"
)

const validateUsage = "usage: codebench validate [--json] [--edit-sets SPEC] FILE|DIR..."

// validateResult is one file's outcome, also the --json output.
type validateResult struct {
	File     string              `json:"file"`
	ID       string              `json:"id,omitempty"`
	Errors   int                 `json:"errors"`
	Warnings int                 `json:"warnings"`
	Info     int                 `json:"info"`
	Blocked  bool                `json:"blocked"` // unoverridden errors: export refused
	Edits    []encounter.Edit    `json:"edits"`
	Problem  string              `json:"problem,omitempty"` // unreadable or malformed file
	Problems []encounter.Problem `json:"problems,omitempty"`
}

// runValidate checks encounter files (JSON, text or Markdown notes) without
// touching any store: exit 0 when no file has an error edit, 1 when one
// has, 2 when a file cannot be read or decoded (or on usage errors).
func runValidate(_ context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print the results as JSON")
	var editSets editSetsFlag
	editSets.register(fs)
	paths, err := parseFlagsAnywhere(fs, args)
	if err != nil {
		return 2
	}
	if len(paths) == 0 {
		fmt.Fprintln(e.stderr, validateUsage)
		return 2
	}
	files, code := validateInputs(e, paths)
	if code != 0 {
		return code
	}
	set, err := openCodesets()
	if err != nil {
		fmt.Fprintf(e.stderr, "codebench: validate: %v\n", err)
		return 2
	}

	// Read every file first: encounters of one patient with one provider
	// on one day are checked together (NCCI PTP pairs and MUE units span
	// claims).
	encs := make([]*encounter.Encounter, len(files))
	readErrs := make([]error, len(files))
	for i, f := range files {
		encs[i], readErrs[i] = readEncounter(f)
	}
	checks := newClaimChecks(set, nil, editSets.sets, nil)
	results := make([]validateResult, 0, len(files))
	bad, blocked := 0, 0
	for i, f := range files {
		r := validateResult{File: f.path, Edits: []encounter.Edit{}}
		enc, err := encs[i], readErrs[i]
		if err != nil {
			bad++
			r.Problem = escapeLines(err.Error())
			var fe *encounter.FileError
			if errors.As(err, &fe) {
				r.Problems = fe.Problems
			}
			results = append(results, r)
			continue
		}
		r.ID = enc.ID
		o, _ := checks.options(context.Background(), enc)
		for k, other := range encs {
			if k != i && other != nil {
				o.SameDay = append(o.SameDay, other)
			}
		}
		r.Edits = encounter.ValidateWith(enc, set, o)
		for _, ed := range r.Edits {
			switch {
			case ed.Overridden != nil:
			case ed.Severity == encounter.Error:
				r.Errors++
			case ed.Severity == encounter.Warning:
				r.Warnings++
			default:
				r.Info++
			}
		}
		r.Blocked = encounter.HasErrors(r.Edits)
		if r.Blocked {
			blocked++
		}
		results = append(results, r)
	}

	if *asJSON {
		if err := writeJSON(e.stdout, results); err != nil {
			return e.errorf("%v", err)
		}
	} else {
		for _, r := range results {
			if r.Problem != "" {
				fmt.Fprintf(e.stdout, "%s: cannot be read as an encounter:\n", termsafe.Text(r.File))
				for _, line := range strings.Split(r.Problem, "\n") {
					fmt.Fprintf(e.stdout, "  %s\n", line)
				}
				continue
			}
			fmt.Fprintf(e.stdout, "%s (%s): %s, %s, %d info\n", termsafe.Text(r.File), termsafe.Text(r.ID), plural(r.Errors, "error"), plural(r.Warnings, "warning"), r.Info)
			printEdits(e.stdout, r.Edits)
		}
		if len(results) > 1 {
			fmt.Fprintf(e.stdout, "%d files: %d with errors, %d unreadable\n", len(results), blocked, bad)
		}
	}
	switch {
	case bad > 0:
		return 2
	case blocked > 0:
		return 1
	}
	return 0
}

// inputFile is one file to validate; inDir is set for a file found by
// listing a directory (never followed if it is a symbolic link).
type inputFile struct {
	path  string
	inDir bool
}

// validateInputs expands directories into their encounter files (not
// recursing, and skipping the imported/ and rejected/ folders an inbox
// import makes).
func validateInputs(e *env, paths []string) ([]inputFile, int) {
	var files []inputFile
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			fmt.Fprintf(e.stderr, "codebench: validate: %s\n", escapeLines(err.Error()))
			return nil, 2
		}
		if !st.IsDir() {
			files = append(files, inputFile{path: p})
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			fmt.Fprintf(e.stderr, "codebench: validate: %s\n", escapeLines(err.Error()))
			return nil, 2
		}
		var found []inputFile
		for _, d := range entries {
			if !d.IsDir() && encounter.IsEncounterFile(d.Name()) {
				found = append(found, inputFile{path: filepath.Join(p, d.Name()), inDir: true})
			}
		}
		if len(found) == 0 {
			fmt.Fprintf(e.stderr, "codebench: validate: no .json, .txt or .md encounter files in %s\n", termsafe.Text(p))
		}
		sort.Slice(found, func(i, j int) bool { return found[i].path < found[j].path })
		files = append(files, found...)
	}
	return files, 0
}

// readEncounter reads one file. A symbolic link named on the command line
// is followed; one found in a directory is not (as the inbox import), nor
// is a link swapped in while the file is read.
func readEncounter(f inputFile) (*encounter.Encounter, error) {
	path := f.path
	if !f.inDir {
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			return nil, err
		}
		path = real
	}
	data, err := encounter.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return encounter.DecodeFile(data, f.path)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
