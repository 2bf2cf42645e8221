package fees

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codebench/encounter"
)

const good = `code,modifier,amount,effective_from,effective_to,payer
99213,,125.00,2026-01-01,2026-12-31,
99213,,110.50,2026-01-01,,06102
99213,25,135,2026-01-01,2026-12-31,
20610,50,300.00,2026-01-01,,
20610,RT,150.00,2026-01-01,,
J3420,,12.75,2025-10-01,,
`

func parse(t *testing.T, s string) *Schedule {
	t.Helper()
	sc, err := Parse(strings.NewReader(s), "fees.csv")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestLookup(t *testing.T) {
	s := parse(t, good)
	d := encounter.NewDate(2026, 3, 2)
	for _, tc := range []struct {
		code  string
		mods  []string
		payer string
		date  encounter.Date
		want  int64
	}{
		{"99213", nil, "87726", d, 12500},
		{"99213", nil, "06102", d, 11050},                         // the payer's own fee first
		{"99213", []string{"25"}, "87726", d, 13500},              // a modifier's row before the plain one
		{"99213", []string{"25"}, "06102", d, 11050},              // the payer's fee before a general modifier row
		{"20610", []string{"RT", "50"}, "", d, 15000},             // the line's first modifier wins
		{"99213", nil, "87726", encounter.NewDate(2027, 1, 1), 0}, // after effective_to
		{"J3420", nil, "", encounter.NewDate(2025, 9, 30), 0},     // before effective_from
		{"99214", nil, "", d, 0},
	} {
		f, ok := s.Lookup(tc.code, tc.mods, tc.payer, tc.date)
		if ok != (tc.want != 0) || f.Amount != tc.want {
			t.Errorf("%s %v %s %s: %d %v, want %d", tc.code, tc.mods, tc.payer, tc.date, f.Amount, ok, tc.want)
		}
	}
}

func TestFill(t *testing.T) {
	s := parse(t, good)
	enc := &encounter.Encounter{Service: encounter.DateRange{From: encounter.NewDate(2026, 3, 2)}, Coverage: encounter.Coverage{PayerID: "87726"},
		Lines: []encounter.ServiceLine{{Code: "99213", Units: 1}, {Code: "J3420", Units: 3}, {Code: "99214", Units: 1}, {Code: "20610", Units: 1, Charge: 999}}}
	filled, missing := s.Fill(enc)
	if len(filled) != 2 || enc.Lines[0].Charge != 12500 || enc.Lines[1].Charge != 3825 || enc.Lines[3].Charge != 999 {
		t.Fatalf("filled %+v lines %+v", filled, enc.Lines)
	}
	if len(missing) != 1 || missing[0] != "99214" || enc.TotalCharge() != 12500+3825+999 {
		t.Fatalf("missing %v total %d", missing, enc.TotalCharge())
	}
}

// TestParseErrors: the whole file is checked; each problem names the line
// and field.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, csv, want string }{
		{"empty", "", "empty file"},
		{"unknown column", "code,price,effective_from\n", `field price: unknown column`},
		{"missing column", "code,effective_from\n99213,2026-01-01\n", "field amount: required column missing"},
		{"bad code", "code,amount,effective_from\n9921,10,2026-01-01\n", `fees.csv:2: field code: "9921" is not a CPT or HCPCS code`},
		{"bad amount", "code,amount,effective_from\n99213,ten,2026-01-01\n", `fees.csv:2: field amount: "ten"`},
		{"zero amount", "code,amount,effective_from\n99213,0,2026-01-01\n", "a fee is more than 0"},
		{"bad date", "code,amount,effective_from\n99213,10,01/01/2026\n", `fees.csv:2: field effective_from: "01/01/2026" is not a date`},
		{"backwards", "code,amount,effective_from,effective_to\n99213,10,2026-02-01,2026-01-01\n", "before effective_from"},
		{"overlap", "code,amount,effective_from,effective_to\n99213,10,2026-01-01,2026-06-30\n99213,12,2026-06-01,\n", "fees.csv:3: field effective_from: 99213 overlaps line 2"},
		{"bad payer", "code,amount,effective_from,payer\n99213,10,2026-01-01,A*B\n", "field payer"},
		{"too many fields", "code,amount,effective_from\n99213,10,2026-01-01,x\n", "4 fields; the header has 3"},
		{"quote", "code,amount,effective_from\n\"99213,10,2026-01-01\n", "fees.csv:2"},
		{"binary", "code,amount\x00", "binary"},
		{"only header", "code,amount,effective_from\n", "no fees"},
	} {
		_, err := Parse(strings.NewReader(tc.csv), "fees.csv")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// Every bad row is listed, not only the first.
	_, err := Parse(strings.NewReader("code,amount,effective_from\n1,1,x\n2,2,y\n"), "f.csv")
	if err == nil || strings.Count(err.Error(), "\n") < 3 {
		t.Errorf("not every problem listed: %v", err)
	}
}

func TestImportAndLoad(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Load(dir); err != ErrNone {
		t.Fatalf("before import: %v", err)
	}
	m, err := Import(dir, "/tmp/practice-fees-2026.csv", []byte(good), "2026-01", time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if m.Rows != 6 || len(m.SHA256) != 64 || m.Source != "practice-fees-2026.csv" {
		t.Fatalf("meta %+v", m)
	}
	s, m2, err := Load(dir)
	if err != nil || s.Rows() != 6 || m2 != m {
		t.Fatalf("load: %v %+v", err, m2)
	}
	fi, _ := os.Stat(filepath.Join(dir, Dir, scheduleFile))
	di, _ := os.Stat(filepath.Join(dir, Dir))
	if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
		t.Fatalf("modes %v %v", fi.Mode(), di.Mode())
	}
	// A bad file changes nothing.
	if _, err := Import(dir, "bad.csv", []byte("code,amount,effective_from\n99213,x,2026-01-01\n"), "2026-02", time.Now()); err == nil {
		t.Fatal("bad file imported")
	}
	if _, m3, _ := Load(dir); m3.Version != "2026-01" {
		t.Fatalf("after a refused import: %+v", m3)
	}
	if _, err := Import(dir, "x.csv", []byte(good), "bad/version", time.Now()); err == nil {
		t.Fatal("bad version accepted")
	}
	// A damaged file is refused at load.
	os.WriteFile(filepath.Join(dir, Dir, scheduleFile), []byte(strings.Replace(good, "125.00", "225.00", 1)), 0o600)
	if _, _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "SHA-256") {
		t.Fatalf("damaged schedule: %v", err)
	}
}

// FuzzParse: the parser never panics, and a schedule it accepts answers
// lookups.
func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("code,amount,effective_from\n\"99213\",10,2026-01-01\n"))
	f.Add([]byte("\xef\xbb\xbfcode,amount,effective_from\r\n99213,10,2026-01-01\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(strings.NewReader(string(data)), "fuzz.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		if s.Rows() == 0 {
			t.Fatal("accepted a schedule without fees")
		}
		s.Lookup("99213", []string{"25"}, "x", encounter.NewDate(2026, 1, 1))
	})
}
