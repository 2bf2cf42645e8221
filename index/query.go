package index

import (
	"strings"
	"unicode"

	"codebench/codesets"
)

// A query is read as a list of concepts that must all be found, plus the
// codes or code prefixes it names. A concept is one word typed, or one
// abbreviation with its expansions; each has alternatives, any of which
// satisfies it.

type altKind uint8

const (
	altTyped      altKind = iota // the word as typed
	altExpansion                 // an expansion of an abbreviation or lay term
	altCorrection                // a spelling correction from the index's words
	altCompletion                // a common word the word being typed starts
	altTruncation                // a word a shortened word stands for (words.go)
)

// alt is one way to satisfy a concept: every stem must occur, or, for a
// prefix alternative, a word must start with prefix.
type alt struct {
	stems  []string
	prefix string
	kind   altKind
	weight float64 // how much a match counts, 1 for what was typed
	boost  float64 // weight in Bleve's first ranking
	// df is how many codes hold the alternative's commonest word (set by
	// Index.prepare): a search for any word leaves out the commonest.
	df uint64
	// mask and initial are the stems' and the prefix's bits (stemsMask,
	// initialBit), set by ranking to skip texts without the words.
	mask    uint64
	initial uint32
}

type concept struct {
	typed string
	alts  []alt
	// word is the lower-case word typed, for a plain word that may be
	// misspelt; empty for abbreviations and words the analyzer splits.
	word string
	// typing is the prefix alternative of the word being typed at the end
	// of the query, empty when there is none.
	typing string
	// weight is how much the concept counts in the coverage of a code: the
	// rarer its words, the more (set by Index.prepare).
	weight float64
	// optional marks a word of one or two letters still being typed after
	// other words ("cellulitis of left lower le"): too short to search
	// for, it only helps ranking. Words the query implies ("personal" in
	// "hx of mi") are optional too.
	optional bool
	// side is set for a side of the body ("r", "lt", "b/l").
	side side
	// found is set when some alternative is in the index (set by
	// Index.prepare).
	found bool
	// negated marks a word the query denies ("bleeding" in "without
	// bleeding"): only a title's negative qualifier answers it, and a
	// title that states it ranks lower.
	negated bool
}

// codePrefix is a code or code prefix named in a query. A dotted one
// ("E11.6") is ICD-10-CM only.
type codePrefix struct {
	code    string
	icdOnly bool
}

type parsedQuery struct {
	concepts []concept
	codes    []codePrefix
	// dotted is a code typed with a dot that is not a code or prefix.
	dotted string
	// negates is set when the query says "without", "not" or "no": then a
	// title's negative qualifier may answer it.
	negates bool
	// weight is the sum of the concepts' weights.
	weight float64
	// phrase is set for a long phrase selected in a note (phrase.go).
	phrase bool
	// commonWeight is the weight of a word in anyWordMaxDF codes: commoner
	// words are not searched for alone (set by Index.prepare).
	commonWeight float64
	// nos and nec are set when the query says NOS or NEC: it asks for the
	// family's unspecified or "other" code (see qualifiers.go).
	nos, nec bool
}

// maxConcepts bounds the words of one query; a pasted paragraph is cut.
const maxConcepts = 16

// Weights of a match by kind of alternative.
const (
	weightTyped      = 1.0
	weightExpansion  = 0.95 // what was typed is the better evidence
	weightCorrection = 0.75
	weightPrefix     = 0.95
	senseStep        = 0.02
	boostShorthand   = 0.3
	boostPrefix      = 0.5
)

// numeric tells whether a concept is a number typed alone ("3" in "ankle
// x-ray 3 views"): a stage, a count of views, a fetus. It only says
// something next to the words it qualifies, so it never finds a code alone.
func (c *concept) numeric() bool {
	if c.typed == "" || strings.Trim(c.typed, "0123456789") != "" {
		return false
	}
	return true
}

// required counts the concepts that Bleve must match.
func (p *parsedQuery) required() int {
	n := 0
	for _, c := range p.concepts {
		if !c.optional {
			n++
		}
	}
	return n
}

// hasTyping tells whether a concept has a prefix alternative for the word
// being typed.
func (p *parsedQuery) hasTyping() bool {
	for _, c := range p.concepts {
		if c.typing != "" {
			return true
		}
	}
	return false
}

// addTyping lets the last word of a query match as the start of a word.
func (c *concept) addTyping(raw string) {
	if p := typedPrefix(raw); p != "" {
		c.typing = p
		c.alts = append(c.alts, alt{prefix: p, kind: altTyped, weight: weightPrefix, boost: boostPrefix})
	}
}

// queryFields splits typed text the way normalWords does, keeping each
// field as typed.
func queryFields(q string) []string {
	return strings.FieldsFunc(q, isFieldBreak)
}

func isFieldBreak(r rune) bool {
	return unicode.IsSpace(r) || r == ',' || r == ';' || r == '(' || r == ')' || r == '[' || r == ']' || r == '"'
}

// clauseEnds tells, for each field of q (queryFields), whether a clause
// ends after it: a comma, semicolon or bracket follows, or the field ends
// in a full stop or colon ("fever.", but not "e11.9").
func clauseEnds(q string) []bool {
	var out []bool
	var last rune
	in := false
	for _, r := range q {
		if !isFieldBreak(r) {
			if !in {
				out = append(out, false)
				in = true
			}
			last = r
			continue
		}
		if in && (last == '.' || last == ':') {
			out[len(out)-1] = true
		}
		in = false
		if len(out) > 0 && !unicode.IsSpace(r) && r != '"' {
			out[len(out)-1] = true
		}
	}
	if in && (last == '.' || last == ':') {
		out[len(out)-1] = true
	}
	return out
}

func (ix *Index) parse(q string) parsedQuery {
	var p parsedQuery
	q = cleanQuery(q)
	fields := queryFields(q)
	typing := q != "" && !unicode.IsSpace(rune(q[len(q)-1]))
	norms := make([]string, len(fields))
	for i, f := range fields {
		if w := normalWords(f); len(w) > 0 {
			norms[i] = w[0]
		}
	}
	seen := map[string]bool{}
	denied := false // after "without", "no" or "not", until "with"
	ends := clauseEnds(q)
	add := func(c concept) {
		c.negated = c.negated || denied && c.side == noSide && !c.optional
		key := conceptKey(c)
		if !seen[key] && len(p.concepts) < maxConcepts {
			seen[key] = true
			p.concepts = append(p.concepts, c)
		}
	}
	long := len(fields) > longPhraseFields
	p.phrase = long
	for i := 0; i < len(fields); {
		raw := fields[i]
		last := i == len(fields)-1
		if long && phraseNoise(norms, i) {
			i++
			continue
		}
		if withWords[norms[i]] {
			denied = false // "w" ends a denial before it is dropped
		}
		if q, n := qualifierAt(norms, i); q != qualNone {
			p.nos = p.nos || q == qualNOS
			p.nec = p.nec || q == qualNEC
			i += n
			continue
		}
		// The words a query denies: from a negation to "with" or the end
		// of the clause ("without mention of bleeding", "no fever").
		if i > 0 && i-1 < len(ends) && ends[i-1] {
			denied = false
		}
		switch {
		case denyWords[norms[i]]:
			if !denied {
				denied = true
				// The negation itself is a word titles have ("without").
				stems := ix.analyse(raw)
				if norms[i] == "w/o" || norms[i] == "wo" {
					stems = ix.analyse("without")
				}
				if len(stems) == 1 {
					c := concept{typed: raw, alts: []alt{{stems: stems, kind: altTyped, weight: weightTyped, boost: 1}}}
					denied = false
					add(c)
					denied = true
				}
				i++
				continue
			}
		case withWords[norms[i]], long && norms[i] == "and":
			// In a phrase "and" starts another finding ("no abnormalities
			// and an epididymis cyst").
			denied = false
		}
		if s := ix.sideOf(norms, i); s != noSide {
			add(concept{typed: raw, side: s, alts: []alt{{stems: ix.sideStems[s], kind: altTyped, weight: weightTyped, boost: 1}}})
			i++
			continue
		}
		if d := romanAt(norms, i); d != "" {
			c := concept{typed: raw, alts: []alt{{stems: []string{d}, kind: altTyped, weight: weightTyped, boost: 1}}}
			if stems := ix.analyse(raw); len(stems) == 1 {
				c.alts = append(c.alts, alt{stems: stems, kind: altTyped, weight: weightTyped, boost: 1})
			}
			add(c)
			i++
			continue
		}
		if code, ok := ix.typedCode(raw, len(fields) == 1); ok {
			p.codes = append(p.codes, codePrefix{code: code, icdOnly: strings.Contains(raw, ".")})
			i++
			continue
		}
		if strings.Contains(raw, ".") && len(fields) == 1 && dottedCode(codesets.Canonical(raw)) {
			p.dotted = codesets.Canonical(raw)
			i++
			continue
		}
		if a, ok := ix.abbr.match(norms, i); ok {
			c := concept{typed: strings.Join(fields[i:i+len(a.words)], " ")}
			term := strings.Join(a.words, " ")
			if !strings.ContainsAny(term, "/&") {
				if stems := ix.analyse(term); len(stems) > 0 {
					// The shorthand itself is rare in titles: it must not
					// crowd out its expansions in Bleve's ranking.
					c.alts = append(c.alts, alt{stems: stems, kind: altTyped, weight: weightTyped, boost: boostShorthand})
				}
			}
			for k, e := range a.expansions {
				if stems := ix.stems[e]; len(stems) > 0 {
					// The first sense of ambiguous shorthand is the usual
					// one: "cp" is chest pain before cerebral palsy.
					w := weightExpansion - senseStep*float64(k)
					c.alts = append(c.alts, alt{stems: stems, kind: altExpansion, weight: w, boost: 1})
				}
			}
			i += len(a.words)
			if i == len(fields) && typing && len(a.words) == 1 {
				// A known shorthand is complete even as it is typed
				// ("r knee oa"); it may still be the start of a word.
				c.addTyping(raw)
			}
			if len(c.alts) > 0 {
				add(c)
			}
			continue
		}
		stems := ix.analyse(raw)
		for j, s := range stems {
			c := concept{typed: raw, alts: []alt{{stems: []string{s}, kind: altTyped, weight: weightTyped, boost: 1}}}
			c.optional = last && typing && len(fields) > 1 && len(raw) < minGram
			if len(stems) == 1 {
				c.word = strings.ToLower(raw)
			}
			if last && typing && j == len(stems)-1 {
				c.addTyping(raw)
			}
			add(c)
		}
		i++
	}
	// "hx of mi" is the patient's own history: "personal history" titles
	// rank before "family history" ones.
	if p.nec && len(p.concepts) > 0 {
		// NEC: the family's "other" code; the word costs nothing there.
		add(concept{typed: "other", optional: true, alts: []alt{{stems: ix.analyse("other"), kind: altExpansion, weight: weightTyped, boost: 1}}})
	}
	if personalHistory(norms) && len(p.concepts) > 0 {
		add(concept{typed: "personal", optional: true, alts: []alt{{stems: ix.analyse("personal"), kind: altExpansion, weight: weightTyped, boost: 1}}})
	}
	return p
}

// cleanQuery makes pasted text safe to read: invalid UTF-8, terminal
// escape sequences and control characters become spaces.
func cleanQuery(q string) string {
	q = strings.ToValidUTF8(q, " ")
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c == 0x1b { // ESC: skip a CSI sequence ("\x1b[31m") or the next byte
			b.WriteByte(' ')
			if i+1 < len(q) && q[i+1] == '[' {
				i += 2
				for i < len(q) && (q[i] < 0x40 || q[i] > 0x7e) {
					i++
				}
			} else {
				i++
			}
			continue
		}
		if c < 0x20 || c == 0x7f {
			b.WriteByte(' ')
			continue
		}
		b.WriteByte(c)
	}
	// Keep a trailing space: it says the last word is complete.
	return b.String()
}

// typedCode reads a field as a code or code prefix when codes start with
// it. A field of two characters only counts when it is the whole query
// ("E1"), or is dotted: in "o2 concentrator" or "vitamin d3" it is a word.
func (ix *Index) typedCode(raw string, whole bool) (string, bool) {
	code := codesets.Canonical(raw)
	if !codeShaped(code) {
		return "", false
	}
	dotted := strings.Contains(raw, ".")
	if len(code) < 3 && !whole && !dotted {
		return "", false
	}
	if !dotted {
		if _, abbrev := ix.abbr[strings.ToLower(raw)]; abbrev {
			return "", false // "o2", "b12", "dm2": shorthand first
		}
	}
	return code, ix.hasFamily(code)
}

// typedPrefix is the last word of a field, lower case, cut to the longest
// indexed n-gram; empty when shorter than the shortest.
func typedPrefix(raw string) string {
	words := strings.FieldsFunc(strings.ToLower(raw), notWordRune)
	if len(words) == 0 {
		return ""
	}
	w := words[len(words)-1]
	if len(w) < minGram {
		return ""
	}
	if len(w) > maxGram {
		w = w[:maxGram]
	}
	return w
}

func conceptKey(c concept) string {
	var b strings.Builder
	for _, a := range c.alts {
		b.WriteString(strings.Join(a.stems, " "))
		b.WriteByte('*')
		b.WriteString(a.prefix)
		b.WriteByte('|')
	}
	return b.String()
}
