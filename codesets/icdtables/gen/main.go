// Command gen makes the embedded ICD-10-CM Index tables (Neoplasm, Drugs
// and Chemicals) from the CDC's XML files:
//
//	go run ./gen -src /path/to/shared/codesets -out data/tables.tsv.gz
//
// The output is deterministic (gzip without name or time), so a rerun on
// the same files changes nothing.
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// sources are the April 1, 2026 update's tables (FY2026).
var sources = []struct {
	kind, title, file string
}{
	{"neoplasm", "Table of Neoplasms", "icd10cm/icd10cm-neoplasm-April-1-2026-XML.xml.gz"},
	{"drug", "Table of Drugs and Chemicals", "icd10cm/icd10cm-drug-April-1-2026-XML.xml.gz"},
}

func main() {
	src := flag.String("src", "", "directory of the official files (shared/codesets)")
	out := flag.String("out", "data/tables.tsv.gz", "output file")
	flag.Parse()
	if *src == "" {
		fmt.Fprintln(os.Stderr, "gen: -src is required")
		os.Exit(2)
	}
	var buf bytes.Buffer
	for _, s := range sources {
		content, err := readGz(filepath.Join(*src, s.file))
		if err != nil {
			fail(err)
		}
		if err := writeTable(&buf, s.kind, s.title, filepath.Base(s.file), content); err != nil {
			fail(fmt.Errorf("%s: %w", s.file, err))
		}
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(buf.Bytes())
	if err := zw.Close(); err != nil {
		fail(err)
	}
	if err := os.WriteFile(*out, gz.Bytes(), 0o644); err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %s (%d bytes, %d uncompressed)\n", *out, gz.Len(), buf.Len())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}

func readGz(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer zr.Close()
	return io.ReadAll(zr)
}

type cellXML struct {
	Col  string `xml:"col,attr"`
	Code string `xml:",chardata"`
}

type termXML struct {
	Title struct {
		Inner string `xml:",innerxml"`
	} `xml:"title"`
	See     string    `xml:"see"`
	SeeAlso string    `xml:"seeAlso"`
	Cells   []cellXML `xml:"cell"`
	Terms   []termXML `xml:"term"`
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

// titleText flattens a title with its nonessential modifiers (<nemod>)
// into plain text.
func titleText(inner string) string {
	s := tags.ReplaceAllString(strings.ReplaceAll(inner, "<nemod>", " <nemod>"), "")
	s = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'").Replace(s)
	return clean(s)
}

// clean makes a field safe for the tab-separated format.
func clean(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("\t", " ", "\r", " ", "\n", " ").Replace(s)), " ")
}

func writeTable(w *bytes.Buffer, kind, title, file string, content []byte) error {
	var x indexXML
	if err := xml.Unmarshal(content, &x); err != nil {
		return err
	}
	cols := map[string]int{}
	var heads []string
	rowHead := ""
	for _, h := range x.Headings {
		if h.Col == "1" {
			rowHead = clean(h.Text)
			continue
		}
		cols[h.Col] = len(heads)
		heads = append(heads, clean(h.Text))
	}
	if len(heads) != 6 {
		return fmt.Errorf("%d code columns, want 6", len(heads))
	}
	sum := sha256.Sum256(content)
	fmt.Fprintf(w, "table\t%s\t%s\t%s (April 1, 2026 update)\t%s\t%s\t%s\t%s\n",
		kind, title, clean(x.Version), file, hex.EncodeToString(sum[:]), rowHead, strings.Join(heads, "|"))
	rows := 0
	var walk func(t termXML, level int) error
	walk = func(t termXML, level int) error {
		var cells [6]string
		for _, c := range t.Cells {
			i, ok := cols[c.Col]
			if !ok {
				return fmt.Errorf("%q: cell in column %q", titleText(t.Title.Inner), c.Col)
			}
			code := clean(c.Code)
			if strings.Trim(code, "-") == "" {
				code = ""
			}
			cells[i] = code
		}
		see := ""
		switch {
		case t.See != "":
			see = "see " + clean(t.See)
		case t.SeeAlso != "":
			see = "see also " + clean(t.SeeAlso)
		}
		name := titleText(t.Title.Inner)
		if name == "" {
			return errors.New("an entry without a title")
		}
		fmt.Fprintf(w, "row\t%d\t%s\t%s\t%s\n", level, name, strings.Join(cells[:], "\t"), see)
		rows++
		for _, sub := range t.Terms {
			if err := walk(sub, level+1); err != nil {
				return err
			}
		}
		return nil
	}
	for _, l := range x.Letters {
		for _, m := range l.MainTerms {
			if err := walk(m, 0); err != nil {
				return err
			}
		}
	}
	if rows == 0 {
		return errors.New("no rows")
	}
	return nil
}
