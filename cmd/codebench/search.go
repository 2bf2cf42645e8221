package main

import (
	"context"
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
	NotValid string          `json:"not_valid,omitempty"`
}

type searchJSON struct {
	Query string `json:"query"`
	// Release is the ICD-10-CM release that answered, with its dates.
	Release string          `json:"release"`
	Total   uint64          `json:"total"`
	TookMS  float64         `json:"took_ms"`
	Hits    []searchHitJSON `json:"hits"`
}

func runSearch(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	system := fs.String("system", "", "limit to icd10cm, hcpcs or cpt (comma-separated)")
	billable := fs.Bool("billable", false, "billable codes only (no ICD-10-CM headers)")
	dos := fs.String("dos", "", "date of service (YYYY-MM-DD): codes of the release in force that day, HCPCS codes valid that day (default today)")
	validOn := fs.String("valid-on", "", "same as --dos")
	all := fs.Bool("all", false, "also list codes not valid on the date, marked with the release that has them")
	asJSON := fs.Bool("json", false, "print JSON")
	n := fs.Int("n", 20, "number of hits")
	modifiers := fs.Bool("modifiers", false, "include HCPCS Level II modifiers")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) == 0 {
		return e.errorf(`usage: codebench search [--system icd10cm|hcpcs|cpt] [--billable] [--dos DATE] [--all] [--json] [-n 20] "query"`)
	}
	opt := index.Options{BillableOnly: *billable, Limit: *n, Modifiers: *modifiers, ShowInvalid: *all}
	if *n <= 0 {
		return e.errorf("-n %d: want a positive number of hits", *n)
	}
	if opt.Systems, err = systemFlag(*system); err != nil {
		return e.errorf("%v", err)
	}
	for _, f := range []struct{ name, v string }{{"--dos", *dos}, {"--valid-on", *validOn}} {
		if f.v != "" {
			if opt.ValidOn, err = time.Parse(time.DateOnly, f.v); err != nil {
				return e.errorf("%s %s: want a date as YYYY-MM-DD", f.name, codesets.Quote(f.v, 20))
			}
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
		out := searchJSON{Query: q, Release: answeredBy(res, opt), Total: res.Total, TookMS: float64(res.Took.Microseconds()) / 1000, Hits: []searchHitJSON{}}
		for _, h := range res.Hits {
			out.Hits = append(out.Hits, searchHitJSON{System: h.Code.System, Code: h.Code.Code, Display: h.Code.Display(),
				Billable: h.Code.Billable, Title: h.Code.Title(), Why: h.Why, Family: h.Family, Score: h.Score, NotValid: h.NotValid})
		}
		if err := writeJSON(e.stdout, out); err != nil {
			return e.errorf("%v", err)
		}
		return 0
	}
	fmt.Fprintf(e.stdout, "%s\n", answeredBy(res, opt))
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
		if h.NotValid != "" {
			fmt.Fprintf(e.stdout, "  %-8s ! not valid: %s\n", "", h.NotValid)
		}
		if h.Why != "" {
			fmt.Fprintf(e.stdout, "  %-8s ~ %s\n", "", h.Why)
		}
	}
	fmt.Fprintf(e.stdout, "%d of %d codes in %.1f ms (- = header, not billable)\n", len(res.Hits), res.Total, float64(res.Took.Microseconds())/1000)
	return 0
}

// answeredBy says which ICD-10-CM release answered a search, and for what
// date: "ICD-10-CM FY2027 (DOS 2026-10-01 to 2027-09-30) answered for 2026-11-16".
func answeredBy(res index.Result, opt index.Options) string {
	when := "today"
	if !opt.ValidOn.IsZero() {
		when = opt.ValidOn.Format(time.DateOnly)
	}
	if res.Release == nil {
		return "no ICD-10-CM release loaded for " + when + " (codebench data status)"
	}
	return fmt.Sprintf("%s (DOS %s) answered for %s", res.Release.Title(), res.Release.Range(), when)
}
