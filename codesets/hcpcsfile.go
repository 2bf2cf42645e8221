package codesets

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// The HCPCS Level II quarterly file (HCPCyyyy_MON_ANWEB, CMS) comes as
// fixed-width text, one record of 320 characters per line (1-based
// columns, CMS record layout):
//
//	1-5     code (a modifier is right-aligned in 4-5)
//	6-10    sequence number
//	11      record id: 3 first line of a code, 4 its continuation,
//	        7 first line of a modifier, 8 its continuation
//	12-91   long description (continued on lines 4/8)
//	92-119  short description                  (first lines only, as below)
//	230     coverage code
//	257-259 BETOS
//	269-276 date added, 277-284 action effective date, 285-292 termination
//	        date (YYYYMMDD)
//	293     action code
//
// or as the spreadsheet CMS publishes beside it, saved as tab-separated
// text with its header row (HCPC, SEQNUM, RECID, LONG DESCRIPTION, ...).
// ParseHCPCS reads either and checks the whole file.

// HCPCSRecord is one code or modifier of a HCPCS file.
type HCPCSRecord struct {
	Line                         int // line of its first record
	Code                         string
	Modifier                     bool
	Long, Short                  string
	Added, Effective, Terminated time.Time
	Action, BETOS, Coverage      string
}

// MaxHCPCSFileSize bounds a HCPCS file read from outside (the official
// fixed-width file is about 6 MB).
const MaxHCPCSFileSize = 64 << 20

// ParseHCPCS reads a HCPCS Level II file, fixed-width or tab-separated.
func ParseHCPCS(r io.Reader, name string) ([]HCPCSRecord, error) {
	// A row of the spreadsheet holds the whole long description and 48
	// columns; a fixed-width record is 320 characters.
	lines, err := readLines(r, name, MaxHCPCSFileSize, 16<<10)
	if err != nil {
		return nil, err
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		return nil, fileErr(name, 0, "", "empty file")
	}
	var recs []HCPCSRecord
	if strings.HasPrefix(lines[0], "HCPC\t") {
		recs, err = hcpcsTabbed(lines, name)
	} else {
		recs, err = hcpcsFixed(lines, name)
	}
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	for _, rec := range recs {
		key := rec.Code
		if rec.Modifier {
			key = "mod " + key
		}
		if prev, dup := seen[key]; dup {
			return nil, fileErr(name, rec.Line, "code", "%s already on line %d", rec.Code, prev)
		}
		seen[key] = rec.Line
	}
	if len(recs) == 0 {
		return nil, fileErr(name, 0, "", "no HCPCS codes found")
	}
	return recs, nil
}

// hcpcsCode checks a code's shape: a letter and four digits, or a
// two-character modifier.
func hcpcsCode(code string, modifier bool) bool {
	if modifier {
		return len(code) == 2 && (isDigit(code[0]) || isUpper(code[0])) && (isDigit(code[1]) || isUpper(code[1]))
	}
	return len(code) == 5 && isUpper(code[0]) && isDigits(code[1:])
}

// col cuts columns [from, to) of a fixed-width line, blank past its end.
func col(line string, from, to int) string {
	if from >= len(line) {
		return ""
	}
	return strings.TrimSpace(line[from:min(to, len(line))])
}

func hcpcsFixed(lines []string, name string) ([]HCPCSRecord, error) {
	var out []HCPCSRecord
	lastSeq := ""
	for i, line := range lines {
		n := i + 1
		if len(line) < 12 {
			return nil, fileErr(name, n, "", "%d characters, want the fixed-width HCPCS record (code, sequence, record id, description): %s", len(line), Quote(line, 60))
		}
		if len(line) > 400 {
			return nil, fileErr(name, n, "", "%d characters, longer than a HCPCS record (320)", len(line))
		}
		code, seq, ric := strings.TrimSpace(line[0:5]), line[5:10], line[10]
		if !isDigits(seq) {
			return nil, fileErr(name, n, "sequence number", "%s is not 5 digits", Quote(seq, 10))
		}
		desc := col(line, 11, 91)
		switch ric {
		case '3', '7':
			rec, err := hcpcsFirst(line, name, n, code, ric == '7')
			if err != nil {
				return nil, err
			}
			out = append(out, rec)
		case '4', '8':
			if len(out) == 0 || out[len(out)-1].Code != code || out[len(out)-1].Modifier != (ric == '8') {
				return nil, fileErr(name, n, "record id", "continuation of %s does not follow its first line", Quote(code, 10))
			}
			if seq <= lastSeq {
				return nil, fileErr(name, n, "sequence number", "%s does not follow %s", seq, lastSeq)
			}
			if desc != "" {
				out[len(out)-1].Long += " " + desc
			}
		default:
			return nil, fileErr(name, n, "record id", "%s, want 3, 4, 7 or 8", Quote(string(ric), 4))
		}
		lastSeq = seq
	}
	for i := range out {
		if err := checkText(name, out[i].Line, out[i].Code, out[i].Long, out[i].Short); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// hcpcsFirst reads the first line of a code's record.
func hcpcsFirst(line, name string, n int, code string, modifier bool) (HCPCSRecord, error) {
	rec := HCPCSRecord{Line: n, Code: code, Modifier: modifier, Long: col(line, 11, 91), Short: col(line, 91, 119),
		Coverage: col(line, 229, 230), BETOS: col(line, 256, 259), Action: col(line, 292, 293)}
	if !hcpcsCode(code, modifier) {
		what := "a HCPCS Level II code (a letter and 4 digits)"
		if modifier {
			what = "a modifier (2 letters or digits)"
		}
		return rec, fileErr(name, n, "code", "%s is not %s", Quote(code, 10), what)
	}
	var err error
	for _, d := range []struct {
		field    string
		from, to int
		dst      *time.Time
	}{{"date added", 268, 276, &rec.Added}, {"action effective date", 276, 284, &rec.Effective}, {"termination date", 284, 292, &rec.Terminated}} {
		if *d.dst, err = hcpcsDate(col(line, d.from, d.to)); err != nil {
			return rec, fileErr(name, n, d.field, "%v", err)
		}
	}
	return rec, checkDates(name, n, rec)
}

func hcpcsDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if len(s) != 8 || !isDigits(s) {
		return time.Time{}, fmt.Errorf("%s is not a date as YYYYMMDD", Quote(s, 12))
	}
	t, err := time.Parse("20060102", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is not a date", Quote(s, 12))
	}
	return t, nil
}

// checkDates refuses a code that ends before it starts.
func checkDates(name string, n int, rec HCPCSRecord) error {
	if !rec.Added.IsZero() && !rec.Terminated.IsZero() && rec.Terminated.Before(rec.Added) {
		return fileErr(name, n, "termination date", "%s is before the date added, %s", rec.Terminated.Format(time.DateOnly), rec.Added.Format(time.DateOnly))
	}
	return nil
}

// checkText refuses descriptions that are empty or carry control
// characters (a terminal escape in a title would reach every screen).
func checkText(name string, n int, code, long, short string) error {
	if long == "" {
		return fileErr(name, n, "long description", "empty for %s", code)
	}
	for _, f := range []struct{ field, v string }{{"long description", long}, {"short description", short}} {
		if i := strings.IndexFunc(f.v, func(r rune) bool { return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 }); i >= 0 {
			return fileErr(name, n, f.field, "control character at byte %d: %s", i, Quote(f.v, 80))
		}
	}
	return nil
}

// hcpcsTabbed reads the spreadsheet's rows saved as tab-separated text.
func hcpcsTabbed(lines []string, name string) ([]HCPCSRecord, error) {
	col := map[string]int{}
	for i, h := range strings.Split(lines[0], "\t") {
		col[strings.TrimSpace(h)] = i
	}
	for _, need := range []string{"HCPC", "RECID", "LONG DESCRIPTION", "SHORT DESCRIPTION", "ADD DT", "ACT EFF DT", "TERM DT", "ACTION CD", "BETOS", "COV"} {
		if _, ok := col[need]; !ok {
			return nil, fileErr(name, 1, need, "missing from the header row")
		}
	}
	var out []HCPCSRecord
	for i, line := range lines[1:] {
		n := i + 2
		f := strings.Split(line, "\t")
		get := func(h string) string {
			if j := col[h]; j < len(f) {
				return strings.TrimSpace(f[j])
			}
			return ""
		}
		rec := HCPCSRecord{Line: n, Code: get("HCPC"), Long: get("LONG DESCRIPTION"), Short: get("SHORT DESCRIPTION"),
			Action: get("ACTION CD"), BETOS: get("BETOS"), Coverage: get("COV")}
		switch get("RECID") {
		case "3":
		case "7":
			rec.Modifier = true
		default:
			return nil, fileErr(name, n, "RECID", "%s, want 3 (code) or 7 (modifier)", Quote(get("RECID"), 6))
		}
		if !hcpcsCode(rec.Code, rec.Modifier) {
			return nil, fileErr(name, n, "HCPC", "%s is not a HCPCS Level II code or modifier", Quote(rec.Code, 10))
		}
		var err error
		for _, d := range []struct {
			h   string
			dst *time.Time
		}{{"ADD DT", &rec.Added}, {"ACT EFF DT", &rec.Effective}, {"TERM DT", &rec.Terminated}} {
			if *d.dst, err = hcpcsDate(get(d.h)); err != nil {
				return nil, fileErr(name, n, d.h, "%v", err)
			}
		}
		if err := checkDates(name, n, rec); err != nil {
			return nil, err
		}
		if err := checkText(name, n, rec.Code, rec.Long, rec.Short); err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// hcpcsCodes turns records into codes; a code is valid from the date CMS
// added it (the action effective date stands in when that is missing).
func hcpcsCodes(recs []HCPCSRecord) (codes []*Code, modifiers map[string]*Code) {
	modifiers = map[string]*Code{}
	for _, r := range recs {
		c := &Code{System: HCPCS, Code: r.Code, Billable: true, Modifier: r.Modifier, Long: r.Long, Short: r.Short,
			ActionCode: r.Action, BETOS: r.BETOS, Coverage: r.Coverage, Effective: r.Added, Terminated: r.Terminated}
		if c.Effective.IsZero() {
			c.Effective = r.Effective
		}
		if c.Short == "" {
			c.Short = c.Long
		}
		if c.Modifier {
			modifiers[c.Code] = c
		} else {
			codes = append(codes, c)
		}
	}
	return codes, modifiers
}
