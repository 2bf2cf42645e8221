package codesets

import (
	"regexp"
	"strings"
)

// Ref is a code or code range named in a note: "E08.-" is Ref{From: "E08"},
// "P35-P39" is Ref{From: "P35", To: "P39"}.
type Ref struct {
	From, To string
}

// Covers tells whether a canonical code falls under the reference: a code
// reference covers its descendants, a range covers every code whose prefix
// lies inside it.
func (r Ref) Covers(code string) bool {
	if r.To == "" {
		return strings.HasPrefix(code, r.From)
	}
	lo := code[:min(len(code), len(r.From))]
	hi := code[:min(len(code), len(r.To))]
	return lo >= r.From && hi <= r.To
}

func (r Ref) String() string {
	if r.To == "" {
		return Dotted(ICD10CM, r.From)
	}
	return Dotted(ICD10CM, r.From) + "-" + Dotted(ICD10CM, r.To)
}

// refPattern finds codes in note text with the shape of ICD10CMPattern
// (upper case, dotted): "(E08.-)", "(QA1.7-)", "(K6A.-)", "(P35-P39)".
var refPattern = regexp.MustCompile(`\b([A-Z](?:[0-9][0-9A-Z]|[A-Z][0-9])(?:\.[0-9A-Z]{0,4})?)(?:-([A-Z](?:[0-9][0-9A-Z]|[A-Z][0-9])(?:\.[0-9A-Z]{0,4})?))?`)

// ParseRefs finds the ICD-10-CM codes and ranges a note names.
func ParseRefs(text string) []Ref {
	var out []Ref
	for _, m := range refPattern.FindAllStringSubmatch(text, -1) {
		r := Ref{From: Canonical(m[1]), To: Canonical(m[2])}
		if r.From != "" {
			out = append(out, r)
		}
	}
	return out
}

// Canonical turns any spelling of a code ("e11.9", " E11.9 ", "S52.5-",
// "T38.3X") into the stored form: upper case, without dots, dashes or spaces.
func Canonical(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteByte(c)
		}
	}
	return b.String()
}
