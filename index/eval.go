package index

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"codebench/codesets"
)

// An evaluation set pairs queries with the codes a coder would accept.
// Two sources are read:
//
//   - TSV: QUERY<TAB>CODE[,CODE...] per line, split on tabs only (further
//     columns are ignored); a first line whose gold field is not codes
//     ("query<TAB>gold") is a header; blank lines and lines starting with #
//     are skipped. Any of the gold codes answers the query.
//   - CodiEsp JSONL (gzipped or not): {"id", "text_en", "icd10cm_dx": [...]}
//     per line, a clinical case and every diagnosis coded for it. See
//     EvaluateCases for how a case is searched.
//
// A returned code is a hit for a gold code when it is that code or a
// billable code under it (gold "E11" is answered by "E11.9").

// EvalCase is one query of an evaluation set.
type EvalCase struct {
	ID    string   // line number or case id
	Query string   // the query, or the case text
	Gold  []string // canonical codes
}

// maxEvalLine bounds a line of an evaluation file (a CodiEsp case is a few
// kB).
const maxEvalLine = 1 << 20

// ReadEvalTSV reads a TSV evaluation set. name is used in error messages.
func ReadEvalTSV(r io.Reader, name string) ([]EvalCase, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxEvalLine)
	var out []EvalCase
	lineNo := 0
	first := true
	for sc.Scan() {
		lineNo++
		line := strings.TrimRight(sc.Text(), "\r")
		if lineNo == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		where := fmt.Sprintf("%s line %d", name, lineNo)
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("%s: invalid UTF-8", where)
		}
		if strings.ContainsRune(line, 0) {
			return nil, fmt.Errorf("%s: binary data (NUL byte)", where)
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 2 {
			return nil, fmt.Errorf("%s: no tab between the query and the gold codes", where)
		}
		q := cols[0]
		codes, err := goldCodes(cols[1])
		wasFirst := first
		first = false
		if err != nil {
			if wasFirst {
				continue // a header line ("query<TAB>gold")
			}
			return nil, fmt.Errorf("%s: field gold: %w", where, err)
		}
		if strings.TrimSpace(q) == "" {
			return nil, fmt.Errorf("%s: field query: empty", where)
		}
		out = append(out, EvalCase{ID: fmt.Sprint(lineNo), Query: q, Gold: codes})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no queries", name)
	}
	return out, nil
}

// goldCodes reads comma-separated codes in any spelling.
func goldCodes(field string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(field, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		c := codesets.Canonical(f)
		if !codeShaped(c) || strings.ContainsAny(f, " \t") {
			return nil, fmt.Errorf("%q is not a code", f)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no gold codes")
	}
	return out, nil
}

// ReadCodiEsp reads a CodiEsp JSONL file, gzipped or not. name is used in
// error messages.
func ReadCodiEsp(r io.Reader, name string) ([]EvalCase, error) {
	br := bufio.NewReader(r)
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 64*1024), maxEvalLine)
	var out []EvalCase
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var rec struct {
			ID   string   `json:"id"`
			Text string   `json:"text_en"`
			Dx   []string `json:"icd10cm_dx"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, lineNo, err)
		}
		if rec.Text == "" {
			return nil, fmt.Errorf("%s line %d: field text_en: empty", name, lineNo)
		}
		gold, err := goldCodes(strings.Join(rec.Dx, ","))
		if err != nil {
			return nil, fmt.Errorf("%s line %d: field icd10cm_dx: %w", name, lineNo, err)
		}
		out = append(out, EvalCase{ID: rec.ID, Query: rec.Text, Gold: gold})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no cases", name)
	}
	return out, nil
}

// EvalReport sums up an evaluation.
type EvalReport struct {
	Queries int
	Golds   int // gold codes counted (for case files, each counts)
	// RecallAt[k] for k = 1, 5, 10: the share of queries answered within
	// the first k hits (for case files: the share of gold codes found).
	RecallAt1, RecallAt5, RecallAt10 float64
	// MRR is the mean over queries of 1/rank of the first hit (0 when none
	// in the first MaxRank).
	MRR    float64
	Misses []EvalMiss // queries not answered within the first 10
}

// EvalMiss is a query whose gold codes were not in the first 10 hits.
type EvalMiss struct {
	Case EvalCase
	Rank int      // rank of the first hit, 0 when not found in MaxRank
	Top  []string // the first hits returned
}

// MaxRank is how deep an evaluation looks for a hit.
const MaxRank = 50

// isHit tells whether a returned code answers a gold code.
func isHit(c *codesets.Code, gold string) bool {
	if c.Code == gold {
		return true
	}
	return c.Billable && c.System == codesets.ICD10CM && strings.HasPrefix(c.Code, gold)
}

// Evaluate runs each query and scores where the first code answering any
// of its gold codes ranks.
func (ix *Index) Evaluate(ctx context.Context, cases []EvalCase, opt Options) (EvalReport, error) {
	opt.Limit, opt.Offset = MaxRank, 0
	var rep EvalReport
	var r1, r5, r10, mrr float64
	for _, c := range cases {
		res, err := ix.Search(ctx, c.Query, opt)
		if err != nil {
			return EvalReport{}, fmt.Errorf("query %s %q: %w", c.ID, c.Query, err)
		}
		rank := 0
		for i, h := range res.Hits {
			for _, g := range c.Gold {
				if isHit(h.Code, g) {
					rank = i + 1
					break
				}
			}
			if rank > 0 {
				break
			}
		}
		rep.Queries++
		rep.Golds += len(c.Gold)
		if rank > 0 {
			mrr += 1 / float64(rank)
			r1 += b2f(rank <= 1)
			r5 += b2f(rank <= 5)
			r10 += b2f(rank <= 10)
		}
		if rank == 0 || rank > 10 {
			rep.Misses = append(rep.Misses, EvalMiss{Case: c, Rank: rank, Top: topCodes(res.Hits, 5)})
		}
	}
	n := float64(max(rep.Queries, 1))
	rep.RecallAt1, rep.RecallAt5, rep.RecallAt10, rep.MRR = r1/n, r5/n, r10/n, mrr/n
	return rep, nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func topCodes(hits []Hit, n int) []string {
	var out []string
	for i := 0; i < len(hits) && i < n; i++ {
		out = append(out, hits[i].Code.Display())
	}
	return out
}

// A clinical case is not a query: it is cut into sentences and clauses,
// each searched on its own as a coder would type it (clauses that deny a
// finding, "no history of nephrolithiasis", are skipped; narrative words
// such as "patient" or "presented" are dropped), and the hit lists are
// fused by reciprocal rank: a code found near the top for several clauses
// ranks first. The case's gold codes are then looked for in the fused list.

// rrfK damps reciprocal-rank fusion so one clause's first hit does not
// outweigh codes found by several clauses.
const rrfK = 10

// perClause is how many hits of each clause are fused; minCaseCoverage is
// the share of a clause's words a hit must have to count (a clause of
// narrative, "the two therapeutic options", finds only stray codes).
const (
	perClause       = 10
	minCaseCoverage = 0.7
)

// clauseBreaks cut a sentence where one finding usually ends and another
// begins.
var clauseBreaks = []string{",", " and ", " with ", " due to ", " secondary to ", " after ", " showing ",
	" revealed ", " which ", " who ", " that ", " but ", " because ", " associated ", " followed by ", "(", ")"}

// narrativeWords tell the story of the case rather than name a finding.
var narrativeWords = map[string]bool{
	"patient": true, "patients": true, "he": true, "she": true, "his": true, "her": true, "man": true, "woman": true,
	"male": true, "female": true, "boy": true, "girl": true, "year": true, "years": true, "old": true, "year-old": true,
	"presented": true, "presenting": true, "presents": true, "diagnosed": true, "diagnosis": true, "admitted": true,
	"showed": true, "shows": true, "revealed": true, "reported": true, "treated": true, "treatment": true,
	"performed": true, "underwent": true, "was": true, "were": true, "had": true, "has": true, "have": true,
	"case": true, "we": true, "our": true, "also": true, "then": true, "later": true, "days": true, "months": true,
	"weeks": true, "hours": true, "time": true, "examination": true, "study": true, "observed": true, "found": true,
	"evidence": true, "compatible": true, "suggestive": true, "consistent": true, "referred": true, "consulted": true,
	"hospital": true, "clinic": true, "department": true, "service": true, "admission": true, "discharged": true,
}

// CaseQueries cuts a clinical text into the queries searched for it.
func CaseQueries(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, sentence := range strings.FieldsFunc(text, func(r rune) bool {
		return r == '.' || r == '\n' || r == ';' || r == ':' || r == '?' || r == '!'
	}) {
		if negated(sentence) {
			continue
		}
		for _, clause := range splitClauses(sentence) {
			if negated(clause) {
				continue
			}
			var words []string
			for _, w := range strings.Fields(clause) {
				lw := strings.ToLower(strings.Trim(w, "\"'"))
				if !narrativeWords[lw] && strings.IndexFunc(lw, isWordRune) >= 0 && !strings.HasSuffix(lw, "-year-old") {
					words = append(words, w)
				}
			}
			q := strings.Join(words, " ")
			if len(q) < 4 || seen[strings.ToLower(q)] {
				continue
			}
			seen[strings.ToLower(q)] = true
			out = append(out, q+" ") // complete words: nothing is being typed
		}
	}
	return out
}

// splitClauses cuts a sentence at clauseBreaks.
func splitClauses(sentence string) []string {
	parts := []string{sentence}
	for _, b := range clauseBreaks {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, b)...)
		}
		parts = next
	}
	return parts
}

var negations = []string{"no ", "not ", "denies ", "denied ", "without ", "negative ", "absence of ", "ruled out ", "neither ", "nor "}

func negated(clause string) bool {
	c := strings.ToLower(strings.TrimSpace(clause))
	for _, n := range negations {
		if strings.HasPrefix(c, n) {
			return true
		}
	}
	return false
}

// SearchCase ranks codes for a whole clinical text; see CaseQueries.
func (ix *Index) SearchCase(ctx context.Context, text string, opt Options) ([]*codesets.Code, error) {
	opt.Limit, opt.Offset = perClause, 0
	score := map[*codesets.Code]float64{}
	for _, q := range CaseQueries(text) {
		res, err := ix.Search(ctx, q, opt)
		if err != nil {
			return nil, err
		}
		for i, h := range res.Hits {
			if h.Coverage >= minCaseCoverage {
				score[h.Code] += 1 / float64(rrfK+i+1)
			}
		}
	}
	out := make([]*codesets.Code, 0, len(score))
	for c := range score {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if score[out[i]] != score[out[j]] {
			return score[out[i]] > score[out[j]]
		}
		return out[i].Code < out[j].Code
	})
	return out, nil
}

// EvaluateCases scores clinical cases with several gold codes each
// (diagnoses: only ICD-10-CM is searched unless opt names systems):
// RecallAt[k] is the share of all gold codes found within the first k
// codes of their case's fused list, MRR the mean over cases of 1/rank of
// the first code that answers any gold. Each case is searched once and
// scored once per filter; a filter selects the gold codes that count (to
// score only FY2026-billable ones); without filters all count.
func (ix *Index) EvaluateCases(ctx context.Context, cases []EvalCase, opt Options, filters ...func(gold string) bool) ([]EvalReport, error) {
	if len(opt.Systems) == 0 {
		opt.Systems = []codesets.System{codesets.ICD10CM}
	}
	if len(filters) == 0 {
		filters = []func(string) bool{nil}
	}
	type tally struct{ found1, found5, found10, mrr float64 }
	reps := make([]EvalReport, len(filters))
	tallies := make([]tally, len(filters))
	for _, c := range cases {
		ranked, err := ix.SearchCase(ctx, c.Query, opt)
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", c.ID, err)
		}
		if len(ranked) > MaxRank {
			ranked = ranked[:MaxRank]
		}
		for fi, keep := range filters {
			var gold []string
			for _, g := range c.Gold {
				if keep == nil || keep(g) {
					gold = append(gold, g)
				}
			}
			if len(gold) == 0 {
				continue
			}
			t := &tallies[fi]
			first := 0
			for _, g := range gold {
				rank := 0
				for i, code := range ranked {
					if isHit(code, g) {
						rank = i + 1
						break
					}
				}
				if rank > 0 {
					t.found1 += b2f(rank <= 1)
					t.found5 += b2f(rank <= 5)
					t.found10 += b2f(rank <= 10)
					if first == 0 || rank < first {
						first = rank
					}
				}
			}
			reps[fi].Queries++
			reps[fi].Golds += len(gold)
			if first > 0 {
				t.mrr += 1 / float64(first)
			}
		}
	}
	for i := range reps {
		g := float64(max(reps[i].Golds, 1))
		t := tallies[i]
		reps[i].RecallAt1, reps[i].RecallAt5, reps[i].RecallAt10 = t.found1/g, t.found5/g, t.found10/g
		reps[i].MRR = t.mrr / float64(max(reps[i].Queries, 1))
	}
	return reps, nil
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
