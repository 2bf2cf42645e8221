package index

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"codebench/codesets"
)

const (
	defaultLimit = 20
	maxLimit     = 1000
	// candidates is how many of Bleve's best hits are ranked again in Go.
	candidates = 150
)

// Field boosts for Bleve's first ranking: a word counts once wherever it
// is, a little more in the title.
var fieldBoosts = []struct {
	field string
	boost float64
}{
	{fieldText, 1}, {fieldTitle, 0.3},
}

// Search finds the codes matching a query, best first. A query that is a
// code or code prefix in any spelling ("E11", "e11.6", "S52.5-", "J18")
// lists that family, billable codes first; words mixed with a code prefix
// ("E11 neuropathy") search inside the family. Search is safe for
// concurrent use and stops when ctx is done.
func (ix *Index) Search(ctx context.Context, q string, opt Options) (Result, error) {
	start := time.Now()
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	if opt.Limit <= 0 {
		opt.Limit = defaultLimit
	}
	opt.Limit = min(opt.Limit, maxLimit)
	opt.Offset = max(opt.Offset, 0)
	if len(q) > maxQueryBytes {
		q = q[:maxQueryBytes]
	}
	p := ix.parse(q)
	rv := ix.resolverFor(opt)
	var res Result
	var err error
	switch {
	case len(p.concepts) == 0 && len(p.codes) > 0:
		res = ix.listFamilies(p.codes, opt, rv)
	case len(p.concepts) == 0 && p.dotted != "":
		res = ix.nearest(p.dotted, opt, rv)
	case len(p.concepts) == 0:
		res = Result{}
	default:
		res, err = ix.searchText(ctx, &p, opt, rv)
	}
	if err != nil {
		return Result{}, err
	}
	rv.mark(res.Hits)
	res.Release = rv.release()
	res.Took = time.Since(start)
	return res, nil
}

// maxQueryBytes bounds the text read from a query.
const maxQueryBytes = 1024

// listFamilies lists the codes under the typed prefixes: ICD-10-CM, then
// HCPCS, then CPT; in each, billable codes first, then headers, each group
// in code order.
func (ix *Index) listFamilies(prefixes []codePrefix, opt Options, rv *resolver) Result {
	groups := map[codesets.System]*[2][]*codesets.Code{}
	seen := map[*codesets.Code]bool{}
	for _, p := range prefixes {
		for _, c := range ix.family(p.code) {
			c, ok := ix.keep(c, opt, rv)
			if !ok || seen[c] || p.icdOnly && c.System != codesets.ICD10CM {
				continue
			}
			seen[c] = true
			g := groups[c.System]
			if g == nil {
				g = &[2][]*codesets.Code{}
				groups[c.System] = g
			}
			if c.Billable {
				g[0] = append(g[0], c)
			} else {
				g[1] = append(g[1], c)
			}
		}
	}
	var all []*codesets.Code
	for _, sys := range []codesets.System{codesets.ICD10CM, codesets.HCPCS, codesets.CPT} {
		if g := groups[sys]; g != nil {
			all = append(append(all, g[0]...), g[1]...)
		}
	}
	res := Result{Total: uint64(len(all))}
	for i := opt.Offset; i < len(all) && len(res.Hits) < opt.Limit; i++ {
		res.Hits = append(res.Hits, Hit{Code: all[i], Score: 1, Coverage: 1, Family: familyOf(all[i])})
	}
	return res
}

// nearest answers a dotted spelling that is not a code ("E11.99") with the
// codes under its longest existing prefix.
func (ix *Index) nearest(code string, opt Options, rv *resolver) Result {
	for n := len(code) - 1; n >= 2; n-- {
		if ix.hasFamily(code[:n]) {
			res := ix.listFamilies([]codePrefix{{code: code[:n], icdOnly: true}}, opt, rv)
			for i := range res.Hits {
				res.Hits[i].Why = fmt.Sprintf("%s is not a code; nearest codes", codesets.Dotted(codesets.ICD10CM, code))
			}
			return res
		}
	}
	return Result{}
}

// keep resolves a code for the search's date (see resolver) and applies
// the options' filters to it in memory.
func (ix *Index) keep(c *codesets.Code, opt Options, rv *resolver) (*codesets.Code, bool) {
	c, _, ok := rv.resolve(c)
	if !ok {
		return nil, false
	}
	if c.Modifier && !opt.Modifiers {
		return nil, false
	}
	if opt.BillableOnly && !c.Billable {
		return nil, false
	}
	if len(opt.Systems) > 0 {
		ok := false
		for _, s := range opt.Systems {
			ok = ok || s == c.System
		}
		if !ok {
			return nil, false
		}
	}
	return c, true
}

// searchText runs the words of a query through Bleve, then ranks Bleve's
// best candidates again with what a coder expects (see rank.go).
func (ix *Index) searchText(ctx context.Context, p *parsedQuery, opt Options, rv *resolver) (Result, error) {
	if err := ix.prepare(ctx, p); err != nil {
		return Result{}, err
	}
	pl := plan{opt: opt, rv: rv}
	pl.filters, pl.exclude = ix.filters(opt)
	if len(p.codes) > 0 {
		var fam []query.Query
		for _, c := range p.codes {
			t := query.NewTermQuery(c.code)
			t.SetField(fieldPrefix)
			t.SetBoost(0)
			if c.icdOnly {
				sys := query.NewTermQuery(string(codesets.ICD10CM))
				sys.SetField(fieldSystem)
				sys.SetBoost(0)
				fam = append(fam, query.NewConjunctionQuery([]query.Query{t, sys}))
			} else {
				fam = append(fam, t)
			}
		}
		pl.family = query.NewDisjunctionQuery(fam)
	}
	want := max(candidates, opt.Offset+opt.Limit)

	// First the codes that have every word as typed (or expanded, or
	// corrected); then, when they are few, those where the word being typed
	// is only the start of a word; then those missing some words.
	var hits []candidate
	var total uint64
	for _, typing := range []bool{false, true} {
		if typing && !p.hasTyping() {
			break
		}
		concepts := make([]query.Query, 0, len(p.concepts))
		missing := false
		for i := range p.concepts {
			if p.concepts[i].optional {
				continue
			}
			q := conceptQuery(&p.concepts[i], typing)
			missing = missing || q == nil // a word only matches as it is being typed
			concepts = append(concepts, q)
		}
		if missing || len(concepts) == 0 {
			continue
		}
		more, n, err := ix.run(ctx, query.NewConjunctionQuery(concepts), &pl, want, false)
		if err != nil {
			return Result{}, err
		}
		hits = mergeHits(hits, more)
		total = max(total, n)
		if len(hits) >= want {
			break
		}
	}
	if n := p.required(); n > 1 && int(total) < opt.Offset+opt.Limit {
		more, looseTotal, err := ix.searchLoose(ctx, p, &pl, want)
		if err != nil {
			return Result{}, err
		}
		hits = mergeHits(hits, more)
		total = max(total, looseTotal)
	}
	// Words mixed with a code prefix that is not their family: search
	// without the family rather than find nothing.
	if len(hits) == 0 && len(p.codes) > 0 {
		p.codes = nil
		return ix.searchText(ctx, p, opt, rv)
	}
	ranked, scored, exact := ix.rank(p, hits)
	if more := ix.underExactHeaders(ranked, exact, hits, opt, rv); len(more) > 0 {
		ranked = ix.rankMore(p, scored, exact, more)
	}
	// The codes brought in under exact headers were not counted by Bleve.
	total = max(total, uint64(len(ranked)))
	res := Result{Total: total, TotalCapped: total >= countCap}
	for i := opt.Offset; i < len(ranked) && len(res.Hits) < opt.Limit; i++ {
		res.Hits = append(res.Hits, ranked[i])
	}
	return res, nil
}

// maxDropSearches bounds the searches with one word left out; longer
// queries (a pasted sentence) go straight to a search for any word.
const maxDropSearches = 5

// searchLoose finds codes that have most of the query's words. It leaves
// out one word at a time, the least telling first ("unit" in "tens unit"),
// never the most telling; these searches are cheap conjunctions. Only when
// they find nothing does it search for codes with any word, scored by
// how many and how rare.
func (ix *Index) searchLoose(ctx context.Context, p *parsedQuery, pl *plan, want int) ([]candidate, uint64, error) {
	var all, scored, numbers []query.Query
	var weights []float64
	var numeric []bool
	for i := range p.concepts {
		c := &p.concepts[i]
		if c.optional {
			continue
		}
		all = append(all, conceptQuery(c, true))
		weights = append(weights, c.weight)
		numeric = append(numeric, c.numeric())
		if c.numeric() {
			numbers = append(numbers, conceptQueryFields(c, true, true))
		} else {
			scored = append(scored, conceptQueryFields(c, true, true))
		}
	}
	n := len(all)
	var hits []candidate
	var total uint64
	if n-1 <= maxDropSearches {
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return weights[order[a]] < weights[order[b]] })
		for _, drop := range order[:n-1] {
			rest := make([]query.Query, 0, n-1)
			words := false // a number alone finds no code
			for i, q := range all {
				if i != drop {
					rest = append(rest, q)
					words = words || !numeric[i]
				}
			}
			if !words {
				continue
			}
			more, m, err := ix.run(ctx, query.NewConjunctionQuery(rest), pl, want, false)
			if err != nil {
				return nil, 0, err
			}
			hits = mergeHits(hits, more)
			total = max(total, m)
			if len(hits) >= want {
				return hits, total, nil
			}
		}
		if len(hits) > 0 {
			return hits, total, nil
		}
	}
	if len(scored) == 0 {
		return nil, 0, nil
	}
	var anyWord query.Query = query.NewDisjunctionQuery(scored)
	if len(numbers) > 0 {
		// Numbers count, but only for codes that have one of the words.
		anyWord = query.NewBooleanQuery([]query.Query{anyWord}, numbers, nil)
	}
	return ix.run(ctx, anyWord, pl, want, true)
}

// A header may carry the words a query has ("Hyperthyroidism NOS" is an
// inclusion term of E05.9) while its billable codes do not: Bleve cannot
// find E05.90 by the word. The billable codes under the best exact headers
// join the candidates (defaults first), and rank puts them in place.
const (
	exactHeadersLooked = 20 // hits looked at for exact headers
	maxHeadersExpanded = 3
	maxUnderHeader     = 25
)

func (ix *Index) underExactHeaders(ranked []Hit, exact map[*codesets.Code]bool, have []candidate, opt Options, rv *resolver) []candidate {
	present := make(map[*codesets.Code]bool, len(have))
	for _, c := range have {
		present[c.code] = true
	}
	var out []candidate
	headers := 0
	for i := 0; i < len(ranked) && i < exactHeadersLooked && headers < maxHeadersExpanded; i++ {
		h := ranked[i].Code
		// A code the Alphabetic Index gives without its 7th character
		// ("T39.1X1") brings its 7th-character codes too.
		if !exact[h] && !(i < 10 && !h.Billable && h.NeedsSeventh() && len(h.Code) == 6) {
			continue
		}
		headers++
		under := ix.set.Descendants(h)
		if !exact[h] {
			// Only the initial encounters: the others follow in the list
			// the coder opens.
			initial := under[:0:0]
			for _, c := range under {
				if len(c.Code) == 7 && c.Code[6] == 'A' {
					initial = append(initial, c)
				}
			}
			under = initial
		}
		dflt := make(map[*codesets.Code]bool, len(under))
		for _, c := range under {
			dflt[c] = isDefault(c.Title())
		}
		sort.SliceStable(under, func(a, b int) bool {
			if dflt[under[a]] != dflt[under[b]] {
				return dflt[under[a]]
			}
			return len(under[a].Code) < len(under[b].Code)
		})
		for j, c := range under {
			if j == maxUnderHeader {
				break
			}
			if c, ok := ix.keep(c, opt, rv); ok && !present[c] {
				present[c] = true
				out = append(out, candidate{code: c})
			}
		}
	}
	return out
}

// candidate is a Bleve hit resolved to its code.
type candidate struct {
	code *codesets.Code
}

// plan holds what narrows a search besides its words: the options, as
// Bleve clauses for scored searches, and the code family typed.
type plan struct {
	opt              Options
	rv               *resolver
	filters, exclude []query.Query
	family           query.Query // nil when no code prefix was typed
}

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
	req := bleve.NewSearchRequestOptions(full, size, 0, false)
	sr, err := ix.bi.SearchInContext(ctx, req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	out := make([]candidate, 0, len(sr.Hits))
	for _, h := range sr.Hits {
		if c, ok := ix.codeOf(h.ID); ok {
			if c, ok := ix.keep(c, pl.opt, pl.rv); ok {
				out = append(out, candidate{code: c})
			}
		}
	}
	return out, sr.Total, nil
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
	adv, err := ix.bi.Advanced()
	if err != nil {
		return nil, 0, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, 0, err
	}
	defer r.Close()
	docs, err := ix.docTable(r)
	if err != nil {
		return nil, 0, err
	}
	f := newDocFilter(opt, rv)
	s, err := q.Searcher(ctx, r, ix.bi.Mapping(), search.SearcherOptions{Score: "none"})
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	defer s.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0), IndexReader: r}
	out := make([]candidate, 0, min(size, 256))
	var n uint64
	for walked := 0; ; walked++ {
		if walked%512 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		dm, err := s.Next(sctx)
		if err != nil {
			return nil, 0, fmt.Errorf("search: %w", err)
		}
		if dm == nil {
			break
		}
		d, ok := docs.get(dm.IndexInternalID)
		sctx.DocumentMatchPool.Put(dm)
		if !ok {
			continue
		}
		c, ok := f.keep(d)
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

// docInfo is what the options filter on, per document.
type docInfo struct {
	code     *codesets.Code
	eff, end float64 // validity, as numbers YYYYMMDD
}

// docTable maps every document's internal ID to its code, once per
// opened index (the index is read-only and has one segment, so internal
// IDs do not change). Scorch's IDs are 8-byte document numbers: those
// index a slice; anything else would go through a map.
type docTable struct {
	byNum []docInfo
	byID  map[string]docInfo
}

func (t *docTable) get(id []byte) (docInfo, bool) {
	if len(id) == 8 {
		if n := binary.BigEndian.Uint64(id); n < uint64(len(t.byNum)) {
			d := t.byNum[n]
			return d, d.code != nil
		}
	}
	d, ok := t.byID[string(id)]
	return d, ok
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
			d := docInfo{code: c, eff: eff, end: end}
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
	date    float64
}

func newDocFilter(opt Options, rv *resolver) docFilter {
	f := docFilter{opt: opt, rv: rv}
	if len(opt.Systems) > 0 {
		f.systems = map[codesets.System]bool{}
		for _, s := range opt.Systems {
			f.systems[s] = true
		}
	}
	if !opt.ValidOn.IsZero() && !opt.ShowInvalid {
		f.date = yyyymmdd(opt.ValidOn)
	}
	return f
}

func (f docFilter) keep(d docInfo) (*codesets.Code, bool) {
	c := d.code
	switch {
	case c.Modifier && !f.opt.Modifiers,
		f.systems != nil && !f.systems[c.System],
		f.date > 0 && (f.date < d.eff || f.date > d.end):
		return nil, false
	}
	c, _, ok := f.rv.resolve(c)
	if !ok || f.opt.BillableOnly && !c.Billable {
		return nil, false
	}
	return c, true
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

// conceptQuery matches any alternative of a concept in any text field;
// typing says whether the word being typed may match as a prefix. It is
// nil when the concept has no alternative left.
func conceptQuery(c *concept, typing bool) query.Query {
	return conceptQueryFields(c, typing, false)
}

// conceptQueryFields is conceptQuery; scored adds the title field, whose
// boost only matters when Bleve scores.
func conceptQueryFields(c *concept, typing, scored bool) query.Query {
	var any []query.Query
	for _, a := range c.alts {
		if !typing && (a.kind == altCompletion || a.prefix != "" && a.kind == altTyped) {
			continue
		}
		var q query.Query
		switch {
		case a.prefix != "":
			t := query.NewTermQuery(a.prefix)
			t.SetField(fieldWords)
			t.SetBoost(a.boost)
			q = t
		case len(a.stems) == 1:
			q = stemQueryFields(a.stems[0], a.boost, scored)
		default:
			parts := make([]query.Query, len(a.stems))
			for i, s := range a.stems {
				parts[i] = stemQueryFields(s, a.boost, scored)
			}
			q = query.NewConjunctionQuery(parts)
		}
		any = append(any, q)
	}
	switch len(any) {
	case 0:
		return nil
	case 1:
		return any[0]
	}
	return query.NewDisjunctionQuery(any)
}

// stemQuery finds an analysed word in any text field.
func stemQuery(stem string, weight float64) query.Query {
	return stemQueryFields(stem, weight, false)
}

// stemQueryFields finds an analysed word; unscored, the text field alone
// does (it holds the title too).
func stemQueryFields(stem string, weight float64, scored bool) query.Query {
	if !scored {
		t := query.NewTermQuery(stem)
		t.SetField(fieldText)
		return t
	}
	fields := make([]query.Query, len(fieldBoosts))
	for i, fb := range fieldBoosts {
		t := query.NewTermQuery(stem)
		t.SetField(fb.field)
		t.SetBoost(fb.boost * weight)
		fields[i] = t
	}
	return query.NewDisjunctionQuery(fields)
}

// filters turns the options into Bleve clauses: ones a code must match and
// ones it must not.
func (ix *Index) filters(opt Options) (must, mustNot []query.Query) {
	if len(opt.Systems) > 0 {
		var sys []query.Query
		for _, s := range opt.Systems {
			t := query.NewTermQuery(string(s))
			t.SetField(fieldSystem)
			t.SetBoost(0)
			sys = append(sys, t)
		}
		must = append(must, query.NewDisjunctionQuery(sys))
	}
	if opt.BillableOnly {
		// Billable in the release of the search's date (ICD-10-CM), or
		// billable at all (other systems).
		must = append(must, ix.releaseTerms(fieldBillableIn, opt))
	}
	if !opt.Modifiers {
		m := query.NewBoolFieldQuery(true)
		m.SetField(fieldModifier)
		mustNot = append(mustNot, m)
	}
	if !opt.ShowInvalid {
		// In the release of the search's date, or a code of another
		// system (whose dates are checked below and in Go).
		must = append(must, ix.releaseTerms(fieldReleases, opt))
	}
	if !opt.ValidOn.IsZero() && !opt.ShowInvalid {
		d := yyyymmdd(opt.ValidOn)
		f := false
		before := query.NewNumericRangeInclusiveQuery(&d, nil, &f, nil)
		before.SetField(fieldEff) // effective after the date
		after := query.NewNumericRangeInclusiveQuery(nil, &d, nil, &f)
		after.SetField(fieldEnd) // terminated before the date
		dated := query.NewBoolFieldQuery(true)
		dated.SetField(fieldDated)
		mustNot = append(mustNot, query.NewConjunctionQuery([]query.Query{
			dated, query.NewDisjunctionQuery([]query.Query{before, after}),
		}))
	}
	return must, mustNot
}

// prepare weighs each concept by how rare its words are and adds spelling
// corrections to the words the index does not hold, unless the word is the
// start of a longer one being typed. Only unknown words are looked up for
// corrections, so a well-spelt query costs a few dictionary lookups.
// Corrections come from the as-you-type field, which holds every word
// (cut to maxGram letters) unstemmed: a misspelling often stems oddly
// ("diverticulitus"), while its first letters still match.
func (ix *Index) prepare(ctx context.Context, p *parsedQuery) error {
	adv, err := ix.bi.Advanced()
	if err != nil {
		return err
	}
	r, err := adv.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	docs, err := r.DocCount()
	if err != nil {
		return err
	}
	// The index is read-only: document frequencies are looked up once.
	var df dfFunc = func(field, term string) (uint64, error) {
		key := field + "\x00" + term
		if n, ok := ix.dfs.Load(key); ok {
			return n.(uint64), nil
		}
		tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
		if err != nil {
			return 0, err
		}
		n := tfr.Count()
		tfr.Close()
		ix.dfs.Store(key, n)
		return n, nil
	}
	idf := func(n uint64) float64 { return math.Log(1 + float64(docs)/float64(n+1)) }
	for i := range p.concepts {
		c := &p.concepts[i]
		if c.typing != "" {
			if err := ix.addCompletions(r, c, df); err != nil {
				return err
			}
		}
		if len(c.word) >= minFuzzy && !strings.ContainsAny(c.word, "0123456789") {
			n, err := df(fieldText, c.alts[0].stems[0])
			if err != nil {
				return err
			}
			if n == 0 && c.typing != "" {
				if n, err = df(fieldWords, c.typing); err != nil {
					return err
				}
			}
			if n == 0 {
				if err := ix.addCorrections(r, c, df); err != nil {
					return err
				}
			}
		}
		// A concept weighs as much as its rarest alternative's rarest word:
		// in "tens unit", "tens" says more than "unit".
		c.weight = 0
		for _, a := range c.alts {
			w := 0.0
			if a.prefix != "" {
				n, err := df(fieldWords, a.prefix)
				if err != nil {
					return err
				}
				if n > 0 {
					w = idf(n)
				}
			}
			for _, s := range a.stems {
				n, err := df(fieldText, s)
				if err != nil {
					return err
				}
				if n > 0 {
					w = max(w, idf(n))
				}
			}
			c.weight = max(c.weight, w)
		}
		if c.weight == 0 {
			c.weight = idf(0) // nowhere in the index: as rare as can be
		}
		if c.optional {
			c.weight *= optionalShare
		}
	}
	return nil
}

// optionalShare is how much a word still too short to search for counts.
const optionalShare = 0.25

// minFuzzy is the shortest word corrected: shorter ones are too often
// shorthand.
const minFuzzy = 4

// maxCorrections bounds the alternatives a misspelt word adds;
// correctionScan the dictionary entries considered.
const (
	maxCorrections = 3
	correctionScan = 200
)

// dfFunc tells in how many codes a term occurs in a field.
type dfFunc func(field, term string) (uint64, error)

// addCorrections adds the indexed words closest to a word the index does
// not hold. Words up to maxGram letters are matched, unstemmed, against the
// as-you-type field (a misspelling often stems oddly, while its letters
// stay close); longer ones against the stems, where their whole length
// counts ("diverticulitus" is diverticulitis, not diverticulosis).
func (ix *Index) addCorrections(r bindex.IndexReader, c *concept, df dfFunc) error {
	if len(c.word) <= maxGram {
		fixes, err := ix.memo.get("fix\x00"+c.word, func() ([]string, error) { return corrections(r, fieldWords, c.word, df) })
		if err != nil {
			return err
		}
		for _, f := range fixes {
			c.alts = append(c.alts, alt{prefix: f, kind: altCorrection, weight: weightCorrection, boost: 1})
		}
		return nil
	}
	stem := c.alts[0].stems[0]
	fixes, err := ix.memo.get("fixstem\x00"+stem, func() ([]string, error) { return corrections(r, fieldText, stem, df) })
	if err != nil {
		return err
	}
	for _, f := range fixes {
		c.alts = append(c.alts, alt{stems: []string{f}, kind: altCorrection, weight: weightCorrection, boost: 1})
	}
	return nil
}

// corrections finds the terms of a field within one edit of a word, two
// for words of six letters or more, sharing its first letter: the closest
// first, then the most common.
func corrections(r bindex.IndexReader, field, word string, df dfFunc) ([]string, error) {
	rf, ok := r.(bindex.IndexReaderFuzzy)
	if !ok {
		return nil, nil
	}
	if field == fieldWords && len(word) > maxGram {
		word = word[:maxGram]
	}
	fuzz := 1
	if len(word) >= 6 {
		fuzz = 2
	}
	type cand struct {
		term  string
		dist  int
		count uint64
	}
	var list []cand
	d, err := rf.FieldDictFuzzy(field, word, fuzz, word[:1])
	if err != nil {
		return nil, err
	}
	defer d.Close()
	for {
		e, err := d.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			break
		}
		// A correction much shorter than the word would match too much.
		if len(e.Term) >= len(word)-fuzz && len(list) < correctionScan {
			list = append(list, cand{e.Term, editDistance(word, e.Term), 0})
		}
	}
	// Dictionary iterators do not count documents: ask for the closest.
	sort.Slice(list, func(i, j int) bool { return list[i].dist < list[j].dist })
	for i := range list {
		if list[i].dist > list[0].dist {
			list = list[:i]
			break
		}
		n, err := df(field, list[i].term)
		if err != nil {
			return nil, err
		}
		list[i].count = n
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].dist != list[j].dist {
			return list[i].dist < list[j].dist
		}
		if list[i].count != list[j].count {
			return list[i].count > list[j].count
		}
		return list[i].term < list[j].term
	})
	var out []string
	for _, c := range list {
		if len(out) == maxCorrections || c.dist > list[0].dist || c.dist > fuzz {
			break
		}
		out = append(out, c.term)
	}
	return out, nil
}

// Completions of a word being typed: the stems that start with it (or
// with its own stem), most common first. "hypert" is most likely
// hypertension, not hypertrichosis, so the common completions join the
// concept as full words while the bare prefix stays as a weaker match.
const (
	maxCompletions   = 3
	completionShare  = 0.2 // a completion must be this common relative to the most common
	completionScan   = 300 // dictionary entries read at most
	weightCompletion = 0.97
	weightRarePrefix = 0.8
)

// addCompletions adds the common completions of the word being typed.
func (ix *Index) addCompletions(r bindex.IndexReader, c *concept, df dfFunc) error {
	var stem string
	for _, a := range c.alts {
		if a.kind == altTyped && len(a.stems) == 1 && a.stems[0] != c.typing && strings.HasPrefix(c.typing, a.stems[0]) {
			stem = a.stems[0]
		}
	}
	terms, err := ix.memo.get("complete\x00"+c.typing+"\x00"+stem, func() ([]string, error) {
		return completions(r, c.typing, stem, df)
	})
	if err != nil {
		return err
	}
	for _, term := range terms {
		dup := false
		for _, a := range c.alts {
			dup = dup || (len(a.stems) == 1 && a.stems[0] == term)
		}
		if !dup {
			c.alts = append(c.alts, alt{stems: []string{term}, kind: altCompletion, weight: weightCompletion, boost: 1})
		}
	}
	if len(terms) > 0 {
		// The bare prefix now only stands for the rarer completions.
		for i := range c.alts {
			if c.alts[i].prefix != "" && c.alts[i].kind == altTyped {
				c.alts[i].weight = weightRarePrefix
			}
		}
	}
	return nil
}

// completions lists the most common stems that start with prefix or with
// stem (the typed word's own stem, when it is shorter).
func completions(r bindex.IndexReader, prefix, stem string, df dfFunc) ([]string, error) {
	type cand struct {
		term  string
		count uint64
	}
	var list []cand
	seen := map[string]bool{}
	scan := func(prefix string) error {
		d, err := r.FieldDictPrefix(fieldText, []byte(prefix))
		if err != nil {
			return err
		}
		defer d.Close()
		for n := 0; n < completionScan; n++ {
			e, err := d.Next()
			if err != nil {
				return err
			}
			if e == nil {
				break
			}
			if !seen[e.Term] {
				seen[e.Term] = true
				n, err := df(fieldText, e.Term)
				if err != nil {
					return err
				}
				list = append(list, cand{e.Term, n})
			}
		}
		return nil
	}
	if err := scan(prefix); err != nil {
		return nil, err
	}
	if stem != "" {
		if err := scan(stem); err != nil {
			return nil, err
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].count != list[j].count {
			return list[i].count > list[j].count
		}
		return list[i].term < list[j].term
	})
	var out []string
	for i, x := range list {
		if i == maxCompletions || float64(x.count) < completionShare*float64(list[0].count) {
			break
		}
		out = append(out, x.term)
	}
	return out, nil
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and transpositions of neighbours ("pnuemonia"
// is one edit from "pneumonia").
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
