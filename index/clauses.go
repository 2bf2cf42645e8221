package index

import (
	"github.com/blevesearch/bleve/v2/search/query"
)

// conceptQuery matches any alternative of a concept in any text field;
// typing says whether the word being typed may match as a prefix. It is
// nil when the concept has no alternative left.
func conceptQuery(c *concept, typing bool) query.Query {
	return conceptQueryFields(c, typing, false)
}

// conceptQueryFields is conceptQuery; scored adds the title field, whose
// boost only matters when Bleve scores.
func conceptQueryFields(c *concept, typing, scored bool) query.Query {
	return conceptQueryLimited(c, typing, scored, 0)
}

// conceptQueryLimited is conceptQueryFields without the alternatives
// whose words are in more than maxDF codes ("encounter" for "visit"),
// unless that leaves none; 0 keeps all.
func conceptQueryLimited(c *concept, typing, scored bool, maxDF uint64) query.Query {
	if !hasRare(c, maxDF) {
		maxDF = 0
	}
	var any []query.Query
	for _, a := range c.alts {
		if !typing && (a.kind == altCompletion || a.prefix != "" && a.kind == altTyped) {
			continue
		}
		if maxDF > 0 && a.df > maxDF {
			continue
		}
		var q query.Query
		switch {
		case a.prefix != "":
			q = prefixQuery(a)
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
	return anyOf(any)
}

// conceptStemsQuery is the loosest form of a concept, for a starved
// search: any stem of any alternative ("postpartum" or "hemorrhage" for
// "pph"), scored.
func conceptStemsQuery(c *concept, maxDF uint64) query.Query {
	rare := hasRare(c, maxDF)
	var any []query.Query
	seen := map[string]bool{}
	for _, a := range c.alts {
		if rare && a.df > maxDF {
			continue
		}
		if a.prefix != "" {
			any = append(any, prefixQuery(a))
			continue
		}
		for _, s := range a.stems {
			if !seen[s] {
				seen[s] = true
				any = append(any, stemQueryFields(s, a.boost/float64(len(a.stems)), true))
			}
		}
	}
	return anyOf(any)
}

// hasRare tells whether some alternative of a concept is in at most maxDF
// codes (0: no bound).
func hasRare(c *concept, maxDF uint64) bool {
	for _, a := range c.alts {
		if maxDF > 0 && a.df <= maxDF {
			return true
		}
	}
	return false
}

// anyOf is a disjunction of clauses, nil for none.
func anyOf(any []query.Query) query.Query {
	switch len(any) {
	case 0:
		return nil
	case 1:
		return any[0]
	}
	return query.NewDisjunctionQuery(any)
}

// prefixQuery finds the words that start with a prefix alternative.
func prefixQuery(a alt) query.Query {
	t := query.NewTermQuery(a.prefix)
	t.SetField(fieldWords)
	t.SetBoost(a.boost)
	return t
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
	// Codes the release of the search's date lacks are few: they are
	// left out in Go (keep), and on a date of service by the sparse date
	// clause below; a clause naming the release would make Bleve walk the
	// postings of every code for every candidate.
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
