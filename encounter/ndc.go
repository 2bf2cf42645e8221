package encounter

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// ParseNDC reads an NDC as a coder types it on a drug line: the code as
// printed on the vial (10 digits with hyphens, or 11), its unit of measure
// and the quantity given, the last two in either order ("63323-0044-01 ml
// 1", "00003029305 2 ML"). Units may be written as on a label: mL, g, mg,
// unit(s), IU.
func ParseNDC(typed string) (NDC, error) {
	f := strings.Fields(strings.ReplaceAll(typed, ",", " "))
	if len(f) != 3 {
		return NDC{}, fmt.Errorf("an NDC is typed as code, unit and quantity (63323-0044-01 ML 1); %q refused", typed)
	}
	code, ok := CanonicalNDC(f[0])
	if !ok {
		return NDC{}, fmt.Errorf("%q is not an NDC (11 digits, or 10 with hyphens as 4-4-2, 5-3-2 or 5-4-1)", f[0])
	}
	unit, qty := f[1], f[2]
	if decimalPattern.MatchString(unit) {
		unit, qty = qty, unit
	}
	u, ok := ndcUnit(unit)
	if !ok {
		return NDC{}, fmt.Errorf("%q is not an NDC unit of measure (%s)", unit, strings.Join(NDCUnits, ", "))
	}
	if !decimalPattern.MatchString(qty) || strings.Trim(qty, "0.") == "" {
		return NDC{}, fmt.Errorf("quantity %q is not a number above 0 with at most 7 digits and 3 decimals", qty)
	}
	return NDC{Code: code, Unit: u, Quantity: Decimal(qty)}, nil
}

// ndcUnit maps a unit as written on a label to the 837P's (CTP05-1).
func ndcUnit(s string) (string, bool) {
	switch u := strings.ToUpper(s); u {
	case "ML":
		return "ML", true
	case "G", "GM", "GR", "GRAM", "GRAMS":
		return "GR", true
	case "MG", "ME":
		return "ME", true
	case "UN", "UNIT", "UNITS", "EA", "EACH":
		return "UN", true
	case "IU", "F2":
		return "F2", true
	}
	return "", false
}

// documentedNDC is an NDC the documentation states with the quantity
// given, as "Cyanocobalamin 1000 mcg/mL (NDC 63323-0044-01), 1 mL".
var documentedNDC = regexp.MustCompile(`(?i)\bNDC[:#]?\s*([0-9]{4,5}-[0-9]{3,4}-[0-9]{1,2}|[0-9]{11})\)?[,;:]?\s*([0-9]{1,7}(?:\.[0-9]{1,3})?)\s*(mL|g|mg|units?|IU)\b`)

// DocumentedNDC is the NDC the notes state for drug: the one statement of
// an NDC with its quantity whose sentence names the drug (a word of its
// HCPCS title such as "cyanocobalamin"). It is found only when exactly one
// such statement names the drug, so a line never takes another drug's NDC.
func DocumentedNDC(notes []Note, drugTitle string) (NDC, string, bool) {
	words := drugWords(drugTitle)
	if len(words) == 0 {
		return NDC{}, "", false
	}
	var found []NDC
	var quote string
	for _, n := range notes {
		for _, m := range documentedNDC.FindAllStringSubmatchIndex(n.Text, -1) {
			sentence := strings.ToLower(sentenceAround(n.Text, m[0], m[1]))
			if !slices.ContainsFunc(words, func(w string) bool { return strings.Contains(sentence, w) }) {
				continue
			}
			d, err := ParseNDC(n.Text[m[2]:m[3]] + " " + n.Text[m[6]:m[7]] + " " + n.Text[m[4]:m[5]])
			if err != nil || slices.Contains(found, d) {
				continue
			}
			found = append(found, d)
			quote = strings.Join(strings.Fields(n.Text[m[0]:m[1]]), " ")
		}
	}
	if len(found) != 1 {
		return NDC{}, "", false
	}
	return found[0], quote, true
}

// drugWords are the words of a HCPCS drug title that name the drug: long
// ones, without the words every drug title has.
func drugWords(title string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(title), func(r rune) bool { return !(r >= 'a' && r <= 'z') }) {
		if len(w) >= 6 && !slices.Contains(genericDrugWords, w) {
			out = append(out, w)
		}
	}
	return out
}

var genericDrugWords = []string{"injection", "inhalation", "solution", "administered", "through", "otherwise", "specified", "classified", "compounded", "concentrated", "per", "unit", "intravenous", "intramuscular", "subcutaneous", "vitamin"}

// sentenceAround is the sentence holding text[from:to]: back to the
// previous full stop or line end, on to the next (a point between digits,
// as in 0.5 mL, ends nothing).
func sentenceAround(text string, from, to int) string {
	stop := func(i int) bool {
		switch text[i] {
		case '\n':
			return true
		case '.':
			return i+1 >= len(text) || text[i+1] < '0' || text[i+1] > '9'
		}
		return false
	}
	start := from
	for start > 0 && !stop(start-1) {
		start--
	}
	end := to
	for end < len(text) && !stop(end) {
		end++
	}
	return text[start:end]
}
