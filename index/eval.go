package index

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"codebench/codesets"
)

// EvalReport sums up an evaluation.
type EvalReport struct {
	EvalScores
	Golds int // gold codes counted (for case files, each counts)
	// Kinds breaks the scores of a query set down by the kind of query
	// (the TSV's third column), in kind order; empty for case files.
	Kinds  []EvalKind
	Misses []EvalMiss // queries not answered within the first 10
}

// EvalScores are the figures of a set of queries.
type EvalScores struct {
	Queries int
	// RecallAt[k] for k = 1, 5, 10: the share of queries answered within
	// the first k hits (for case files: the share of gold codes found).
	RecallAt1, RecallAt5, RecallAt10 float64
	// MRR is the mean over queries of 1/rank of the first hit (0 when none
	// in the first MaxRank).
	MRR float64
}

// EvalKind is the figures of the queries of one kind.
type EvalKind struct {
	Kind string
	EvalScores
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

// rankTally adds up ranks into EvalScores.
type rankTally struct {
	n, r1, r5, r10, mrr float64
}

func (t *rankTally) add(rank int) {
	t.n++
	if rank > 0 {
		t.mrr += 1 / float64(rank)
		t.r1 += b2f(rank <= 1)
		t.r5 += b2f(rank <= 5)
		t.r10 += b2f(rank <= 10)
	}
}

func (t rankTally) scores() EvalScores {
	n := max(t.n, 1)
	return EvalScores{Queries: int(t.n), RecallAt1: t.r1 / n, RecallAt5: t.r5 / n, RecallAt10: t.r10 / n, MRR: t.mrr / n}
}

// Evaluate runs each query and scores where the first code answering any
// of its gold codes ranks, overall and per kind of query.
func (ix *Index) Evaluate(ctx context.Context, cases []EvalCase, opt Options) (EvalReport, error) {
	opt.Limit, opt.Offset = MaxRank, 0
	var rep EvalReport
	var all rankTally
	kinds := map[string]*rankTally{}
	for _, c := range cases {
		res, err := ix.Search(ctx, c.Query, opt)
		if err != nil {
			return EvalReport{}, fmt.Errorf("query %s %q: %w", c.ID, c.Query, err)
		}
		rank := firstHit(res.Hits, c.Gold)
		rep.Golds += len(c.Gold)
		all.add(rank)
		if c.Kind != "" {
			k := kinds[c.Kind]
			if k == nil {
				k = &rankTally{}
				kinds[c.Kind] = k
			}
			k.add(rank)
		}
		if rank == 0 || rank > 10 {
			rep.Misses = append(rep.Misses, EvalMiss{Case: c, Rank: rank, Top: topCodes(res.Hits, 5)})
		}
	}
	rep.EvalScores = all.scores()
	for name, t := range kinds {
		rep.Kinds = append(rep.Kinds, EvalKind{Kind: name, EvalScores: t.scores()})
	}
	sort.Slice(rep.Kinds, func(i, j int) bool { return rep.Kinds[i].Kind < rep.Kinds[j].Kind })
	return rep, nil
}

// firstHit is the 1-based rank of the first hit answering any gold code,
// 0 when none does.
func firstHit(hits []Hit, gold []string) int {
	for i, h := range hits {
		for _, g := range gold {
			if isHit(h.Code, g) {
				return i + 1
			}
		}
	}
	return 0
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
