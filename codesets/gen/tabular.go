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

// genTabular writes, from the tabular list:
// blk, id, first category, last category, title (chapters "ch1".."ch22" and sections);
// note, code or block id, kind, text (kinds as in codesets.NoteKind);
// x7, code, character, meaning (7th-character definitions where they are declared).
// Notes are written where the tabular declares them; codesets resolves
// inheritance down the hierarchy when it loads.
func genTabular(srcDir string, w *writer) error {
	r, err := open(srcDir, "icd10cm/icd10cm_tabular_2023.xml.gz")
	if err != nil {
		return err
	}
	defer r.Close()
	var t tabularXML
	if err := xml.NewDecoder(r).Decode(&t); err != nil {
		return fmt.Errorf("tabular XML: %w", err)
	}
	if len(t.Chapters) != 22 {
		return fmt.Errorf("tabular XML: %d chapters, want 22", len(t.Chapters))
	}
	for _, ch := range t.Chapters {
		m := rangeInDesc.FindStringSubmatch(ch.Desc)
		if m == nil {
			return fmt.Errorf("tabular XML: chapter %s has no code range in %q", ch.Name, ch.Desc)
		}
		id := "ch" + ch.Name
		w.rec("blk", id, m[1], m[2], rangeInDesc.ReplaceAllString(ch.Desc, ""))
		writeNotes(w, id, ch.notesXML)
		for _, sec := range ch.Sections {
			first, last, ok := strings.Cut(sec.ID, "-")
			if !ok {
				last = first
			}
			desc := regexp.MustCompile(`\s*\([A-Z0-9-]+\)\s*$`).ReplaceAllString(sec.Desc, "")
			w.rec("blk", sec.ID, first, last, desc)
			writeNotes(w, sec.ID, sec.notesXML)
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
