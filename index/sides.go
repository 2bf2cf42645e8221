package index

import (
	"strings"
	"sync"
)

// Coders write the side of the body in a letter or two: "r knee oa", "l
// ankle sprain", "b/l cataracts", "cellulitis rle". A side word becomes a
// concept of its own (right, left, bilateral), so the code of that side
// ranks first; a query that names no side gets the family's unspecified
// side first (see isDefault). The letters are read as a side only where
// they can mean nothing else: "r/o" (rule out), "b12", "hep b" and "l4"
// are other words.

type side uint8

const (
	noSide side = iota
	sideRight
	sideLeft
	sideBoth
)

// sideStem is the word the titles use for each side.
var sideStem = [...]string{sideRight: "right", sideLeft: "left", sideBoth: "bilateral"}

// sideWords are the spellings of a side. Some only count next to a part
// of the body (see sideOf).
var sideWords = map[string]side{
	"r": sideRight, "rt": sideRight, "right": sideRight,
	"l": sideLeft, "lt": sideLeft, "left": sideLeft,
	"b": sideBoth, "bil": sideBoth, "bilat": sideBoth, "b/l": sideBoth, "bl": sideBoth, "bilateral": sideBoth, "both": sideBoth,
}

// needsBody lists the side words that are a side only before a part of
// the body: "b" is also hepatitis B, vitamin B and group B; "both" is
// plain English.
var needsBody = map[string]bool{"b": true, "bl": true, "both": true}

// sideOf tells whether the normalised word at i is a side. norms are the
// query's words (normalWords), one per field.
func (ix *Index) sideOf(norms []string, i int) side {
	s, ok := sideWords[norms[i]]
	if !ok || len(norms) == 1 {
		return noSide
	}
	w := norms[i]
	if needsBody[w] {
		if i+1 < len(norms) && ix.isBodyWord(norms[i+1]) {
			return s
		}
		return noSide
	}
	if len(w) == 1 && i > 0 && isNumber(norms[i-1]) {
		return noSide // "2 l" of oxygen: litres
	}
	return s
}

func isNumber(w string) bool {
	return w != "" && strings.Trim(w, "0123456789.") == ""
}

// isBodyWord tells whether a typed word names a part of the body that
// codes tell the sides of: a word the titles put right after "right",
// "left" or "bilateral" ("knee", "lower limb", "ear"), in any form the
// analyzer reduces to the same stem ("knees").
func (ix *Index) isBodyWord(w string) bool {
	body := ix.bodyWords()
	if body[w] {
		return true
	}
	for _, s := range ix.analyse(w) {
		if body[s] {
			return true
		}
	}
	if list, ok := ix.abbr[w]; ok {
		for _, a := range list {
			if len(a.words) == 1 {
				for _, e := range a.expansions {
					for _, s := range ix.stems[e] {
						if body[s] {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

// bodyWords is the set of words (and their stems) that follow a side in
// the ICD-10-CM titles, worked out once.
func (ix *Index) bodyWords() map[string]bool {
	ix.bodyOnce.Do(func() {
		set := map[string]bool{}
		for _, c := range ix.set.ICD10CM() {
			lower := strings.ToLower(c.Title())
			for _, sw := range []string{"right ", "left ", "bilateral "} {
				for from := 0; ; {
					i := strings.Index(lower[from:], sw)
					if i < 0 {
						break
					}
					i += from
					from = i + len(sw)
					if i > 0 && lower[i-1] != ' ' && lower[i-1] != '(' {
						continue
					}
					// The two words after the side: "lower limb", "knee".
					rest := strings.FieldsFunc(lower[from:], notWordRune)
					for k := 0; k < len(rest) && k < 2; k++ {
						if sideStopWords[rest[k]] {
							break
						}
						set[rest[k]] = true
					}
				}
			}
		}
		stems := map[string]bool{}
		for w := range set {
			for _, s := range ix.analyse(w) {
				stems[s] = true
			}
		}
		for s := range stems {
			set[s] = true
		}
		ix.body = set
	})
	return ix.body
}

// sideStopWords end the body part after a side ("right side", "left
// and right").
var sideStopWords = map[string]bool{
	"and": true, "or": true, "side": true, "sided": true, "with": true, "without": true, "of": true,
	"initial": true, "subsequent": true, "encounter": true, "unspecified": true,
}

// bodyIndex holds what sides.go needs on Index.
type bodyIndex struct {
	bodyOnce sync.Once
	body     map[string]bool
}
