package index

import (
	"context"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"
)

// entries counts the terms of a table.
func (ab abbreviations) entries() int {
	n := 0
	for _, list := range ab {
		n += len(list)
	}
	return n
}

func TestAbbreviationList(t *testing.T) {
	ab, err := parseAbbreviations(abbreviationsTSV, "abbreviations.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if n := ab.entries(); n < 150 {
		t.Errorf("%d entries, want at least 150", n)
	}
	for _, term := range []string{"chf", "htn", "copd", "t2dm", "dm2", "mi", "uti", "gerd", "ckd", "afib", "cad", "sob", "uri", "bph", "oa", "ra", "heart attack"} {
		w := normalWords(term)
		if _, ok := ab.match(w, 0); !ok {
			t.Errorf("%q missing", term)
		}
	}
}

// Every expansion must name at least one code: an expansion in words the
// code sets do not use finds nothing and hides the mistake.
func TestAbbreviationExpansionsFindCodes(t *testing.T) {
	ctx := context.Background()
	cpt := map[string]bool{}
	for _, list := range testIndex.abbr {
		for _, a := range list {
			for _, e := range a.expansions {
				cpt[e] = cpt[e] || a.cpt
			}
		}
	}
	for text, stems := range testIndex.stems {
		if cpt[text] {
			continue
		}
		if len(stems) == 0 {
			t.Errorf("expansion %q has no words", text)
			continue
		}
		parts := make([]query.Query, len(stems))
		for i, s := range stems {
			parts[i] = stemQuery(s, 1)
		}
		opt := Options{Modifiers: true, ShowInvalid: true}
		_, n, err := testIndex.collect(ctx, query.NewConjunctionQuery(parts), 1, opt, testIndex.resolverFor(opt))
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("expansion %q (%v) names no code", text, stems)
		}
	}
}

func TestAbbreviationMatching(t *testing.T) {
	ab, err := parseAbbreviations("c\tcee\nc diff\tclostridium difficile\nw/o\twithout\n", "test")
	if err != nil {
		t.Fatal(err)
	}
	words := normalWords("C. diff colitis w/o")
	if a, ok := ab.match(words, 0); !ok || strings.Join(a.words, " ") != "c diff" {
		t.Errorf("longest match: %+v %v", a, ok)
	}
	if a, ok := ab.match(words, 3); !ok || a.expansions[0] != "without" {
		t.Errorf("w/o: %+v %v", a, ok)
	}
	if got := strings.Join(normalWords("A-fib, Athlete's foot (L)"), "|"); got != "afib|athletes|foot|l" {
		t.Errorf("normalWords: %s", got)
	}
}

func TestAbbreviationListErrors(t *testing.T) {
	for _, bad := range []string{"chf congestive heart failure\n", "chf\tx\nCHF\ty\n", "\tx\n", "chf\tx||y\n", "chf\tx\tcptt\n"} {
		if _, err := parseAbbreviations(bad, "bad.tsv"); err == nil || !strings.Contains(err.Error(), "bad.tsv line") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// Older terms clinicians still write find the codes in today's wording
// (older.tsv, written from coding knowledge).
func TestOlderTerms(t *testing.T) {
	ab, err := parseAbbreviations(olderTSV, "older.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if n := ab.entries(); n < 150 {
		t.Errorf("older.tsv: %d entries, want at least 150", n)
	}
	for _, tc := range []struct{ q, want string }{
		{"maturity onset diabetes mellitus", "E11.9"},
		{"dropsy", "R60.9"},
		{"lockjaw", "A35"},
		{"german measles", "B06.9"},
		{"fallen arches", "M21.40"},
		{"hypertensive cardiovascular disease with heart failure", "I11.0"},
		{"septicemia", "A41.9"},
	} {
		if r := rankOf(find(t, tc.q, Options{}).Hits, tc.want); r == 0 || r > 3 {
			t.Errorf("%q: %s at rank %d", tc.q, tc.want, r)
		}
	}
}

// A term given in both lists is an error naming both places.
func TestTermListsRefuseDuplicates(t *testing.T) {
	_, err := parseTermLists([]listFile{{"a.tsv", "chf\tx\n"}, {"b.tsv", "# c\nCHF\ty\n"}})
	if err == nil || !strings.Contains(err.Error(), "b.tsv line 2") || !strings.Contains(err.Error(), "a.tsv line 1") {
		t.Errorf("duplicate across lists: %v", err)
	}
}

// A word of a term of several words may be written as a shorthand of it;
// the words as typed come first.
func TestTermWordsAsShorthand(t *testing.T) {
	ab, err := parseAbbreviations("dm\tdiabetes mellitus\nchr\tchronic\ndis\tdisease\n"+
		"maturity onset diabetes\ttype 2 diabetes mellitus\nchronic renal disease\tchronic kidney disease\n", "test")
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		"maturity onset dm":      "maturity onset diabetes",
		"chr renal dis stage 3":  "chronic renal disease",
		"chr":                    "chr",
		"dm":                     "dm",
		"maturity onset disease": "",
	} {
		a, ok := ab.match(normalWords(q), 0)
		if got := strings.Join(a.words, " "); ok != (want != "") || got != want {
			t.Errorf("%q: %q %v, want %q", q, got, ok, want)
		}
	}
}
