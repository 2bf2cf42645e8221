package index

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"codebench/codesets"
)

const (
	defaultLimit = 20
	maxLimit     = 1000
	// candidates is how many of Bleve's best hits are ranked again in Go;
	// phraseCandidates for a phrase selected in a note.
	candidates       = 150
	phraseCandidates = 110
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
	pruneConcepts(p)
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
	if p.phrase {
		// A phrase's words find many codes: fewer are ranked again.
		want = max(phraseCandidates, opt.Offset+opt.Limit)
	}

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
	// Never a starved list: when the codes with every word do not fill a
	// screen, relax in stages, each adding codes that rank below.
	page := max(minScreen, opt.Offset+opt.Limit)
	if n := p.required(); n > 0 && len(hits) < page {
		more, looseTotal, err := ix.searchLoose(ctx, p, &pl, want, page-len(hits))
		if err != nil {
			return Result{}, err
		}
		hits = mergeHits(hits, more)
		total = max(total, looseTotal)
	}
	if len(hits) < page && len(p.codes) == 0 {
		more, err := ix.searchCorrected(ctx, p, &pl, want)
		if err != nil {
			return Result{}, err
		}
		hits = mergeHits(hits, more)
	}
	if len(hits) < page && p.required() > 1 {
		// Last: the common words too ("right" in "r hydronephrosis").
		p.commonWeight = 0
		more, _, err := ix.searchAnyWord(ctx, p, &pl, want, false)
		if err != nil {
			return Result{}, err
		}
		hits = mergeHits(hits, more)
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
	ranked = ix.headersLead(p, ranked, opt, rv, opt.Offset+opt.Limit)
	// The codes brought in under exact headers were not counted by Bleve.
	total = max(total, uint64(len(ranked)))
	res := Result{Total: total, TotalCapped: total >= countCap}
	for i := opt.Offset; i < len(ranked) && len(res.Hits) < opt.Limit; i++ {
		res.Hits = append(res.Hits, ranked[i])
	}
	return res, nil
}

// minScreen is the list a search always tries to fill: a screen of codes.
const minScreen = 10

// maxDropSearches bounds the searches with one word left out; longer
// queries (a pasted sentence) go straight to a search for any word.
const maxDropSearches = 5

// searchLoose finds codes that have most of the query's words, in two
// stages. It leaves out one word at a time, the least telling first ("unit"
// in "tens unit"), never the most telling; these searches are cheap
// conjunctions. When they still leave the screen short of need codes, it
// searches for codes with any word, scored by how many and how rare.
func (ix *Index) searchLoose(ctx context.Context, p *parsedQuery, pl *plan, want, need int) ([]candidate, uint64, error) {
	var all []query.Query
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
		if len(hits) >= need {
			return hits, total, nil
		}
	}
	more, m, err := ix.searchAnyWord(ctx, p, pl, want, false)
	if err != nil {
		return nil, 0, err
	}
	hits, total = mergeHits(hits, more), max(total, m)
	if len(hits) < need {
		// Still short: any stem of any alternative.
		more, m, err := ix.searchAnyWord(ctx, p, pl, want, true)
		if err != nil {
			return nil, 0, err
		}
		hits, total = mergeHits(hits, more), max(total, m)
	}
	return hits, total, nil
}

// searchAnyWord finds the codes with any of the query's words, scored by
// how many and how rare; numbers count only with a word. stems loosens
// each word to any stem of any of its alternatives.
func (ix *Index) searchAnyWord(ctx context.Context, p *parsedQuery, pl *plan, want int, stems bool) ([]candidate, uint64, error) {
	var scored, numbers []query.Query
	// A word in thousands of titles ("encounter", "right", "initial")
	// would make Bleve score thousands of codes and tells little: it is
	// left to the ranking, unless every word is that common.
	rarest := 0.0
	for _, c := range p.concepts {
		if !c.optional && !c.numeric() {
			rarest = max(rarest, c.weight)
		}
	}
	for i := range p.concepts {
		c := &p.concepts[i]
		if c.optional || c.weight < p.commonWeight && c.weight < rarest {
			continue
		}
		maxDF := uint64(anyWordMaxDF)
		if p.commonWeight == 0 {
			maxDF = 0
		}
		q := conceptQueryLimited(c, true, true, maxDF)
		if stems {
			q = conceptStemsQuery(c, anyWordMaxDF)
		}
		if q == nil {
			continue
		}
		if c.numeric() {
			numbers = append(numbers, q)
		} else {
			scored = append(scored, q)
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

// searchCorrected is the last stage of a starved search: every word gets
// its spelling corrections, even one the index holds ("gravel" for
// "gravis" is unlikely, but a list of one code is worse), and codes with
// any word are searched again.
func (ix *Index) searchCorrected(ctx context.Context, p *parsedQuery, pl *plan, want int) ([]candidate, error) {
	added, err := ix.correctAll(ctx, p)
	if err != nil || !added {
		return nil, err
	}
	hits, _, err := ix.searchAnyWord(ctx, p, pl, want, true)
	return hits, err
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
