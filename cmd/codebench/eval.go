package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"codebench/codesets"
	"codebench/index"
)

// maxEvalFile bounds an evaluation file (CodiEsp train is under 1 MB
// gzipped).
const maxEvalFile = 256 << 20

type evalJSON struct {
	File       string  `json:"file"`
	Kind       string  `json:"kind"` // "queries" or "cases"
	Golds      string  `json:"golds,omitempty"`
	Queries    int     `json:"queries"`
	GoldCodes  int     `json:"gold_codes"`
	RecallAt1  float64 `json:"recall_at_1"`
	RecallAt5  float64 `json:"recall_at_5"`
	RecallAt10 float64 `json:"recall_at_10"`
	MRR        float64 `json:"mrr"`
	Seconds    float64 `json:"seconds"`
	// ByKind breaks a query set down by kind of query.
	ByKind []evalKindJSON `json:"by_kind,omitempty"`
}

type evalKindJSON struct {
	Kind       string  `json:"kind"`
	Queries    int     `json:"queries"`
	RecallAt1  float64 `json:"recall_at_1"`
	RecallAt5  float64 `json:"recall_at_5"`
	RecallAt10 float64 `json:"recall_at_10"`
	MRR        float64 `json:"mrr"`
}

func runEval(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	system := fs.String("system", "", "limit the search to icd10cm, hcpcs or cpt (comma-separated)")
	billable := fs.Bool("billable", false, "billable codes only")
	asJSON := fs.Bool("json", false, "print JSON")
	misses := fs.Int("misses", 20, "list up to this many queries not answered in the first 10 (query files)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: codebench eval [--system S] [--billable] [--json] [--misses N] [FILE...]")
		fmt.Fprintln(e.stderr, "\nFILE is either a query set, QUERY<TAB>CODE[,CODE...] per line (header optional),")
		fmt.Fprintln(e.stderr, "with an optional third column naming the kind of query (figures are given per kind),")
		fmt.Fprintln(e.stderr, "or CodiEsp cases (.jsonl or .jsonl.gz: id, text_en, icd10cm_dx). Without FILE the")
		fmt.Fprintln(e.stderr, "built-in sets are scored: the development set (index/testdata/dev.tsv), tuned on,")
		fmt.Fprintln(e.stderr, "and the hold-outs, never tuned on, each reported on its own.")
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	opt := index.Options{BillableOnly: *billable}
	if opt.Systems, err = systemFlag(*system); err != nil {
		return e.errorf("%v", err)
	}
	ix, set, err := openIndex(ctx, e)
	if err != nil {
		return e.errorf("%v", err)
	}
	defer ix.Close()

	var reports []evalJSON
	if len(files) == 0 {
		sets, err := index.EvalSets()
		if err != nil {
			return e.errorf("%v", err)
		}
		for _, set := range sets {
			r, code := evalQueries(ctx, e, ix, "index/testdata/"+set.Name+" ("+set.About+")", set.Cases, opt, *misses, *asJSON)
			if code != 0 {
				return code
			}
			reports = append(reports, r)
		}
	}
	for _, name := range files {
		data, err := readEvalFile(name)
		if err != nil {
			return e.errorf("%v", err)
		}
		if isCaseFile(name, data) {
			cases, err := index.ReadCodiEsp(strings.NewReader(string(data)), name)
			if err != nil {
				return e.errorf("%v", err)
			}
			rs, code := evalCases(ctx, e, ix, set, name, cases, opt, *asJSON)
			if code != 0 {
				return code
			}
			reports = append(reports, rs...)
			continue
		}
		cases, err := index.ReadEvalTSV(strings.NewReader(string(data)), name)
		if err != nil {
			return e.errorf("%v", err)
		}
		r, code := evalQueries(ctx, e, ix, name, cases, opt, *misses, *asJSON)
		if code != 0 {
			return code
		}
		reports = append(reports, r)
	}
	if *asJSON {
		if err := writeJSON(e.stdout, reports); err != nil {
			return e.errorf("%v", err)
		}
	}
	return 0
}

func readEvalFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory, want an evaluation file", name)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxEvalFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > maxEvalFile {
		return nil, fmt.Errorf("%s: larger than %d MB", name, maxEvalFile>>20)
	}
	return data, nil
}

// isCaseFile tells a CodiEsp file (JSON lines, maybe gzipped) from a query
// set by its name or first bytes.
func isCaseFile(name string, data []byte) bool {
	if strings.HasSuffix(name, ".jsonl") || strings.HasSuffix(name, ".jsonl.gz") {
		return true
	}
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		return true
	}
	s := strings.TrimSpace(string(data[:min(len(data), 64)]))
	return strings.HasPrefix(s, "{")
}

func evalQueries(ctx context.Context, e *env, ix *index.Index, name string, cases []index.EvalCase, opt index.Options, misses int, asJSON bool) (evalJSON, int) {
	start := time.Now()
	rep, err := ix.Evaluate(ctx, cases, opt)
	if err != nil {
		return evalJSON{}, e.errorf("eval %s: %v", name, err)
	}
	r := evalJSON{File: name, Kind: "queries", Queries: rep.Queries, GoldCodes: rep.Golds,
		RecallAt1: rep.RecallAt1, RecallAt5: rep.RecallAt5, RecallAt10: rep.RecallAt10, MRR: rep.MRR,
		Seconds: time.Since(start).Seconds()}
	for _, k := range rep.Kinds {
		r.ByKind = append(r.ByKind, evalKindJSON{Kind: k.Kind, Queries: k.Queries,
			RecallAt1: k.RecallAt1, RecallAt5: k.RecallAt5, RecallAt10: k.RecallAt10, MRR: k.MRR})
	}
	if asJSON {
		return r, 0
	}
	fmt.Fprintf(e.stdout, "%s: %d queries\n", name, rep.Queries)
	fmt.Fprintf(e.stdout, "  %-12s %5s  recall@1 %.3f  recall@5 %.3f  recall@10 %.3f  MRR %.3f  (%.1fs)\n",
		"all", "", rep.RecallAt1, rep.RecallAt5, rep.RecallAt10, rep.MRR, r.Seconds)
	for _, k := range rep.Kinds {
		fmt.Fprintf(e.stdout, "  %-12s %5d  recall@1 %.3f  recall@5 %.3f  recall@10 %.3f  MRR %.3f\n",
			k.Kind, k.Queries, k.RecallAt1, k.RecallAt5, k.RecallAt10, k.MRR)
	}
	if len(rep.Misses) > 0 && misses > 0 {
		fmt.Fprintf(e.stdout, "  not answered in the first 10 (%d):\n", len(rep.Misses))
		for i, m := range rep.Misses {
			if i == misses {
				fmt.Fprintf(e.stdout, "    ... and %d more\n", len(rep.Misses)-misses)
				break
			}
			where := "not found"
			if m.Rank > 0 {
				where = fmt.Sprintf("rank %d", m.Rank)
			}
			fmt.Fprintf(e.stdout, "    %-40q gold %-20s %-10s first: %s\n", m.Case.Query, strings.Join(m.Case.Gold, ","), where, strings.Join(m.Top, " "))
		}
	}
	return r, 0
}

// evalCases scores CodiEsp cases twice: against the gold codes as given,
// and against those billable in ICD-10-CM FY2026 (the gold is CIE-10-ES
// 2018: some codes are headers now or gone).
func evalCases(ctx context.Context, e *env, ix *index.Index, set *codesets.Set, name string, cases []index.EvalCase, opt index.Options, asJSON bool) ([]evalJSON, int) {
	var out []evalJSON
	billable := func(g string) bool {
		c, ok := set.LookupIn(codesets.ICD10CM, g)
		return ok && c.Billable
	}
	if !asJSON {
		fmt.Fprintf(e.stdout, "%s: %d cases (each case text cut into clauses, searched, hit lists fused; ICD-10-CM only)\n", name, len(cases))
	}
	labels := []string{"gold as given", "FY2026-billable gold"}
	start := time.Now()
	reps, err := ix.EvaluateCases(ctx, cases, opt, nil, billable)
	if err != nil {
		return nil, e.errorf("eval %s: %v", name, err)
	}
	secs := time.Since(start).Seconds()
	for i, rep := range reps {
		r := evalJSON{File: name, Kind: "cases", Golds: labels[i], Queries: rep.Queries, GoldCodes: rep.Golds,
			RecallAt1: rep.RecallAt1, RecallAt5: rep.RecallAt5, RecallAt10: rep.RecallAt10, MRR: rep.MRR, Seconds: secs}
		out = append(out, r)
		if !asJSON {
			fmt.Fprintf(e.stdout, "  %-21s %d gold codes: recall@1 %.3f  recall@5 %.3f  recall@10 %.3f  MRR %.3f\n",
				labels[i]+":", rep.Golds, rep.RecallAt1, rep.RecallAt5, rep.RecallAt10, rep.MRR)
		}
	}
	if !asJSON {
		fmt.Fprintf(e.stdout, "  (%.1fs)\n", secs)
	}
	return out, 0
}
