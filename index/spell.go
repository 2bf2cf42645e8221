package index

import (
	"context"
	"math"
	"sort"
	"strings"

	bindex "github.com/blevesearch/bleve_index_api"
)

// prepare weighs each concept by how rare its words are and adds spelling
// corrections to the words the index does not hold, unless the word is the
// start of a longer one being typed. Only unknown words are looked up for
// corrections, so a well-spelt query costs a few dictionary lookups.
// Corrections come from the as-you-type field, which holds every word
// (cut to maxGram letters) unstemmed: a misspelling often stems oddly
// ("diverticulitus"), while its first letters still match.
func (ix *Index) prepare(ctx context.Context, p *parsedQuery) error {
	r, err := ix.reader()
	if err != nil {
		return err
	}
	defer r.Close()
	docs, err := r.DocCount()
	if err != nil {
		return err
	}
	df := ix.docFreq(ctx, r)
	idf := func(n uint64) float64 { return math.Log(1 + float64(docs)/float64(n+1)) }
	p.commonWeight = idf(anyWordMaxDF)
	for i := range p.concepts {
		c := &p.concepts[i]
		if c.typing != "" {
			if err := ix.addCompletions(r, c, df); err != nil {
				return err
			}
		}
		if len(c.word) >= minTruncation && !strings.ContainsAny(c.word, "0123456789") {
			n, err := df(fieldText, c.alts[0].stems[0])
			if err != nil {
				return err
			}
			// A word typed short stands for its completions ("chr"), or for
			// the word its letters abbreviate ("crnry").
			shortened, err := ix.addTruncations(r, c, n, df)
			if err != nil {
				return err
			}
			if n == 0 && c.typing != "" {
				if n, err = df(fieldWords, c.typing); err != nil {
					return err
				}
			}
			if n == 0 && !shortened && len(c.word) >= minFuzzy {
				if err := ix.addCorrections(r, c, df); err != nil {
					return err
				}
			}
		}
		// A concept weighs as much as its rarest alternative's rarest word:
		// in "tens unit", "tens" says more than "unit".
		c.weight = 0
		for ai := range c.alts {
			a := &c.alts[ai]
			w := 0.0
			a.df = 0
			if a.prefix != "" {
				n, err := df(fieldWords, a.prefix)
				if err != nil {
					return err
				}
				if n > 0 {
					w = idf(n)
					c.found = true
				}
				a.df = n
			}
			for _, s := range a.stems {
				n, err := df(fieldText, s)
				if err != nil {
					return err
				}
				if n > 0 {
					w = max(w, idf(n))
					c.found = true
				}
				a.df = max(a.df, n)
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

// correctAll adds spelling corrections to every word that has none yet,
// even words the index holds; it tells whether it added any.
func (ix *Index) correctAll(ctx context.Context, p *parsedQuery) (bool, error) {
	r, err := ix.reader()
	if err != nil {
		return false, err
	}
	defer r.Close()
	df := ix.docFreq(ctx, r)
	added := false
	for i := range p.concepts {
		c := &p.concepts[i]
		if c.optional || len(c.word) < minFuzzy || strings.ContainsAny(c.word, "0123456789") {
			continue
		}
		corrected := false
		for _, a := range c.alts {
			corrected = corrected || a.kind == altCorrection
		}
		if corrected {
			continue
		}
		before := len(c.alts)
		if err := ix.addCorrections(r, c, df); err != nil {
			return false, err
		}
		added = added || len(c.alts) > before
	}
	return added, nil
}

// anyWordMaxDF: a word in more codes than this is too common to search
// for on its own (see searchAnyWord).
const anyWordMaxDF = 2500

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

// docFreq looks document frequencies up through r; the index is
// read-only, so each is looked up once and kept.
func (ix *Index) docFreq(ctx context.Context, r bindex.IndexReader) dfFunc {
	return func(field, term string) (uint64, error) {
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
}

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
		// A correction much shorter than the word would match too much;
		// the word itself is no correction.
		if len(e.Term) >= len(word)-fuzz && e.Term != word && len(list) < correctionScan {
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
