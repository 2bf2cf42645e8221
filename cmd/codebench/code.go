package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

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
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		return e.errorf("usage: codebench code [--json] CODE")
	}
	typed := fs.Arg(0)
	set, err := openCodesets()
	if err != nil {
		return e.errorf("%v", err)
	}
	c, ok := set.Lookup(typed)
	if !ok {
		c, ok = set.Retired(typed)
	}
	if !ok {
		msg := fmt.Sprintf("%q is not a code in ICD-10-CM FY2026, HCPCS Level II or CPT", strings.TrimSpace(typed))
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
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			return e.errorf("%v", err)
		}
		return 0
	}
	d.WriteText(e.stdout)
	return 0
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
