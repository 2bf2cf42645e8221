package payer

import (
	"strings"
)

// ParsePTP reads NCCI procedure-to-procedure edits from one or more part
// files (CMS splits the practitioner table into four). Each part is in
// either layout:
//
//   - the CMS text layout: tab-delimited, a notice and column headings
//     (wrapped over several lines) first, then one pair a line: Column 1,
//     Column 2, "*" when the pair existed before 1996, effective date
//     (YYYYMMDD), deletion date (YYYYMMDD, "*" when not deleted), modifier
//     indicator (0, 1, 9), PTP edit rationale;
//   - a CSV with a heading row naming column_1, column_2,
//     modifier_indicator and optionally deletion_date (9999-12-31 when not
//     deleted), effective_date and rationale.
//
// meta gives the table's source, version and effective date; the file
// names, their SHA-256 and the row count are filled in. Every problem is
// reported with file, line and field, and nothing is built from a file
// with one.
func ParsePTP(meta Meta, parts ...Source) (*PTP, error) {
	hs := newHashing()
	b := newPTPBuilder()
	p := &problems{}
	for _, part := range parts {
		head, r, err := peek(hs.wrap(part), 4096)
		if err != nil {
			p.add(part.Name, 0, "", "read error: %v", err)
			continue
		}
		first := strings.SplitN(string(head), "\n", 2)[0]
		if strings.Contains(normalize(first), "column1") && strings.Contains(first, ",") {
			parsePTPCSV(part.Name, newCSV(part.Name, r, ','), b, p)
		} else {
			parsePTPText(part.Name, newLines(part.Name, r), b, p)
		}
		if p.full() {
			break
		}
	}
	if len(parts) == 0 {
		p.add("(no file)", 0, "", "no PTP file given")
	} else if len(p.list) == 0 && len(b.ents) == 0 {
		p.add(parts[0].Name, 0, "", "%v: not an NCCI PTP file", ErrEmpty)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	hs.finish(&meta, KindPTP)
	return b.build(meta)
}

// ptpPreamble bounds the notice and heading lines before the first pair.
const ptpPreamble = 30

var ptpTextFields = []string{"Column 1", "Column 2", "* = in existence prior to 1996", "Effective Date", "Deletion Date", "Modifier", "PTP Edit Rationale"}

func parsePTPText(name string, ls *lines, b *ptpBuilder, p *problems) {
	started := false
	for !p.full() {
		line, ok := ls.next()
		if !ok {
			break
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if !started {
			if len(f) >= 6 && validProcedureCode(strings.TrimSpace(f[0])) {
				started = true
			} else {
				if ls.n >= ptpPreamble {
					p.add(name, ls.n, "", "no pair in the first %d lines: want tab-separated %s", ptpPreamble, strings.Join(ptpTextFields, ", "))
					return
				}
				continue
			}
		}
		a := at{p, name, ls.n}
		if len(f) < 6 || len(f) > 7 {
			a.bad("", "%d tab-separated fields; want 7 (%s)", len(f), strings.Join(ptpTextFields, ", "))
			continue
		}
		var row PTPRow
		ok1, ok2 := false, false
		row.Column1, ok1 = a.procCode("Column 1", strings.TrimSpace(f[0]))
		row.Column2, ok2 = a.procCode("Column 2", strings.TrimSpace(f[1]))
		if pre := strings.TrimSpace(f[2]); pre != "" && pre != "*" {
			a.bad(ptpTextFields[2], "want \"*\" or nothing, got %q", clip(pre))
			continue
		}
		eff, ok3 := a.date("Effective Date", strings.TrimSpace(f[3]))
		del, ok4 := a.date("Deletion Date", strings.TrimSpace(f[4]), "*", "")
		ind, ok5 := a.indicator(strings.TrimSpace(f[5]))
		rat, ok6 := a.text("PTP Edit Rationale", strings.TrimSpace(field(f, 6)))
		if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
			continue
		}
		row.Effective, row.Deleted, row.Indicator, row.Rationale = eff, del, ind, rat
		if err := b.add(row); err != nil {
			a.bad("", "%v", err)
		}
	}
	ls.err(p)
	if !started && !p.full() && ls.n < ptpPreamble {
		p.add(name, 0, "", "%v: not an NCCI PTP file (want tab-separated %s)", ErrEmpty, strings.Join(ptpTextFields, ", "))
	}
}

func (a at) indicator(s string) (int, bool) {
	switch s {
	case "0", "1", "9":
		return int(s[0] - '0'), true
	}
	a.bad("Modifier", "want the modifier indicator 0, 1 or 9, got %q", clip(s))
	return 0, false
}

func parsePTPCSV(name string, c *csvRecords, b *ptpBuilder, p *problems) {
	head, ok := c.next(p)
	if !ok {
		return
	}
	cols := columns(head)
	i1, ok1 := find(cols, "column1")
	i2, ok2 := find(cols, "column2")
	im, ok3 := find(cols, "modifierindicator", "modifier")
	if !ok1 || !ok2 || !ok3 {
		p.add(name, c.line, "", "heading row lacks column_1, column_2 or modifier_indicator")
		return
	}
	idel, _ := find(cols, "deletiondate")
	ieff, _ := find(cols, "effectivedate")
	irat, _ := find(cols, "rationale", "ptpeditrationale")
	for !p.full() {
		rec, ok := c.next(p)
		if !ok {
			return
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		a := at{p, name, c.line}
		var row PTPRow
		var oks [6]bool
		row.Column1, oks[0] = a.procCode("column_1", field(rec, i1))
		row.Column2, oks[1] = a.procCode("column_2", field(rec, i2))
		row.Indicator, oks[2] = a.indicator(field(rec, im))
		row.Deleted, oks[3] = a.date("deletion_date", field(rec, idel), "", "*")
		row.Effective, oks[4] = a.date("effective_date", field(rec, ieff), "", "*")
		row.Rationale, oks[5] = a.text("rationale", field(rec, irat))
		if oks != [6]bool{true, true, true, true, true, true} {
			continue
		}
		if err := b.add(row); err != nil {
			a.bad("", "%v", err)
		}
	}
}
