package payer

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func meta(source string) Meta {
	return Meta{Source: source, Version: "test", Effective: date("2024-07-01")}
}

func src(name, text string) Source { return Source{Name: name, R: strings.NewReader(text)} }

func TestParsePTPCMSLayout(t *testing.T) {
	ptp, err := ParsePTP(meta("NCCI PTP practitioner"), open2(t, "ccipra-excerpt-f1.txt"), open2(t, "ccipra-excerpt-f2.txt"))
	if err != nil {
		t.Fatal(err)
	}
	m := ptp.Meta()
	if m.Rows != 6 || m.File != "ccipra-excerpt-f1.txt, ccipra-excerpt-f2.txt" || len(m.SHA256) != 64 || m.Kind != KindPTP {
		t.Errorf("meta %+v", m)
	}
	for _, c := range []struct {
		c1, c2, on string
		ind        int
		found      bool
	}{
		{"43239", "43235", "2026-02-03", 0, true},
		{"93000", "93010", "2026-02-03", 1, true},
		{"G0463", "99213", "2013-12-31", 0, false}, // before its effective date
		{"G0463", "99213", "2014-01-01", 1, true},
		{"0007U", "0328U", "2022-06-30", 0, false},
		{"0007U", "0328U", "2023-06-30", 0, true},
		{"0007U", "0328U", "2023-07-01", 1, true},
	} {
		e, ok := ptp.Pair(c.c1, c.c2, date(c.on))
		if ok != c.found || ok && e.Indicator != c.ind {
			t.Errorf("%s/%s on %s: %+v %v", c.c1, c.c2, c.on, e, ok)
		}
	}
	e, _ := ptp.Pair("43239", "43235", dos)
	if e.Effective.String() != "1996-01-01" || e.Rationale != "CPT Separate procedure definition" {
		t.Errorf("43239/43235: %+v", e)
	}
}

func TestParsePTPCSVLayout(t *testing.T) {
	ptp, err := ParsePTP(meta("NCCI PTP practitioner"), src("ptp.csv", `"column_1","column_2","deletion_date","modifier_indicator","rationale"
"43239","43235","9999-12-31",0,"CPT Separate procedure definition"
"0001A","0591T","2023-12-31",1,"CPT Manual or CMS manual coding instruction"
`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ptp.Pair("0001A", "0591T", dos); ok {
		t.Error("deleted pair applies")
	}
	if e, ok := ptp.Pair("43239", "43235", dos); !ok || e.Indicator != 0 {
		t.Errorf("43239/43235: %+v", e)
	}
}

// parseErr parses and returns the error text, failing when there is none.
func parseErr(t *testing.T, parse func() error) string {
	t.Helper()
	err := parse()
	if err == nil {
		t.Fatal("accepted")
	}
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("not an Errors list: %T %v", err, err)
	}
	return err.Error()
}

func TestParseErrorsNameFileLineAndField(t *testing.T) {
	head := "notice\r\nColumn 1\tColumn 2\r\n"
	cases := []struct {
		name, text string
		want       []string
	}{
		{"indicator", head + "43239\t43235\t*\t19960101\t*\t7\tx\r\n", []string{"f1.txt: line 3: field \"Modifier\"", `got "7"`}},
		{"code", head + "43239\t4323\t*\t19960101\t*\t0\tx\r\n", []string{"line 3", `field "Column 2"`, `"4323"`}},
		{"date", head + "43239\t43235\t*\t19961301\t*\t0\tx\r\n", []string{"line 3", `field "Effective Date"`}},
		{"fields", head + "43239\t43235\t*\t19960101\t*\t0\tx\r\n43239\t43235\r\n", []string{"line 4", "2 tab-separated fields"}},
		{"control", head + "43239\t43235\t*\t19960101\t*\t0\tbad\x1b[31m\r\n", []string{"line 3", "control character"}},
		{"not a PTP file", "hello\nworld\n", []string{"f1.txt", "not an NCCI PTP file"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg := parseErr(t, func() error { _, err := ParsePTP(meta("p"), src("f1.txt", c.text)); return err })
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q lacks %q", msg, w)
				}
			}
		})
	}
	// Twenty problems are listed, then a count of the rest.
	var b strings.Builder
	b.WriteString(head)
	for i := 0; i < 30; i++ {
		b.WriteString("43239\t43235\t*\t19960101\t*\t5\tx\n")
	}
	msg := parseErr(t, func() error { _, err := ParsePTP(meta("p"), src("f1.txt", b.String())); return err })
	if n := strings.Count(msg, "\n") + 1; n != 21 || !strings.Contains(msg, "stopped reading after 20 problems") {
		t.Errorf("%d lines: %s", n, msg)
	}
}

func TestParseMUECMSLayout(t *testing.T) {
	mue, err := ParseMUE(meta("NCCI MUE practitioner"), open2(t, "mue-excerpt.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]MUERow{
		"J1100": {"J1100", 120, 3, "Clinical: Data"},
		"A0425": {"A0425", 250, 1, "Clinical: Data"},
		"11042": {"11042", 1, 2, "Code Descriptor / CPT Instruction"},
		"G0463": {"G0463", 0, 3, "CMS Policy"},
	} {
		if got, _ := mue.Lookup(code); got != want {
			t.Errorf("%s: %+v", code, got)
		}
	}
	msg := parseErr(t, func() error {
		_, err := ParseMUE(meta("m"), src("mue.csv", "hcpcs_code,mue_units,mue_mai,mue_rationale\nJ1100,120,3,x\nJ1100,100,3,x\n99213,two,3,x\n99214,1,4,x\n"))
		return err
	})
	for _, w := range []string{"mue.csv: line 3", "already listed on line 2", "line 4: field \"MUE Value\"", `"two"`, "line 5: field \"MUE Adjudication Indicator\""} {
		if !strings.Contains(msg, w) {
			t.Errorf("%q lacks %q", msg, w)
		}
	}
}

func TestParseAddOnCMSLayout(t *testing.T) {
	aoc, err := ParseAddOn(meta("NCCI add-on code edits"), open2(t, "aoc-excerpt.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := aoc.Lookup("11045", dos); e.Type != 1 || !reflect.DeepEqual(e.Primaries, []string{"11042"}) {
		t.Errorf("11045: %+v", e)
	}
	if e, _ := aoc.Lookup("99417", dos); !reflect.DeepEqual(e.Primaries, []string{"99205", "99215"}) {
		t.Errorf("99417 in 2026: %+v", e)
	}
	if e, _ := aoc.Lookup("99417", date("2022-06-01")); !reflect.DeepEqual(e.Primaries, []string{"99205", "99215", "99245"}) {
		t.Errorf("99417 in 2022: %+v", e)
	}
	if e, ok := aoc.Lookup("0054T", dos); !ok || e.Type != 2 || e.Primaries != nil {
		t.Errorf("0054T: %+v", e)
	}
	msg := parseErr(t, func() error {
		_, err := ParseAddOn(meta("a"), src("aoc.csv", "primary_code,add_on_code,aoc_edit_type\n11042,11045,1\n11043,11045,3\n11042,11046,IV\n"))
		return err
	})
	for _, w := range []string{"aoc.csv: line 3: field \"AOC Edit Type\"", "type 1 on an earlier line", "line 4", `"IV"`} {
		if !strings.Contains(msg, w) {
			t.Errorf("%q lacks %q", msg, w)
		}
	}
}

func TestParsePFSCMSLayout(t *testing.T) {
	pfs, err := ParsePFS(meta("Medicare PFS indicators"), open2(t, "pprrvu-excerpt.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if pfs.Len() != 7 {
		t.Errorf("%d rows", pfs.Len())
	}
	want := PFSRow{Code: "27447", Status: 'A', PCTC: '0', Global: "090", MultProc: '2', Bilateral: '1', Assistant: '2', CoSurgeon: '1', Team: '0', NonFacilityNA: true}
	if got, _ := pfs.Lookup("27447", ""); got != want {
		t.Errorf("27447: %+v", got)
	}
	if got, _ := pfs.Lookup("96372", ""); !got.FacilityNA || got.PCTC != '5' {
		t.Errorf("96372: %+v", got)
	}
	if got, _ := pfs.Lookup("99243", ""); got.Status != 'I' || !got.NotForMedicare {
		t.Errorf("99243: %+v", got)
	}
	if got, ok := pfs.Lookup("71046", "26"); !ok || got.FacilityNA {
		t.Errorf("71046-26: %+v", got)
	}
	bad := strings.Replace(readFixture(t, "pprrvu-excerpt.csv"), `"090"`, `"091"`, 1)
	msg := parseErr(t, func() error { _, err := ParsePFS(meta("p"), src("rvu.csv", bad)); return err })
	if !strings.Contains(msg, "rvu.csv: line 5: field \"GLOB DAYS\"") || !strings.Contains(msg, `"091"`) {
		t.Error(msg)
	}
}

func TestParseMCELayouts(t *testing.T) {
	mce, err := ParseMCE(meta("MCE"), open2(t, "mce-excerpt.csv"), MCEOptions{Universe: []string{"O80", "O82", "A33", "N400", "N401"}})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := mce.Lookup("O80"); f != MCEMaternity|MCEFemale {
		t.Errorf("O80: %v", f)
	}
	if a, _ := mce.Ages(MCEMaternity); a != (AgeRange{9, 64}) {
		t.Errorf("maternity ages %v", a)
	}
	if a, ok := mce.Ages(MCENewborn); !ok || a != (AgeRange{0, 0}) {
		t.Errorf("newborn ages %v %v", a, ok)
	}
	// O80.11 is newer than the lists: every O80 code they knew is
	// maternity and female. N40.1 was known and is on no list, so the
	// N40 codes share nothing.
	if f, o := mce.Lookup("O8011"); o != ByCategory || f != MCEMaternity|MCEFemale {
		t.Errorf("O80.11: %v origin %d", f, o)
	}
	if f, o := mce.Lookup("N4011"); o != NotListed || f != 0 {
		t.Errorf("N40.11: %v origin %d", f, o)
	}
	simple := "MCE_Version\tICD_Version\tMCE_Section\tMCE_Subsection\tMCE_Edit_Type\tICD_Code_Type\tICD_Code\tICD_Desc\n" +
		"37\t10\t9\t\tPrincipal_Unacceptable\tD\tZ3A01\tLess than 8 weeks gestation of pregnancy\n" +
		"37\t10\t4\tC\tMaternity_Only\tD\tO80\tEncounter for full-term uncomplicated delivery\n" +
		"37\t10\t5\tB\tFemale_Only\tP\t0UT90ZZ\tResection of Uterus\n"
	p, err := ParseMCE(Meta{Source: "MCE", Version: "v37", Effective: date("2019-10-01")}, src("mce37.txt", simple), MCEOptions{Lists: MCEUnacceptablePrincipal})
	if err != nil {
		t.Fatal(err)
	}
	if p.Meta().Kind != KindMCEPrincipal || p.Len() != 1 {
		t.Errorf("principal list: %+v %d", p.Meta(), p.Len())
	}
	msg := parseErr(t, func() error {
		_, err := ParseMCE(meta("m"), src("mce.csv", "icd_code,icd_description,icd_conflict_group,icd_conflict_rule\nO80,x,Age,Maternity (Ages 9-64)\nO82,x,Age,Maternity (Ages 12-55)\nE11,x,Other,Diabetic Only\n"), MCEOptions{})
		return err
	})
	for _, w := range []string{"mce.csv: line 3", "differ from 9-64 on line 2", "line 4", `unknown MCE list "Diabetic Only"`} {
		if !strings.Contains(msg, w) {
			t.Errorf("%q lacks %q", msg, w)
		}
	}
}

func TestHostileInputRefused(t *testing.T) {
	long := strings.Repeat("A", 1<<20)
	for name, text := range map[string]string{
		"binary":      "\x00\x01\x02\xff\xfe",
		"long line":   long,
		"empty":       "",
		"only header": "column_1,column_2,modifier_indicator\n",
	} {
		if _, err := ParsePTP(meta("p"), src(name, text)); err == nil {
			t.Errorf("PTP %s accepted", name)
		}
		if _, err := ParseMUE(meta("m"), src(name, text)); err == nil {
			t.Errorf("MUE %s accepted", name)
		}
		if _, err := ParseAddOn(meta("a"), src(name, text)); err == nil {
			t.Errorf("add-on %s accepted", name)
		}
		if _, err := ParsePFS(meta("f"), src(name, text)); err == nil {
			t.Errorf("PFS %s accepted", name)
		}
		if _, err := ParseMCE(meta("c"), src(name, text), MCEOptions{}); err == nil {
			t.Errorf("MCE %s accepted", name)
		}
	}
	if _, err := ParsePTP(Meta{Source: "x"}, open2(t, "ccipra-excerpt-f1.txt")); err == nil {
		t.Error("a table without version and effective date built")
	}
}

func readFixture(t *testing.T, name string) string {
	t.Helper()
	s := open2(t, name)
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := s.R.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}
