package payer

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// MCE holds Medicare Code Editor diagnosis lists: which ICD-10-CM codes
// are for newborns, children, maternity or adults, for one sex, or are
// manifestations (never the principal diagnosis). The unacceptable
// principal diagnosis list comes as a table of its own kind
// (KindMCEPrincipal), since it is taken from another MCE version.
type MCE struct {
	meta  Meta
	codes []string // canonical ICD-10-CM codes (no dot), sorted
	flags []MCEFlags
	// categories: the flags every code of a category carried when the
	// list was published, for codes added since (see Lookup).
	catCodes []string
	catFlags []MCEFlags
	ages     [4]AgeRange // newborn, pediatric, maternity, adult
	hasAges  [4]bool
}

// MCEFlags is a set of MCE lists.
type MCEFlags uint16

const (
	MCENewborn MCEFlags = 1 << iota
	MCEPediatric
	MCEMaternity
	MCEAdult
	MCEFemale
	MCEMale
	MCEManifestation
	MCEUnacceptablePrincipal
	mceAll = MCEUnacceptablePrincipal<<1 - 1
)

var mceNames = []string{"newborn", "pediatric", "maternity", "adult", "female", "male", "manifestation", "unacceptable principal"}

// Has tells whether f holds every list of g.
func (f MCEFlags) Has(g MCEFlags) bool { return f&g == g && g != 0 }

// Names lists the lists in f: "maternity", "female".
func (f MCEFlags) Names() []string {
	var out []string
	for i, n := range mceNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

func (f MCEFlags) String() string { return strings.Join(f.Names(), ", ") }

// AgeFlags are the four age lists, in AgeRange order.
var AgeFlags = []MCEFlags{MCENewborn, MCEPediatric, MCEMaternity, MCEAdult}

// AgeRange is the ages in years an age list allows.
type AgeRange struct{ Lo, Hi int }

// MCERow is one code with the lists naming it.
type MCERow struct {
	Code  string // canonical: upper case, no dot
	Flags MCEFlags
}

// Origin says how Lookup found a code's lists.
type Origin int

const (
	// NotListed: the code is on no list.
	NotListed Origin = iota
	// Listed: the code itself is on the lists.
	Listed
	// ByCategory: the code is newer than the lists, and every code of
	// its category carried these flags when they were published.
	ByCategory
)

// NewMCE builds a list table. ages gives the age ranges of the age lists
// (MCENewborn, MCEPediatric, MCEMaternity, MCEAdult) the table has. universe, when given, lists every billable code the lists'
// version knew: a category all of whose codes share a flag passes it to
// codes added later (see Lookup). A code listed twice has its flags
// merged.
func NewMCE(meta Meta, rows []MCERow, ages map[MCEFlags]AgeRange, universe []string) (*MCE, error) {
	if meta.Kind != KindMCEPrincipal {
		meta.Kind = KindMCE
	}
	if err := meta.validate(); err != nil {
		return nil, err
	}
	meta.Rows = len(rows)
	t := &MCE{meta: meta}
	for f, a := range ages {
		k := ageIndex(f)
		if k < 0 || a.Lo < 0 || a.Hi < a.Lo || a.Hi > 150 {
			return nil, fmt.Errorf("%s age range %d-%d is not a range of ages of an age list", f, a.Lo, a.Hi)
		}
		t.ages[k], t.hasAges[k] = a, true
	}
	merged := map[string]MCEFlags{}
	for _, r := range rows {
		if !validICD(r.Code) {
			return nil, fmt.Errorf("%q is not an ICD-10-CM code", r.Code)
		}
		if r.Flags == 0 || r.Flags&^mceAll != 0 {
			return nil, fmt.Errorf("%s: no known list", r.Code)
		}
		for k, f := range AgeFlags {
			if r.Flags&f != 0 && !t.hasAges[k] {
				return nil, fmt.Errorf("%s is on the %s list, which has no ages", r.Code, mceNames[k])
			}
		}
		merged[r.Code] |= r.Flags
	}
	for c := range merged {
		t.codes = append(t.codes, c)
	}
	sort.Strings(t.codes)
	for _, c := range t.codes {
		t.flags = append(t.flags, merged[c])
	}
	if len(universe) > 0 {
		shared := map[string]MCEFlags{}
		seen := map[string]bool{}
		for _, c := range universe {
			if !validICD(c) {
				return nil, fmt.Errorf("universe: %q is not an ICD-10-CM code", c)
			}
			cat := c[:3]
			f := merged[c]
			if !seen[cat] {
				seen[cat] = true
				shared[cat] = f
			} else {
				shared[cat] &= f
			}
		}
		for cat, f := range shared {
			if f != 0 {
				t.catCodes = append(t.catCodes, cat)
			}
		}
		sort.Strings(t.catCodes)
		for _, cat := range t.catCodes {
			t.catFlags = append(t.catFlags, shared[cat])
		}
	}
	return t, nil
}

// validICD: 3 to 7 characters, a letter first, letters and digits.
func validICD(c string) bool {
	return len(c) >= 3 && len(c) <= 7 && c[0] >= 'A' && c[0] <= 'Z' && upperAlnum(c)
}

func (t *MCE) Meta() Meta { return t.meta }
func (t *MCE) Len() int   { return len(t.codes) }

// Ages gives the age range of one of the age lists (AgeFlags).
func (t *MCE) Ages(list MCEFlags) (AgeRange, bool) {
	for i, f := range AgeFlags {
		if f == list && t.hasAges[i] {
			return t.ages[i], true
		}
	}
	return AgeRange{}, false
}

// Lookup gives the lists naming a canonical ICD-10-CM code. A code the
// lists do not name, in a category all of whose codes shared a flag when
// the lists were published, is newer than the lists: it takes the
// category's flags (Origin ByCategory), and an edit should say that the
// list predates the code.
func (t *MCE) Lookup(code string) (MCEFlags, Origin) {
	if i, ok := slices.BinarySearch(t.codes, code); ok {
		return t.flags[i], Listed
	}
	if len(code) > 3 {
		if i, ok := slices.BinarySearch(t.catCodes, code[:3]); ok {
			return t.catFlags[i], ByCategory
		}
	}
	return 0, NotListed
}

// Rows lists every listed code.
func (t *MCE) Rows() []MCERow {
	out := make([]MCERow, len(t.codes))
	for i, c := range t.codes {
		out[i] = MCERow{Code: c, Flags: t.flags[i]}
	}
	return out
}

// ManifestationTitle tells whether a title carries the manifestation
// convention (guideline I.A.13): "in diseases classified elsewhere" or
// "in other diseases classified elsewhere". "As the cause of diseases
// classified elsewhere" (B95-B97, infectious agents) is another
// convention.
func ManifestationTitle(title string) bool {
	t := strings.ToLower(title)
	return strings.Contains(t, " in diseases classified elsewhere") || strings.Contains(t, " in other diseases classified elsewhere")
}

// Manifestation is the one definition of a manifestation code, which is
// never first-listed: on the MCE manifestation list (or, for a code newer
// than the list, in a category whose codes all are), or titled "in
// diseases classified elsewhere". A "code first" note alone does not make
// a manifestation: chronic kidney disease (N18.-) and weeks of gestation
// (Z3A) carry one and may be first-listed. why says which test held, for
// the detail pane and the edits.
func (t *MCE) Manifestation(code, title string) (ok bool, why string) {
	if t != nil {
		switch f, origin := t.Lookup(code); {
		case origin == Listed && f.Has(MCEManifestation):
			return true, t.meta.Cite() + " manifestation list"
		case origin == ByCategory && f.Has(MCEManifestation):
			return true, "every code of its category is on the " + t.meta.Cite() + " manifestation list, which predates the code"
		}
	}
	if ManifestationTitle(title) {
		return true, "titled \"in (other) diseases classified elsewhere\" (ICD-10-CM guideline I.A.13)"
	}
	return false, ""
}

// Payload: 4 age ranges (a byte 1 when present, lo, hi uvarints); code count, then per code its
// string and uvarint flags; category count, then per category its
// 3-byte code and uvarint flags.

func (t *MCE) MarshalBinary() ([]byte, error) {
	return seal(t.meta, func(e *encoder) {
		for i, a := range t.ages {
			if !t.hasAges[i] {
				e.byte(0)
				continue
			}
			e.byte(1)
			e.uvarint(uint64(a.Lo))
			e.uvarint(uint64(a.Hi))
		}
		e.uvarint(uint64(len(t.codes)))
		for i, c := range t.codes {
			e.str(c)
			e.uvarint(uint64(t.flags[i]))
		}
		e.uvarint(uint64(len(t.catCodes)))
		for i, c := range t.catCodes {
			e.fixed(c, 3)
			e.uvarint(uint64(t.catFlags[i]))
		}
	})
}

// LoadMCE decodes an MCE list table (either kind) from its binary form.
func LoadMCE(data []byte) (*MCE, error) {
	m, d, err := open(data, "")
	if err != nil {
		return nil, err
	}
	if m.Kind != KindMCE && m.Kind != KindMCEPrincipal {
		return nil, fmt.Errorf("%w: a %q table, want an MCE list", ErrDamaged, m.Kind)
	}
	return decodeMCE(m, d)
}

func decodeMCE(m Meta, d *decoder) (*MCE, error) {
	t := &MCE{meta: m}
	for i := range t.ages {
		switch d.byte() {
		case 0:
			continue
		case 1:
		default:
			d.fail("bad age range marker")
		}
		t.ages[i], t.hasAges[i] = AgeRange{d.count(150, "age"), d.count(150, "age")}, true
		if t.ages[i].Hi < t.ages[i].Lo {
			d.fail("age range reversed")
		}
	}
	n := d.count(1<<20, "code count")
	for i := 0; i < n && d.err == nil; i++ {
		c, f := d.str(), MCEFlags(d.count(int(mceAll), "flags"))
		if d.err == nil && (!validICD(c) || f == 0 || i > 0 && c <= t.codes[i-1]) {
			d.fail("code %q malformed or out of order", c)
		}
		for k, af := range AgeFlags {
			if f&af != 0 && !t.hasAges[k] {
				d.fail("code %q on an age list without ages", c)
			}
		}
		t.codes = append(t.codes, c)
		t.flags = append(t.flags, f)
	}
	nc := d.count(1<<16, "category count")
	for i := 0; i < nc && d.err == nil; i++ {
		c, f := string(d.bytes(3)), MCEFlags(d.count(int(mceAll), "flags"))
		if d.err == nil && (!validICD(c) || f == 0 || i > 0 && c <= t.catCodes[i-1]) {
			d.fail("category %q malformed or out of order", c)
		}
		t.catCodes = append(t.catCodes, c)
		t.catFlags = append(t.catFlags, f)
	}
	if err := d.done(); err != nil {
		return nil, err
	}
	return t, nil
}
