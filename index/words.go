package index

import (
	"sort"
	"strings"
	"sync"

	bindex "github.com/blevesearch/bleve_index_api"

	"codebench/codesets"
)

// Coders shorten words two ways, and neither is a misspelling:
//
//   - they cut a word short ("chr", "exac", "periph", "glomerulonephr"): a
//     word that starts indexed words stands for its likeliest completions,
//     the most common first (completions, as for the word being typed);
//   - they drop vowels ("crnry", "athrscl", "bld", "hrt"): a word whose
//     letters, in order, spell out most of an indexed word's consonants
//     stands for that word (abbreviatedWords).
//
// Both are tried for every word of a query, not only the last one; a word
// the index does not hold tries them before spelling corrections.

// Weights of a match through a shortened word.
const (
	weightTruncation  = 0.9
	weightAbbreviated = 0.85
	// truncationRatio: a word the index holds still stands for a
	// completion this many times as common ("cor" for coronary, "fail"
	// for failure).
	truncationRatio = 1
	minTruncation   = 3 // shortest word completed
)

// addTruncations adds the likeliest completions of a word typed short, and
// failing those the words it abbreviates by dropping vowels. n is how many
// codes hold the word itself. It tells whether it added any.
func (ix *Index) addTruncations(r bindex.IndexReader, c *concept, n uint64, df dfFunc) (bool, error) {
	if len(c.word) < minTruncation || c.typing != "" || strings.ContainsAny(c.word, "0123456789") {
		return false, nil
	}
	stem := c.alts[0].stems[0]
	terms, err := ix.memo.get("trunc\x00"+c.word, func() ([]string, error) {
		return completions(r, c.word, "", df)
	})
	if err != nil {
		return false, err
	}
	added := false
	for _, term := range terms {
		if term == stem {
			continue
		}
		if n > 0 {
			m, err := df(fieldText, term)
			if err != nil {
				return false, err
			}
			if m < truncationRatio*n {
				continue
			}
		}
		c.alts = append(c.alts, alt{stems: []string{term}, kind: altTruncation, weight: weightTruncation, boost: 1})
		added = true
	}
	if added || n > 0 {
		return added, nil
	}
	for _, w := range ix.vocab().abbreviated(c.word) {
		if stems := ix.analyse(w); len(stems) == 1 && stems[0] != stem {
			c.alts = append(c.alts, alt{stems: stems, kind: altTruncation, weight: weightAbbreviated, boost: 1})
			added = true
		}
	}
	return added, nil
}

// vocabulary is every lower-case word of the indexed texts with the number
// of codes that hold it, by first letter.
type vocabulary struct {
	byFirst map[byte][]vocabWord
}

type vocabWord struct {
	word     string
	df       int
	skeleton int // consonants, plus a leading vowel: what an abbreviation keeps
}

// vocabHolder is the lazily built vocabulary of an Index.
type vocabHolder struct {
	vocabOnce sync.Once
	vocabList *vocabulary
}

// vocab builds the vocabulary once (a fraction of a second; Open starts it
// in the background).
func (ix *Index) vocab() *vocabulary {
	ix.vocabOnce.Do(func() { ix.vocabList = buildVocabulary(indexedCodes(ix.set)) })
	return ix.vocabList
}

func buildVocabulary(codes []*codesets.Code) *vocabulary {
	df := map[string]int{}
	seen := map[string]bool{}
	for _, c := range codes {
		t := textOf(c)
		clear(seen)
		count := func(text string) {
			for _, w := range strings.FieldsFunc(strings.ToLower(text), notWordRune) {
				if len(w) > minTruncation && !seen[w] && strings.IndexFunc(w, isDigitRune) < 0 {
					seen[w] = true
					df[w]++
				}
			}
		}
		count(t.title)
		for _, x := range t.terms {
			count(x)
		}
		for _, x := range t.idx {
			count(x)
		}
	}
	v := &vocabulary{byFirst: map[byte][]vocabWord{}}
	for w, n := range df {
		v.byFirst[w[0]] = append(v.byFirst[w[0]], vocabWord{word: w, df: n, skeleton: skeleton(w)})
	}
	for _, list := range v.byFirst {
		sort.Slice(list, func(i, j int) bool {
			if list[i].df != list[j].df {
				return list[i].df > list[j].df
			}
			return list[i].word < list[j].word
		})
	}
	return v
}

func isDigitRune(r rune) bool { return r >= '0' && r <= '9' }

func isVowel(b byte) bool { return strings.IndexByte("aeiou", b) >= 0 }

// skeleton counts what an abbreviation by dropped vowels keeps of a word:
// its first letter and its consonants ("coronary": c r n r y, 5).
func skeleton(w string) int {
	n := 1
	for i := 1; i < len(w); i++ {
		if !isVowel(w[i]) {
			n++
		}
	}
	return n
}

// Bounds of abbreviations by dropped vowels.
const (
	minAbbreviated      = 3   // shortest abbreviation read
	abbreviatedCoverage = 0.6 // share of the word's skeleton it must spell
	maxAbbreviated      = 3
	abbreviatedShare    = 0.1 // a reading must be this common relative to the most common
)

// abbreviated lists the words a vowel-dropped abbreviation stands for:
// words that start with its first letter and contain its letters in
// order, covering most of their consonants ("crnry" is coronary, "bld"
// blood or bladder), the most common first.
func (v *vocabulary) abbreviated(a string) []string {
	if len(a) < minAbbreviated {
		return nil
	}
	type cand struct {
		word string
		df   int
		full bool // spells every consonant
	}
	var list []cand
	for _, w := range v.byFirst[a[0]] {
		if len(w.word) <= len(a) || len(w.word) > 4*len(a)+2 {
			continue
		}
		if float64(len(a)) < abbreviatedCoverage*float64(w.skeleton) || !subsequence(a, w.word) {
			continue
		}
		list = append(list, cand{w.word, w.df, len(a) >= w.skeleton})
	}
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].full != list[j].full {
			return list[i].full
		}
		return list[i].df > list[j].df
	})
	var out []string
	for i, c := range list {
		if i == maxAbbreviated || float64(c.df) < abbreviatedShare*float64(list[0].df) {
			break
		}
		out = append(out, c.word)
	}
	return out
}

// subsequence tells whether a's letters occur in w in order.
func subsequence(a, w string) bool {
	j := 0
	for i := 0; i < len(w) && j < len(a); i++ {
		if w[i] == a[j] {
			j++
		}
	}
	return j == len(a)
}
