package main

import (
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"
)

// notesXML holds the instructional notes an element of the tabular list can
// carry; chapters, sections and diagnoses share it.
type notesXML struct {
	Includes      []string `xml:"includes>note"`
	InclusionTerm []string `xml:"inclusionTerm>note"`
	Excludes1     []string `xml:"excludes1>note"`
	Excludes2     []string `xml:"excludes2>note"`
	CodeFirst     []string `xml:"codeFirst>note"`
	UseAdditional []string `xml:"useAdditionalCode>note"`
	CodeAlso      []string `xml:"codeAlso>note"`
	Notes         []string `xml:"notes>note"`
	SevenChrNote  []string `xml:"sevenChrNote>note"`
	SevenChrDef   []struct {
		Char string `xml:"char,attr"`
		Text string `xml:",chardata"`
	} `xml:"sevenChrDef>extension"`
}

type diagXML struct {
	Name string `xml:"name"`
	Desc string `xml:"desc"`
	notesXML
	Diags []diagXML `xml:"diag"`
}

type sectionXML struct {
	ID   string `xml:"id,attr"`
	Desc string `xml:"desc"`
	notesXML
	Diags []diagXML `xml:"diag"`
}

type chapterXML struct {
	Name string `xml:"name"`
	Desc string `xml:"desc"`
	notesXML
	Sections []sectionXML `xml:"section"`
}

type tabularXML struct {
	Version  string       `xml:"version"`
	Chapters []chapterXML `xml:"chapter"`
}

// rangeInDesc finds the code range at the end of a chapter title, "(A00-B99)".
var rangeInDesc = regexp.MustCompile(`\(([A-Z][0-9][0-9A-Z])-([A-Z][0-9][0-9A-Z])\)\s*$`)

// tabular is the parsed Tabular List XML.
type tabular struct {
	xml    tabularXML
	blocks map[string]bool // chapter ("ch4") and section ids
	diags  map[string]bool // every <diag> name, canonical
	x7     map[string]bool // the diags whose codes take a 7th character (declared on them or above)
	// renamed maps a FY2023 section to the wider range a later release
	// gives it ("I10-I16" became "I10-I1A" when I1A was added).
	renamed map[string]string
}

// widen renames the sections that later releases name with a wider
// range: same first category, later last one.
func (t *tabular) widen(names []string) error {
	for _, name := range names {
		if t.blocks[name] {
			continue
		}
		first, last, ok := strings.Cut(name, "-")
		found := false
		for id := range t.blocks {
			f, l, _ := strings.Cut(id, "-")
			if ok && f == first && l < last && !strings.HasPrefix(id, "ch") {
				t.renamed[id] = name
				delete(t.blocks, id)
				t.blocks[name] = true
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("section %q matches no section of the Tabular", name)
		}
	}
	return nil
}

// id is a section's id as written: renamed when a later release widened it.
func (t *tabular) id(sec string) string {
	if n, ok := t.renamed[sec]; ok {
		return n
	}
	return sec
}

// readTabular parses the Tabular List XML.
func readTabular(srcDir string) (*tabular, error) {
	r, err := open(srcDir, "icd10cm/icd10cm_tabular_2023.xml.gz")
	if err != nil {
		return nil, err
	}
	defer r.Close()
	t := &tabular{blocks: map[string]bool{}, diags: map[string]bool{}, x7: map[string]bool{}, renamed: map[string]string{}}
	if err := xml.NewDecoder(r).Decode(&t.xml); err != nil {
		return nil, fmt.Errorf("tabular XML: %w", err)
	}
	if len(t.xml.Chapters) != 22 {
		return nil, fmt.Errorf("tabular XML: %d chapters, want 22", len(t.xml.Chapters))
	}
	var walk func(d diagXML, x7 bool)
	walk = func(d diagXML, x7 bool) {
		name := strings.ReplaceAll(d.Name, ".", "")
		x7 = x7 || len(d.SevenChrDef) > 0
		t.diags[name] = true
		t.x7[name] = x7
		for _, c := range d.Diags {
			walk(c, x7)
		}
	}
	for _, ch := range t.xml.Chapters {
		t.blocks["ch"+ch.Name] = true
		for _, sec := range ch.Sections {
			t.blocks[sec.ID] = true
			for _, d := range sec.Diags {
				walk(d, false)
			}
		}
	}
	return t, nil
}

// covers tells whether the tabular has a code: as a <diag>, or as a 7th
// character added to one that takes it (S52.521A on S52.521, W20.8XXA
// on W20.8).
func (t *tabular) covers(code string) bool {
	if t.diags[code] {
		return true
	}
	if len(code) == 7 {
		return t.x7[strings.TrimRight(code[:6], "X")]
	}
	return false
}

var sectionRange = regexp.MustCompile(`\s*\([A-Z0-9-]+\)\s*$`)

// genTabular writes, from the tabular list:
// blk, id, first category, last category, title (chapters "ch1".."ch22" and sections);
// note, code or block id, kind, text (kinds as in codesets.NoteKind);
// x7, code, character, meaning (7th-character definitions where they are declared).
// Notes are written where the tabular declares them; codesets resolves
// inheritance down the hierarchy when it loads.
func genTabular(t *tabular, w *writer) error {
	for _, ch := range t.xml.Chapters {
		m := rangeInDesc.FindStringSubmatch(ch.Desc)
		if m == nil {
			return fmt.Errorf("tabular XML: chapter %s has no code range in %q", ch.Name, ch.Desc)
		}
		id := "ch" + ch.Name
		w.rec("blk", id, m[1], m[2], rangeInDesc.ReplaceAllString(ch.Desc, ""))
		writeNotes(w, id, ch.notesXML)
		for _, sec := range ch.Sections {
			id := t.id(sec.ID)
			first, last, ok := strings.Cut(id, "-")
			if !ok {
				last = first
			}
			title := sectionRange.ReplaceAllString(sec.Desc, "")
			w.rec("blk", id, first, last, title)
			writeNotes(w, id, sec.notesXML)
			for _, d := range sec.Diags {
				writeDiag(w, d)
			}
		}
	}
	return nil
}

func writeDiag(w *writer, d diagXML) {
	code := strings.ReplaceAll(d.Name, ".", "")
	writeNotes(w, code, d.notesXML)
	for _, c := range d.Diags {
		writeDiag(w, c)
	}
}

func writeNotes(w *writer, id string, n notesXML) {
	kinds := []struct {
		kind  string
		notes []string
	}{
		{"includes", n.Includes},
		{"inclusion", n.InclusionTerm},
		{"excludes1", n.Excludes1},
		{"excludes2", n.Excludes2},
		{"codefirst", n.CodeFirst},
		{"useadditional", n.UseAdditional},
		{"codealso", n.CodeAlso},
		{"note", n.Notes},
		{"seventhnote", n.SevenChrNote},
	}
	for _, k := range kinds {
		for _, text := range k.notes {
			if clean(text) != "" {
				w.rec("note", id, k.kind, text)
			}
		}
	}
	for _, x := range n.SevenChrDef {
		w.rec("x7", id, x.Char, x.Text)
	}
}
