package index

import (
	"context"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// TestCollectScoredMatchesBleve: the scored walk keeps the same codes, in
// the same order, with the same total as Bleve's top-N collector, ties
// included (many codes share a score).
func TestCollectScoredMatchesBleve(t *testing.T) {
	ctx := context.Background()
	opt := Options{}
	pl := plan{opt: opt, rv: testIndex.resolverFor(opt)}
	pl.filters, pl.exclude = testIndex.filters(opt)
	words := [][]string{{"leg", "cellul"}, {"type", "diabet", "kidnei"}, {"chronic"}, {"fractur", "femur", "right"}}
	for _, ws := range words {
		var any []query.Query
		for _, w := range ws {
			any = append(any, stemQueryFields(w, 1, true))
		}
		q := query.NewBooleanQuery([]query.Query{query.NewDisjunctionQuery(any)}, nil, pl.exclude)
		for _, size := range []int{10, 150} {
			sr, err := testIndex.bi.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, size, 0, false))
			if err != nil {
				t.Fatal(err)
			}
			got, total, err := testIndex.collectScored(ctx, q, size, &pl)
			if err != nil {
				t.Fatal(err)
			}
			if sr.Total <= 150 {
				t.Fatalf("%v: only %d codes: the test needs a cut", ws, sr.Total)
			}
			if total != sr.Total || len(got) != len(sr.Hits) {
				t.Fatalf("%v, %d: total %d, %d kept; Bleve %d, %d", ws, size, total, len(got), sr.Total, len(sr.Hits))
			}
			for i, h := range sr.Hits {
				if c, _ := testIndex.codeOf(h.ID); c.Code != got[i].code.Code {
					t.Fatalf("%v, %d: hit %d is %s, Bleve's %s", ws, size, i, got[i].code.Code, c.Code)
				}
			}
		}
	}
}
