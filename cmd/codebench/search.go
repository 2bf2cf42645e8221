package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"time"

	"codebench/codesets"
	"codebench/index"
)

// systemFlag reads --system: icd10cm, hcpcs or cpt, comma-separated.
func systemFlag(v string) ([]codesets.System, error) {
	if v == "" {
		return nil, nil
	}
	var out []codesets.System
	for _, s := range strings.Split(v, ",") {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "icd10cm", "icd-10-cm", "icd10", "icd":
			out = append(out, codesets.ICD10CM)
		case "hcpcs":
			out = append(out, codesets.HCPCS)
		case "cpt":
			out = append(out, codesets.CPT)
		default:
			return nil, fmt.Errorf("--system %q: want icd10cm, hcpcs or cpt", s)
		}
	}
	return out, nil
}

type searchHitJSON struct {
	System   codesets.System `json:"system"`
	Code     string          `json:"code"`
	Display  string          `json:"display"`
	Billable bool            `json:"billable"`
	Title    string          `json:"title"`
	Why      string          `json:"why,omitempty"`
	Family   string          `json:"family,omitempty"`
	Score    float64         `json:"score"`
}

type searchJSON struct {
	Query  string          `json:"query"`
	Total  uint64          `json:"total"`
	TookMS float64         `json:"took_ms"`
	Hits   []searchHitJSON `json:"hits"`
}

func runSearch(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	system := fs.String("system", "", "limit to icd10cm, hcpcs or cpt (comma-separated)")
	billable := fs.Bool("billable", false, "billable codes only (no ICD-10-CM headers)")
	validOn := fs.String("valid-on", "", "only codes valid on this date of service (YYYY-MM-DD)")
	asJSON := fs.Bool("json", false, "print JSON")
	n := fs.Int("n", 20, "number of hits")
	modifiers := fs.Bool("modifiers", false, "include HCPCS Level II modifiers")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) == 0 {
		return e.errorf(`usage: codebench search [--system icd10cm|hcpcs|cpt] [--billable] [--valid-on DATE] [--json] [-n 20] "query"`)
	}
	opt := index.Options{BillableOnly: *billable, Limit: *n, Modifiers: *modifiers}
	if *n <= 0 {
		return e.errorf("-n %d: want a positive number of hits", *n)
	}
	if opt.Systems, err = systemFlag(*system); err != nil {
		return e.errorf("%v", err)
	}
	if *validOn != "" {
		if opt.ValidOn, err = time.Parse(time.DateOnly, *validOn); err != nil {
			return e.errorf("--valid-on %q: want a date as YYYY-MM-DD", *validOn)
		}
	}
	ix, _, err := openIndex(ctx, e)
	if err != nil {
		return e.errorf("%v", err)
	}
	defer ix.Close()
	q := strings.Join(pos, " ")
	res, err := ix.Search(ctx, q, opt)
	if err != nil {
		return e.errorf("search: %v", err)
	}
	if *asJSON {
		out := searchJSON{Query: q, Total: res.Total, TookMS: float64(res.Took.Microseconds()) / 1000, Hits: []searchHitJSON{}}
		for _, h := range res.Hits {
			out.Hits = append(out.Hits, searchHitJSON{System: h.Code.System, Code: h.Code.Code, Display: h.Code.Display(),
				Billable: h.Code.Billable, Title: h.Code.Title(), Why: h.Why, Family: h.Family, Score: h.Score})
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return e.errorf("%v", err)
		}
		return 0
	}
	if len(res.Hits) == 0 {
		// A CPT number is a valid code without the licensed descriptors.
		if c, ok := ix.Set().LookupIn(codesets.CPT, q); ok && c.DescriptorMissing && len(strings.TrimSpace(q)) == 5 {
			fmt.Fprintf(e.stdout, "  %-8s CPT %s (import your licensed CPT file: codebench cpt import FILE)\n", c.Code, c.Title())
			return 0
		}
		fmt.Fprintf(e.stdout, "no codes found for %q\n", q)
		return 0
	}
	for _, h := range res.Hits {
		mark := " "
		if !h.Code.Billable {
			mark = "-" // a header: not billable
		}
		sys := ""
		if h.Code.System != codesets.ICD10CM {
			sys = string(h.Code.System) + " "
		}
		fmt.Fprintf(e.stdout, "%s %-8s %s%s\n", mark, h.Code.Display(), sys, h.Code.Title())
		if h.Why != "" {
			fmt.Fprintf(e.stdout, "  %-8s ~ %s\n", "", h.Why)
		}
	}
	fmt.Fprintf(e.stdout, "%d of %d codes in %.1f ms (- = header, not billable)\n", len(res.Hits), res.Total, float64(res.Took.Microseconds())/1000)
	return 0
}
