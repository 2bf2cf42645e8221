package index

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"codebench/codesets"
)

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
