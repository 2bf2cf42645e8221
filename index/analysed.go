package index

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"

	"codebench/codesets"
)

// Each code's texts are analysed once, as the index analyses them, and
// kept for ranking (rank.go).

type textKind uint8

const (
	kindTitle textKind = iota
	kindInclusion
	kindIndex
)

// analysedText is one text of a code, analysed as the index analyses it.
type analysedText struct {
	kind  textKind
	text  string   // as shown to the coder
	stems []string // analysed words
	// flags says, per stem, what it costs when unmatched and whether it is
	// negated; see stemFlag.
	flags []stemFlag
	// partial marks a drug or neoplasm table entry, which names the drug or
	// site but not the column ("poisoning", "malignant"): it never makes an
	// exact match on its own.
	partial bool
	words   []string // lower-case words, for prefixes being typed
	head    string   // first stem that is not free: the thing the title names
	// ranges are the numbered spans a text covers ("stage 1 through stage
	// 4"): a number typed inside one is answered by it.
	ranges []numberRange
	// stemMask and initials let ranking skip most texts without reading
	// them: a bit per stem (stemBit) and per first letter of a word
	// (initialBit). A query word whose bit is not set is not in the text.
	stemMask uint64
	initials uint32
}

// stemBit is a stem's bit in a text's stemMask (FNV-1a, folded to 64).
func stemBit(s string) uint64 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return 1 << (h % 64)
}

// stemsMask is the mask of a list of stems: a text holds them all only if
// its stemMask covers it.
func stemsMask(stems []string) uint64 {
	var m uint64
	for _, s := range stems {
		m |= stemBit(s)
	}
	return m
}

// initialBit is a word's bit in a text's initials: its first letter, or
// one bit for any other first byte.
func initialBit(w string) uint32 {
	if w == "" {
		return 0
	}
	if b := w[0]; b >= 'a' && b <= 'z' {
		return 1 << (b - 'a')
	}
	return 1 << 26
}

// numberRange is a span of numbers a text covers ("1 through 4",
// "32.0-32.9", "70 or greater"), with the indexes of the stems of its
// numbers.
type numberRange struct {
	lo, hi         float64
	loStem, hiStem int
}

// rangePatterns find the spans: "stage 1 through stage 4", "20.0-20.9",
// "40 or greater", "19.9 or less". The first group is the low end and the
// second the high end; an open end has no group.
var rangePatterns = []struct {
	re       *regexp.Regexp
	openHigh bool // "or greater": up to any number
	openLow  bool // "or less": from zero
}{
	{re: regexp.MustCompile(`\b(\d+(?:\.\d+)?) through (?:[a-z]+ )?(\d+(?:\.\d+)?)\b`)},
	{re: regexp.MustCompile(`\b(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)\b`)},
	{re: regexp.MustCompile(`\b(\d+(?:\.\d+)?) or (?:greater|more|over)\b`), openHigh: true},
	{re: regexp.MustCompile(`\b(\d+(?:\.\d+)?) or (?:less|under)\b`), openLow: true},
}

// numberRanges finds the ranges of a text; toks are its analysed tokens.
func numberRanges(text string, toks []*analysis.Token) []numberRange {
	if strings.IndexFunc(text, isDigitRune) < 0 {
		return nil // most texts: no number, no need for the patterns
	}
	lower := strings.ToLower(text)
	var out []numberRange
	stemAt := func(start int) int {
		for i, tok := range toks {
			if tok.Start == start {
				return i
			}
		}
		return -1
	}
	for _, rp := range rangePatterns {
		for _, m := range rp.re.FindAllStringSubmatchIndex(lower, -1) {
			a, err := strconv.ParseFloat(text[m[2]:m[3]], 64)
			if err != nil {
				continue
			}
			r := numberRange{lo: a, hi: a, loStem: stemAt(m[2])}
			r.hiStem = r.loStem
			switch {
			case rp.openHigh:
				r.hi = math.Inf(1)
			case rp.openLow:
				r.lo = 0
			default:
				b, err := strconv.ParseFloat(text[m[4]:m[5]], 64)
				if err != nil || b < a {
					continue
				}
				r.hi, r.hiStem = b, stemAt(m[4])
			}
			if r.loStem >= 0 && r.hiStem >= 0 {
				out = append(out, r)
			}
		}
	}
	return out
}

// inRange tells whether a number typed ("3", "3a", "32.5") falls in one of
// the text's ranges, and flags the range's numbers as matched.
func (t *analysedText) inRange(typed string, matched []bool) bool {
	if len(t.ranges) == 0 {
		return false
	}
	num := strings.TrimRight(typed, "abcdefghijklmnopqrstuvwxyz")
	if num == "" || len(typed)-len(num) > 1 || len(num) > 6 || strings.Trim(num, "0123456789.") != "" {
		return false // a number, or a number and a letter ("3a")
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return false
	}
	for _, r := range t.ranges {
		if v >= r.lo && v <= r.hi {
			matched[r.loStem], matched[r.hiStem] = true, true
			return true
		}
	}
	return false
}

// stemFlag describes one stem of a text in a byte. Words in parentheses or
// brackets are ICD-10-CM's nonessential modifiers (free); a negative
// qualifier ("without macular edema", "not intractable") mostly describes
// the default (cheap); a 7th character's meaning ("initial encounter for
// closed fracture") is picked separately (free). A negated stem answers a
// query only if the query says "without", "not" or "no" too ("septic
// shock" is not "without septic shock").
type stemFlag uint8

const (
	flagFree    stemFlag = 1 << iota // costs costFree when unmatched
	flagCheap                        // costs costNegated when unmatched
	flagNegated                      // in a negative qualifier
)

func (f stemFlag) cost() float64 {
	switch {
	case f&flagFree != 0:
		return costFree
	case f&flagCheap != 0:
		return costNegated
	}
	return costCore
}

func (f stemFlag) negated() bool { return f&flagNegated != 0 }

// interned shares the strings of stems and words among all codes' texts:
// a few thousand distinct words make up the hundred thousand titles.
type interned struct {
	mu sync.Mutex
	m  map[string]string
}

func (in *interned) get(b []byte) string {
	in.mu.Lock()
	defer in.mu.Unlock()
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	if in.m == nil {
		in.m = make(map[string]string)
	}
	s := string(b)
	in.m[s] = s
	return s
}

// codeWords is what ranking needs of a code, worked out once.
type codeWords struct {
	texts []analysedText // the code's own texts
	// inherited are the inclusion terms of the headers above the code,
	// nearest first; fullInherited marks those that count fully: of a
	// header whose default the code is, through every level between.
	inherited      []*analysedText
	fullInherited  []bool
	ancestors      []*codeWords // parent first, up to the category
	isDefault      bool         // see isDefault
	isOther        bool         // see isOther
	laterEncounter bool         // a 7th character other than A
}

// wordsOf analyses a code's texts once and keeps them for later queries.
func (ix *Index) wordsOf(c *codesets.Code) *codeWords {
	if v, ok := ix.analysed.Load(c); ok {
		return v.(*codeWords)
	}
	markers := ix.markers()
	negStems := ix.negStems
	t := textOf(c)
	cw := &codeWords{}
	add := func(kind textKind, shown, text string, suffixFrom int, partial bool) {
		at := analysedText{kind: kind, text: shown, partial: partial}
		for _, w := range strings.FieldsFunc(strings.ToLower(text), notWordRune) {
			at.words = append(at.words, ix.strings.get([]byte(w)))
		}
		free, neg := qualifierSpans(text)
		if suffixFrom > 0 {
			free = append(free, [2]int{suffixFrom, len(text)})
		}
		toks := ix.text.Analyze([]byte(text))
		// Hyphenated words count written as one too, free of cost.
		for _, j := range hyphenJoins(text) {
			for _, tok := range ix.text.Analyze([]byte(j)) {
				toks = append(toks, &analysis.Token{Term: tok.Term, Start: len(text)})
			}
		}
		free = append(free, [2]int{len(text), len(text) + 1})
		for _, j := range hyphenJoins(text) {
			at.words = append(at.words, ix.strings.get([]byte(strings.ToLower(j))))
		}
		at.stems = make([]string, 0, len(toks))
		at.flags = make([]stemFlag, 0, len(toks))
		headEnd := headPhraseEnd(text)
		// "Contact with and (suspected) exposure to ..." (Z20, Z77): the
		// exposure is what the codes name; "contact with and" adds little.
		contactEnd := 0
		if strings.HasPrefix(strings.ToLower(text), contactPrefix) {
			contactEnd = len(contactPrefix)
		}
		for _, tok := range toks {
			stem := ix.strings.get(tok.Term)
			var f stemFlag
			switch {
			case inSpans(free, tok.Start) || markers[stem] || negStems[stem]:
				f = flagFree
				if inSpans(neg, tok.Start) {
					f |= flagNegated
				}
			case inSpans(neg, tok.Start):
				f = flagCheap | flagNegated
			case tok.Start < contactEnd:
				f = flagCheap
			}
			at.stems = append(at.stems, stem)
			at.flags = append(at.flags, f)
			if tok.Start < headEnd && f == 0 && strings.Trim(stem, "0123456789") != "" {
				at.head = stem // the last word of the head phrase
			}
		}
		at.ranges = numberRanges(text, toks)
		at.stemMask = stemsMask(at.stems)
		for _, w := range at.words {
			at.initials |= initialBit(w)
		}
		cw.texts = append(cw.texts, at)
	}
	add(kindTitle, t.title, t.title, seventhSuffix(c), false)
	for _, term := range t.terms {
		add(kindInclusion, term, term, 0, false)
	}
	seen := map[string]bool{}
	for _, it := range c.IndexTerms() {
		if x := indexEntry(it); !seen[x] {
			seen[x] = true
			add(kindIndex, it.Text, x, 0, it.Source == "drug" || it.Source == "neoplasm")
		}
	}
	cw.isDefault = isDefault(c.Title())
	cw.isOther = isOther(c.Title())
	cw.laterEncounter = seventhSuffix(c) > 0 && c.Code[6] != 'A'
	onDefaultPath := cw.isDefault
	seventh := seventhSuffix(c) > 0
	for a := c.Parent(); a != nil; a = a.Parent() {
		aw := ix.wordsOf(a)
		cw.ancestors = append(cw.ancestors, aw)
		for i := range aw.texts {
			switch {
			case aw.texts[i].kind == kindInclusion:
				cw.inherited = append(cw.inherited, &aw.texts[i])
				cw.fullInherited = append(cw.fullInherited, onDefaultPath)
			case aw.texts[i].kind == kindIndex && seventh && a == c.Parent():
				// The Alphabetic Index names a code without its 7th
				// character ("Acetaminophen ... T39.1X1-"): the entry is
				// the 7th-character codes' too, the initial encounter's
				// fully.
				cw.inherited = append(cw.inherited, &aw.texts[i])
				cw.fullInherited = append(cw.fullInherited, c.Code[6] == 'A')
			}
		}
		onDefaultPath = onDefaultPath && aw.isDefault
	}
	v, _ := ix.analysed.LoadOrStore(c, cw)
	return v.(*codeWords)
}

// qualifierSpans finds the byte ranges of a text in parentheses or
// brackets (free) and of its negative qualifiers (neg): from "without",
// "not" or "no" to the next comma, "with" or the end.
func qualifierSpans(text string) (free, neg [][2]int) {
	depth, open := 0, 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '(', '[':
			if depth == 0 {
				open = i
			}
			depth++
		case ')', ']':
			if depth > 0 {
				depth--
				if depth == 0 {
					free = append(free, [2]int{open, i + 1})
				}
			}
		}
	}
	lower := strings.ToLower(text)
	// "non-diabetic", "Non-ST elevation": the hyphenated word is negated.
	for from := 0; ; {
		i := strings.Index(lower[from:], "non-")
		if i < 0 {
			break
		}
		i += from
		from = i + 4
		if i > 0 && lower[i-1] != ' ' && lower[i-1] != '(' {
			continue
		}
		end := from
		for end < len(lower) && !strings.ContainsRune(" ,;()", rune(lower[end])) {
			end++
		}
		neg = append(neg, [2]int{i, end})
	}
	for _, word := range negationWords[:3] {
		for from := 0; ; {
			i := strings.Index(lower[from:], word+" ")
			if i < 0 {
				break
			}
			i += from
			from = i + len(word) + 1
			if i > 0 && lower[i-1] != ' ' && lower[i-1] != ',' && lower[i-1] != '(' {
				continue // inside a word ("cannot")
			}
			end := len(text)
			if j := strings.IndexAny(lower[from:], ",;"); j >= 0 {
				end = from + j
			}
			if j := strings.Index(lower[from:], " with "); j >= 0 && from+j < end {
				end = from + j
			}
			neg = append(neg, [2]int{i, end})
		}
	}
	return free, neg
}

const contactPrefix = "contact with and "

var negationWords = []string{"without", "not", "no", "non"}

// headPhraseEnd is where the phrase naming the thing a title is about
// ends: at the first comma ("Walker, rigid"), or earlier at the first
// "of", "with" and the like ("Fracture of lower end of radius", "Type 2
// diabetes mellitus with ..."). Its last word is the head: "Standard
// wheelchair" is a wheelchair, "Wheelchair accessory, tray" an accessory.
func headPhraseEnd(text string) int {
	end := len(text)
	if i := strings.IndexByte(text, ','); i >= 0 {
		end = i
	}
	lower := strings.ToLower(text[:end])
	if strings.HasPrefix(lower, contactPrefix) {
		// "Contact with and (suspected) exposure to COVID-19" is an exposure.
		if i := strings.Index(lower, "exposure"); i >= 0 {
			return i + len("exposure")
		}
	}
	for _, w := range headBreaks {
		if i := strings.Index(lower, w); i >= 0 && i < end {
			end = i
		}
	}
	return end
}

var headBreaks = []string{" of ", " with ", " without ", " due to ", " in ", " for ", " following ", " complicating ", " by ", " on ", " from ", " after ", " at ", " and ", " or "}

func inSpans(spans [][2]int, at int) bool {
	for _, s := range spans {
		if at >= s[0] && at < s[1] {
			return true
		}
	}
	return false
}

// seventhSuffix is where the 7th character's meaning starts in the title
// of a code that has one, 0 otherwise.
func seventhSuffix(c *codesets.Code) int {
	p := c.Parent()
	if c.System != codesets.ICD10CM || len(c.Code) != 7 || p == nil {
		return 0
	}
	if table, _ := c.SeventhChars(); len(table) == 0 {
		return 0
	}
	if strings.HasPrefix(c.Title(), p.Title()) {
		return len(p.Title())
	}
	return 0
}

// markerWords add nothing to a query's meaning when a title has them:
// "Pneumonia, unspecified organism" answers "pneumonia" exactly, as
// "Alcohol abuse, uncomplicated" answers "alcohol abuse" and "Type 2
// diabetes mellitus" answers "type 2 diabetes".
var markerWords = "unspecified unsp NOS elsewhere classified NEC site organism uncomplicated mellitus"

func (ix *Index) markers() map[string]bool {
	ix.markerOnce.Do(func() {
		ix.markerSet = markerSet(ix.text)
		for _, t := range ix.text.Analyze([]byte(strings.Join(negationWords, " "))) {
			if ix.negStems == nil {
				ix.negStems = map[string]bool{}
			}
			ix.negStems[string(t.Term)] = true
		}
	})
	return ix.markerSet
}

func markerSet(an analysis.Analyzer) map[string]bool {
	set := map[string]bool{}
	for _, t := range an.Analyze([]byte(markerWords)) {
		set[string(t.Term)] = true
	}
	return set
}

// coreLength counts the words of a code's title that a query would have
// to ask for: not the free ones, not "unspecified" and the like. Build
// indexes codes shortest core first, which is the order Bleve returns
// codes that match the same words in.
func coreLength(an analysis.Analyzer, markers map[string]bool, c *codesets.Code) int {
	title := c.Title()
	free, neg := qualifierSpans(title)
	if from := seventhSuffix(c); from > 0 {
		free = append(free, [2]int{from, len(title)})
	}
	n := 0
	for _, tok := range an.Analyze([]byte(title)) {
		if !markers[string(tok.Term)] && !inSpans(free, tok.Start) && !inSpans(neg, tok.Start) {
			n++
		}
	}
	return n
}
