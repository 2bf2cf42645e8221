package index

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"codebench/codesets"
)

// Bleve finds the candidates; this file orders them the way a coder
// expects. For each candidate the words of the query are matched against
// each of its texts (title, inclusion terms, index entries):
//
//  1. codes that have more of the query's words come first (coverage, each
//     word weighted by its rarity);
//  2. a text that holds all of them beats words scattered over several;
//  3. billable codes come before headers when the words match equally;
//  4. an exact match (a title or term with no other words than the query's,
//     apart from "unspecified", "NOS", words in parentheses and the like)
//     beats a partial one;
//  5. fewer extra words is better; among billable codes the "unspecified" /
//     "without complications" default of a family wins when the query says
//     nothing more specific, as does a title that starts with the query's
//     word ("Walker, rigid" before "Platform attachment, walker");
//  6. code order breaks what is left, which keeps families together.
//
// Hits of one ICD-10-CM family that rank close together are then kept
// together, so the list reads family by family.

// kindWeight discounts matches outside the title a little.
var kindWeight = [...]float64{kindTitle: 1, kindInclusion: 0.97, kindIndex: 0.93}

// Score weights; see the list above.
const (
	wCoverage       = 8.0
	wOneText        = 4.0
	wBillable       = 2.0
	wExact          = 1.5
	wExactHeader    = 0.75
	wFewExtras      = 1.5
	maxExtras       = 6.0 // extra words beyond which a text earns nothing for brevity
	wDefault        = 0.4
	wAsked          = 0.8 // the query says NOS (a default) or NEC (an "other" code)
	wDenied         = 3.0 // the title states what the query denies
	wHead           = 0.3
	inheritedWeight = 0.9  // a header's inclusion term, matched for a code under it that is not the default
	partialExtras   = 3.0  // what a drug or neoplasm table entry leaves unsaid
	wFamilyExact    = 0.5  // a category or subcategory above the code is exactly what was asked
	wLater          = 0.2  // a 7th character other than A (initial encounter) not asked for
	groupGap        = 0.25 // siblings within this score of the family's first hit join it
	extraPenalty    = 0.05 // per extra word, when choosing the text to show as Why
)

// What a word of a code's text costs when the query did not ask for it.
const (
	costCore    = 1.0 // a word that says something the query did not
	costNegated = 0.3 // in a negative qualifier: "without macular edema"
	costFree    = 0.0 // in parentheses, a 7th character's meaning, "unspecified"
)

// textMatch is how well one text answers the query.
type textMatch struct {
	coverage float64 // matched concepts' weights over all concepts' weights
	all      bool    // every concept matched, if only by a correction
	extras   float64 // cost of the words of the text the query did not ask for
	head     bool    // the text's head word answers a concept
	// conflict: the text states what the query denies ("Alcoholic
	// cirrhosis" for "cirrhosis without alcohol").
	conflict bool
}

// matchText matches the query's concepts against one text; unionOut
// keeps, per concept, the best match over all the code's texts. matched
// is scratch space, one flag per stem of the text.
func (ix *Index) matchText(t *analysedText, p *parsedQuery, unionOut []float64, matched []bool, factor float64) textMatch {
	matched = matched[:len(t.stems)]
	for i := range matched {
		matched[i] = false
	}
	var cov, prefixHits float64
	all, conflict := true, false
	kw := kindWeight[t.kind] * factor
	for ci := range p.concepts {
		c := &p.concepts[ci]
		best := 0.0
		prefixHit := false
		for ai := range c.alts {
			a := &c.alts[ai]
			if a.prefix != "" {
				if a.weight <= best || c.negated || t.initials&a.initial == 0 {
					continue // a denied word answers only as a whole word
				}
				for _, w := range t.words {
					if strings.HasPrefix(w, a.prefix) {
						best, prefixHit = a.weight, true
						break
					}
				}
			} else if a.mask&^t.stemMask != 0 {
				continue // some stem is not in the text
			} else if t.find(a.stems, p.negates, c.negated, matched) {
				// Every alternative found counts its words as asked for:
				// "hiv" and "human immunodeficiency virus" both.
				if a.weight > best {
					best, prefixHit = a.weight, false
				}
			} else if c.negated && !p.phrase && t.kind == kindTitle && t.states(a.stems) {
				conflict = true
			}
		}
		if best == 0 && t.inRange(c.typed, matched) {
			best = weightTyped
		}
		if prefixHit {
			prefixHits++
		}
		all = all && best > 0
		cov += best * c.weight
		if best*kw > unionOut[ci] {
			unionOut[ci] = best * kw
		}
	}
	m := textMatch{coverage: cov / p.weight, all: all, conflict: conflict}
	for i := range t.stems {
		if matched[i] {
			m.head = m.head || t.stems[i] == t.head
		} else {
			m.extras += t.flags[i].cost()
		}
	}
	m.extras = max(0, m.extras-prefixHits)
	if t.partial {
		m.extras += partialExtras // the table column the entry leaves out
	}
	return m
}

// find tells whether the text has every stem outside a negative qualifier
// (or anywhere, when the query negates too; only inside one, for words the
// query negates), and if so flags them in matched.
func (t *analysedText) find(want []string, negates, negOnly bool, matched []bool) bool {
	ok := func(i int) bool {
		neg := t.flags[i].negated()
		return negOnly && neg || !negOnly && (negates || !neg)
	}
	for _, w := range want {
		found := false
		for i, h := range t.stems {
			if h == w && ok(i) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	for _, w := range want {
		for i, h := range t.stems {
			if h == w && ok(i) {
				matched[i] = true
			}
		}
	}
	return true
}

// states tells whether the text says every stem before its first negative
// qualifier: "Alcoholic cirrhosis of liver without ascites" states
// alcohol, which a query "without alcohol" denies; the words after a
// negation are left alone, whose scope a title's commas may not end.
func (t *analysedText) states(want []string) bool {
	for _, w := range want {
		found := false
		for i, h := range t.stems {
			if t.flags[i].negated() {
				break
			}
			if h == w {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func sumWeights(concepts []concept) float64 {
	var w float64
	for _, c := range concepts {
		w += c.weight
	}
	if w == 0 {
		return 1
	}
	return w
}

// isDefault tells whether a title is the catch-all of its family, the
// code to take when the documentation says nothing more: "Heart failure,
// unspecified", "Pneumonia, unspecified organism", "Cystitis, unspecified
// without hematuria", "Type 2 diabetes mellitus without complications",
// "Alcohol abuse, uncomplicated", "..., not specified as recurrent",
// "Unspecified atrial fibrillation". A
// title that names a complication ("with diabetic neuropathy,
// unspecified") is not: its "unspecified" is about the complication.
func isDefault(title string) bool {
	t := strings.ToLower(title)
	if strings.Contains(t, "without complication") || strings.HasSuffix(t, " nos") {
		return true
	}
	if strings.Contains(t, " with ") {
		return false
	}
	if strings.HasPrefix(t, "unspecified ") {
		return true
	}
	parts := strings.Split(t, ", ")
	for _, part := range parts[1:] {
		// A drug's "not otherwise specified" injection is the generic one
		// (J3301 triamcinolone acetonide), the others are brands or forms;
		// a device's is a leftover ("Wheelchair, pediatric size, NOS").
		if strings.HasPrefix(part, "not otherwise specified") && strings.HasPrefix(t, "injection, ") {
			return true
		}
		if strings.HasPrefix(part, "unspecified") || strings.HasPrefix(part, "not specified") ||
			part == "uncomplicated" || part == "site not specified" || part == "part unspecified" {
			return true
		}
	}
	return false
}

// isOther tells whether a title is the "other" code of its family, the
// one NEC (not elsewhere classified) asks for: "Other specified
// hypothyroidism", "Other hyperlipidemia", "..., not elsewhere
// classified".
func isOther(title string) bool {
	t := strings.ToLower(title)
	return strings.HasPrefix(t, "other ") || strings.Contains(t, ", other") ||
		strings.Contains(t, "other specified") || strings.Contains(t, "not elsewhere classified")
}

// preferredFamilies break ties between families that answer a query
// equally, following the ICD-10-CM guidelines.
var preferredFamilies = map[string]float64{
	// I.C.4.a.2: diabetes of undocumented type is coded as type 2.
	"E11": 0.3,
}

// debugRank, when set (by tests), sees each candidate's score parts.
var debugRank func(c *codesets.Code, union, oneText, extras float64, exact, head bool)

// rank scores the candidates, orders them and groups families. It also
// returns the hits unordered and the headers the query names exactly, for
// rankMore.
func (ix *Index) rank(p *parsedQuery, cands []candidate) (ranked, scored []Hit, exact map[*codesets.Code]bool) {
	scored, exact = ix.score(p, cands)
	return order(scored, exact), scored, exact
}

// rankMore adds candidates to hits already scored and orders them all.
func (ix *Index) rankMore(p *parsedQuery, scored []Hit, exact map[*codesets.Code]bool, more []candidate) []Hit {
	extra, extraExact := ix.score(p, more)
	for c := range extraExact {
		exact[c] = true
	}
	return order(append(scored, extra...), exact)
}

// order sorts scored hits, best first, keeps close siblings together and
// puts a header named exactly after its first billable code.
func order(scored []Hit, exact map[*codesets.Code]bool) []Hit {
	hits := append([]Hit(nil), scored...)
	slices.SortStableFunc(hits, func(a, b Hit) int {
		if a.Score != b.Score {
			return cmp.Compare(b.Score, a.Score)
		}
		return strings.Compare(a.Code.Code, b.Code.Code)
	})
	return seventhAfter(headerSecond(groupFamilies(hits), exact))
}

// seventhAfter keeps the best-ranked 7th-character variant of each code in
// place and moves its other variants (subsequent encounter, sequela, open
// fracture...) after every distinct code, in their order: "colles
// fracture" shows the right, left and unspecified radius on the first
// screen, not twelve encounters of one of them. The coder picks the 7th
// character in the detail pane, and a query that names one ("subsequent")
// ranks that variant first.
func seventhAfter(hits []Hit) []Hit {
	var seen map[string]bool
	var later []int // indexes of the variants that move
	for i, h := range hits {
		if len(h.Code.Code) == 7 {
			if stem, ok := seventhStem(h.Code); ok {
				if seen == nil {
					seen = make(map[string]bool, len(hits))
				}
				if seen[stem] {
					later = append(later, i)
					continue
				}
				seen[stem] = true
			}
		}
	}
	if later == nil {
		return hits // no variant follows another
	}
	sc := getHitScratch(len(hits))
	defer putHitScratch(sc)
	out, moved := sc.hits[:0], sc.placed[:len(hits)]
	for _, i := range later {
		moved[i] = true
	}
	for i := range hits {
		if !moved[i] {
			out = append(out, hits[i])
		}
	}
	for _, i := range later {
		out = append(out, hits[i])
	}
	copy(hits, out)
	return hits
}

// seventhStem is the code without its 7th character when it has one.
func seventhStem(c *codesets.Code) (string, bool) {
	if c.System != codesets.ICD10CM || len(c.Code) != 7 || !c.Billable {
		return "", false
	}
	if p := c.Parent(); p == nil || !p.NeedsSeventh() {
		return "", false
	}
	return c.Code[:6], true
}

// score scores each candidate; see the list at the top of the file.
func (ix *Index) score(p *parsedQuery, cands []candidate) ([]Hit, map[*codesets.Code]bool) {
	exactHeaders := map[*codesets.Code]bool{}
	if len(cands) == 0 {
		return nil, exactHeaders
	}
	ix.markers()
	p.negates = false
	for ci := range p.concepts {
		for ai := range p.concepts[ci].alts {
			a := &p.concepts[ci].alts[ai]
			for _, s := range a.stems {
				p.negates = p.negates || ix.negStems[s]
			}
			a.mask, a.initial = stemsMask(a.stems), initialBit(a.prefix)
		}
	}
	p.weight = sumWeights(p.concepts)
	union := make([]float64, len(p.concepts))
	scratch := make([]float64, len(p.concepts))
	ancestors := map[*codeWords]bool{} // per query: siblings share ancestors
	matched := make([]bool, 0, 64)
	hits := make([]Hit, len(cands))
	type textCov struct{ cov, extras float64 }
	covs := make([]textCov, 0, 16)
	for i, cand := range cands {
		for j := range union {
			union[j] = 0
		}
		cw := ix.wordsOf(cand.code)
		var (
			bestQ      = -1.0
			best       *analysedText
			bestCov    float64
			fullExtras = -1.0 // fewest extras among texts with every word
			head       bool
			conflict   bool // the title states what the query denies
		)
		for ti, n := 0, len(cw.texts)+len(cw.inherited); ti < n; ti++ {
			var t *analysedText
			if ti < len(cw.texts) {
				t = &cw.texts[ti]
			} else {
				t = cw.inherited[ti-len(cw.texts)]
			}
			if cap(matched) < len(t.stems) {
				matched = make([]bool, len(t.stems))
			}
			// Inclusion terms of the headers above apply to their codes;
			// fully to the family's default ("Hyperthyroidism NOS" of E05.9
			// names E05.90), a little less to the others.
			factor, canBeExact := 1.0, true
			if ti >= len(cw.texts) && !cw.fullInherited[ti-len(cw.texts)] {
				factor, canBeExact = inheritedWeight, false
			}
			m := ix.matchText(t, p, union, matched, factor)
			w := m.coverage * kindWeight[t.kind] * factor
			if q := w - extraPenalty*m.extras; q > bestQ {
				bestQ, best = q, t
			}
			bestCov = max(bestCov, w)
			covs = append(covs, textCov{w, m.extras})
			if canBeExact && !t.partial && m.all && (fullExtras < 0 || m.extras < fullExtras) {
				fullExtras = m.extras
			}
			head = head || (t.kind == kindTitle && m.head)
			conflict = conflict || m.conflict
		}
		var u float64
		for ci, x := range union {
			u += x * p.concepts[ci].weight
		}
		u /= p.weight
		// Brevity counts for the texts that match about as well as the best.
		bestExtras := -1.0
		for _, tc := range covs {
			if tc.cov >= bestCov-0.05 && (bestExtras < 0 || tc.extras < bestExtras) {
				bestExtras = tc.extras
			}
		}
		covs = covs[:0]
		extras := bestExtras
		if fullExtras >= 0 {
			extras = fullExtras
		}
		s := wCoverage*u + wOneText*bestCov + wFewExtras*max(0, 1-extras/maxExtras)
		if conflict {
			s -= wDenied
		}
		exact := fullExtras >= 0 && fullExtras < 1
		if cand.code.Billable {
			s += wBillable
			if exact {
				s += wExact
			}
			if cw.isDefault {
				s += wDefault
				if p.nos {
					s += wAsked
				}
			}
			if p.nec && cw.isOther {
				s += wAsked
			}
			if cw.laterEncounter {
				s -= wLater
			}
		} else if exact {
			s += wExactHeader
			exactHeaders[cand.code] = true
		}
		if head {
			s += wHead
		}
		if !exact && ix.ancestorExact(cw, p, scratch, matched, ancestors) {
			s += wFamilyExact
		}
		s += preferredFamilies[familyOf(cand.code)]
		if debugRank != nil {
			debugRank(cand.code, u, bestCov, extras, exact, head)
		}
		h := Hit{Code: cand.code, Score: s, Coverage: u, Family: familyOf(cand.code)}
		if best != nil && best.kind != kindTitle {
			h.Why = best.text
		}
		hits[i] = h
	}
	return hits, exactHeaders
}

// headerSecond moves a header that the query names exactly to second place
// when the first hit is a billable code under it: "diabetes" lists E11.9,
// then E11 to open the family, then the rest.
func headerSecond(hits []Hit, exact map[*codesets.Code]bool) []Hit {
	if len(hits) < 3 || !hits[0].Code.Billable || len(exact) == 0 {
		return hits
	}
	for j := 2; j < len(hits); j++ {
		h := hits[j]
		if !exact[h.Code] || !strings.HasPrefix(hits[0].Code.Code, h.Code.Code) || h.Code.System != hits[0].Code.System {
			continue
		}
		copy(hits[2:j+1], hits[1:j])
		hits[1] = h
		break
	}
	return hits
}

// ancestorExact tells whether a header above the code answers the query
// exactly by its title or inclusion terms: "breast cancer" is C50
// "Malignant neoplasm of breast", so C50.919 is in the family asked for
// and C44.501 (skin of breast) is not. scratch and matched are reused.
func (ix *Index) ancestorExact(cw *codeWords, p *parsedQuery, scratch []float64, matched []bool, memo map[*codeWords]bool) bool {
	for _, a := range cw.ancestors {
		if exact, ok := memo[a]; ok {
			if exact {
				return true
			}
			continue
		}
		memo[a] = false
		for ti := range a.texts {
			t := &a.texts[ti]
			if t.kind == kindIndex {
				continue
			}
			if cap(matched) < len(t.stems) {
				matched = make([]bool, len(t.stems))
			}
			if m := ix.matchText(t, p, scratch, matched, 1); m.all && m.extras < 1 && !t.partial {
				memo[a] = true
				return true
			}
		}
	}
	return false
}

// groupFamilies moves each hit up to the first hit of its family when its
// score is within groupGap of that hit's: the siblings read together and
// nothing moves far.
func groupFamilies(hits []Hit) []Hit {
	sc := getHitScratch(len(hits))
	defer putHitScratch(sc)
	out, placed := sc.hits[:0], sc.placed[:len(hits)]
	for i := range hits {
		if placed[i] {
			continue
		}
		placed[i] = true
		out = append(out, hits[i])
		if hits[i].Family == "" {
			continue
		}
		for j := i + 1; j < len(hits); j++ {
			if !placed[j] && hits[j].Family == hits[i].Family && hits[j].Score >= hits[i].Score-groupGap {
				placed[j] = true
				out = append(out, hits[j])
			}
		}
	}
	copy(hits, out)
	return hits
}

// hitScratch is a reordering's working space, reused: the hits of every
// query would otherwise be copied into new lists two or three times.
type hitScratch struct {
	hits   []Hit
	placed []bool
}

var hitScratches sync.Pool

func getHitScratch(n int) *hitScratch {
	sc, _ := hitScratches.Get().(*hitScratch)
	if sc == nil || cap(sc.hits) < n {
		return &hitScratch{hits: make([]Hit, 0, n), placed: make([]bool, n)}
	}
	clear(sc.placed[:n])
	return sc
}

func putHitScratch(sc *hitScratch) {
	clear(sc.hits[:cap(sc.hits)]) // no codes kept alive by the pool
	sc.hits = sc.hits[:0]
	hitScratches.Put(sc)
}

// familyOf is the ICD-10-CM category of a code, empty for other systems.
func familyOf(c *codesets.Code) string {
	if c.System != codesets.ICD10CM || len(c.Code) < 3 {
		return ""
	}
	return c.Code[:3]
}
