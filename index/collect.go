package index

import (
	"context"
	"encoding/binary"
	"fmt"
	"iter"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"codebench/codesets"
)

// run asks Bleve for the first size codes matching q. Unscored, they come
// in index order (shortest title first), filtered in Go, and counting stops
// at countCap; scored, by how many of the query's words they have, all
// counted.
func (ix *Index) run(ctx context.Context, q query.Query, pl *plan, size int, scored bool) ([]candidate, uint64, error) {
	if !scored {
		if pl.family != nil {
			q = query.NewConjunctionQuery([]query.Query{q, pl.family})
		}
		return ix.collect(ctx, q, size, pl.opt, pl.rv)
	}
	must := append([]query.Query{q}, pl.filters...)
	if pl.family != nil {
		must = append(must, pl.family)
	}
	var full query.Query = query.NewConjunctionQuery(must)
	if len(pl.exclude) > 0 {
		full = query.NewBooleanQuery(must, nil, pl.exclude)
	}
	out, total, err := ix.collectScored(ctx, full, size, pl)
	if err != nil && ctx.Err() != nil {
		return nil, 0, ctx.Err()
	}
	return out, total, err
}

// countCap is where counting the codes of an unscored search stops: a
// word such as "encounter" is in forty thousand titles, and walking them
// all would cost milliseconds for a number nobody reads exactly.
const countCap = 2000

// collect walks an unscored search in index order: the first size codes
// that pass the options are the candidates, the rest are only counted, up
// to countCap. The options are checked in Go, from a table of every
// document: a filter clause in Bleve would cost more than the words.
func (ix *Index) collect(ctx context.Context, q query.Query, size int, opt Options, rv *resolver) ([]candidate, uint64, error) {
	m, err := ix.openMatches(ctx, q, search.SearcherOptions{Score: "none"})
	if err != nil {
		return nil, 0, err
	}
	defer m.close()
	f := newDocFilter(opt, rv, m.docs)
	out := make([]candidate, 0, min(size, 256))
	var n uint64
	for dm, err := range m.all(ctx) {
		if err != nil {
			return nil, 0, err
		}
		d, num, ok := m.docs.get(dm.IndexInternalID)
		if !ok {
			continue
		}
		c, ok := f.keep(d, num)
		if !ok {
			continue
		}
		n++
		if len(out) < size {
			out = append(out, candidate{code: c})
		}
		if n >= countCap && len(out) >= size {
			break
		}
	}
	return out, n, nil
}

// matches walks the documents a query matches, in index order, with the
// document table at hand; both collectors read through it.
type matches struct {
	r      bindex.IndexReader
	docs   *docTable
	s      search.Searcher
	sctx   *search.SearchContext
	walked int
}

func (ix *Index) openMatches(ctx context.Context, q query.Query, opts search.SearcherOptions) (*matches, error) {
	r, err := ix.reader()
	if err != nil {
		return nil, err
	}
	docs, err := ix.docTable(r)
	if err != nil {
		r.Close()
		return nil, err
	}
	s, err := q.Searcher(ctx, r, ix.bi.Mapping(), opts)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("search: %w", err)
	}
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0), IndexReader: r}
	return &matches{r: r, docs: docs, s: s, sctx: sctx}, nil
}

// next is the next match, nil after the last; every 512 documents it
// checks for a cancelled search and yields the processor, so that on a
// server with fewer Go processors than busy goroutines (serve on one
// core) a coder's key waits for a slice of another coder's search, not
// for all of it.
func (m *matches) next(ctx context.Context) (*search.DocumentMatch, error) {
	if m.walked%512 == 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if m.walked > 0 {
			runtime.Gosched()
		}
	}
	m.walked++
	dm, err := m.s.Next(m.sctx)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return dm, nil
}

// all yields the matches in turn, each given back to the pool once the
// loop's body has read it; a failed walk yields its error last.
func (m *matches) all(ctx context.Context) iter.Seq2[*search.DocumentMatch, error] {
	return func(yield func(*search.DocumentMatch, error) bool) {
		for {
			dm, err := m.next(ctx)
			if err != nil {
				yield(nil, err)
				return
			}
			if dm == nil {
				return
			}
			more := yield(dm, nil)
			m.sctx.DocumentMatchPool.Put(dm)
			if !more {
				return
			}
		}
	}
}

func (m *matches) close() {
	m.s.Close()
	m.r.Close()
}

// docInfo is what the options filter on, per document, kept small and
// beside the code so that a walk over thousands of documents reads
// neither the code nor its title.
type docInfo struct {
	code     *codesets.Code
	eff, end uint32 // validity, as numbers YYYYMMDD
	icd      bool   // an ICD-10-CM code
	modifier bool   // a HCPCS modifier
}

// docTable maps every document's internal ID to its code, once per
// opened index (the index is read-only and has one segment, so internal
// IDs do not change). Scorch's IDs are 8-byte document numbers: those
// index a slice; anything else would go through a map.
type docTable struct {
	byNum []docInfo
	byID  map[string]docInfo
	views sync.Map // *codesets.Set (a release's view) -> *viewCodes
}

// get finds a document's code and validity, and its number in byNum (-1
// when it has none).
func (t *docTable) get(id []byte) (docInfo, int, bool) {
	if len(id) == 8 {
		if n := binary.BigEndian.Uint64(id); n < uint64(len(t.byNum)) {
			d := t.byNum[n]
			return d, int(n), d.code != nil
		}
	}
	d, ok := t.byID[string(id)]
	return d, -1, ok
}

func (ix *Index) docTable(r bindex.IndexReader) (*docTable, error) {
	ix.docsOnce.Do(func() {
		ids, err := r.DocIDReaderAll()
		if err != nil {
			ix.docsErr = err
			return
		}
		defer ids.Close()
		t := &docTable{byID: map[string]docInfo{}}
		for {
			id, err := ids.Next()
			if err != nil {
				ix.docsErr = err
				return
			}
			if id == nil {
				break
			}
			ext, err := r.ExternalID(id)
			if err != nil {
				ix.docsErr = err
				return
			}
			c, ok := ix.codeOf(ext)
			if !ok {
				continue
			}
			eff, end := validity(c)
			if c.System == codesets.ICD10CM {
				eff, end = ix.releases().span(c)
			}
			d := docInfo{code: c, eff: uint32(eff), end: uint32(end), icd: c.System == codesets.ICD10CM, modifier: c.Modifier}
			if len(id) == 8 && binary.BigEndian.Uint64(id) < 1<<24 {
				n := binary.BigEndian.Uint64(id)
				for uint64(len(t.byNum)) <= n {
					t.byNum = append(t.byNum, docInfo{})
				}
				t.byNum[n] = d
			} else {
				t.byID[string(id)] = d
			}
		}
		ix.docs = t
	})
	return ix.docs, ix.docsErr
}

// docFilter applies the options to documents: the cheap checks on the
// indexed code first, then its resolution for the search's date.
type docFilter struct {
	opt     Options
	rv      *resolver
	systems map[codesets.System]bool
	date    uint32     // YYYYMMDD, 0 for none
	view    *viewCodes // resolved codes by document number, nil for none
}

func newDocFilter(opt Options, rv *resolver, docs *docTable) docFilter {
	f := docFilter{opt: opt, rv: rv, view: docs.viewOf(rv)}
	if len(opt.Systems) > 0 {
		f.systems = map[codesets.System]bool{}
		for _, s := range opt.Systems {
			f.systems[s] = true
		}
	}
	if !opt.ValidOn.IsZero() && !opt.ShowInvalid {
		f.date = uint32(yyyymmdd(opt.ValidOn))
	}
	return f
}

func (f docFilter) keep(d docInfo, n int) (*codesets.Code, bool) {
	c := d.code
	switch {
	case d.modifier && !f.opt.Modifiers,
		f.systems != nil && !f.systems[c.System],
		f.date > 0 && (f.date < d.eff || f.date > d.end):
		return nil, false
	}
	var ok bool
	if d.icd && f.view != nil && n >= 0 {
		c, ok = f.view.resolve(n, c, f.rv)
	} else {
		c, _, ok = f.rv.resolve(c)
	}
	if !ok || f.opt.BillableOnly && !c.Billable {
		return nil, false
	}
	return c, true
}

// viewCodes remembers each ICD-10-CM document's code as one release has
// it, by document number: resolving a code is a lookup by its name, which
// an unscored walk would otherwise pay for every document it counts.
type viewCodes struct {
	codes []atomic.Pointer[codesets.Code]
}

// notInView marks a document whose code the view's release lacks.
var notInView = &codesets.Code{}

func (v *viewCodes) resolve(n int, c *codesets.Code, rv *resolver) (*codesets.Code, bool) {
	slot := &v.codes[n]
	if x := slot.Load(); x != nil {
		if x == notInView {
			return nil, false
		}
		return x, true
	}
	x, _, ok := rv.resolve(c)
	if !ok {
		slot.Store(notInView)
		return nil, false
	}
	slot.Store(x)
	return x, true
}

// viewOf is the table of resolved codes for a resolver's release; nil
// when invalid codes are kept (they resolve to themselves, marked).
func (t *docTable) viewOf(rv *resolver) *viewCodes {
	if rv.show {
		return nil
	}
	if v, ok := t.views.Load(rv.view); ok {
		return v.(*viewCodes)
	}
	v, _ := t.views.LoadOrStore(rv.view, &viewCodes{codes: make([]atomic.Pointer[codesets.Code], len(t.byNum))})
	return v.(*viewCodes)
}

func mergeHits(a, b []candidate) []candidate {
	seen := make(map[*codesets.Code]bool, len(a))
	for _, c := range a {
		seen[c.code] = true
	}
	for _, c := range b {
		if !seen[c.code] {
			a = append(a, c)
		}
	}
	return a
}
