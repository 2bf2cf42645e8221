package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/encounter/demo"
	"codebench/encounter/exporter"
	"codebench/encounter/fees"
)

const feesUsage = "usage: codebench fees import [--version V] FILE | codebench fees show [--payer ID] [--dos DATE] [CODE[-MOD]...]"

// runFees imports the practice's fee schedule (validated as a whole; kept
// in the data directory with its version and SHA-256) or shows it.
func runFees(_ context.Context, e *env, args []string) int {
	if len(args) == 0 {
		return e.errorf("%s", feesUsage)
	}
	data, err := codesets.DataDir()
	if err != nil {
		return e.errorf("%v", err)
	}
	switch args[0] {
	case "import":
		fs := flag.NewFlagSet("fees import", flag.ContinueOnError)
		fs.SetOutput(e.stderr)
		version := fs.String("version", "", "the schedule's version (default: the file name without extension)")
		rest, err := parseFlagsAnywhere(fs, args[1:])
		if err != nil {
			return 2
		}
		if len(rest) != 1 {
			return e.errorf("%s", feesUsage)
		}
		raw, err := fees.ReadFile(rest[0])
		if err != nil {
			return e.errorf("fees import: %v", err)
		}
		v := *version
		if v == "" {
			v = strings.TrimSuffix(filepath.Base(rest[0]), filepath.Ext(rest[0]))
		}
		m, err := fees.Import(data, rest[0], raw, v, time.Now())
		if err != nil {
			fmt.Fprintf(e.stderr, "codebench: fees import: nothing imported:\n%v\n", err)
			return 1
		}
		fmt.Fprintf(e.stdout, "imported fee schedule %q: %d fees from %s (sha256 %s) into %s\n", m.Version, m.Rows, m.Source, m.SHA256, filepath.Join(data, fees.Dir))
		return 0
	case "show":
		fs := flag.NewFlagSet("fees show", flag.ContinueOnError)
		fs.SetOutput(e.stderr)
		payer := fs.String("payer", "", "payer id whose fees to show")
		dos := fs.String("dos", time.Now().Format(time.DateOnly), "date of service")
		codes, err := parseFlagsAnywhere(fs, args[1:])
		if err != nil {
			return 2
		}
		date, err := encounter.ParseDate(*dos)
		if err != nil {
			return e.errorf("--dos %q is not a date YYYY-MM-DD", *dos)
		}
		s, m, err := fees.Load(data)
		if err != nil {
			return e.errorf("%v", err)
		}
		fmt.Fprintf(e.stdout, "fee schedule %q: %d fees, sha256 %s, imported %s from %s\n", m.Version, m.Rows, m.SHA256, m.ImportedAt.Format(time.RFC3339), m.Source)
		for _, c := range codes {
			code, mod, _ := strings.Cut(strings.ToUpper(c), "-")
			var mods []string
			if mod != "" {
				mods = []string{mod}
			}
			if f, ok := s.Lookup(code, mods, *payer, date); ok {
				fmt.Fprintf(e.stdout, "%s: $%s (line %d)\n", c, encounter.Cents(f.Amount), f.Line)
			} else {
				fmt.Fprintf(e.stdout, "%s: no fee on %s\n", c, date)
			}
		}
		return 0
	}
	return e.errorf("%s", feesUsage)
}

// claimPolicies are what sessions price and export claims with: the fee
// schedule (sessionFees) and the payers' policies from the data directory.
func claimPolicies(data string, demoStore bool) (*fees.Schedule, exporter.Policies, error) {
	feeSchedule, err := sessionFees(data, demoStore)
	if err != nil {
		return nil, exporter.Policies{}, err
	}
	payers, err := exporter.LoadPolicies(filepath.Join(data, DefaultPayersFile))
	if err != nil {
		return nil, exporter.Policies{}, err
	}
	return feeSchedule, payers, nil
}

// sessionFees is the fee schedule the workbench charges lines from: the
// one imported into the data directory, else, on the demo store, the
// demo practice's; none imported is no error (charges are typed by hand).
func sessionFees(data string, demoStore bool) (*fees.Schedule, error) {
	s, _, err := fees.Load(data)
	switch {
	case errors.Is(err, fees.ErrNone) && demoStore:
		return demo.FeeSchedule(), nil
	case errors.Is(err, fees.ErrNone):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return s, nil
}
