package index

import (
	"strings"
	"time"
	"unicode"

	"codebench/codesets"
)

// Date bounds of a code that is always valid.
const (
	openStart = 0
	openEnd   = 99991231
)

// docID names an indexed code: a system letter, a colon and the canonical
// code ("I:E1165", "H:J1885", "C:99213"). Modifiers are HCPCS codes of two
// characters, so they cannot collide with the five-character codes.
func docID(c *codesets.Code) string {
	switch c.System {
	case codesets.ICD10CM:
		return "I:" + c.Code
	case codesets.HCPCS:
		return "H:" + c.Code
	default:
		return "C:" + c.Code
	}
}

// codeOf resolves a document ID back to the loaded code.
func (ix *Index) codeOf(id string) (*codesets.Code, bool) {
	ix.idsOnce.Do(func() {
		codes := indexedCodes(ix.set)
		ix.ids = map[byte]map[string]*codesets.Code{
			'I': make(map[string]*codesets.Code, len(ix.set.ICD10CM())+len(ix.set.ICD10CM())/50),
			'H': make(map[string]*codesets.Code, len(ix.set.HCPCSCodes())+500),
			'C': make(map[string]*codesets.Code, len(ix.set.CPTCodes())),
		}
		for _, c := range codes {
			id := docID(c)
			ix.ids[id[0]][c.Code] = c
		}
	})
	if len(id) < 3 || id[1] != ':' {
		return nil, false
	}
	c, ok := ix.ids[id[0]][id[2:]]
	return c, ok
}

// yyyymmdd turns a date into a number that sorts like the date.
func yyyymmdd(t time.Time) float64 {
	return float64(t.Year()*10000 + int(t.Month())*100 + t.Day())
}

// validity is the span of dates of service a code is valid on, as numbers:
// its effective and termination dates, open where it has none.
func validity(c *codesets.Code) (eff, end float64) {
	eff, end = openStart, openEnd
	if !c.Effective.IsZero() {
		eff = yyyymmdd(c.Effective)
	}
	if !c.Terminated.IsZero() {
		end = yyyymmdd(c.Terminated)
	}
	return eff, end
}

// codeText is the text of a code that search matches, by kind. Short
// titles are left out: they only abbreviate the long title ("Diab w
// unsp comp"), and their fragments would match words being typed.
type codeText struct {
	title string
	terms []string // inclusion terms and "includes" notes, own only
	idx   []string // Alphabetic Index entries
}

func textOf(c *codesets.Code) codeText {
	t := codeText{title: c.Title()}
	for _, n := range c.OwnNotes() {
		if n.Kind == codesets.Inclusion || n.Kind == codesets.Includes {
			t.terms = append(t.terms, n.Text)
		}
	}
	seen := map[string]bool{}
	for _, it := range c.IndexTerms() {
		x := indexEntry(it)
		if !seen[x] {
			seen[x] = true
			t.idx = append(t.idx, x)
		}
	}
	return t
}

// indexEntry is the part of an Alphabetic Index entry worth matching. The
// drug and neoplasm tables add the column ("- Poisoning Accidental
// (unintentional)", "- Malignant Primary") that the code's title already
// says, and every neoplasm entry starts "Neoplasm, neoplastic".
func indexEntry(it codesets.IndexTerm) string {
	x := it.Text
	if it.Source == "drug" || it.Source == "neoplasm" {
		if i := strings.LastIndex(x, " - "); i > 0 {
			x = x[:i]
		}
		x = strings.TrimPrefix(x, "Neoplasm, neoplastic, ")
	}
	return x
}

// hyphenJoins lists the hyphenated words of the texts written as one
// ("pre-eclampsia" as "preeclampsia", "gastro-esophageal" as
// "gastroesophageal"): coders type both.
func hyphenJoins(texts ...string) []string {
	var out []string
	for _, text := range texts {
		for _, f := range strings.Fields(text) {
			f = strings.TrimFunc(f, notWordRune)
			if !strings.Contains(f, "-") {
				continue
			}
			parts := strings.Split(f, "-")
			ok := len(parts) > 1
			for _, p := range parts {
				ok = ok && p != "" && strings.IndexFunc(p, notWordRune) < 0 && strings.IndexFunc(p, unicode.IsLetter) >= 0
			}
			if ok {
				out = append(out, strings.Join(parts, ""))
			}
		}
	}
	return out
}

// uniqueWords lists each lower-case word of the texts once: the
// as-you-type field needs to know a word is there, not how often.
func uniqueWords(texts ...[]string) string {
	seen := map[string]bool{}
	var b strings.Builder
	for _, list := range texts {
		for _, text := range list {
			for _, w := range strings.FieldsFunc(strings.ToLower(text), notWordRune) {
				if len(w) >= minGram && !seen[w] {
					seen[w] = true
					if b.Len() > 0 {
						b.WriteByte(' ')
					}
					b.WriteString(w)
				}
			}
		}
	}
	return b.String()
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// document is what Bleve indexes for a code; rs tells its releases.
func document(c *codesets.Code, rs *releaseSet) map[string]interface{} {
	eff, end := validity(c)
	if c.System == codesets.ICD10CM {
		eff, end = rs.span(c)
	}
	releases, billableIn := rs.releaseFields(c)
	t := textOf(c)
	text := make([]string, 0, 2+len(t.terms)+len(t.idx))
	text = append(text, t.title)
	text = append(text, t.terms...)
	text = append(text, t.idx...)
	if joins := hyphenJoins(text...); len(joins) > 0 {
		text = append(text, strings.Join(joins, " "))
	}
	d := map[string]interface{}{
		fieldCode:     c.Code,
		fieldPrefix:   c.Code,
		fieldSystem:   string(c.System),
		fieldBillable: c.Billable,
		fieldModifier: c.Modifier,
		fieldTitle:    t.title,
		fieldText:     text,
		fieldWords:    uniqueWords(text),
		fieldReleases: releases,
	}
	if len(billableIn) > 0 {
		d[fieldBillableIn] = billableIn
	}
	// Most codes are valid on every date: only the others carry dates,
	// which spares the index two numeric fields per code.
	if eff != openStart || end != openEnd {
		d[fieldDated] = true
		d[fieldEff] = eff
		d[fieldEnd] = end
	}
	return d
}

// indexedCodes lists what the index holds, one document per code: every
// ICD-10-CM code of every loaded release (headers too; see icdUnion),
// every HCPCS Level II code and modifier, and the imported CPT codes.
// Tests of the cache swap it for a small subset, to build in a moment.
var indexedCodes = func(set *codesets.Set) []*codesets.Code {
	all := icdUnion(set)
	all = append(all, set.HCPCSCodes()...)
	all = append(all, set.CPTCodes()...)
	return append(all, set.Modifiers()...)
}
