// Command gen turns the official NCCI, PFS and MCE files in
// shared/codesets (see its PROVENANCE.md, sections 5, 7, 8 and 9) into
// the binary tables embedded by package payer, with the package's own
// parsers: what an import of a newer quarter does at run time, done once
// at build time.
//
// Run by `go generate ./codesets/payer`; the program never reads
// shared/codesets at run time.
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"codebench/codesets/payer"
)

func main() {
	src := flag.String("src", "../../../shared/codesets", "directory holding the official files (see its PROVENANCE.md)")
	out := flag.String("out", "data", "output directory")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		log.Fatal(err)
	}
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func run(src, out string) error {
	open := func(rel string) (payer.Source, func(), error) {
		f, err := os.Open(filepath.Join(src, rel))
		if err != nil {
			return payer.Source{}, nil, err
		}
		var r io.Reader = f
		if strings.HasSuffix(rel, ".gz") {
			zr, err := gzip.NewReader(f)
			if err != nil {
				f.Close()
				return payer.Source{}, nil, fmt.Errorf("%s: %w", rel, err)
			}
			r = zr
		}
		return payer.Source{Name: filepath.Base(rel), R: r}, func() { f.Close() }, nil
	}
	var tables []payer.Table
	build := func(rel string, parse func(payer.Source) (payer.Table, error)) error {
		s, done, err := open(rel)
		if err != nil {
			return err
		}
		defer done()
		t, err := parse(s)
		if err != nil {
			return err
		}
		tables = append(tables, t)
		return nil
	}
	ncci := func(source string) payer.Meta {
		return payer.Meta{Source: source, Version: "2024-07-01", Effective: day("2024-07-01")}
	}
	steps := []struct {
		rel   string
		parse func(payer.Source) (payer.Table, error)
	}{
		{"ncci/ptp-practitioner-2024-07-01.csv.gz", func(s payer.Source) (payer.Table, error) {
			return payer.ParsePTP(ncci("NCCI PTP practitioner"), s)
		}},
		{"ncci/mue-practitioner-2024-07-01.csv", func(s payer.Source) (payer.Table, error) {
			return payer.ParseMUE(ncci("NCCI MUE practitioner"), s)
		}},
		{"ncci/addon-codes-2024-07-01.csv", func(s payer.Source) (payer.Table, error) {
			return payer.ParseAddOn(ncci("NCCI add-on code edits"), s)
		}},
		{"pfs/pfs-indicators-2024-07.csv.gz", func(s payer.Source) (payer.Table, error) {
			return payer.ParsePFS(payer.Meta{Source: "Medicare PFS indicators", Version: "RVU24C (July 2024)", Effective: day("2024-07-01")}, s)
		}},
		{"mce/MCE_Simple_Code_Edits_v37.txt.gz", func(s payer.Source) (payer.Table, error) {
			// v41.1 as obtained lacks the unacceptable principal diagnosis
			// list: v37's is the newest there is (PROVENANCE.md section 5).
			return payer.ParseMCE(payer.Meta{Source: "MCE", Version: "v37 (FY2020)", Effective: day("2019-10-01")}, s,
				payer.MCEOptions{Lists: payer.MCEUnacceptablePrincipal})
		}},
	}
	for _, st := range steps {
		if err := build(st.rel, st.parse); err != nil {
			return err
		}
	}
	universe, err := mceUniverse(src)
	if err != nil {
		return err
	}
	if err := build("mce/mce-v41.1-code-edits.csv.gz", func(s payer.Source) (payer.Table, error) {
		return payer.ParseMCE(payer.Meta{Source: "MCE", Version: "v41.1", Effective: day("2024-04-01")}, s, payer.MCEOptions{Universe: universe})
	}); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, t := range tables {
		data, err := t.MarshalBinary()
		if err != nil {
			return err
		}
		m := t.Meta()
		name := filepath.Join(out, string(m.Kind)+".cbt")
		if err := os.WriteFile(name, data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%-14s %-24s %-20s %9d rows %9d bytes  %s\n", m.Kind, m.Source, m.Version, m.Rows, len(data), m.File)
	}
	return nil
}

// mceUniverse lists the billable ICD-10-CM codes MCE v41.1 (April 2024)
// knew: the FY2026 codes less those the FY2026 conversion table dates
// after April 2024. A category whose known codes all share a list passes
// it to the codes added since.
func mceUniverse(src string) ([]string, error) {
	newer := map[string]bool{}
	f, err := os.Open(filepath.Join(src, "icd10cm/ICD-10-CM-CONVERSION-TABLE-FY2026.tsv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 2 {
			continue
		}
		eff, err := strconv.Atoi(strings.TrimSpace(cols[1]))
		if err != nil {
			continue // the notice and heading lines
		}
		// A year means 1 October of it; larger numbers are spreadsheet
		// serial dates (45383 = 2024-04-01).
		if eff >= 2024 && eff < 3000 || eff > 45383 {
			newer[strings.ReplaceAll(strings.TrimSpace(cols[0]), ".", "")] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	g, err := os.Open(filepath.Join(src, "icd10cm/icd10cm-order-2026.txt.gz"))
	if err != nil {
		return nil, err
	}
	defer g.Close()
	zr, err := gzip.NewReader(g)
	if err != nil {
		return nil, err
	}
	var codes []string
	sc = bufio.NewScanner(zr)
	for sc.Scan() {
		line := sc.Text()
		if len(line) < 15 || line[14] != '1' {
			continue
		}
		code := strings.TrimSpace(line[6:13])
		if !newer[code] {
			codes = append(codes, code)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(newer) < 500 || len(codes) < 70000 {
		return nil, fmt.Errorf("MCE universe: %d newer codes, %d known ones: inputs changed?", len(newer), len(codes))
	}
	return codes, nil
}
