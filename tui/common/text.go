package common

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"codebench/termsafe"
)

// Text from encounters and code sets is untrusted: a note may carry escape
// sequences that would move the cursor, retitle the window or hide text.
// Everything shown goes through DisplayRune, the shared sanitizer's view
// (termsafe): C0 and C1 controls, ESC, bidirectional controls and the
// line and paragraph separators become visible symbols, so the coder sees
// that they are there and the terminal never receives them.

// DisplayRune returns what to draw for r; tab and newline are handled by
// the callers that lay out text.
func DisplayRune(r rune) string { return termsafe.Display(r) }

// OneLine makes untrusted text safe to draw on one line: controls become
// visible symbols, tabs and line breaks become spaces, runs of spaces
// collapse.
func OneLine(s string) string {
	if plainLine(s) {
		return s // the common case, without copying
	}
	var b strings.Builder
	space := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r == '\n' || r == '\r' || r == '\t' || r == ' ' {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteString(DisplayRune(r))
	}
	return strings.TrimRight(b.String(), " ")
}

// plainLine tells whether oneLine would return s as it is: printable
// ASCII, single spaces between words.
func plainLine(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return s == ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == ' ' && s[i+1] == ' ' {
			return false
		}
	}
	return true
}

// TextWidth is the width of plain text in cells, without the grapheme
// walk for ASCII.
func TextWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return StyledWidth(s)
		}
	}
	return len(s)
}

// Fit truncates an already styled line to w cells and pads it to exactly w.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := StyledWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = StyledWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// Block makes lines exactly w wide and h high.
func Block(lines []string, w, h int) string {
	if h <= 0 {
		return ""
	}
	var b strings.Builder
	for i := 0; i < h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		b.WriteString(Fit(line, w))
	}
	return b.String()
}

// Clip shortens plain text to w cells with an ellipsis.
func Clip(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if StyledWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// Letter is the claim Letter of a 1-based diagnosis pointer (1 = A).
func Letter(p int) string {
	if p < 1 || p > 26 {
		return "?"
	}
	return string(rune('A' + p - 1))
}

// Elide shortens a title to w cells by dropping words after the first,
// each run of dropped words shown as one "…". Code titles put what tells
// siblings apart at the end, and laterality, encounter and numbers
// anywhere: those words are kept ("Colles'…right…init clos fx").
func Elide(s string, w int) string { return elideIn(s, w, nil) }

// elideIn is elide for a title in a list: the words it shares with the
// rows around it go before the words that tell it apart from them.
// Drop order: nonessential modifiers in parentheses, common words, other
// words, then the telling ones but laterality; put back in reverse order,
// from the right, while they fit.
func elideIn(s string, w int, common map[string]bool) string {
	sw := TextWidth(s)
	if sw <= w {
		return s
	}
	words := strings.Fields(s)
	if w < 12 || len(words) < 3 {
		return Clip(s, w)
	}
	// Every kept word but the first is preceded by one cell, a space or
	// "…", so the width is the kept words plus one per kept word but one.
	ww := make([]int, len(words))
	rank := make([]int, len(words))
	width, depth := -1, 0
	for i, wd := range words {
		ww[i] = TextWidth(wd)
		width += ww[i] + 1
		inParens := depth > 0 || strings.HasPrefix(wd, "(")
		depth += strings.Count(wd, "(") - strings.Count(wd, ")")
		switch {
		case laterality(wd):
			rank[i] = 4 // never dropped
		case keptWord(wd):
			rank[i] = 3
		case inParens:
			rank[i] = 0
		case common[normWord(wd)]:
			rank[i] = 1
		default:
			rank[i] = 2
		}
	}
	keep := make([]bool, len(words))
	for i := range keep {
		keep[i] = true
	}
	last := len(words) - 1
	// The ends of a title tell most and are kept, unless the rows around
	// share them ("Driveway of … as place" in seven rows): then the words
	// between them are what a narrow row must show.
	protected := func(i int) bool { return (i == 0 || i == last) && !common[normWord(words[i])] }
	fits := func() bool { return TextWidth(joinKept(words, keep)) <= w }
	for r := 0; r < 4 && !fits(); r++ {
		for i := 0; i <= last && !fits(); i++ {
			if keep[i] && rank[i] == r && !protected(i) {
				keep[i] = false
			}
		}
	}
	if !fits() {
		return Clip(s, w) // even the telling words do not fit
	}
	// Put words back, the most telling first; among equals the first word
	// (it says what the row is), then from the right.
	order := []int{0}
	for i := last; i > 0; i-- {
		order = append(order, i)
	}
	for r := 3; r >= 0; r-- {
		for _, i := range order {
			if keep[i] || rank[i] != r {
				continue
			}
			// A lone short word between gaps ("…w…") says nothing.
			if ww[i] < 3 && (i == 0 || !keep[i-1]) && (i == last || !keep[i+1]) {
				continue
			}
			keep[i] = true
			if !fits() {
				keep[i] = false
			}
		}
	}
	return joinKept(words, keep)
}

func normWord(wd string) string { return strings.ToLower(strings.Trim(wd, ",;:.()")) }

// joinKept joins the kept words, each run of dropped ones as "…".
func joinKept(words []string, keep []bool) string {
	var b strings.Builder
	gap := false
	for i, wd := range words {
		if !keep[i] {
			gap = true
			continue
		}
		switch {
		case gap:
			b.WriteString("…")
		case b.Len() > 0:
			b.WriteByte(' ')
		}
		gap = false
		b.WriteString(wd)
	}
	if gap {
		b.WriteString("…")
	}
	return b.String()
}

func laterality(wd string) bool {
	switch strings.ToLower(strings.Trim(wd, ",;:.()")) {
	case "right", "left", "bilateral", "r", "l", "unsp", "unspecified":
		return true
	}
	return false
}

// keptWord tells the words elide never drops: laterality, encounter,
// negation, open or closed, and anything with a digit (types, stages).
func keptWord(wd string) bool {
	if laterality(wd) {
		return true
	}
	switch strings.ToLower(strings.Trim(wd, ",;:.()")) {
	case "init", "initial", "subs", "subsequent", "sequela", "sqla",
		"w/o", "without", "no", "not", "clos", "closed", "open", "opn":
		return true
	}
	return strings.ContainsAny(wd, "0123456789")
}

// FitTitle is a code's title in w cells: the full title when it fits,
// else the CMS short one, else the short one compacted the way the CMS
// short titles are (init, subs, unsp, fx, w), then without filler words,
// and last elided in the middle.
func FitTitle(long, short string, w int) string { return FitTitleIn(long, short, w, nil) }

// FitTitleIn is fitTitle for a row of a list, given the words it shares
// with its neighbours (titleList.common).
func FitTitleIn(long, short string, w int, common map[string]bool) string {
	long, short = OneLine(long), OneLine(short)
	if TextWidth(long) <= w {
		return long
	}
	if short == "" {
		short = long
	}
	short = withDose(long, short)
	if TextWidth(short) <= w {
		return short
	}
	t := abbreviate(short)
	if TextWidth(t) <= w {
		return t
	}
	return elideIn(dropFillers(t), w, common)
}

// withDose adds to a short title without numbers the dose its long title
// ends with: HCPCS drug codes are billed in units of it ("Triamcinolone
// acet inj nos" is "…, 10 mg").
func withDose(long, short string) string {
	if !strings.ContainsAny(long, "0123456789") || doseRE.MatchString(short) {
		return short
	}
	i := strings.LastIndex(long, ", ")
	if i < 0 {
		return short
	}
	dose := long[i+2:]
	if !doseRE.MatchString(dose) || TextWidth(dose) > 24 {
		return short
	}
	return short + ", " + dose
}

// doseRE finds an amount with its unit: "10 mg", "1,000 mcg", "5ml".
var doseRE = regexp.MustCompile(`(?i)\d[\d,.]*\s*(mg|mcg|ml|g|gm|cc|units?|iu|meq|l)\b`)

// TitleList knows, for each row of a list of codes, the words it shares
// with the rows around it: in a run of siblings those tell nothing, and a
// narrow row drops them first to show what does.
type TitleList struct{ words []map[string]bool }

// NewTitleList takes each row's long and short title.
func NewTitleList(titles [][2]string) TitleList {
	l := TitleList{words: make([]map[string]bool, len(titles))}
	for i, t := range titles {
		short := t[1]
		if short == "" {
			short = t[0]
		}
		set := map[string]bool{}
		for _, wd := range strings.Fields(abbreviate(OneLine(short))) {
			set[normWord(wd)] = true
		}
		l.words[i] = set
	}
	return l
}

// Shared are the words of row i that the rows before and after it (the
// one there is, at an end of the list) have too.
func (l TitleList) Shared(i int) map[string]bool {
	if i < 0 || i >= len(l.words) || len(l.words) < 2 {
		return nil
	}
	out := map[string]bool{}
	for wd := range l.words[i] {
		if (i == 0 || l.words[i-1][wd]) && (i == len(l.words)-1 || l.words[i+1][wd]) {
			out[wd] = true
		}
	}
	return out
}

// titleAbbrev are the abbreviations of the CMS short titles, longest
// phrases first.
var titleAbbrev = []struct{ long, short string }{
	{"initial encounter", "init"}, {"subsequent encounter", "subs"}, {"init encntr", "init"},
	{"subs encntr", "subs"}, {"encounter", "enctr"},
	{"chronic kidney disease", "CKD"}, {"diabetes mellitus", "DM"}, {"routine healing", "routn heal"},
	{"delayed healing", "delay heal"}, {"nondisplaced", "nondisp"}, {"displaced", "displ"},
	{"unspecified", "unsp"}, {"specified", "spec"}, {"fractures", "fx"}, {"fracture", "fx"},
	{"without", "w/o"}, {"with", "w"}, {"closed", "clos"}, {"other", "oth"}, {"ligament", "lig"},
	{"malignant neoplasm", "malig neoplm"}, {"neoplasm", "neoplm"}, {"disorder", "disord"},
	{"injury", "inj"}, {"infection", "infct"}, {"superficial", "supfc"}, {"complications", "comp"}, {"complication", "comp"},
	{"exacerbation", "exacerb"},
}

// abbrevWords is titleAbbrev split into words, once.
var abbrevWords = func() [][]string {
	out := make([][]string, len(titleAbbrev))
	for i, a := range titleAbbrev {
		out[i] = strings.Fields(a.long)
	}
	return out
}()

// abbreviate applies titleAbbrev to whole words, case-insensitively; a
// comma or other punctuation after the phrase stays.
func abbreviate(s string) string {
	words := strings.Fields(s)
	core := make([]string, len(words)) // without trailing punctuation
	for i, w := range words {
		core[i] = strings.TrimRight(w, ",;:.)")
	}
	out := make([]string, 0, len(words))
	for i := 0; i < len(words); {
		n, repl := 0, ""
		for k, aw := range abbrevWords {
			if i+len(aw) > len(words) || len(core[i]) < len(aw[0]) || core[i][0]|0x20 != aw[0][0] {
				continue
			}
			match := true
			for j, x := range aw {
				w := words[i+j]
				if j == len(aw)-1 {
					w = core[i+j]
				}
				if !strings.EqualFold(w, x) {
					match = false
					break
				}
			}
			if match {
				last := words[i+len(aw)-1]
				n, repl = len(aw), titleAbbrev[k].short+last[len(core[i+len(aw)-1]):]
				if c := words[i][0]; c >= 'A' && c <= 'Z' && repl[0] >= 'a' && repl[0] <= 'z' {
					repl = string(repl[0]-'a'+'A') + repl[1:] // "Unsp asthma"
				}
				break
			}
		}
		if n == 0 {
			out = append(out, words[i])
			i++
			continue
		}
		out = append(out, repl)
		i += n
	}
	return strings.Join(out, " ")
}

// fillers carry no meaning a coder needs in a narrow list.
var fillers = map[string]bool{"of": true, "the": true, "for": true, "and": true, "as": true, "in": true, "on": true, "to": true, "by": true, "from": true, "a": true, "an": true}

// dropFillers removes filler words, except the first word.
func dropFillers(s string) string {
	words := strings.Fields(s)
	out := words[:0:0]
	for i, w := range words {
		if i > 0 && fillers[strings.ToLower(w)] {
			continue
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}
