package dataimport

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codebench/codesets"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// open loads dir as codebench does.
func open(t *testing.T, dir string) *codesets.Set {
	t.Helper()
	s, err := codesets.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testdata(name string) string { return filepath.Join("testdata", name) }

var fixedNow = func() time.Time { return day("2026-11-30") }

func mustImport(t *testing.T, dir string, opt Options, paths ...string) *Result {
	t.Helper()
	opt.Now = fixedNow
	res, err := Import(dir, open(t, dir), paths, opt)
	if err != nil {
		t.Fatalf("import %v: %v", paths, err)
	}
	return res
}

// nothingChanged checks that a refused import left the data directory as
// it was: no manifest entry, no import directory, no scratch.
func nothingChanged(t *testing.T, dir string, want int) {
	t.Helper()
	m, err := codesets.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Imports) != want {
		t.Errorf("manifest has %d imports, want %d", len(m.Imports), want)
	}
	entries, _ := os.ReadDir(codesets.ReleasesDir(dir))
	dirs := 0
	for _, e := range entries {
		if e.IsDir() {
			dirs++
		}
	}
	if dirs != want {
		t.Errorf("%d directories under releases/, want %d", dirs, want)
	}
}

// An order file excerpt becomes release FY2028, kept with its source and
// sha256; the codes of its unchanged categories are FY2027's own.
func TestImportICDRelease(t *testing.T) {
	dir := t.TempDir()
	res := mustImport(t, dir, Options{}, testdata("icd10cm-order-2028-excerpt.txt"))
	if len(res.Imported) != 1 {
		t.Fatalf("imported %+v", res.Imported)
	}
	rec := res.Imported[0]
	if rec.Kind != "icd10cm" || rec.Name != "FY2028" || rec.From != "2027-10-01" || rec.To != "2028-09-30" || rec.Counts["order lines"] != 240 {
		t.Errorf("record %+v", rec)
	}
	if !strings.HasPrefix(rec.ID, "icd10cm-FY2028-") || len(rec.Files) != 1 || len(rec.Files[0].SHA256) != 64 {
		t.Errorf("id %s files %+v", rec.ID, rec.Files)
	}
	kept, err := os.ReadFile(filepath.Join(codesets.ImportDir(dir, rec.ID), "source", "icd10cm-order-2028-excerpt.txt.gz"))
	want, _ := os.ReadFile(testdata("icd10cm-order-2028-excerpt.txt"))
	if err != nil {
		t.Fatalf("the source file is not kept: %v", err)
	}
	if src, err := gunzipAll(kept); err != nil || !bytes.Equal(src, want) {
		t.Errorf("the source file is not kept as given: %v", err)
	}
	s := open(t, dir)
	r, ok := s.ReleaseOn(day("2027-11-01"))
	if !ok || r.Name != "FY2028" || !r.Imported {
		t.Fatalf("release on 2027-11-01: %v", r)
	}
	if a := s.CodeOn(codesets.ICD10CM, "QA1.71", day("2027-11-01")); a.Status != codesets.Billable || a.Release != r {
		t.Errorf("QA1.71 in FY2028: %v", a.Status)
	}
	if a := s.CodeOn(codesets.ICD10CM, "I42.0", day("2027-11-01")); a.Status != codesets.Header {
		t.Errorf("I42.0 in FY2028: %v", a.Status)
	}
	// The excerpt drops every other category: T52 is no longer valid.
	if a := s.CodeOn(codesets.ICD10CM, "T52.811A", day("2027-11-01")); a.Status != codesets.NoLonger {
		t.Errorf("T52.811A in FY2028: %v", a.Status)
	}
	fy27, fy28 := s.On(day("2026-11-16")), s.On(day("2027-11-01"))
	a, _ := fy27.Lookup("QA1.71")
	b, _ := fy28.Lookup("QA1.71")
	if a != b {
		t.Error("an unchanged category should share its codes with FY2027")
	}
	if fy28.Release().ExcludesSource() == "" || !strings.Contains(fy28.Release().ExcludesSource(), "FY2027") {
		t.Errorf("FY2028 Excludes source: %q", fy28.Release().ExcludesSource())
	}
	// The embedded set is untouched.
	if e, _ := codesets.Embedded(); len(e.Releases()) != 2 {
		t.Error("the import changed the embedded code sets")
	}
	// The data key of the index follows the import.
	found := false
	for _, src := range s.Sources {
		found = found || src.Name == "import:"+rec.ID && src.SHA256 == rec.DataSHA256
	}
	if !found {
		t.Error("the import is not among the set's sources")
	}
}

// An April update takes over from 1 April; removing it brings back the
// October release.
func TestAprilUpdateAndRemove(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(t.TempDir(), "icd10cm-order-April-1-2027.txt")
	data, _ := os.ReadFile(testdata("icd10cm-order-2028-excerpt.txt"))
	os.WriteFile(in, data, 0o644)
	rec := mustImport(t, dir, Options{}, in).Imported[0]
	if rec.Name != "FY2027 April 1 update" || rec.From != "2027-04-01" || rec.To != "2027-09-30" {
		t.Fatalf("april update %+v", rec)
	}
	s := open(t, dir)
	if r, _ := s.ReleaseOn(day("2027-05-01")); r.Name != "FY2027 April 1 update" {
		t.Errorf("2027-05-01: %s", r.Name)
	}
	if r, _ := s.ReleaseOn(day("2027-03-31")); r.Name != "FY2027" {
		t.Errorf("2027-03-31: %s", r.Name)
	}
	if _, err := Remove(dir, "no-such-import"); err == nil || !strings.Contains(err.Error(), rec.ID) {
		t.Errorf("remove of an unknown id: %v", err)
	}
	if got, err := Remove(dir, rec.ID); err != nil || got.ID != rec.ID {
		t.Fatalf("remove: %v", err)
	}
	if r, _ := open(t, dir).ReleaseOn(day("2027-05-01")); r.Name != "FY2027" {
		t.Errorf("after remove, 2027-05-01: %s", r.Name)
	}
	nothingChanged(t, dir, 0)
}

// Dates of service before FY2026 have no release until that year's order
// file is imported; its addenda's totals are held to it.
func TestImportEarlierYearFixesNoRelease(t *testing.T) {
	dir := t.TempDir()
	before := open(t, dir).CodeOn(codesets.ICD10CM, "E11.9", day("2025-05-01"))
	if before.Status != codesets.NoRelease {
		t.Fatalf("E11.9 in FY2025 before the import: %v", before.Status)
	}
	rec := mustImport(t, dir, Options{}, testdata("icd10cm-order-2025-excerpt.txt"), testdata("icd10cm-order-addenda-2025-excerpt.txt")).Imported[0]
	if rec.Name != "FY2025" || len(rec.Files) != 2 || !strings.Contains(strings.Join(rec.Checks, ","), "totals of the addenda summary") {
		t.Errorf("record %+v", rec)
	}
	s := open(t, dir)
	for code, want := range map[string]codesets.Status{"E11.9": codesets.Billable, "B88.0": codesets.Billable, "B88.01": codesets.NotYet} {
		if a := s.CodeOn(codesets.ICD10CM, code, day("2025-05-01")); a.Status != want {
			t.Errorf("%s on 2025-05-01: %v, want %v", code, a.Status, want)
		}
	}
	if a := s.CodeOn(codesets.ICD10CM, "B88.0", day("2025-11-01")); a.Status != codesets.Header {
		t.Errorf("B88.0 in FY2026: %v", a.Status)
	}
}

// The HCPCS quarterly file in CMS's fixed-width layout replaces the
// HCPCS codes; removing it brings back the embedded quarter.
func TestImportHCPCSQuarter(t *testing.T) {
	dir := t.TempDir()
	rec := mustImport(t, dir, Options{}, testdata("HCPC2026_JAN_ANWEB_excerpt.txt")).Imported[0]
	if rec.Kind != "hcpcs" || rec.Name != "2026 January" || rec.From != "2026-01-01" || rec.To != "2026-03-31" || rec.Counts["codes"] != 6 || rec.Counts["modifiers"] != 3 {
		t.Fatalf("record %+v", rec)
	}
	s := open(t, dir)
	if r := s.HCPCSRelease(); r.Name != "2026 January" || !r.Imported {
		t.Errorf("HCPCS in use: %+v", r)
	}
	xs, ok := s.Modifier("XS")
	if !ok || xs.Long != "Separate structure, a service that is distinct because it was performed on a separate organ/structure" {
		t.Errorf("XS long description across its continuation line: %+v", xs)
	}
	a2036, ok := s.Lookup("A2036")
	if !ok || !a2036.Effective.Equal(day("2025-10-01")) {
		t.Errorf("A2036: %+v", a2036)
	}
	if err := s.ValidOn(a2036, day("2025-09-30")); err == nil {
		t.Error("A2036 before it was added")
	}
	if _, err := Remove(dir, rec.ID); err != nil {
		t.Fatal(err)
	}
	if r := open(t, dir).HCPCSRelease(); r.Name != "2025 October" || len(open(t, dir).HCPCSCodes()) != 8463 {
		t.Errorf("after remove: %s", r.Name)
	}
}

// The payer tables go through package payer's parsers.
func TestImportPayerTables(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join("..", "payer", "testdata", name) }
	res := mustImport(t, dir, Options{From: day("2026-10-01")},
		p("ccipra-excerpt-f1.txt"), p("ccipra-excerpt-f2.txt"), p("mue-excerpt.csv"), p("aoc-excerpt.txt"))
	kinds := map[string]int{}
	for _, r := range res.Imported {
		kinds[r.Kind] = r.Counts["rows"]
		if r.From != "2026-10-01" || r.Name != "2026-10-01" {
			t.Errorf("%s: %+v", r.Kind, r)
		}
	}
	if len(kinds) != 3 || kinds["ptp"] == 0 || kinds["mue"] == 0 || kinds["addon"] == 0 {
		t.Fatalf("imported %v", kinds)
	}
	s := open(t, dir)
	if m := s.Payer().PTP().Meta(); m.Version != "2026-10-01" || m.Source != "NCCI PTP practitioner" {
		t.Errorf("PTP in use: %+v", m)
	}
	if pair, ok := s.Payer().PTP().Pair("43239", "43235", day("2026-11-16")); !ok || pair.Indicator != 0 {
		t.Errorf("43239/43235 from the imported table: %+v %v", pair, ok)
	}
	// Stale no more: the PTP, MUE and add-on tables are this quarter's.
	for _, w := range s.Stale(day("2026-11-30")) {
		if strings.Contains(w, "NCCI PTP") || strings.Contains(w, "NCCI MUE") {
			t.Errorf("stale after the import: %s", w)
		}
	}
}

// A zip as CDC ships it: members read, readmes skipped, the zip kept.
func TestImportZip(t *testing.T) {
	dir := t.TempDir()
	zpath := filepath.Join(t.TempDir(), "icd10cm-Code Descriptions-2028.zip")
	order, _ := os.ReadFile(testdata("icd10cm-order-2028-excerpt.txt"))
	writeZip(t, zpath, map[string][]byte{
		"icd10cm-order-2028.txt":      order,
		"icd10cm-order-2028-read.txt": []byte("Read me first.\n"),
		"__MACOSX/._x":                []byte("junk"),
	})
	res := mustImport(t, dir, Options{}, zpath)
	rec := res.Imported[0]
	if rec.Name != "FY2028" || rec.Files[0].Member != "icd10cm-order-2028.txt" || len(res.Skipped) != 1 {
		t.Errorf("zip import %+v skipped %v", rec, res.Skipped)
	}
	if _, err := os.Stat(filepath.Join(codesets.ImportDir(dir, rec.ID), "source", filepath.Base(zpath))); err != nil {
		t.Errorf("the zip is not kept: %v", err)
	}
}

func writeZip(t *testing.T, path string, members map[string][]byte) {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range members {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	zw.Close()
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Malformed files are refused with the file, line and field, and nothing
// in the data directory changes.
func TestMalformedFilesRefused(t *testing.T) {
	order, _ := os.ReadFile(testdata("icd10cm-order-2028-excerpt.txt"))
	lines := strings.SplitAfter(string(order), "\n")
	edit := func(f func(ls []string) []string) []byte {
		ls := f(append([]string(nil), lines...))
		return []byte(strings.Join(ls, ""))
	}
	renumber := func(ls []string) []string {
		n := 0
		for i, l := range ls {
			if len(l) > 5 {
				n++
				ls[i] = fmt.Sprintf("%05d", n) + l[5:]
			}
		}
		return ls
	}
	hcpcs, _ := os.ReadFile(testdata("HCPC2026_JAN_ANWEB_excerpt.txt"))
	hl := strings.SplitAfter(string(hcpcs), "\n")
	addenda, _ := os.ReadFile(testdata("icd10cm-order-addenda-2025-excerpt.txt"))
	order25, _ := os.ReadFile(testdata("icd10cm-order-2025-excerpt.txt"))
	for _, tc := range []struct {
		name  string
		files map[string][]byte
		want  []string
	}{
		{"billable flag 2", map[string][]byte{"icd10cm-order-2028.txt": edit(func(ls []string) []string {
			ls[1] = ls[1][:14] + "2" + ls[1][15:]
			return ls
		})}, []string{`"icd10cm-order-2028.txt" line 2 field billable flag`, `"2"`}},
		{"header without codes", map[string][]byte{"icd10cm-order-2028.txt": edit(func(ls []string) []string {
			return renumber(append(ls[:1], ls[5:]...)) // A00 loses A00.0, A00.1, A00.9
		})}, []string{"line 1 field billable flag", "A00 is a header (flag 0) with no code under it"}},
		{"billable code with a code under it", map[string][]byte{"icd10cm-order-2028.txt": edit(func(ls []string) []string {
			ls[0] = ls[0][:14] + "1" + ls[0][15:]
			return ls
		})}, []string{"line 2 field code", "billable code must be a leaf"}},
		{"duplicate code", map[string][]byte{"icd10cm-order-2028.txt": edit(func(ls []string) []string {
			return renumber(append(ls[:3], append([]string{ls[2]}, ls[3:]...)...))
		})}, []string{"line 4 field code", "A00.1 already on line 3"}},
		{"order numbers with a gap", map[string][]byte{"icd10cm-order-2028.txt": edit(func(ls []string) []string { return append(ls[:2], ls[3:]...) })},
			[]string{"line 3 field order number", "4, want 3"}},
		{"addenda totals do not match", map[string][]byte{"icd10cm-order-2025.txt": order25,
			"icd10cm-order-addenda-2025.txt": bytes.Replace(addenda, []byte("96 codes in icd10cm_order_2025"), []byte("97 codes in icd10cm_order_2025"), 1)},
			[]string{"summary says 32 headers and 97 codes", "has 32 and 96"}},
		{"HCPCS date", map[string][]byte{"HCPC2026_JAN_ANWEB.txt": []byte(strings.Replace(string(hcpcs), "20251001", "20251341", 1))},
			[]string{`"HCPC2026_JAN_ANWEB.txt" line`, "field date added", "20251341"}},
		{"HCPCS continuation alone", map[string][]byte{"HCPC2026_JAN_ANWEB.txt": []byte(hl[3] + hl[0])},
			[]string{"line 1 field record id", "does not follow its first line"}},
		{"HCPCS terminal escape", map[string][]byte{"HCPC2026_JAN_ANWEB.txt": []byte(strings.Replace(string(hcpcs), "Cohealyx", "\x1b[2Jealy", 1))},
			[]string{"field long description", "control character"}},
		{"not a file codebench imports", map[string][]byte{"notes.txt": []byte("Dear coder,\nhello\n")}, []string{`"notes.txt" is no file codebench imports`}},
		{"release already loaded", map[string][]byte{"icd10cm-order-2027.txt": order}, []string{"ICD-10-CM FY2027 is already loaded (embedded)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, in := t.TempDir(), t.TempDir()
			var paths []string
			for name, data := range tc.files {
				p := filepath.Join(in, name)
				os.WriteFile(p, data, 0o644)
				paths = append(paths, p)
			}
			_, err := Import(dir, open(t, dir), paths, Options{Now: fixedNow})
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			nothingChanged(t, dir, 0)
		})
	}
}

// Zips that no publisher ships are refused before anything is read.
func TestZipsRefused(t *testing.T) {
	dir, in := t.TempDir(), t.TempDir()
	xlsx := filepath.Join(in, "HCPC2026_JAN_ANWEB.xlsx")
	writeZip(t, xlsx, map[string][]byte{"[Content_Types].xml": []byte("<Types/>"), "xl/workbook.xml": []byte("<workbook/>")})
	nested := filepath.Join(in, "nested.zip")
	var inner bytes.Buffer
	zw := zip.NewWriter(&inner)
	w, _ := zw.Create("a.txt")
	w.Write([]byte("x"))
	zw.Close()
	writeZip(t, nested, map[string][]byte{"inner.zip": inner.Bytes()})
	bomb := filepath.Join(in, "bomb.zip")
	writeZip(t, bomb, map[string][]byte{"icd10cm-order-2028.txt": bytes.Repeat([]byte("0"), 8<<20)})
	empty := filepath.Join(in, "empty.zip")
	writeZip(t, empty, map[string][]byte{})
	for path, want := range map[string]string{
		xlsx: "is an Excel workbook", nested: "a zip inside the zip", bomb: "zip bomb", empty: "an empty zip",
	} {
		_, err := Import(dir, open(t, dir), []string{path}, Options{Now: fixedNow})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", filepath.Base(path), err, want)
		}
	}
	nothingChanged(t, dir, 0)
}

// The same file twice, or a second file of one release: refused, the
// first import intact.
func TestImportOnce(t *testing.T) {
	dir := t.TempDir()
	first := mustImport(t, dir, Options{}, testdata("HCPC2026_JAN_ANWEB_excerpt.txt")).Imported[0]
	_, err := Import(dir, open(t, dir), []string{testdata("HCPC2026_JAN_ANWEB_excerpt.txt")}, Options{Now: fixedNow})
	if err == nil || !strings.Contains(err.Error(), "HCPCS Level II 2026 January is already loaded") {
		t.Errorf("second import: %v", err)
	}
	nothingChanged(t, dir, 1)
	if open(t, dir).HCPCSRelease().Source.Name != "import:"+first.ID {
		t.Error("the first import is no longer in use")
	}
}

// data status lists every release and table, which applies today, and
// what is out of date.
func TestStatus(t *testing.T) {
	dir := t.TempDir()
	mustImport(t, dir, Options{}, testdata("icd10cm-order-2028-excerpt.txt"))
	s := open(t, dir)
	rep, err := Status(dir, s, day("2026-11-30"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep.WriteText(&b)
	text := b.String()
	for _, want := range []string{
		"* ICD-10-CM FY2027", "2026-10-01 to 2027-09-30", "in force today",
		"ICD-10-CM FY2026", "for earlier dates of service",
		"ICD-10-CM FY2028", "for later dates of service", "icd10cm-FY2028-",
		"HCPCS Level II 2025 October", "NCCI PTP practitioner 2024-07-01",
		"sha256 cba060022fe3", // the embedded FY2027 order file (PROVENANCE.md section 10)
		"the HCPCS Level II file in use, 2025 October, is 4 quarters old",
		"NCCI PTP practitioner 2024-07-01 (effective 2024-07-01) is 9 quarters old",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("status lacks %q:\n%s", want, text)
		}
	}
	// Past the newest release.
	rep, _ = Status(dir, s, day("2028-10-02"))
	if len(rep.Warnings) == 0 || !strings.Contains(rep.Warnings[0], "past the end of the newest ICD-10-CM release, FY2028") {
		t.Errorf("warnings %v", rep.Warnings)
	}
}

func testSet(tb testing.TB) *codesets.Set {
	tb.Helper()
	s, err := codesets.Embedded()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func gunzipAll(data []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
