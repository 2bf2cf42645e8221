package tui

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Text from encounters and code sets is untrusted: a note may carry escape
// sequences that would move the cursor, retitle the window or hide text.
// Everything shown goes through displayRune, which maps C0 and C1 controls
// and bidirectional overrides to visible symbols so the coder sees that they
// are there and the terminal never receives them.

// displayRune returns what to draw for r; tab and newline are handled by
// the callers that lay out text.
func displayRune(r rune) string {
	switch {
	case r == utf8.RuneError:
		return "\uFFFD"
	case r < 0x20:
		return string(rune(0x2400 + r)) // Control Pictures: ␛ for ESC
	case r == 0x7f:
		return "\u2421" // ␡
	case r >= 0x80 && r < 0xa0:
		return "\uFFFD" // C1 controls (CSI 0x9b among them)
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return "\uFFFD" // bidi controls reorder what the coder reads
	case !unicode.IsPrint(r) && !unicode.IsSpace(r) && !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Me, r):
		return "\uFFFD"
	}
	return string(r)
}

// oneLine makes untrusted text safe to draw on one line: controls become
// visible symbols, tabs and line breaks become spaces, runs of spaces
// collapse.
func oneLine(s string) string {
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
		b.WriteString(displayRune(r))
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

// textWidth is the width of plain text in cells, without the grapheme
// walk for ASCII.
func textWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// fit truncates an already styled line to w cells and pads it to exactly w.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// block makes lines exactly w wide and h high.
func block(lines []string, w, h int) string {
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
		b.WriteString(fit(line, w))
	}
	return b.String()
}

// clip shortens plain text to w cells with an ellipsis.
func clip(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// letter is the claim letter of a 1-based diagnosis pointer (1 = A).
func letter(p int) string {
	if p < 1 || p > 26 {
		return "?"
	}
	return string(rune('A' + p - 1))
}

// elide shortens a title to w cells by dropping words after the first,
// left to right, each run of dropped words shown as one "…". Code titles
// put what tells siblings apart at the end, and laterality, encounter and
// numbers anywhere: those words are kept ("Colles'…right…init clos fx").
func elide(s string, w int) string {
	sw := textWidth(s)
	if sw <= w {
		return s
	}
	words := strings.Fields(s)
	if w < 12 || len(words) < 3 {
		return clip(s, w)
	}
	// Every kept word but the first is preceded by one cell, a space or
	// "…", so the width is the kept words plus one per kept word but one.
	ww := make([]int, len(words))
	width := -1
	for i, wd := range words {
		ww[i] = textWidth(wd)
		width += ww[i] + 1
	}
	keep := make([]bool, len(words))
	for i := range keep {
		keep[i] = true
	}
	// Filler first; then, if need be, the kept words but laterality.
	for pass := 0; pass < 2; pass++ {
		for i := 1; i < len(words)-1 && width > w; i++ {
			if keep[i] && (pass == 0 && !keptWord(words[i]) || pass == 1 && !laterality(words[i])) {
				keep[i] = false
				width -= ww[i] + 1
			}
		}
	}
	if width > w {
		return clip(joinKept(words, keep), w)
	}
	// Put back, from the right, the dropped words that still fit: the
	// telling ones first.
	for pass := 0; pass < 2; pass++ {
		for i := len(words) - 2; i > 0; i-- {
			// A lone short word between gaps ("…w…") says nothing.
			lone := ww[i] < 3 && !keep[i-1] && !keep[i+1]
			if !keep[i] && (pass == 1 && !lone || keptWord(words[i])) && width+ww[i]+1 <= w {
				keep[i] = true
				width += ww[i] + 1
			}
		}
	}
	return joinKept(words, keep)
}

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

// fitTitle is a code's title in w cells: the full title when it fits,
// else the CMS short one, else the short one compacted the way the CMS
// short titles are (init, subs, unsp, fx, w), then without filler words,
// and last elided in the middle.
func fitTitle(long, short string, w int) string {
	long, short = oneLine(long), oneLine(short)
	if textWidth(long) <= w {
		return long
	}
	if short == "" {
		short = long
	}
	if textWidth(short) <= w {
		return short
	}
	t := abbreviate(short)
	if textWidth(t) <= w {
		return t
	}
	return elide(dropFillers(t), w)
}

// titleAbbrev are the abbreviations of the CMS short titles, longest
// phrases first.
var titleAbbrev = []struct{ long, short string }{
	{"initial encounter", "init"}, {"subsequent encounter", "subs"}, {"encounter", "enctr"},
	{"chronic kidney disease", "CKD"}, {"diabetes mellitus", "DM"}, {"routine healing", "routn heal"},
	{"delayed healing", "delay heal"}, {"nondisplaced", "nondisp"}, {"displaced", "displ"},
	{"unspecified", "unsp"}, {"specified", "spec"}, {"fractures", "fx"}, {"fracture", "fx"},
	{"without", "w/o"}, {"with", "w"}, {"closed", "clos"}, {"other", "oth"}, {"ligament", "lig"},
	{"malignant neoplasm", "malig neoplm"}, {"neoplasm", "neoplm"}, {"disorder", "disord"},
	{"injury", "inj"}, {"infection", "infct"}, {"superficial", "supfc"}, {"complications", "comp"}, {"complication", "comp"},
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
