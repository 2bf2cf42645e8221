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
	{"icd10cm-tabular", "icd10cm/icd10cm_tabular_2023.xml.gz", "FY2023", "ICD-10-CM Tabular List XML: instructional notes and 7th characters (CDC/NCHS; newest tabular XML available)"},
	{"icd10cm-drug", "icd10cm/icd10cm-drug-April-1-2026-XML.xml.gz", "FY2026 April 1 2026", "ICD-10-CM Table of Drugs and Chemicals XML (CDC/NCHS)"},
	{"icd10cm-neoplasm", "icd10cm/icd10cm-neoplasm-April-1-2026-XML.xml.gz", "FY2026 April 1 2026", "ICD-10-CM Neoplasm Table XML (CDC/NCHS)"},
	{"icd10cm-eindex", "icd10cm/icd10cm-eindex-April-1-2026-XML.xml.gz", "FY2026 April 1 2026", "ICD-10-CM External Cause of Injuries Index XML (CDC/NCHS)"},
	{"hcpcs", "hcpcs/HCPC2025_OCT_ANWEB.tsv.gz", "2025 October quarterly update, version 2 (9-4-25)", "HCPCS Level II alpha-numeric file (CMS)"},
	{"mce", "mce/MCE_Simple_Code_Edits_v37.txt.gz", "MCE v37 (FY2020)", "Medicare Code Editor age, sex and manifestation lists (CMS)"},
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
	w.rec("meta", "format", "1")
	w.rec("meta", "generator", "go generate ./codesets (codesets/gen)")
	for _, s := range sources {
		sum, err := fileSHA256(filepath.Join(srcDir, s.rel))
		if err != nil {
			return err
		}
		w.rec("src", s.name, filepath.Base(s.rel), s.version, sum, s.what)
	}
	steps := []func(string, *writer) error{genOrder, genAddenda, genTabular, genDrug, genNeoplasm, genEIndex, genHCPCS, genMCE}
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

// genOrder writes one "icd" record per line of the order file:
// icd, code, billable (0/1), short title (empty when equal to long), long title.
func genOrder(srcDir string, w *writer) error {
	return eachLine(srcDir, "icd10cm/icd10cm-order-2026.txt.gz", func(line string) error {
		if len(line) < 77 {
			return fmt.Errorf("short line %q", line)
		}
		code := strings.TrimSpace(line[6:13])
		flag := line[14:15]
		short := strings.TrimSpace(line[16:76])
		long := strings.TrimSpace(line[77:])
		if flag != "0" && flag != "1" {
			return fmt.Errorf("bad billable flag %q", flag)
		}
		if short == long {
			short = ""
		}
		w.rec("icd", code, flag, short, long)
		return nil
	})
}

// genAddenda records what changed from FY2025 to FY2026 so that validity on a
// date of service before 1 Oct 2025 can be told:
// icdnew, code (billable only from FY2026);
// icdold, code, title (billable in FY2025, deleted or made a header in FY2026).
func genAddenda(srcDir string, w *writer) error {
	type change struct {
		flag, title string
	}
	added := map[string]change{}
	deleted := map[string]change{}
	var order []string
	err := eachLine(srcDir, "icd10cm/icd10cm-order-addenda-2026.txt", func(line string) error {
		var kind string
		switch {
		case strings.HasPrefix(line, "Add:"):
			kind = "add"
		case strings.HasPrefix(line, "Delete:"):
			kind = "delete"
		default:
			return nil // revisions and the summary
		}
		// Same fixed-width layout as the order file, shifted by the label.
		if len(line) < 85 {
			return fmt.Errorf("short addenda line %q", line)
		}
		c := change{flag: line[13:14], title: strings.TrimSpace(line[84:])}
		code := strings.TrimSpace(line[15:22])
		if _, seen := added[code]; !seen {
			if _, seen := deleted[code]; !seen {
				order = append(order, code)
			}
		}
		if kind == "add" {
			added[code] = c
		} else {
			deleted[code] = c
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, code := range order {
		a, isAdd := added[code]
		d, isDel := deleted[code]
		if isAdd && a.flag == "1" && (!isDel || d.flag != "1") {
			w.rec("icdnew", code)
		}
		if isDel && d.flag == "1" && (!isAdd || a.flag != "1") {
			w.rec("icdold", code, d.title)
		}
	}
	return nil
}
