package index

// Some words of a query say which code of a family is wanted rather than
// what the code is about. They are read here and never searched for as
// words:
//
//   - NOS ("not otherwise specified") asks for the family's unspecified
//     code, NEC ("not elsewhere classified") for its "other" code: both
//     older spellings coders still write. Neither word is in the titles
//     as a word worth matching ("nos" would even stem to the negation
//     "no").
//   - "w", "w/" and "&" are "with" and "and", which the titles' stop list
//     drops too.
//   - "r/o" (rule out), "?" and "c/w" (consistent with) qualify a finding
//     that outpatient coding does not report as confirmed: the finding's
//     words are searched, the qualifier is not.
//   - Chart words around a finding: "c/o" (complains of), "dx", "tx",
//     "rx", "sx", "pt", "yo".
//   - "history" or "hx" without "family" is the patient's own history
//     (ICD-10-CM's "personal history"), as coders read it.

type qualifier uint8

const (
	qualNone qualifier = iota
	qualNOS
	qualNEC
	qualDrop
	// qualNotStated drops "not stated as" and the word it qualifies.
	qualNotStated
)

// qualifierWords are matched on normalised words (normalWords), one or
// several in a row.
var qualifierWords = []struct {
	words []string
	q     qualifier
}{
	{[]string{"not", "otherwise", "specified"}, qualNOS},
	{[]string{"not", "elsewhere", "classified"}, qualNEC},
	{[]string{"nos"}, qualNOS},
	{[]string{"nec"}, qualNEC},
	{[]string{"rule", "out"}, qualDrop},
	{[]string{"r/o"}, qualDrop},
	{[]string{"c/w"}, qualDrop},
	{[]string{"w"}, qualDrop},
	{[]string{"w/"}, qualDrop},
	{[]string{"&"}, qualDrop},
	{[]string{"?"}, qualDrop},
	{[]string{"c/o"}, qualDrop},
	// Older wording: "without mention of complication" is "without
	// complication"; "initial episode of care" says no more than
	// "initial"; "not stated as uncontrolled" asks for the default.
	{[]string{"mention", "of"}, qualDrop},
	{[]string{"episode", "of", "care"}, qualDrop},
	{[]string{"not", "stated", "as"}, qualNotStated},
	{[]string{"dx"}, qualDrop},
	{[]string{"tx"}, qualDrop},
	{[]string{"rx"}, qualDrop},
	{[]string{"sx"}, qualDrop},
	{[]string{"pt"}, qualDrop},
	{[]string{"yo"}, qualDrop},
	{[]string{"y/o"}, qualDrop},
}

// qualifierAt tells whether a qualifier starts at norms[i], and how many
// words it takes.
func qualifierAt(norms []string, i int) (qualifier, int) {
	for _, qw := range qualifierWords {
		if i+len(qw.words) > len(norms) {
			continue
		}
		ok := true
		for j, w := range qw.words {
			ok = ok && norms[i+j] == w
		}
		if ok {
			n := len(qw.words)
			if qw.q == qualNotStated && i+n < len(norms) {
				n++
			}
			return qw.q, n
		}
	}
	return qualNone, 0
}

// historyWords say the query is about a history; familyWords that it is
// the family's.
var (
	historyWords = map[string]bool{"hx": true, "history": true, "h/o": true, "hist": true, "pmh": true, "phx": true}
	familyWords  = map[string]bool{"family": true, "fh": true, "fhx": true, "fam": true, "familial": true}
)

// personalHistory tells whether a query speaks of a history that is not
// the family's.
func personalHistory(norms []string) bool {
	hist := false
	for _, w := range norms {
		if familyWords[w] {
			return false
		}
		hist = hist || historyWords[w]
	}
	return hist
}

// Older wording writes stages and types in Roman numerals ("stage III",
// "type II diabetes"); the titles mostly use digits. A Roman numeral after
// such a word matches both ways.
var (
	romanNumerals = map[string]string{"i": "1", "ii": "2", "iii": "3", "iiii": "4", "iv": "4", "v": "5", "vi": "6"}
	romanContext  = map[string]bool{"stage": true, "st": true, "type": true, "grade": true, "gr": true, "class": true, "degree": true, "phase": true}
)

// romanAt tells the digit a Roman numeral at norms[i] stands for, empty
// when it is not one in a place that counts.
func romanAt(norms []string, i int) string {
	if i == 0 || !romanContext[norms[i-1]] {
		return ""
	}
	return romanNumerals[norms[i]]
}

// denyWords start the words a query denies; withWords end them.
var (
	denyWords = map[string]bool{"without": true, "w/o": true, "wo": true, "no": true, "not": true, "denies": true}
	withWords = map[string]bool{"with": true, "w": true, "w/": true, "but": true, "and": false}
)
