package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"codebench/codesets"
)

// openCodesets loads the embedded code sets plus the user's CPT import.
func openCodesets() (*codesets.Set, error) {
	dir, err := codesets.DataDir()
	if err != nil {
		return nil, err
	}
	return codesets.Open(dir)
}

func runCode(_ context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("code", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	dosFlag := fs.String("dos", "", "date of service (YYYY-MM-DD): the code as the release in force that day has it (default today)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		return e.errorf("usage: codebench code [--json] [--dos YYYY-MM-DD] CODE")
	}
	typed := pos[0]
	dos := time.Now()
	if *dosFlag != "" {
		if dos, err = time.Parse(time.DateOnly, *dosFlag); err != nil {
			return e.errorf("--dos %q: want a date as YYYY-MM-DD", *dosFlag)
		}
	}
	all, err := openCodesets()
	if err != nil {
		return e.errorf("%v", err)
	}
	set := all.On(dos)
	c, ok := set.Lookup(typed)
	var notOn *codesets.Answer
	if !ok || c.System == codesets.ICD10CM {
		// Not in the release of the date: say which release has it.
		if a := all.CodeOn(codesets.ICD10CM, typed, dos); a.Found != nil && (a.Status == codesets.NotYet || a.Status == codesets.NoLonger || a.Status == codesets.NoRelease) {
			notOn = &a
			c, ok, set = a.Found, true, all.View(a.Other)
		}
	}
	if !ok {
		msg := fmt.Sprintf("%s is not a code in %s, HCPCS Level II or CPT", codesets.Quote(strings.TrimSpace(typed), 40), releaseName(set))
		if near := set.Nearest(typed, 8); len(near) > 0 {
			var b strings.Builder
			for _, n := range near {
				fmt.Fprintf(&b, "\n  %-8s %s", n.Display(), n.Title())
			}
			msg += "\nnearest codes:" + b.String()
		}
		return e.errorf("%s", msg)
	}
	d := set.Detail(c)
	if notOn != nil {
		d.NotValidOn = fmt.Sprintf("%s: %v", dos.Format(time.DateOnly), notOn.Err())
	}
	if *asJSON {
		if err := writeJSON(e.stdout, d); err != nil {
			return e.errorf("%v", err)
		}
		return 0
	}
	d.WriteText(e.stdout)
	return 0
}

// releaseName names the ICD-10-CM release of a view.
func releaseName(set *codesets.Set) string {
	if r := set.Release(); r != nil {
		return r.Title()
	}
	return "ICD-10-CM (no release loaded for the date)"
}

func runCPT(_ context.Context, e *env, args []string) int {
	if len(args) != 2 || args[0] != "import" {
		return e.errorf("usage: codebench cpt import FILE (tab- or comma-separated: code, descriptor[, short descriptor])")
	}
	dir, err := codesets.DataDir()
	if err != nil {
		return e.errorf("%v", err)
	}
	n, err := codesets.ImportCPT(args[1], dir)
	if err != nil {
		return e.errorf("cpt import: %v", err)
	}
	fmt.Fprintf(e.stdout, "imported %d CPT codes into %s\n", n, dir)
	return 0
}
