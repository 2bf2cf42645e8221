package icdtables

import (
	"strings"
	"testing"
	"time"

	"codebench/codesets"
)

func TestEmbeddedTables(t *testing.T) {
	tabs, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	neo, drug := tabs.Get(Neoplasm), tabs.Get(Drug)
	// The XML files hold 1 + 1,939 neoplasm entries and 5,179 + 2,251 drug
	// entries (PROVENANCE.md section 2).
	if len(neo.Rows) != 1940 || len(drug.Rows) != 7430 {
		t.Errorf("rows: neoplasm %d, drug %d", len(neo.Rows), len(drug.Rows))
	}
	if neo.Headings[0] != "Malignant Primary" || neo.Headings[5] != "Unspecified Behavior" || neo.RowHeading != "Neoplasm" {
		t.Errorf("neoplasm headings %q %q", neo.RowHeading, neo.Headings)
	}
	if drug.Headings[0] != "Poisoning Accidental (unintentional)" || drug.Headings[5] != "Underdosing" || drug.RowHeading != "Substance" {
		t.Errorf("drug headings %q %q", drug.RowHeading, drug.Headings)
	}
	if neo.SHA256 != "2968606b90795f5a49fa4be6b6c876fb59cae9f04e4f203f8cf566d5926303a5" || !strings.Contains(neo.Version, "2026") {
		t.Errorf("neoplasm source %s %s", neo.Version, neo.SHA256)
	}
	// A subterm's path names its parents.
	i := neo.Filter("abdomen cavity")
	if len(i) == 0 || neo.Rows[i[0]].Path != "Neoplasm, neoplastic, abdomen, abdominal, cavity" {
		t.Fatalf("abdomen cavity: %v", i)
	}
	r := neo.Rows[i[0]]
	if r.Level != 2 || r.Cells[0] != "C76.2" || r.Cells[1] != "C79.8-" || !r.Cells[1].Open() || r.Cells[1].Code() != "C798" {
		t.Errorf("abdomen cavity row: %+v", r)
	}
	// Nonessential modifiers stay in the title; empty cells are empty.
	i = drug.Filter("acetaldehyde")
	if len(i) == 0 || drug.Rows[i[0]].Title != "Acetaldehyde (vapor)" || !drug.Rows[i[0]].Cells[4].Empty() {
		t.Errorf("acetaldehyde: %+v", drug.Rows[i[0]])
	}
	if n := len(drug.Filter("")); n != len(drug.Rows) {
		t.Errorf("empty filter: %d rows", n)
	}
	if n := len(drug.Filter("zzzqqq")); n != 0 {
		t.Errorf("no match: %d rows", n)
	}
}

// A cell is checked against the release of the date of service: the
// organic solvents' T52.8X- codes are gone from FY2027.
func TestCellsResolveByRelease(t *testing.T) {
	set, err := codesets.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	tabs, _ := Embedded()
	drug := tabs.Get(Drug)
	var cell Cell
	for _, i := range drug.Filter("acetal") {
		if c := drug.Rows[i].Cells[0]; c == "T52.8X1" {
			cell = c
		}
	}
	if cell == "" {
		t.Fatal("no T52.8X1 cell")
	}
	fy26 := set.On(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	fy27 := set.On(time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC))
	if c, ok := cell.Resolve(fy26); !ok || c.Code != "T528X1" || c.Billable {
		t.Errorf("FY2026: %v %v", c, ok)
	}
	if _, ok := cell.Resolve(fy27); ok {
		t.Error("T52.8X1 found in FY2027")
	}
	if _, ok := Cell("").Resolve(fy27); ok {
		t.Error("an empty cell resolved")
	}
}

func TestParseErrors(t *testing.T) {
	good := "table\tneoplasm\tT\t2026\tf\ts\tNeoplasm\ta|b|c|d|e|f\nrow\t0\tx\t\t\t\t\t\t\t\n" +
		"table\tdrug\tT\t2026\tf\ts\tSubstance\ta|b|c|d|e|f\nrow\t0\ty\tT40.2X1\t\t\t\t\t\t\n"
	if _, err := Parse(strings.NewReader(good), "good"); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"row\t0\tx\t\t\t\t\t\t\t\n":                                                 "bad line 1: row before any table",
		"table\tneoplasm\tT\t2026\tf\ts\tNeoplasm\ta|b\n":                           "bad line 1: table: 2 column headings",
		"table\tother\tT\t2026\tf\ts\tN\ta|b|c|d|e|f\n":                             "unknown kind",
		"table\tneoplasm\tT\t2026\tf\ts\tN\ta|b|c|d|e|f\nrow\t2\tx\t\t\t\t\t\t\t\n": "bad line 2: row: level",
		"zzz\n": "unknown record",
		"table\tneoplasm\tT\t2026\tf\ts\tN\ta|b|c|d|e|f\n": "want both",
	} {
		if _, err := Parse(strings.NewReader(in), "bad"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("table\tneoplasm\tT\t2026\tf\ts\tNeoplasm\ta|b|c|d|e|f\nrow\t0\tx\t\t\t\t\t\t\t\n"))
	f.Add([]byte("row\t1\t\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tabs, err := Parse(strings.NewReader(string(data)), "fuzz")
		if err == nil {
			for _, tb := range []*Table{tabs.Neoplasm, tabs.Drug} {
				tb.Filter("a b")
			}
		}
	})
}
