// Package codesets holds the code sets a coder assigns from: ICD-10-CM
// (diagnoses), HCPCS Level II (procedures, supplies, drugs and modifiers) and,
// when the user imports a licensed file, CPT. The official data is embedded;
// see gen/ for how it is made and Sources for what it was made from.
package codesets

import (
	"codebench/codesets/payer"
	"time"
)

// System is a code system.
type System string

const (
	ICD10CM System = "ICD-10-CM"
	HCPCS   System = "HCPCS"
	CPT     System = "CPT"
)

// Code is one code of a code system with everything a coder reads about it.
type Code struct {
	System System
	// Code is the canonical spelling: upper case, no dot ("E1165").
	Code string
	// Billable is true for codes valid on a claim (ICD-10-CM leaves, HCPCS
	// and CPT codes); false for ICD-10-CM headers (categories, subcategories).
	Billable bool
	Short    string
	Long     string
	// Modifier marks HCPCS Level II modifiers (two characters, e.g. "RT").
	Modifier bool
	// DescriptorMissing marks a CPT code accepted by its number because no
	// licensed CPT file has been imported.
	DescriptorMissing bool

	// Effective and Terminated bound the dates of service the code is valid
	// on; zero means open-ended. See ValidOn.
	Effective  time.Time
	Terminated time.Time

	// HCPCS Level II fields (empty elsewhere).
	ActionCode string // CMS action code: N (no change), A (added), C, D, ...
	BETOS      string
	Coverage   string // CMS coverage code: C, D, I, M, S

	parent   *Code
	children []*Code
	block    *Block // innermost tabular section holding an ICD-10-CM category
	notes    []Note // declared on the code in the FY2023 Tabular (see Set.Notes)
	seventh  []Seventh
	terms    []IndexTerm
	// notesPredate: the FY2023 Tabular, source of the notes, predates the
	// code, which has only the notes of the levels above it.
	notesPredate bool
}

// Title is the long title, or the short one when the long one is missing.
func (c *Code) Title() string {
	if c.Long != "" {
		return c.Long
	}
	if c.DescriptorMissing {
		return "descriptor not loaded"
	}
	return c.Short
}

// Display is the spelling a coder reads and writes: ICD-10-CM codes carry a
// dot after the category ("E11.65"); other systems print as stored.
func (c *Code) Display() string { return Dotted(c.System, c.Code) }

// Dotted formats a canonical code of system s for display.
func Dotted(s System, code string) string {
	if s == ICD10CM && len(code) > 3 {
		return code[:3] + "." + code[3:]
	}
	return code
}

// Parent is the code one level up the ICD-10-CM hierarchy (nil for a
// category and for other systems).
func (c *Code) Parent() *Code { return c.parent }

// Children are the codes one level down, in tabular order.
func (c *Code) Children() []*Code { return c.children }

// Block is the tabular section of an ICD-10-CM code.
func (c *Code) Block() *Block { return c.block }

// IndexTerms are the Alphabetic Index entries (drug, neoplasm and external
// cause tables) that lead to this code.
func (c *Code) IndexTerms() []IndexTerm { return c.terms }

// MCE gives the Medicare Code Editor lists naming an ICD-10-CM code in
// the embedded MCE tables (codesets/payer); Set.MCE uses the tables in
// use, imported ones included.
func (c *Code) MCE() (flags payer.MCEFlags, origin payer.Origin) {
	return mceOf(payer.Embedded(), c)
}

// MCE gives the Medicare Code Editor lists naming an ICD-10-CM code: the
// v41.1 age, sex and manifestation lists and the unacceptable principal
// diagnosis list of the tables in use. origin says whether the code is
// listed itself or, newer than the lists, takes its category's
// (payer.ByCategory).
func (s *Set) MCE(c *Code) (flags payer.MCEFlags, origin payer.Origin) {
	return mceOf(s.Payer(), c)
}

func mceOf(t *payer.Tables, c *Code) (flags payer.MCEFlags, origin payer.Origin) {
	if c.System != ICD10CM {
		return 0, payer.NotListed
	}
	flags, origin = t.MCE().Lookup(c.Code)
	if p, o := t.MCEPrincipal().Lookup(c.Code); o == payer.Listed {
		flags |= p
		if origin == payer.NotListed {
			origin = payer.Listed
		}
	}
	return flags, origin
}

// OwnNotes are the notes the FY2023 Tabular List declares on this code
// itself. Set.Notes gives the notes that apply to a code in a release.
func (c *Code) OwnNotes() []Note { return c.notes }

// NotesPredate tells whether the code is newer than the FY2023 Tabular
// List, the source of the notes other than Excludes: it has only the
// notes of its category, section and chapter.
func (c *Code) NotesPredate() bool { return c.notesPredate }

// SeventhChars returns the 7th-character table that applies to the code,
// declared on it or inherited from the nearest ancestor, and the code that
// declares it. It is empty when the code takes no 7th character.
func (c *Code) SeventhChars() (table []Seventh, from string) {
	for x := c; x != nil; x = x.parent {
		if len(x.seventh) > 0 {
			return x.seventh, x.Code
		}
	}
	return nil, ""
}

// NeedsSeventh tells whether the code belongs to a category whose codes take
// a 7th character and does not have one yet.
func (c *Code) NeedsSeventh() bool {
	t, _ := c.SeventhChars()
	return len(t) > 0 && len(c.Code) < 7
}

// Manifestation tells whether the code is a manifestation code, never
// first-listed (ICD-10-CM guideline I.A.13, MCE edit "manifestation code
// as principal diagnosis"). The definition is payer.MCE.Manifestation: the
// Medicare Code Editor v41.1 lists it as one (or, for a code newer than
// the list, every code of its category), or its title carries the
// convention "in (other) diseases classified elsewhere". A "code first"
// note alone does not make one: CKD (N18.-), weeks of gestation (Z3A) or
// a chronic ulcer (L97.-) are first-listed when no underlying condition is
// documented. This is the one definition the edits, the detail pane and
// codebench code use.
func (c *Code) Manifestation() bool {
	ok, _ := c.ManifestationWhy()
	return ok
}

// ManifestationWhy is Manifestation with the test that held ("MCE v41.1
// manifestation list", "titled ..."), on the embedded MCE lists.
func (c *Code) ManifestationWhy() (bool, string) {
	if c.System != ICD10CM {
		return false, ""
	}
	return payer.Embedded().MCE().Manifestation(c.Code, c.Long)
}

// Manifestation is Code.Manifestation on the MCE lists in use (imported
// ones included), with the test that held.
func (s *Set) Manifestation(c *Code) (bool, string) {
	if c.System != ICD10CM {
		return false, ""
	}
	return s.Payer().MCE().Manifestation(c.Code, c.Long)
}

// NoteKind is a kind of tabular instructional note.
type NoteKind string

const (
	Includes      NoteKind = "includes"
	Inclusion     NoteKind = "inclusion" // inclusion terms: synonyms of the title
	Excludes1     NoteKind = "excludes1"
	Excludes2     NoteKind = "excludes2"
	CodeFirst     NoteKind = "codefirst"
	UseAdditional NoteKind = "useadditional"
	CodeAlso      NoteKind = "codealso"
	GeneralNote   NoteKind = "note"
	SeventhNote   NoteKind = "seventhnote"
)

// Label is the heading a coder knows the note kind by.
func (k NoteKind) Label() string {
	switch k {
	case Includes:
		return "Includes"
	case Inclusion:
		return "Inclusion terms"
	case Excludes1:
		return "Excludes1"
	case Excludes2:
		return "Excludes2"
	case CodeFirst:
		return "Code first"
	case UseAdditional:
		return "Use additional code"
	case CodeAlso:
		return "Code also"
	case SeventhNote:
		return "7th character"
	default:
		return "Note"
	}
}

// Note is one instructional note of the tabular list.
type Note struct {
	Kind NoteKind `json:"kind"`
	Text string   `json:"text"`
	// From is the code ("E11") or tabular block ("E08-E13", "ch4") that
	// declares the note.
	From string `json:"from"`

	refs    []Ref // parsed by the note's source; see Refs
	hasRefs bool
}

// Refs returns the codes and code ranges the note points at, such as
// "(E08.-)" or "(P35-P39)": as its source parsed them when it did (the
// FY2027 Excludes notes), else read from its text.
func (n Note) Refs() []Ref {
	if n.hasRefs {
		return n.refs
	}
	return ParseRefs(n.Text)
}

// RefsParsed tells whether the note's source gave its references, so
// Refs does not read them from the text.
func (n Note) RefsParsed() bool { return n.hasRefs }

// Seventh is one 7th character of a category's table.
type Seventh struct {
	Char    byte
	Meaning string
}

// IndexTerm is an Alphabetic Index entry that leads to a code.
type IndexTerm struct {
	Source string `json:"source"` // "drug", "neoplasm" or "eindex"
	Text   string `json:"text"`
}

// Block is a chapter or section of the ICD-10-CM tabular list.
type Block struct {
	ID          string // "ch4" or "E08-E13"
	First, Last string // first and last category in the block
	Title       string
	Parent      *Block // a section's chapter
	notes       []Note
}

// Notes are the notes declared on the block itself.
func (b *Block) Notes() []Note { return b.notes }

// Contains tells whether an ICD-10-CM category lies inside the block.
func (b *Block) Contains(category string) bool {
	if len(category) > 3 {
		category = category[:3]
	}
	return category >= b.First && category <= b.Last
}

// Source names a file the embedded data was made from.
type Source struct {
	Name, File, Version, SHA256, What string
}
