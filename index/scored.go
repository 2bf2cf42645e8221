package index

import (
	"container/heap"
	"context"
	"fmt"
	"slices"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// collectScored runs a scored search and keeps its size best documents,
// as Bleve's top-N collector would (higher score first, then the order
// the documents came in), with how many matched in all. It reads each
// kept document's code from the document table rather than from its
// stored ID, and keeps scores in a small heap of numbers rather than a
// pool of document matches: a search for any word scores thousands of
// codes and keeps a hundred and fifty.
func (ix *Index) collectScored(ctx context.Context, q query.Query, size int, pl *plan) ([]candidate, uint64, error) {
	m, err := ix.openMatches(ctx, q, search.SearcherOptions{})
	if err != nil {
		return nil, 0, err
	}
	defer m.close()
	best := make(scoredHeap, 0, min(size, 256))
	var total uint64
	for dm, err := range m.all(ctx) {
		if err != nil {
			return nil, 0, err
		}
		total++
		h := scoredDoc{score: dm.Score, seq: total}
		switch {
		case len(best) < size:
			h.id = append([]byte(nil), dm.IndexInternalID...)
			heap.Push(&best, h)
		case size > 0 && h.better(best[0]):
			h.id = append(best[0].id[:0], dm.IndexInternalID...)
			best[0] = h
			heap.Fix(&best, 0)
		}
	}
	slices.SortFunc(best, func(a, b scoredDoc) int {
		if a.better(b) {
			return -1
		}
		return 1
	})
	out := make([]candidate, 0, len(best))
	for _, h := range best {
		d, _, ok := m.docs.get(h.id)
		c := d.code
		if !ok {
			ext, err := m.r.ExternalID(h.id)
			if err != nil {
				return nil, 0, fmt.Errorf("search: %w", err)
			}
			if c, ok = ix.codeOf(ext); !ok {
				continue
			}
		}
		if c, ok := ix.keep(c, pl.opt, pl.rv); ok {
			out = append(out, candidate{code: c})
		}
	}
	return out, total, nil
}

// scoredDoc is a document kept by collectScored; seq is the order it came
// in, which breaks ties.
type scoredDoc struct {
	id    []byte
	score float64
	seq   uint64
}

func (a scoredDoc) better(b scoredDoc) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.seq < b.seq
}

// scoredHeap keeps the worst kept document on top.
type scoredHeap []scoredDoc

func (h scoredHeap) Len() int           { return len(h) }
func (h scoredHeap) Less(i, j int) bool { return h[j].better(h[i]) }
func (h scoredHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *scoredHeap) Push(x any)        { *h = append(*h, x.(scoredDoc)) }
func (h *scoredHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
