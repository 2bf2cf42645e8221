package main

import (
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"
)

type cellXML struct {
	Col  string `xml:"col,attr"`
	Code string `xml:",chardata"`
}

type termXML struct {
	Title struct {
		Inner string `xml:",innerxml"`
	} `xml:"title"`
	Code  string    `xml:"code"`
	Cells []cellXML `xml:"cell"`
	Terms []termXML `xml:"term"`
}

type indexXML struct {
	Version  string `xml:"version"`
	Headings []struct {
		Col  string `xml:"col,attr"`
		Text string `xml:",chardata"`
	} `xml:"indexHeading>head"`
	Letters []struct {
		MainTerms []termXML `xml:"mainTerm"`
	} `xml:"letter"`
}

var tags = regexp.MustCompile(`<[^>]*>`)

// titleText flattens a title with its non-essential modifiers, which the XML
// wraps in <nemod>, into plain text.
func titleText(inner string) string {
	s := tags.ReplaceAllString(strings.ReplaceAll(inner, "<nemod>", " <nemod>"), "")
	return clean(xmlUnescape(s))
}

func xmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'").Replace(s)
}

// indexCode turns "T51.3X1" or "C79.8-" into the canonical form "T513X1" /
// "C798"; "--" (no code) gives "".
func indexCode(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.Trim(s, "-") == "" {
		return ""
	}
	s = strings.TrimRight(s, "-")
	s = strings.TrimRight(s, ".")
	return strings.ToUpper(strings.ReplaceAll(s, ".", ""))
}

func readIndex(srcDir, rel string) (*indexXML, error) {
	r, err := open(srcDir, rel)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var x indexXML
	if err := xml.NewDecoder(r).Decode(&x); err != nil {
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	return &x, nil
}

// walkIndex writes a "term" record (term, code, source, text) for every
// index entry that leads to a code. The text is the path of titles from the
// main term down ("Accident, boat, striking swimmer, powered"); for tables it
// ends with the column heading ("Acetaminophen - Adverse effect").
func walkIndex(w *writer, source string, x *indexXML) {
	heads := map[string]string{}
	for _, h := range x.Headings {
		heads[h.Col] = clean(h.Text)
	}
	var walk func(path []string, t termXML)
	walk = func(path []string, t termXML) {
		path = append(path, titleText(t.Title.Inner))
		text := strings.Join(path, ", ")
		if c := indexCode(t.Code); c != "" {
			w.rec("term", c, source, text)
		}
		for _, cell := range t.Cells {
			if c := indexCode(cell.Code); c != "" {
				w.rec("term", c, source, text+" - "+heads[cell.Col])
			}
		}
		for _, sub := range t.Terms {
			walk(path, sub)
		}
	}
	for _, l := range x.Letters {
		for _, m := range l.MainTerms {
			walk(nil, m)
		}
	}
}

func genDrug(srcDir string, w *writer) error {
	return genIndex(srcDir, w, "drug", "icd10cm/icd10cm-drug-April-1-2026-XML.xml.gz")
}

func genNeoplasm(srcDir string, w *writer) error {
	return genIndex(srcDir, w, "neoplasm", "icd10cm/icd10cm-neoplasm-April-1-2026-XML.xml.gz")
}

func genEIndex(srcDir string, w *writer) error {
	return genIndex(srcDir, w, "eindex", "icd10cm/icd10cm-eindex-April-1-2026-XML.xml.gz")
}

func genIndex(srcDir string, w *writer, source, rel string) error {
	x, err := readIndex(srcDir, rel)
	if err != nil {
		return err
	}
	walkIndex(w, source, x)
	return nil
}
