package index

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
)

// abbreviationsTSV is the list of clinical shorthand and lay terms; see the
// file for its format.
//
//go:embed abbreviations.tsv
var abbreviationsTSV string

// olderTSV is the list of older terms clinicians still write, in the same
// format; see the file.
//
//go:embed older.tsv
var olderTSV string

// listFile is one file of terms.
type listFile struct{ name, text string }

// termLists are the embedded lists, read into one table.
var termLists = []listFile{{"abbreviations.tsv", abbreviationsTSV}, {"older.tsv", olderTSV}}

// abbreviation is one entry of the list: the words a coder types and the
// phrases the code sets use for them.
type abbreviation struct {
	words      []string // normalised words of the term
	expansions []string
	cpt        bool // expansions in CPT wording (checked only with an import)
}

// abbreviations maps the first normalised word of each term to the entries
// that start with it, longest term first.
type abbreviations map[string][]abbreviation

// parseAbbreviations reads one list. name is used in error messages.
func parseAbbreviations(text, name string) (abbreviations, error) {
	return parseTermLists([]listFile{{name, text}})
}

// parseTermLists reads several lists into one table; a term given twice,
// in one file or two, is an error.
func parseTermLists(files []listFile) (abbreviations, error) {
	out := abbreviations{}
	seen := map[string]string{}
	for _, f := range files {
		if err := out.read(f.text, f.name, seen); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// read adds one list's entries; seen maps each term to where it was given.
func (out abbreviations) read(text, name string, seen map[string]string) error {
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 2 || len(cols) > 3 || len(cols) == 3 && cols[2] != "cpt" {
			return fmt.Errorf("%s line %d: want TERM<TAB>EXPANSION[|EXPANSION...][<TAB>cpt]", name, i+1)
		}
		term, exp := cols[0], cols[1]
		words := normalWords(term)
		if len(words) == 0 {
			return fmt.Errorf("%s line %d: empty term", name, i+1)
		}
		key := strings.Join(words, " ")
		if prev, dup := seen[key]; dup {
			return fmt.Errorf("%s line %d: %q already given on %s", name, i+1, key, prev)
		}
		seen[key] = fmt.Sprintf("%s line %d", name, i+1)
		a := abbreviation{words: words, cpt: len(cols) == 3}
		for _, e := range strings.Split(exp, "|") {
			if e = strings.TrimSpace(e); e == "" {
				return fmt.Errorf("%s line %d: empty expansion", name, i+1)
			}
			a.expansions = append(a.expansions, e)
		}
		list := append(out[words[0]], a)
		// Longest first, so "c diff" wins over "c".
		for j := len(list) - 1; j > 0 && len(list[j].words) > len(list[j-1].words); j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
		out[words[0]] = list
	}
	return nil
}

// match finds the longest term starting at words[i]. A word of a term of
// several words may also be written as a shorthand of it: "maturity onset
// dm" is the term "maturity onset diabetes", "chr renal dis" the term
// "chronic renal disease" (dm, chr and dis are shorthand for diabetes,
// chronic and disease); the words as typed are preferred.
func (ab abbreviations) match(words []string, i int) (abbreviation, bool) {
	var typed abbreviation
	found := false
	for _, a := range ab[words[i]] {
		if ab.matches(a, words, i, false) {
			typed, found = a, true // the list is longest first
			break
		}
	}
	var short abbreviation
	for _, key := range append([]string{words[i]}, ab.stands(words[i])...) {
		for _, a := range ab[key] {
			if len(a.words) > max(1, len(typed.words), len(short.words)) && ab.matches(a, words, i, true) {
				short = a
			}
		}
	}
	if len(short.words) > 0 {
		return short, true
	}
	return typed, found
}

// matches tells whether term a is at words[i]; short lets a word be a
// shorthand of the term's word.
func (ab abbreviations) matches(a abbreviation, words []string, i int, short bool) bool {
	if i+len(a.words) > len(words) {
		return false
	}
	for j, w := range a.words {
		if words[i+j] == w {
			continue
		}
		if !short || !slices.Contains(ab.stands(words[i+j]), w) {
			return false
		}
	}
	return true
}

// stands lists the words a single-word shorthand stands for: the first
// word of each of its expansions ("dm": diabetes).
func (ab abbreviations) stands(w string) []string {
	var out []string
	for _, a := range ab[w] {
		if len(a.words) != 1 {
			continue
		}
		for _, e := range a.expansions {
			if ew := normalWords(e); len(ew) > 0 && ew[0] != w && !slices.Contains(out, ew[0]) {
				out = append(out, ew[0])
			}
		}
	}
	return out
}

// normalWords splits typed text into lower-case words for matching the
// list: spaces and commas separate words; dots, hyphens and apostrophes
// inside a word are dropped ("A-fib" = "afib", "C. diff" = "c diff",
// "athlete's" = "athletes"); slashes and ampersands stay ("w/o", "i&d").
func normalWords(text string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return r == ' ' || r == '\t' || r == ',' || r == ';' || r == '(' || r == ')' || r == '[' || r == ']' || r == '"'
	}) {
		w := strings.Map(func(r rune) rune {
			switch r {
			case '.', '-', '\'', '\u2019':
				return -1
			}
			return r
		}, f)
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}
