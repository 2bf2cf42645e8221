package payer

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

var dos = date("2026-02-03")

// TestEmbeddedTables checks each embedded table against the counts and
// rows PROVENANCE.md verifies.
func TestEmbeddedTables(t *testing.T) {
	tabs := Embedded()
	metas, err := tabs.Metas()
	if err != nil {
		t.Fatal(err)
	}
	want := map[Kind]struct {
		cite string
		rows int
	}{
		KindPTP:          {"NCCI PTP practitioner 2024-07-01", 1676764},
		KindMUE:          {"NCCI MUE practitioner 2024-07-01", 14677},
		KindAddOn:        {"NCCI add-on code edits 2024-07-01", 7465},
		KindPFS:          {"Medicare PFS indicators RVU24C (July 2024)", 18664},
		KindMCE:          {"MCE v41.1", 7946},
		KindMCEPrincipal: {"MCE v37 (FY2020)", 2406},
	}
	for _, m := range metas {
		w := want[m.Kind]
		if m.Cite() != w.cite || m.Rows != w.rows || len(m.SHA256) != 64 || m.Effective.IsZero() {
			t.Errorf("%s: %+v, want %q with %d rows", m.Kind, m, w.cite, w.rows)
		}
	}
	if n := tabs.PTP().Len(); n != 1676764 {
		t.Errorf("PTP pairs %d", n)
	}
}

func TestPTPRealPairs(t *testing.T) {
	ptp := Embedded().PTP()
	cases := []struct {
		c1, c2 string
		on     string
		ind    int
		found  bool
	}{
		{"43239", "43235", "2026-02-03", 0, true},
		{"45385", "45378", "2026-02-03", 0, true},
		{"93000", "93010", "2026-02-03", 1, true},
		{"G0463", "99213", "2026-02-03", 1, true},
		{"99213", "G0463", "2026-02-03", 0, false},
		{"43235", "43239", "2026-02-03", 0, false},
		// Deleted 2023-06-30 (indicator 0) and replaced (indicator 1).
		{"0007U", "0328U", "2023-03-01", 0, true},
		{"0007U", "0328U", "2023-06-30", 0, true},
		{"0007U", "0328U", "2024-01-10", 1, true},
	}
	for _, c := range cases {
		e, ok := ptp.Pair(c.c1, c.c2, date(c.on))
		if ok != c.found || ok && e.Indicator != c.ind {
			t.Errorf("%s/%s on %s: %+v %v, want indicator %d found %v", c.c1, c.c2, c.on, e, ok, c.ind, c.found)
		}
	}
	e, _ := ptp.Pair("43239", "43235", dos)
	if e.Rationale != "CPT Separate procedure definition" || !e.Deleted.IsZero() {
		t.Errorf("43239/43235: %+v", e)
	}
	// A pair deleted before the date of service does not apply: 0001A/
	// 0591T was deleted 2023-12-31 and never replaced.
	if _, ok := ptp.Pair("0001A", "0591T", dos); ok {
		t.Error("0001A/0591T applies after its deletion")
	}
	if e, ok := ptp.Pair("0001A", "0591T", date("2023-12-31")); !ok || e.Deleted.String() != "2023-12-31" {
		t.Errorf("0001A/0591T on its deletion date: %+v %v", e, ok)
	}
}

func TestMUERealRows(t *testing.T) {
	mue := Embedded().MUE()
	for code, want := range map[string]MUERow{
		"J1100": {"J1100", 120, 3, "Clinical: Data"},
		"99213": {"99213", 2, 3, "Clinical: Data"},
		"G0463": {"G0463", 0, 3, "CMS Policy"},
		"L4350": {"L4350", 0, 3, "CMS Policy"},
		"A0425": {"A0425", 250, 1, "Clinical: Data"},
		"96372": {"96372", 4, 3, ""},
	} {
		got, ok := mue.Lookup(code)
		if want.Rationale == "" {
			want.Rationale = got.Rationale
		}
		if !ok || got != want {
			t.Errorf("%s: %+v, want %+v", code, got, want)
		}
	}
	if _, ok := mue.Lookup("ZZZZZ"); ok {
		t.Error("unknown code found")
	}
}

func TestAddOnRealRows(t *testing.T) {
	aoc := Embedded().AddOn()
	e, ok := aoc.Lookup("11045", dos)
	if !ok || e.Type != 1 || !reflect.DeepEqual(e.Primaries, []string{"11042"}) {
		t.Errorf("11045: %+v %v", e, ok)
	}
	if e, ok := aoc.Lookup("0054T", dos); !ok || e.Type != 2 || len(e.Primaries) != 0 {
		t.Errorf("0054T (type 2, no primary): %+v %v", e, ok)
	}
	if _, ok := aoc.Lookup("11042", dos); ok {
		t.Error("11042 is a primary, not an add-on")
	}
}

func TestPFSRealRows(t *testing.T) {
	pfs := Embedded().PFS()
	r, ok := pfs.Lookup("27447", "")
	if !ok || r.Global != "090" || r.MultProc != '2' || r.Bilateral != '1' || r.Assistant != '2' || r.CoSurgeon != '1' || !r.NonFacilityNA {
		t.Errorf("27447: %+v", r)
	}
	if r, _ := pfs.Lookup("29881", ""); r.EndoBase != "29870" {
		t.Errorf("29881 endoscopic base %q", r.EndoBase)
	}
	if r, _ := pfs.Lookup("99213", ""); r.Global != "XXX" || r.PCTC != '0' || r.Status != 'A' {
		t.Errorf("99213: %+v", r)
	}
	if r, _ := pfs.Lookup("96372", ""); !r.FacilityNA || r.PCTC != '5' {
		t.Errorf("96372: %+v", r)
	}
	if r, _ := pfs.Lookup("99243", ""); r.Status != 'I' || !r.NotForMedicare {
		t.Errorf("99243: %+v", r)
	}
	if r, ok := pfs.Lookup("71046", "26"); !ok || r.Modifier != "26" {
		t.Errorf("71046-26: %+v %v", r, ok)
	}
}

func TestMCERealRows(t *testing.T) {
	mce := Embedded().MCE()
	for code, want := range map[string]MCEFlags{
		"A33":    MCENewborn,
		"O80":    MCEMaternity | MCEFemale,
		"Z3A01":  MCEMaternity | MCEFemale,
		"C61":    MCEMale,
		"N400":   MCEAdult | MCEMale,
		"N80101": MCEFemale,
		"G01":    MCEManifestation,
	} {
		if f, o := mce.Lookup(code); o != Listed || f != want {
			t.Errorf("%s: %v (origin %d), want %v", code, f, o, want)
		}
	}
	ages := map[MCEFlags]AgeRange{MCENewborn: {0, 0}, MCEPediatric: {0, 17}, MCEMaternity: {9, 64}, MCEAdult: {15, 124}}
	for f, want := range ages {
		if got, ok := mce.Ages(f); !ok || got != want {
			t.Errorf("%v ages %v, want %v", f, got, want)
		}
	}
	// O00.121 is new in FY2027: every O00 code known to v41.1 is
	// maternity and female, so it is too, by its category.
	if f, o := mce.Lookup("O00121"); o != ByCategory || f != MCEMaternity|MCEFemale {
		t.Errorf("O00.121: %v origin %d", f, o)
	}
	// I10 is on no list; its category shares none.
	if f, o := mce.Lookup("I10"); o != NotListed || f != 0 {
		t.Errorf("I10: %v %d", f, o)
	}
	p := Embedded().MCEPrincipal()
	if f, o := p.Lookup("Z3A01"); o != Listed || f != MCEUnacceptablePrincipal {
		t.Errorf("principal Z3A.01: %v %d", f, o)
	}
}

func TestManifestation(t *testing.T) {
	mce := Embedded().MCE()
	cases := []struct {
		code, title string
		want        bool
		why         string
	}{
		{"G01", "Meningitis in bacterial diseases classified elsewhere", true, "MCE v41.1 manifestation list"},
		{"F0280", "Dementia in other diseases classified elsewhere, unspecified severity, without behavioral disturbance", true, "manifestation list"},
		{"N1831", "Chronic kidney disease, stage 3a", false, ""},
		{"Z3A32", "32 weeks gestation of pregnancy", false, ""},
		{"X9999", "Something in diseases classified elsewhere", true, "titled"},
	}
	for _, c := range cases {
		got, why := mce.Manifestation(c.code, c.title)
		if got != c.want || !strings.Contains(why, c.why) {
			t.Errorf("%s: %v %q", c.code, got, why)
		}
	}
	var none *MCE
	if ok, _ := none.Manifestation("G01", "Meningitis"); ok {
		t.Error("a nil table knows no list")
	}
}

func TestTablesWithImported(t *testing.T) {
	m := Meta{Source: "NCCI MUE practitioner", Version: "2026-10-01", Effective: date("2026-10-01")}
	mue, err := NewMUE(m, []MUERow{{"J1100", 100, 3, "Clinical: Data"}})
	if err != nil {
		t.Fatal(err)
	}
	tabs, err := Embedded().With(mue)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := tabs.MUE().Lookup("J1100"); r.Value != 100 {
		t.Errorf("imported MUE not used: %+v", r)
	}
	if got, _ := tabs.Meta(KindMUE); got.Version != "2026-10-01" {
		t.Errorf("meta %+v", got)
	}
	if r, _ := Embedded().MUE().Lookup("J1100"); r.Value != 120 {
		t.Error("With changed the embedded tables")
	}
}

// roundTrip encodes a table and decodes it again.
func roundTrip(t *testing.T, tab Table) Table {
	t.Helper()
	data, err := tab.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := ReadMeta(data); err != nil || m != tab.Meta() {
		t.Errorf("ReadMeta %+v %v, want %+v", m, err, tab.Meta())
	}
	return got
}

func TestRoundTrips(t *testing.T) {
	ptp, err := ParsePTP(Meta{Source: "NCCI PTP practitioner", Version: "test", Effective: date("2024-07-01")}, open2(t, "ccipra-excerpt-f1.txt"), open2(t, "ccipra-excerpt-f2.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got := roundTrip(t, ptp).(*PTP); !reflect.DeepEqual(got.Rows(), ptp.Rows()) {
		t.Errorf("PTP rows differ:\n%+v\n%+v", got.Rows(), ptp.Rows())
	}
	for _, tab := range []Table{Embedded().MUE(), Embedded().AddOn(), Embedded().PFS(), Embedded().MCE(), Embedded().MCEPrincipal()} {
		got := roundTrip(t, tab)
		if !reflect.DeepEqual(got, tab) {
			t.Errorf("%s differs after a round trip", tab.Meta().Kind)
		}
	}
}

func TestDamagedTablesRefused(t *testing.T) {
	good, err := EmbeddedData(KindMUE)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPTP(good); !errors.Is(err, ErrDamaged) {
		t.Errorf("a MUE table read as PTP: %v", err)
	}
	for _, bad := range [][]byte{nil, []byte("not gzip"), good[:len(good)/2]} {
		if _, err := Load(bad); !errors.Is(err, ErrDamaged) {
			t.Errorf("damaged table accepted: %v", err)
		}
	}
	// A flipped bit inside the compressed stream fails the gzip or the
	// table checksum.
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x10
	if _, err := Load(flipped); !errors.Is(err, ErrDamaged) {
		t.Errorf("flipped bit accepted: %v", err)
	}
}

func TestQuarter(t *testing.T) {
	for in, want := range map[string]string{"2026-02-03": "2026-01-01", "2026-11-30": "2026-10-01", "2024-07-01": "2024-07-01", "2024-09-30": "2024-07-01"} {
		if got := Quarter(date(in)).Format(time.DateOnly); got != want {
			t.Errorf("Quarter(%s) = %s", in, got)
		}
	}
}

func open2(t testing.TB, name string) Source {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return Source{Name: name, R: bytes.NewReader(data)}
}

// TestDamagedImportFallsBack: an imported table damaged after its import
// (its header still reads) costs its rows, not a session: the table it
// replaced is used, its metadata cited, and Problems says why.
func TestDamagedImportFallsBack(t *testing.T) {
	m := Meta{Source: "NCCI MUE practitioner", Version: "2026-10-01", Effective: date("2026-10-01")}
	mue, err := NewMUE(m, []MUERow{{"J1100", 100, 3, "Clinical: Data"}})
	if err != nil {
		t.Fatal(err)
	}
	good, _ := mue.MarshalBinary()
	tabs, err := Embedded().With()
	if err != nil {
		t.Fatal(err)
	}
	ok, err := tabs.WithData(good)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := ok.MUE().Lookup("J1100"); r.Value != 100 || len(ok.Problems()) != 0 {
		t.Fatalf("imported table not used: %+v %v", r, ok.Problems())
	}
	// Damage the table's own checksum and compress it again: the header
	// reads, the rows do not.
	zr, _ := gzip.NewReader(bytes.NewReader(good))
	raw, _ := io.ReadAll(zr)
	raw[len(raw)-1] ^= 0xff
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	bad := buf.Bytes()
	if _, err := ReadMeta(bad); err != nil {
		t.Fatalf("header: %v", err)
	}
	damaged, err := tabs.WithData(bad)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := damaged.MUE().Lookup("J1100"); r.Value != 120 {
		t.Errorf("fallback to the embedded table: %+v", r)
	}
	if got, _ := damaged.Meta(KindMUE); got.Version != "2024-07-01" {
		t.Errorf("the metadata cites the table not in use: %+v", got)
	}
	if p := damaged.Problems(); len(p) != 1 || !strings.HasPrefix(p[0], "mue: ") {
		t.Errorf("problems %v", p)
	}
}
