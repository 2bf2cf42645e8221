package codesets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures hold invented descriptors: real CPT descriptors are AMA
// copyright and never enter the repository.

func TestImportCPTTabFixture(t *testing.T) {
	dir := t.TempDir()
	n, err := ImportCPT("testdata/cpt_fixture.tsv", dir)
	if err != nil {
		t.Fatal(err)
	}
	if n != 18 {
		t.Errorf("imported %d codes, want 18 (header skipped)", n)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, ok := s.Lookup("99213")
	if !ok || c.DescriptorMissing || !strings.HasPrefix(c.Long, "Invented office visit") || c.Short != "Invented est visit low" {
		t.Errorf("99213 after import: %+v", c)
	}
	if c, ok := s.Lookup("0042t"); !ok || c.System != CPT || c.DescriptorMissing {
		t.Errorf("0042T: %+v", c)
	}
	if !strings.Contains(s.CPTSource, "cpt_fixture.tsv") || !strings.Contains(s.CPTSource, "sha256=") {
		t.Errorf("CPT source %q", s.CPTSource)
	}
	// The shared embedded set is unchanged.
	e, _ := Embedded()
	if c, _ := e.Lookup("99213"); !c.DescriptorMissing {
		t.Error("WithCPT changed the shared embedded set")
	}
	// Not imported: typed codes still work, marked.
	empty, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := empty.Lookup("99213"); !c.DescriptorMissing {
		t.Error("expected descriptor not loaded")
	}
}

func TestImportCPTCSVFixture(t *testing.T) {
	f, err := os.Open("testdata/cpt_fixture.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	codes, err := ParseCPT(f, "cpt_fixture.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 2 || codes[0].Long != "Invented office visit, established patient, low complexity" {
		t.Errorf("%+v", codes)
	}
}

func TestParseCPTErrorsNameFileAndField(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"bad code":     {"99213\tok\n9921\tshort code\n", "x.tsv line 2: field code"},
		"empty desc":   {"99213\t\n", "x.tsv line 1: field descriptor"},
		"duplicate":    {"99213\ta\n99213\tb\n", "x.tsv line 2: field code: 99213 already given on line 1"},
		"escape":       {"99213\tevil \x1b[2J clear\n", "x.tsv line 1: field descriptor: control character"},
		"invalid utf8": {"99213\tbad \xff\xfe\n", "x.tsv line 1: invalid UTF-8"},
		"binary":       {"\x00\x01\x02", "binary file"},
		"no separator": {"99213 descriptor only\n", "no tab or comma"},
		"empty":        {"\n\n", "no CPT codes"},
	}
	for name, tc := range cases {
		_, err := ParseCPT(strings.NewReader(tc.in), "x.tsv")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want error containing %q", name, err, tc.want)
		}
	}
}

func TestFailedImportKeepsEarlierOne(t *testing.T) {
	dir := t.TempDir()
	if _, err := ImportCPT("testdata/cpt_fixture.tsv", dir); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.tsv")
	os.WriteFile(bad, []byte("99213\tfine\nnot-a-code\tx\n"), 0o644)
	if _, err := ImportCPT(bad, dir); err == nil {
		t.Fatal("bad import accepted")
	}
	codes, _, err := LoadCPT(dir)
	if err != nil || len(codes) != 18 {
		t.Errorf("earlier import lost: %d codes, %v", len(codes), err)
	}
	if _, err := ImportCPT(dir, dir); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: %v", err)
	}
}
