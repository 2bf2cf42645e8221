package codesets

import (
	"codebench/codesets/payer"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Set is the loaded code sets seen from one date of service: ICD-10-CM
// as the release in force that day has it (see On and Release), HCPCS
// Level II and CPT as loaded. Every view shares the same data; it is
// read-only once loaded and safe for concurrent use.
type Set struct {
	Meta    map[string]string
	Sources []Source
	// CPTSource describes the imported CPT file, empty when none is loaded.
	CPTSource string

	rel           *Release   // the ICD-10-CM release of this view; nil when none covers its date
	releases      []*Release // every ICD-10-CM release loaded, oldest first
	hcpcsReleases []*Release // every HCPCS Level II file loaded, oldest first
	views         *views     // one view per release, shared by all views

	icdList   []*Code // rel's codes in tabular order
	hcpcs     map[string]*Code
	hcpcsList []*Code
	modifiers map[string]*Code
	cpt       map[string]*Code
	cptList   []*Code
	blocks    []*Block
	payer     *payer.Tables // nil: the embedded tables (see Payer)

	unmatchedTerms int
}

func newSet() *Set {
	return &Set{
		Meta:      map[string]string{},
		hcpcs:     map[string]*Code{},
		modifiers: map[string]*Code{},
		cpt:       map[string]*Code{},
		views:     &views{m: map[*Release]*Set{}},
	}
}

var (
	defaultOnce sync.Once
	defaultSet  *Set
	defaultErr  error
)

// Embedded returns the embedded code sets, parsed once per process and
// shared, seen from today (the ICD-10-CM release in force today, or the
// newest when today is past every release: see On for another date). It
// holds no CPT; see WithCPT.
func Embedded() (*Set, error) {
	defaultOnce.Do(func() {
		defaultSet, defaultErr = loadEmbedded()
		if defaultErr == nil {
			defaultSet = defaultSet.Today()
		}
	})
	return defaultSet, defaultErr
}

// Load returns a fresh copy of the embedded data seen from today.
func Load() (*Set, error) {
	s, err := loadEmbedded()
	if err != nil {
		return nil, err
	}
	return s.Today(), nil
}

// Today is the view of the release in force today, or of the newest
// release when today is past them all (data status warns of that).
func (s *Set) Today() *Set {
	if r, ok := s.ReleaseOn(time.Now()); ok {
		return s.view(r)
	}
	return s.view(s.newest())
}

// ICD10CM lists every ICD-10-CM code of the view's release, headers and
// billable, in tabular order.
func (s *Set) ICD10CM() []*Code { return s.icdList }

// icd finds a canonical ICD-10-CM code in the view's release.
func (s *Set) icd(code string) (*Code, bool) {
	if s.rel == nil {
		return nil, false
	}
	return s.rel.lookup(code)
}

// HCPCSCodes lists the HCPCS Level II procedure and supply codes (not modifiers).
func (s *Set) HCPCSCodes() []*Code { return s.hcpcsList }

// Modifiers lists the HCPCS Level II modifiers.
func (s *Set) Modifiers() []*Code {
	out := make([]*Code, 0, len(s.modifiers))
	for _, c := range s.modifiers {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// CPTCodes lists the imported CPT codes (empty without an import).
func (s *Set) CPTCodes() []*Code { return s.cptList }

// Blocks lists the tabular chapters and sections.
func (s *Set) Blocks() []*Block { return s.blocks }

// All lists every code of every system: ICD-10-CM, HCPCS, then CPT.
func (s *Set) All() []*Code {
	out := make([]*Code, 0, len(s.icdList)+len(s.hcpcsList)+len(s.cptList))
	out = append(out, s.icdList...)
	out = append(out, s.hcpcsList...)
	return append(out, s.cptList...)
}

// Kind of a code spelling, by shape alone.
func shape(code string) (icd, hcpcs, cpt bool) {
	n := len(code)
	if n == 5 && isDigits(code[:4]) && (isDigit(code[4]) || strings.IndexByte("FTU", code[4]) >= 0) {
		cpt = true
	}
	if n == 5 && code[0] >= 'A' && code[0] <= 'V' && isDigits(code[1:]) {
		hcpcs = true
	}
	icd = ICD10CMShaped(code)
	return
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// Lookup finds a code typed in any spelling ("E119", "e11.9", "E11.9 ",
// "j1885", "99213"). A dotted spelling is read as ICD-10-CM; a letter and
// four digits is tried as HCPCS first. A well-formed CPT number is found
// even without an imported CPT file, marked DescriptorMissing.
// Retired codes (valid in an earlier release) are not found here; see
// LookupOn.
func (s *Set) Lookup(typed string) (*Code, bool) {
	code := Canonical(typed)
	if strings.Contains(typed, ".") {
		return s.icd(code)
	}
	icd, hcpcs, cpt := shape(code)
	if hcpcs {
		if c, ok := s.hcpcs[code]; ok {
			return c, true
		}
	}
	if icd {
		if c, ok := s.icd(code); ok {
			return c, true
		}
	}
	if cpt {
		if c, ok := s.cpt[code]; ok {
			return c, true
		}
		return &Code{System: CPT, Code: code, Billable: true, DescriptorMissing: true}, true
	}
	return nil, false
}

// LookupIn finds a code in one system only.
func (s *Set) LookupIn(sys System, typed string) (*Code, bool) {
	code := Canonical(typed)
	var c *Code
	switch sys {
	case ICD10CM:
		c, _ = s.icd(code)
	case HCPCS:
		c = s.hcpcs[code]
	case CPT:
		c = s.cpt[code]
		if c == nil {
			if _, _, cpt := shape(code); cpt {
				c = &Code{System: CPT, Code: code, Billable: true, DescriptorMissing: true}
			}
		}
	}
	return c, c != nil
}

// Modifier finds a HCPCS Level II modifier ("rt", "XS"). CPT modifiers are
// two digits and known by number only; see IsModifier.
func (s *Set) Modifier(typed string) (*Code, bool) {
	c, ok := s.modifiers[Canonical(typed)]
	return c, ok
}

// IsModifier tells whether a typed modifier is well formed and known: a
// HCPCS Level II modifier, or a two-digit CPT modifier.
func (s *Set) IsModifier(typed string) bool {
	m := Canonical(typed)
	if len(m) == 2 && isDigits(m) {
		return true
	}
	_, ok := s.modifiers[m]
	return ok
}

// Block finds a tabular chapter or section by id ("ch4", "E08-E13").
func (s *Set) Block(id string) (*Block, bool) {
	for _, b := range s.blocks {
		if b.ID == id {
			return b, true
		}
	}
	return nil, false
}

// Descendants lists the billable codes under c (c itself when billable).
func (s *Set) Descendants(c *Code) []*Code {
	var out []*Code
	var walk func(*Code)
	walk = func(x *Code) {
		if x.Billable {
			out = append(out, x)
		}
		for _, ch := range x.children {
			walk(ch)
		}
	}
	walk(c)
	return out
}

// Nearest suggests up to n existing codes for a spelling that is not a code:
// the billable codes under its longest prefix that is a code or a code
// prefix, in tabular order.
func (s *Set) Nearest(typed string, n int) []*Code {
	code := Canonical(typed)
	lists := [][]*Code{s.icdList, s.hcpcsList, s.cptList}
	if strings.Contains(typed, ".") {
		lists = lists[:1] // a dot means ICD-10-CM
	}
	for k := len(code); k >= 1; k-- {
		prefix := code[:k]
		var out []*Code
		for _, list := range lists {
			for _, c := range list {
				if strings.HasPrefix(c.Code, prefix) && c.Code != code && c.Billable {
					out = append(out, c)
					if len(out) == n {
						return out
					}
				}
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// ExpandSeventh builds the full code from a code of a 7th-character category
// and a 7th character, padding with the placeholder X to six characters:
// S52.521 + A = S52.521A, T38.3X + 6A... is built as T38.3X6 + A. The result
// must be a billable code of the view's release.
func (s *Set) ExpandSeventh(base string, char byte) (*Code, error) {
	code := Canonical(base)
	c, ok := s.icd(code)
	if !ok {
		// A base shorter than its category's codes, such as T38.3 for T38.3X1:
		// look up the padded form.
		padded := code + strings.Repeat("X", max(0, 6-len(code)))
		if c, ok = s.icd(padded); !ok {
			return nil, fmt.Errorf("%s is not a code of %s", Dotted(ICD10CM, code), s.releaseTitle())
		}
	}
	table, from := c.SeventhChars()
	if char >= 'a' && char <= 'z' {
		char -= 'a' - 'A'
	}
	if len(table) > 0 {
		found := false
		for _, t := range table {
			found = found || t.Char == char
		}
		if !found {
			return nil, fmt.Errorf("%c is not a 7th character of %s (table declared at %s)", char, c.Display(), Dotted(ICD10CM, from))
		}
	}
	if len(code) >= 7 {
		return nil, fmt.Errorf("%s already has 7 characters", Dotted(ICD10CM, code))
	}
	full := code + strings.Repeat("X", 6-len(code)) + string(char)
	if fc, ok := s.icd(full); ok && fc.Billable {
		return fc, nil
	}
	if len(table) == 0 {
		return nil, fmt.Errorf("%s takes no 7th character", c.Display())
	}
	return nil, fmt.Errorf("%s is not a code of %s", Dotted(ICD10CM, full), s.releaseTitle())
}

// SeventhOptions lists the 7th characters that complete a code into a
// billable code of the view's release, with their meanings from the
// tabular table when known.
// Categories added after the FY2023 tabular have no table; their options
// come from the codes that exist.
func (s *Set) SeventhOptions(c *Code) []Seventh {
	if len(c.Code) >= 7 || c.System != ICD10CM {
		return nil
	}
	table, _ := c.SeventhChars()
	meaning := map[byte]string{}
	for _, t := range table {
		meaning[t.Char] = t.Meaning
	}
	base := c.Code + strings.Repeat("X", 6-len(c.Code))
	var out []Seventh
	seen := map[byte]bool{}
	// Tabular order first, then any others the code set has.
	for _, t := range table {
		if x, ok := s.icd(base + string(t.Char)); ok && x.Billable {
			out = append(out, t)
			seen[t.Char] = true
		}
	}
	if p, ok := s.icd(base); ok {
		for _, ch := range p.children {
			if len(ch.Code) == 7 && ch.Billable && !seen[ch.Code[6]] {
				m := meaning[ch.Code[6]]
				if m == "" {
					m = strings.TrimPrefix(strings.TrimPrefix(ch.Long, p.Long), ", ")
				}
				out = append(out, Seventh{Char: ch.Code[6], Meaning: m})
				seen[ch.Code[6]] = true
			}
		}
	}
	return out
}

// ValidOn tells whether a code may be reported for a date of service, with
// the reason when it may not (see CodeOn): an ICD-10-CM code must be
// billable in the release in force that day, a HCPCS code between its
// effective and termination dates.
func (s *Set) ValidOn(c *Code, dos time.Time) error {
	return s.CodeOn(c.System, c.Code, dos).Err()
}

// releaseTitle names the view's ICD-10-CM release for messages.
func (s *Set) releaseTitle() string {
	if s.rel == nil {
		return "any loaded ICD-10-CM release"
	}
	return s.rel.Title()
}
