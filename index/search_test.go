package index

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"codebench/codesets"
)

func find(t *testing.T, q string, opt Options) Result {
	t.Helper()
	res, err := testIndex.Search(context.Background(), q, opt)
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return res
}

func codes(hits []Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Code.Display())
	}
	return out
}

// rankOf is the 1-based rank of the first hit that is code or a billable
// code under it, 0 when absent.
func rankOf(hits []Hit, code string) int {
	want := codesets.Canonical(code)
	for i, h := range hits {
		if isHit(h.Code, want) {
			return i + 1
		}
	}
	return 0
}

// The development set is the regression guard for ranking (a hit is a
// gold code or a billable code under it); its figures per kind are logged.
func TestDevSetRecall(t *testing.T) {
	cases, err := DevSet()
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 1000 {
		t.Fatalf("dev set has %d queries, want at least 1,000", len(cases))
	}
	rep, err := testIndex.Evaluate(context.Background(), cases, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("dev set: %d queries, recall@1 %.3f @5 %.3f @10 %.3f, MRR %.3f", rep.Queries, rep.RecallAt1, rep.RecallAt5, rep.RecallAt10, rep.MRR)
	for _, k := range rep.Kinds {
		t.Logf("  %-10s %4d  recall@1 %.3f @10 %.3f  MRR %.3f", k.Kind, k.Queries, k.RecallAt1, k.RecallAt10, k.MRR)
	}
	if testing.Verbose() {
		for _, m := range rep.Misses {
			t.Logf("not in the first 10: %q (gold %v) rank %d, first hits %v", m.Case.Query, m.Case.Gold, m.Rank, m.Top)
		}
	}
	if rep.RecallAt10 < devRecallAt10 {
		t.Errorf("recall@10 %.3f, want >= %.2f", rep.RecallAt10, devRecallAt10)
	}
	if rep.RecallAt1 < devRecallAt1 {
		t.Errorf("recall@1 %.3f, want >= %.2f", rep.RecallAt1, devRecallAt1)
	}
}

// Floors of the development set, a little under its figures.
const (
	devRecallAt10 = 0.87
	devRecallAt1  = 0.73
)

// The held-out set was written after the ranking was tuned and is not
// tuned on: a looser guard that the ranking is not fitted to dev.tsv alone.
func TestHeldOutRecall(t *testing.T) {
	f, err := os.Open("testdata/heldout.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := ReadEvalTSV(f, "testdata/heldout.tsv")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := testIndex.Evaluate(context.Background(), cases, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("held-out set: %d queries, recall@1 %.3f @5 %.3f @10 %.3f, MRR %.3f", rep.Queries, rep.RecallAt1, rep.RecallAt5, rep.RecallAt10, rep.MRR)
	if rep.RecallAt10 < 0.9 {
		t.Errorf("held-out recall@10 %.3f, want >= 0.9", rep.RecallAt10)
	}
}

// The round-two hold-out (testdata/holdout-r2.tsv) was written before the
// round-two tuning and is never tuned on; its figures per kind are logged,
// and a floor guards against losing what round two gained.
func TestHoldOutR2Recall(t *testing.T) {
	sets, err := EvalSets()
	if err != nil {
		t.Fatal(err)
	}
	var set EvalSet
	for _, s := range sets {
		if s.Name == "holdout-r2.tsv" {
			set = s
		}
	}
	rep, err := testIndex.Evaluate(context.Background(), set.Cases, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("round-two hold-out: %d queries, recall@1 %.3f @10 %.3f, MRR %.3f", rep.Queries, rep.RecallAt1, rep.RecallAt10, rep.MRR)
	for _, k := range rep.Kinds {
		t.Logf("  %-10s %4d  recall@1 %.3f @10 %.3f  MRR %.3f", k.Kind, k.Queries, k.RecallAt1, k.RecallAt10, k.MRR)
	}
	if rep.Queries < 300 || len(rep.Kinds) < 4 {
		t.Fatalf("hold-out has %d queries of %d kinds", rep.Queries, len(rep.Kinds))
	}
	if rep.RecallAt10 < holdoutR2Floor {
		t.Errorf("hold-out recall@10 %.3f, want >= %.2f", rep.RecallAt10, holdoutR2Floor)
	}
}

// holdoutR2Floor is a little under the hold-out's recall@10 after round
// two (0.912; 0.753 before).
const holdoutR2Floor = 0.88

func TestCodePrefixListsFamilyBillableFirst(t *testing.T) {
	for _, q := range []string{"E11", "e116", "E11.6", "S52.5", "s52.5-", "T38.3X", " j18 ", "992"} {
		res := find(t, q, Options{Limit: 1000})
		prefix := codesets.Canonical(q)
		if len(res.Hits) == 0 {
			t.Errorf("%q: no hits", q)
			continue
		}
		if int(res.Total) != len(res.Hits) {
			t.Errorf("%q: total %d, listed %d", q, res.Total, len(res.Hits))
		}
		seenHeader := map[codesets.System]bool{}
		for _, h := range res.Hits {
			if !strings.HasPrefix(h.Code.Code, prefix) {
				t.Errorf("%q: %s is not in the family", q, h.Code.Code)
			}
			if h.Code.Billable && seenHeader[h.Code.System] {
				t.Errorf("%q: billable %s listed after a header", q, h.Code.Code)
			}
			if !h.Code.Billable {
				seenHeader[h.Code.System] = true
			}
		}
	}
	// ICD-10-CM first: "E11" is diabetes before the E11xx wheelchairs.
	res := find(t, "E11", Options{Limit: 200})
	if res.Hits[0].Code.System != codesets.ICD10CM || res.Hits[len(res.Hits)-1].Code.System != codesets.HCPCS {
		t.Errorf("E11: %v ... %v", res.Hits[0].Code.Code, res.Hits[len(res.Hits)-1].Code.Code)
	}
	// A CPT prefix lists the imported CPT codes.
	if r := rankOf(find(t, "992", Options{}).Hits, "99213"); r == 0 {
		t.Error("992 does not list 99213")
	}
}

func TestCodeQueryHonoursFilters(t *testing.T) {
	res := find(t, "E11", Options{Systems: []codesets.System{codesets.HCPCS}})
	for _, h := range res.Hits {
		if h.Code.System != codesets.HCPCS {
			t.Errorf("E11 --system hcpcs: %s %s", h.Code.System, h.Code.Code)
		}
	}
	res = find(t, "E11.3", Options{BillableOnly: true, Limit: 1000})
	for _, h := range res.Hits {
		if !h.Code.Billable {
			t.Errorf("E11.3 billable only: header %s", h.Code.Code)
		}
	}
}

func TestDottedCodeThatDoesNotExist(t *testing.T) {
	res := find(t, "E11.99", Options{})
	if len(res.Hits) == 0 || !strings.HasPrefix(res.Hits[0].Code.Code, "E119") {
		t.Fatalf("E11.99: %v", codes(res.Hits))
	}
	if !strings.Contains(res.Hits[0].Why, "not a code") {
		t.Errorf("E11.99: why %q", res.Hits[0].Why)
	}
}

func TestWordsInsideCodeFamily(t *testing.T) {
	res := find(t, "E11 neuropathy", Options{})
	if len(res.Hits) == 0 {
		t.Fatal("no hits")
	}
	for _, h := range res.Hits {
		if !strings.HasPrefix(h.Code.Code, "E11") {
			t.Errorf("E11 neuropathy: %s outside E11", h.Code.Code)
		}
	}
	if res.Hits[0].Code.Code != "E1140" {
		t.Errorf("E11 neuropathy: first %s, want E11.40", res.Hits[0].Code.Display())
	}
	// Words that do not occur in the family still find something.
	if res := find(t, "J18 wheelchair", Options{}); len(res.Hits) == 0 {
		t.Error("J18 wheelchair: nothing")
	}
}

func TestTopHit(t *testing.T) {
	for _, tc := range []struct{ q, want string }{
		{"chf", "I50.9"},
		{"CHF", "I50.9"},
		{"htn", "I10"},
		{"T2DM", "E11.9"},
		{"dm2", "E11.9"},
		{"copd", "J44.9"},
		{"mi", "I21.9"},
		{"uti", "N39.0"},
		{"gerd", "K21.9"},
		{"afib", "I48.91"},
		{"A-fib", "I48.91"},
		{"heart attack", "I21.9"},
		{"high blood pressure", "I10"},
		{"hx of mi", "I25.2"},
		{"pnuemonia", "J18.9"},
		{"diabtes", "E11.9"},
		{"hypertenson", "I10"},
		{"diverticulitis", "K57.92"},
		{"type 2 diabetes", "E11.9"},
		{"type 2 diabetes with hyperglycemia", "E11.65"},
		{"essential hypertension", "I10"},
		{"acute kidney failure", "N17.9"},
		{"pneumonia", "J18.9"},
		{"sepsis", "A41.9"},
		{"severe sepsis with septic shock", "R65.21"},
		{"rheumatoid arthritis", "M06.9"},
		{"breast cancer", "C50.919"},
		{"gout", "M10.9"},
		{"stroke", "I63.9"},
		{"comprehensive metabolic panel", "80053"},
		{"cmp", "80053"},
		{"ketorolac injection", "J1885"},
		{"toradol", "J1885"},
		{"diab", "E11.9"},
		{"hypert", "I10"},
		{"hyperthyroidism", "E05.90"},          // "Hyperthyroidism NOS" is an inclusion term of the header E05.9
		{"preeclampsia", "O14.90"},             // titles write "pre-eclampsia"
		{"acetaminophen overdose", "T39.1X1A"}, // drug table entry of T39.1X1-, initial encounter
		{"wheelchair", "K0001"},                // a wheelchair, not a wheelchair accessory
	} {
		res := find(t, tc.q, Options{})
		if len(res.Hits) == 0 || res.Hits[0].Code.Display() != tc.want {
			t.Errorf("%q: first hits %v, want %s first", tc.q, first(codes(res.Hits), 5), tc.want)
		}
	}
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }

func TestBillableBeforeHeaderWhenWordsMatchEqually(t *testing.T) {
	// E11 "Type 2 diabetes mellitus" is the query word for word, but only
	// E11.9 can be billed: E11.9 first, E11 second to open the family.
	res := find(t, "type 2 diabetes mellitus", Options{})
	if got := first(codes(res.Hits), 2); len(got) != 2 || got[0] != "E11.9" || got[1] != "E11" {
		t.Errorf("type 2 diabetes mellitus: %v", first(codes(res.Hits), 5))
	}
	res = find(t, "diabetes", Options{})
	if got := first(codes(res.Hits), 2); len(got) != 2 || got[0] != "E11.9" || got[1] != "E11" {
		t.Errorf("diabetes: %v", first(codes(res.Hits), 5))
	}
	// Among codes that match alike, billable ones come first.
	res = find(t, "fracture of lower end of radius", Options{Limit: 30})
	for i := 1; i < len(res.Hits); i++ {
		if res.Hits[i].Code.Billable && !res.Hits[i-1].Code.Billable && res.Hits[i].Score == res.Hits[i-1].Score {
			t.Errorf("billable %s after header %s at equal score", res.Hits[i].Code.Display(), res.Hits[i-1].Code.Display())
		}
	}
}

func TestIndexTermsAndWhy(t *testing.T) {
	res := find(t, "acetaminophen poisoning accidental", Options{})
	if r := rankOf(res.Hits, "T39.1X1"); r == 0 || r > 3 {
		t.Fatalf("acetaminophen poisoning: %v", first(codes(res.Hits), 5))
	}
	h := res.Hits[rankOf(res.Hits, "T39.1X1")-1]
	if !strings.Contains(h.Why, "Acetaminophen") {
		t.Errorf("why %q, want the index entry", h.Why)
	}
	// An inclusion term answers too.
	res = find(t, "stroke", Options{})
	if res.Hits[0].Why != "Stroke NOS" {
		t.Errorf("stroke: why %q", res.Hits[0].Why)
	}
}

func TestAsYouTypeEveryPrefixFindsTheCode(t *testing.T) {
	q := "pneumonia"
	for i := 4; i <= len(q); i++ {
		res := find(t, q[:i], Options{})
		if r := rankOf(res.Hits, "J18.9"); r == 0 || r > 10 {
			t.Errorf("%q: J18.9 at rank %d, first %v", q[:i], r, first(codes(res.Hits), 5))
		}
	}
	// A short word still being typed does not empty the list.
	if res := find(t, "cellulitis of left lower le", Options{}); rankOf(res.Hits, "L03.116") == 0 {
		t.Errorf("cellulitis of left lower le: %v", first(codes(res.Hits), 5))
	}
}

func TestNegativeQualifierDoesNotAnswer(t *testing.T) {
	// "without septic shock" is not septic shock.
	res := find(t, "septic shock", Options{})
	if r := rankOf(res.Hits, "R65.21"); r == 0 || r > 5 {
		t.Errorf("septic shock: R65.21 at %d in %v", r, first(codes(res.Hits), 8))
	}
	if r := rankOf(res.Hits, "R65.20"); r > 0 && r < 10 {
		t.Errorf("septic shock: R65.20 (without septic shock) at %d", r)
	}
	// Unless the query negates too.
	res = find(t, "severe sepsis without septic shock", Options{})
	if res.Hits[0].Code.Display() != "R65.20" {
		t.Errorf("severe sepsis without septic shock: %v", first(codes(res.Hits), 5))
	}
}

func TestSystemAndBillableFilters(t *testing.T) {
	res := find(t, "diabetes", Options{Systems: []codesets.System{codesets.HCPCS}, Limit: 50})
	if len(res.Hits) == 0 {
		t.Fatal("diabetes in HCPCS: nothing")
	}
	for _, h := range res.Hits {
		if h.Code.System != codesets.HCPCS {
			t.Errorf("HCPCS only: %s %s", h.Code.System, h.Code.Code)
		}
	}
	res = find(t, "visit", Options{Systems: []codesets.System{codesets.CPT}})
	if len(res.Hits) == 0 {
		t.Fatal("visit in CPT: nothing")
	}
	for _, h := range res.Hits {
		if h.Code.System != codesets.CPT {
			t.Errorf("CPT only: %s %s", h.Code.System, h.Code.Code)
		}
	}
	res = find(t, "diabetic retinopathy", Options{BillableOnly: true, Limit: 100})
	for _, h := range res.Hits {
		if !h.Code.Billable {
			t.Errorf("billable only: header %s", h.Code.Display())
		}
	}
}

func TestValidOnDateOfService(t *testing.T) {
	// A2036 was added on 1 Oct 2025.
	at := func(day string) Options {
		d, _ := time.Parse(time.DateOnly, day)
		return Options{ValidOn: d, Limit: 50}
	}
	if r := rankOf(find(t, "cohealyx collagen dermal matrix", at("2025-12-01")).Hits, "A2036"); r == 0 {
		t.Error("A2036 missing on 2025-12-01")
	}
	if r := rankOf(find(t, "cohealyx collagen dermal matrix", at("2025-06-01")).Hits, "A2036"); r != 0 {
		t.Error("A2036 listed before it was added")
	}
	// A4397 was terminated on 31 Dec 2021.
	if r := rankOf(find(t, "irrigation supply sleeve", at("2021-06-01")).Hits, "A4397"); r == 0 {
		t.Error("A4397 missing in 2021")
	}
	if r := rankOf(find(t, "irrigation supply sleeve", at("2025-06-01")).Hits, "A4397"); r != 0 {
		t.Error("A4397 listed after its termination")
	}
	// C50.A0 is new in FY2026 (1 Oct 2025); FY2026 codes stay valid past
	// the release's end, as codesets.Set.ValidOn has it.
	if r := rankOf(find(t, "C50.A0", at("2025-09-30")).Hits, "C50A0"); r != 0 {
		t.Error("C50.A0 listed before FY2026")
	}
	for _, day := range []string{"2025-10-01", "2026-12-01"} {
		if r := rankOf(find(t, "C50.A0", at(day)).Hits, "C50A0"); r == 0 {
			t.Errorf("C50.A0 missing on %s", day)
		}
	}
}

func TestModifiersOnlyWhenAsked(t *testing.T) {
	for _, h := range find(t, "right side", Options{Limit: 100}).Hits {
		if h.Code.Modifier {
			t.Errorf("modifier %s listed by default", h.Code.Code)
		}
	}
	if r := rankOf(find(t, "right side", Options{Modifiers: true}).Hits, "RT"); r == 0 {
		t.Error("RT not found with Modifiers")
	}
}

func TestOddQueries(t *testing.T) {
	for _, q := range []string{"", "   ", "\x1b[31mchf\x1b[0m", "\xff\xfe\xfd", "of the and", "-", "...", "E", "9",
		strings.Repeat("pneumonia ", 500), "\x00\x01", "日本語", "((((", "w/o", "c/s"} {
		if _, err := testIndex.Search(context.Background(), q, Options{}); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
	if res := find(t, "\x1b[31mchf\x1b[0m", Options{}); rankOf(res.Hits, "I50.9") == 0 {
		t.Error("escape sequences around a word hide it")
	}
}

func TestPaging(t *testing.T) {
	all := find(t, "fracture of femur", Options{Limit: 40})
	page := find(t, "fracture of femur", Options{Limit: 20, Offset: 20})
	if len(page.Hits) != 20 || all.Total != page.Total {
		t.Fatalf("page of %d, totals %d and %d", len(page.Hits), all.Total, page.Total)
	}
	for i := range page.Hits {
		if page.Hits[i].Code != all.Hits[20+i].Code {
			t.Fatalf("hit %d: %s, want %s", 20+i, page.Hits[i].Code.Code, all.Hits[20+i].Code.Code)
		}
	}
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := testIndex.Search(ctx, "pneumonia", Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled search: %v", err)
	}
}

func TestConcurrentSearches(t *testing.T) {
	queries := []string{"chf", "E11", "pnuemonia", "diab", "fracture of distal radius", "wheelchair", "hx of mi"}
	want := map[string]string{}
	for _, q := range queries {
		want[q] = find(t, q, Options{}).Hits[0].Code.Code
	}
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				q := queries[(g+i)%len(queries)]
				res, err := testIndex.Search(context.Background(), q, Options{})
				if err != nil || len(res.Hits) == 0 || res.Hits[0].Code.Code != want[q] {
					errs <- q
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for q := range errs {
		t.Errorf("%q differs under concurrent use", q)
	}
}

func TestWarmAnalysesEveryCode(t *testing.T) {
	ix, err := Open(testIndex.set, testIndex.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ix.Warm(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled warm: %v", err)
	}
	if testing.Short() {
		return
	}
	if err := ix.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	e119, _ := ix.set.Lookup("E11.9")
	if _, ok := ix.analysed.Load(e119); !ok {
		t.Error("E11.9 not analysed")
	}
	res, err := ix.Search(context.Background(), "chf", Options{})
	if err != nil || res.Hits[0].Code.Display() != "I50.9" {
		t.Errorf("after warm: %v %v", codes(res.Hits), err)
	}
}

func TestTotalCappedForBroadWords(t *testing.T) {
	res := find(t, "encounter", Options{})
	if !res.TotalCapped || res.Total < countCap {
		t.Errorf("encounter: total %d capped %v", res.Total, res.TotalCapped)
	}
	res = find(t, "pneumonia", Options{})
	if res.TotalCapped {
		t.Errorf("pneumonia: total %d marked capped", res.Total)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{{"pnuemonia", "pneumonia", 1}, {"diabtes", "diabetes", 1}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"same", "same", 0}} {
		if d := editDistance(tc.a, tc.b); d != tc.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, d, tc.d)
		}
	}
}

func TestIsDefault(t *testing.T) {
	for title, want := range map[string]bool{
		"Heart failure, unspecified":                                             true,
		"Pneumonia, unspecified organism":                                        true,
		"Type 2 diabetes mellitus without complications":                         true,
		"Alcohol abuse, uncomplicated":                                           true,
		"Unspecified atrial fibrillation":                                        true,
		"Enterocolitis due to Clostridium difficile, not specified as recurrent": true,
		"Type 2 diabetes mellitus with diabetic neuropathy, unspecified":         false,
		"Chronic kidney disease, stage 4 (severe)":                               false,
		"Cystitis, unspecified with hematuria":                                   false,
	} {
		if got := isDefault(title); got != want {
			t.Errorf("isDefault(%q) = %v", title, got)
		}
	}
}

// The reported queries of testdata/qa.tsv: what a coder testing the
// workbench could not find. Logged with the other sets' figures.
func TestQASet(t *testing.T) {
	f, err := os.Open("testdata/qa.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := ReadEvalTSV(f, "testdata/qa.tsv")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := testIndex.Evaluate(context.Background(), cases, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("qa set: %d queries, recall@1 %.3f @5 %.3f @10 %.3f, MRR %.3f", rep.Queries, rep.RecallAt1, rep.RecallAt5, rep.RecallAt10, rep.MRR)
	for _, m := range rep.Misses {
		t.Logf("not in the first 10: %q (gold %v) rank %d, first hits %v", m.Case.Query, m.Case.Gold, m.Rank, m.Top)
	}
	if rep.RecallAt10 < qaRecallAt10 {
		t.Errorf("qa recall@10 %.3f, want >= %.2f", rep.RecallAt10, qaRecallAt10)
	}
}

const qaRecallAt10 = 0.9

// The 7th-character variants of one code do not fill the first screen:
// the initial encounter stands for them, the others follow the distinct
// codes.
func TestSeventhCharacterVariantsFollow(t *testing.T) {
	for _, q := range []string{"colles fracture", "ankle sprain"} {
		res := find(t, q, Options{Limit: 100})
		seen := map[string]bool{}
		variantAt := -1
		for i, h := range res.Hits {
			stem, ok := seventhStem(h.Code)
			switch {
			case ok && seen[stem]:
				if variantAt < 0 {
					variantAt = i
				}
			case variantAt >= 0:
				t.Errorf("%q: %s after the variant %s", q, h.Code.Display(), res.Hits[variantAt].Code.Display())
			}
			if ok {
				seen[stem] = true
			}
		}
	}
	if r := rankOf(find(t, "colles fracture", Options{Limit: 10}).Hits, "S52.531A"); r == 0 {
		t.Error("colles fracture: right radius not on the first screen")
	}
	// A query that names the encounter gets that variant first.
	if res := find(t, "ankle sprain subsequent encounter", Options{Limit: 5}); len(res.Hits) == 0 || res.Hits[0].Code.Code[6] != 'D' {
		t.Errorf("subsequent encounter: %v", codes(res.Hits))
	}
}

// Total never counts fewer codes than the hits listed.
func TestTotalCountsEveryHit(t *testing.T) {
	for _, q := range []string{"hyperthyroidism nos", "acetaminophen poisoning", "colles fracture", "diabetes", "triamcinolone"} {
		all := find(t, q, Options{Limit: 1000})
		if int(all.Total) < len(all.Hits) {
			t.Errorf("%q: total %d, %d hits", q, all.Total, len(all.Hits))
		}
	}
}

// A number finds codes only with the words it qualifies: "ankle x-ray 3
// views" lists no "fetus 3"; "ckd 3" still finds stage 3.
func TestNumberAloneFindsNothing(t *testing.T) {
	for _, h := range find(t, "ankle x-ray 3 views", Options{Limit: 50}).Hits {
		if strings.Contains(strings.ToLower(h.Code.Title()), "fetus 3") {
			t.Errorf("ankle x-ray 3 views: %s %s", h.Code.Display(), h.Code.Title())
		}
	}
	if r := rankOf(find(t, "ckd 3", Options{}).Hits, "N18.30"); r != 1 {
		t.Errorf("ckd 3: N18.30 at %d", r)
	}
}

// A number typed inside a range a title covers is answered by it: stage
// 3a is in "stage 1 through stage 4".
func TestNumberInsideRange(t *testing.T) {
	for q, want := range map[string]string{
		"hypertensive ckd stage 3a": "I12.9",
		"hypertensive ckd stage 5":  "I12.0",
	} {
		if r := rankOf(find(t, q, Options{}).Hits, want); r != 1 {
			t.Errorf("%q: %s at %d", q, want, r)
		}
	}
}

func TestCodeShapesWithLetters(t *testing.T) {
	for code, want := range map[string]bool{"QA": true, "QA1": true, "QA171": true, "K6A": true, "K31B": true, "K740A": true, "E1": true,
		"J1885": true, "992": true, "PAIN": false, "TYPE": false} {
		if got := codeShaped(code); got != want {
			t.Errorf("codeShaped(%q) = %v, want %v", code, got, want)
		}
	}
	// A dotted spelling reads as a code when it has a code's shape.
	for code, want := range map[string]bool{"QA19": true, "E1199": true, "E9": true, "EG": false} {
		if got := dottedCode(code); got != want {
			t.Errorf("dottedCode(%q) = %v, want %v", code, got, want)
		}
	}
}
