package index

import (
	"bytes"
	"compress/gzip"
	"context"
	"strings"
	"testing"

	"codebench/codesets"
)

func TestReadEvalTSV(t *testing.T) {
	cases, err := ReadEvalTSV(strings.NewReader("query\tgold\n# comment\n\nchf, acute\tI50.9, i50.21\nE11\te11\textra\tfree text, any\textra column\r\n"), "x.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 || cases[0].Query != "chf, acute" || strings.Join(cases[0].Gold, ",") != "I509,I5021" {
		t.Fatalf("%+v", cases)
	}
	if cases[1].Kind != "extra" {
		t.Errorf("kind %q, want the third column", cases[1].Kind)
	}
	// No header; a kind and a source.
	cases, err = ReadEvalTSV(strings.NewReader("chf\tI50.9\tshorthand\tdemo:enc-1001\n"), "x.tsv")
	if err != nil || len(cases) != 1 || cases[0].Kind != "shorthand" || cases[0].Source != "demo:enc-1001" {
		t.Errorf("without header: %+v %v", cases, err)
	}
	for in, want := range map[string]string{
		"chf I50.9\n":                "x.tsv line 1: no tab",
		"q\tgold\nchf\tnot a code\n": "x.tsv line 2: field gold",
		"chf\tI50.9\n\tI10\n":        "x.tsv line 2: field query: empty",
		"chf\t\xff\n":                "x.tsv line 1: invalid UTF-8",
		"chf\tI50.9\tno spaces\n":    "x.tsv line 1: field kind",
		"":                           "x.tsv: no queries",
	} {
		if _, err := ReadEvalTSV(strings.NewReader(in), "x.tsv"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

func TestReadCodiEsp(t *testing.T) {
	jsonl := `{"id": "a", "split": "dev", "text_en": "Pneumonia.", "icd10cm_dx": ["J18.9", "R50.9"]}` + "\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(jsonl))
	zw.Close()
	for name, data := range map[string][]byte{"plain": []byte(jsonl), "gzip": gz.Bytes()} {
		cases, err := ReadCodiEsp(bytes.NewReader(data), name)
		if err != nil || len(cases) != 1 || cases[0].ID != "a" || len(cases[0].Gold) != 2 {
			t.Errorf("%s: %+v %v", name, cases, err)
		}
	}
	if _, err := ReadCodiEsp(strings.NewReader("{not json\n"), "bad.jsonl"); err == nil || !strings.Contains(err.Error(), "bad.jsonl line 1") {
		t.Errorf("bad json: %v", err)
	}
	if _, err := ReadCodiEsp(strings.NewReader(`{"id":"a","text_en":"","icd10cm_dx":["J18.9"]}`), "e.jsonl"); err == nil || !strings.Contains(err.Error(), "text_en") {
		t.Errorf("empty text: %v", err)
	}
}

func TestIsHitCountsBillableDescendants(t *testing.T) {
	set := testIndex.set
	e119, _ := set.Lookup("E11.9")
	e11, _ := set.Lookup("E11")
	e1165, _ := set.Lookup("E11.65")
	if !isHit(e119, "E11") || !isHit(e119, "E119") || isHit(e11, "E119") || isHit(e1165, "E119") {
		t.Error("hit rules")
	}
	if isHit(e11, "E1") {
		t.Error("a header counted as a descendant hit")
	}
}

func TestEvaluateScores(t *testing.T) {
	cases := []EvalCase{
		{ID: "1", Query: "chf", Gold: []string{"I509"}, Kind: "shorthand"},
		{ID: "2", Query: "zzzzqqq", Gold: []string{"I10"}, Kind: "typo"},
		{ID: "3", Query: "htn", Gold: []string{"I10"}, Kind: "shorthand"},
	}
	rep, err := testIndex.Evaluate(context.Background(), cases, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Queries != 3 || rep.RecallAt10 != 2.0/3 || len(rep.Misses) != 1 {
		t.Errorf("%+v", rep)
	}
	if len(rep.Kinds) != 2 || rep.Kinds[0].Kind != "shorthand" || rep.Kinds[0].Queries != 2 || rep.Kinds[0].RecallAt1 != 1 ||
		rep.Kinds[1].Kind != "typo" || rep.Kinds[1].RecallAt10 != 0 || rep.Kinds[1].MRR != 0 {
		t.Errorf("kinds: %+v", rep.Kinds)
	}
}

func TestCaseQueriesAndEvaluateCases(t *testing.T) {
	text := "A 60-year-old man with type 2 diabetes mellitus and essential hypertension.\nNo history of nephrolithiasis.\nHe was diagnosed with community acquired pneumonia, treated with antibiotics."
	qs := CaseQueries(text)
	for _, q := range qs {
		if strings.Contains(strings.ToLower(q), "nephrolithiasis") {
			t.Errorf("negated clause searched: %q", q)
		}
	}
	cases := []EvalCase{{ID: "c", Query: text, Gold: []string{"E119", "I10", "J189", "N200", "Z9999"}}}
	// Only billable golds: Z99.99 is no code, N20.0 stays.
	keep := func(g string) bool { c, ok := testIndex.set.LookupIn(codesets.ICD10CM, g); return ok && c.Billable }
	reps, err := testIndex.EvaluateCases(context.Background(), cases, Options{}, nil, keep)
	if err != nil {
		t.Fatal(err)
	}
	if rep := reps[0]; rep.Golds != 5 || rep.RecallAt10 < 0.6 || rep.MRR < 0.5 {
		t.Errorf("all golds: %+v", rep)
	}
	if rep := reps[1]; rep.Golds != 4 || rep.RecallAt10 < 0.75 {
		t.Errorf("billable golds: %+v", rep)
	}
}
