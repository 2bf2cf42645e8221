package index

import (
	"context"
	"strings"
	"testing"

	"codebench/codesets"
)

// A header on the first screen always has one of its billable codes before
// it or right after it, whatever the query (every query of the
// development set is tried).
func TestHeadersNeverAlone(t *testing.T) {
	cases, err := DevSet()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		res, err := testIndex.Search(context.Background(), c.Query, Options{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range res.Hits {
			if h.Code.Billable || h.Code.System != codesets.ICD10CM {
				continue
			}
			ok := false
			for j := 0; j <= i+1 && j < len(res.Hits); j++ {
				x := res.Hits[j].Code
				ok = ok || j != i && x.Billable && strings.HasPrefix(x.Code, h.Code.Code)
			}
			if !ok {
				t.Errorf("%q: header %s at %d without a billable code under it before or after: %v", c.Query, h.Code.Display(), i+1, codes(res.Hits))
				break
			}
		}
	}
}
