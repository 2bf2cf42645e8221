// Command gen turns the official CMS/CDC code-set files in shared/codesets
// into the compact data file embedded by package codesets.
//
// It is run by `go generate ./codesets`; the program never reads
// shared/codesets at run time.
//
// Output: one gzip-compressed, tab-separated file. Each line starts with a
// record kind; the layout of every kind is documented in codesets/data.go,
// which parses it.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	src := flag.String("src", "../../shared/codesets", "directory holding the official files (see its PROVENANCE.md)")
	out := flag.String("out", "data/codesets.tsv.gz", "output file")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		log.Fatal(err)
	}
}

// source names a file the generator reads, with the version it holds.
type source struct {
	name, rel, version, what string
}

var sources = []source{
	{"icd10cm-order", "icd10cm/icd10cm-order-2026.txt.gz", "FY2026", "ICD-10-CM order file: every code, billable flag, short and long titles (CDC/NCHS)"},
	{"icd10cm-order-addenda", "icd10cm/icd10cm-order-addenda-2026.txt", "FY2026", "ICD-10-CM FY2025 to FY2026 addenda (CDC/NCHS)"},
	{"icd10cm-order-2027", "icd10cm/icd10cm-order-2027.txt.gz", "FY2027", "ICD-10-CM order file FY2027 (CDC/NCHS)"},
	{"icd10cm-order-addenda-2027", "icd10cm/icd10cm-order-addenda-2027.txt", "FY2027", "ICD-10-CM FY2026 to FY2027 order addenda (CDC/NCHS)"},
	{"icd10cm-excludes1-2027", "icd10cm/icd10cm-excludes1-2027.csv.gz", "FY2027", "ICD-10-CM FY2027 Tabular List Excludes1 notes, references parsed (makevision/icd10cm-open-data, CC0)"},
	{"icd10cm-excludes2-2027", "icd10cm/icd10cm-excludes2-2027.csv.gz", "FY2027", "ICD-10-CM FY2027 Tabular List Excludes2 notes, references parsed (makevision/icd10cm-open-data, CC0)"},
	{"icd10cm-tabular", "icd10cm/icd10cm_tabular_2023.xml.gz", "FY2023", "ICD-10-CM Tabular List XML: instructional notes and 7th characters (CDC/NCHS; newest tabular XML available)"},
	{"icd10cm-drug", "icd10cm/icd10cm-drug-April-1-2026-XML.xml.gz", "FY2026 April 1 2026", "ICD-10-CM Table of Drugs and Chemicals XML (CDC/NCHS)"},
	{"icd10cm-neoplasm", "icd10cm/icd10cm-neoplasm-April-1-2026-XML.xml.gz", "FY2026 April 1 2026", "ICD-10-CM Neoplasm Table XML (CDC/NCHS)"},
	{"icd10cm-eindex", "icd10cm/icd10cm-eindex-April-1-2026-XML.xml.gz", "FY2026 April 1 2026", "ICD-10-CM External Cause of Injuries Index XML (CDC/NCHS)"},
	{"hcpcs", "hcpcs/HCPC2025_OCT_ANWEB.tsv.gz", "2025 October quarterly update, version 2 (9-4-25)", "HCPCS Level II alpha-numeric file (CMS)"},
}

// releases are the releases the generator embeds, by the source they are
// made from, with the dates of service each is published for. A release
// with a base is written as its changes to that release.
var releases = []struct {
	system, name, from, to, base, source, addenda string
}{
	{"ICD-10-CM", "FY2026", "20251001", "20260930", "-", "icd10cm-order", "icd10cm-order-addenda"},
	{"ICD-10-CM", "FY2027", "20261001", "20270930", "FY2026", "icd10cm-order-2027", "icd10cm-order-addenda-2027"},
}

// excludesOf names the Excludes sources of a release.
var excludesOf = map[string][]string{
	"FY2027": {"icd10cm-excludes1-2027", "icd10cm-excludes2-2027"},
}

// hcpcsRelease is the HCPCS Level II quarter embedded.
var hcpcsRelease = struct{ name, from, to string }{"2025 October", "20251001", "20251231"}

func sourceNamed(name string) source {
	for _, s := range sources {
		if s.name == name {
			return s
		}
	}
	panic("gen: no source " + name)
}

// writer accumulates records; fields are cleaned so a record is always one
// line of tab-separated fields.
type writer struct {
	buf bytes.Buffer
	n   map[string]int
}

func (w *writer) rec(kind string, fields ...string) {
	w.buf.WriteString(kind)
	for _, f := range fields {
		w.buf.WriteByte('\t')
		w.buf.WriteString(clean(f))
	}
	w.buf.WriteByte('\n')
	w.n[kind]++
}

// clean folds white space (tabs, CR, LF, runs of spaces) to single spaces.
func clean(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func run(srcDir, out string) error {
	w := &writer{n: map[string]int{}}
	w.rec("meta", "format", "2")
	w.rec("meta", "generator", "go generate ./codesets (codesets/gen)")
	for _, s := range sources {
		sum, err := fileSHA256(filepath.Join(srcDir, s.rel))
		if err != nil {
			return err
		}
		w.rec("src", s.name, filepath.Base(s.rel), s.version, sum, s.what)
	}
	tab, err := readTabular(srcDir)
	if err != nil {
		return err
	}
	sections, err := excludesSections(srcDir)
	if err != nil {
		return err
	}
	if err := tab.widen(sections); err != nil {
		return err
	}
	codes, err := genReleases(srcDir, w, tab)
	if err != nil {
		return err
	}
	if err := genTabular(tab, w); err != nil {
		return err
	}
	genNewer(w, codes, tab)
	steps := []func(string, *writer) error{genDrug, genNeoplasm, genEIndex, genHCPCS}
	for _, step := range steps {
		if err := step(srcDir, w); err != nil {
			return err
		}
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if _, err := zw.Write(w.buf.Bytes()); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(out, gz.Bytes(), 0o644); err != nil {
		return err
	}
	kinds := make([]string, 0, len(w.n))
	for k := range w.n {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(os.Stderr, "%-8s %7d records\n", k, w.n[k])
	}
	fmt.Fprintf(os.Stderr, "wrote %s: %d bytes (%d uncompressed)\n", out, gz.Len(), w.buf.Len())
	return nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// open returns a reader over a source file, gunzipping .gz files.
func open(srcDir, rel string) (io.ReadCloser, error) {
	f, err := os.Open(filepath.Join(srcDir, rel))
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(rel, ".gz") {
		return f, nil
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, f}, nil
}

func eachLine(srcDir, rel string, fn func(line string) error) error {
	r, err := open(srcDir, rel)
	if err != nil {
		return err
	}
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		if err := fn(strings.TrimRight(sc.Text(), "\r")); err != nil {
			return fmt.Errorf("%s line %d: %w", rel, n, err)
		}
	}
	return sc.Err()
}
