package index

import (
	"sort"
	"strings"
)

// A phrase selected in a note ("A 67-year-old male with a history of
// hypertension and hiatal hernia who came for hematuria") is not typed
// shorthand: most of its words tell the story. Searching all of them
// would cost tens of milliseconds and find codes for the story; so a long
// phrase drops its narrative words and its numbers that qualify nothing,
// and only its most telling words are searched; the others still count
// when the candidates are ranked.

// longPhraseFields is the length from which a query is read as a phrase.
const longPhraseFields = 8

// maxSearched bounds the words of a query that Bleve searches.
const maxSearched = 8

// narrativeWords tell the story of the case rather than name a finding.
var narrativeWords = map[string]bool{
	"patient": true, "patients": true, "he": true, "she": true, "his": true, "her": true, "man": true, "woman": true,
	"male": true, "female": true, "boy": true, "girl": true, "year": true, "years": true, "old": true, "year-old": true,
	"presented": true, "presenting": true, "presents": true, "diagnosed": true, "diagnosis": true, "admitted": true,
	"showed": true, "shows": true, "revealed": true, "reported": true, "treated": true, "treatment": true,
	"performed": true, "underwent": true, "was": true, "were": true, "had": true, "has": true, "have": true,
	"case": true, "we": true, "our": true, "also": true, "then": true, "later": true, "days": true, "months": true,
	"weeks": true, "hours": true, "time": true, "examination": true, "study": true, "observed": true, "found": true,
	"evidence": true, "compatible": true, "suggestive": true, "consistent": true, "referred": true, "consulted": true,
	"hospital": true, "clinic": true, "department": true, "service": true, "admission": true, "discharged": true,
}

// numberContext are the words a number qualifies in a phrase ("stage 3",
// "bmi 32"); other numbers of a phrase are doses, dates and vital signs.
var numberContext = map[string]bool{
	"stage": true, "st": true, "type": true, "grade": true, "class": true, "bmi": true, "phase": true,
	"degree": true, "level": true, "gestation": true, "weeks": true, "zone": true, "ckd": true,
}

// phraseNoise tells whether the word at i of a long phrase is left out:
// a narrative word, or a number that qualifies nothing.
func phraseNoise(norms []string, i int) bool {
	w := norms[i]
	if narrativeWords[w] || strings.HasSuffix(w, "yearold") || strings.HasSuffix(w, "-year-old") {
		return true
	}
	if strings.IndexFunc(w, isDigitRune) >= 0 && strings.Trim(w, "0123456789.,/%") == "" {
		return i == 0 || !numberContext[norms[i-1]]
	}
	return false
}

// pruneConcepts keeps Bleve's work bounded: when a query has more than
// maxSearched words to search, only the most telling are searched; the
// others become optional (they count in ranking only). A word the index
// does not hold at all tells nothing.
func pruneConcepts(p *parsedQuery) {
	if p.required() <= maxSearched {
		return
	}
	var idx []int
	for i := range p.concepts {
		if !p.concepts[i].optional {
			idx = append(idx, i)
		}
	}
	telling := func(i int) float64 {
		c := &p.concepts[i]
		if !c.found {
			return 0
		}
		return c.weight
	}
	sort.SliceStable(idx, func(a, b int) bool { return telling(idx[a]) > telling(idx[b]) })
	for _, i := range idx[maxSearched:] {
		c := &p.concepts[i]
		c.optional = true
		c.weight *= optionalShare
	}
}
