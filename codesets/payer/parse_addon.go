package payer

import (
	"strings"
)

// ParseAddOn reads the NCCI add-on code edits: a CSV (or tab-separated
// text) whose heading row names the add-on code (Add-On Code,
// add_on_code), the primary code (Primary Code, primary_code; CCCCC for
// none) and the edit type (AOC Edit Type, aoc_edit_type: 1, 2, 3 or Type
// I-III), and optionally the edit's effective and deletion dates (AOC
// Edit Effective Date, AOC Edit Deletion Date). Notice lines before the
// heading are skipped.
func ParseAddOn(meta Meta, src Source) (*AddOn, error) {
	hs, p, c, err := delimited(src)
	if err != nil {
		return nil, err
	}
	cols, ok := findHeading(c, p, func(cols map[string]int) bool {
		_, a := find(cols, "addoncode")
		_, b := find(cols, "primarycode")
		return a && b
	})
	var rows []AddOnRow
	if ok {
		ia, _ := find(cols, "addoncode")
		ip, _ := find(cols, "primarycode")
		it, okt := find(cols, "aocedittype", "edittype", "type")
		ie, _ := find(cols, "aocediteffectivedate", "effectivedate")
		id, _ := find(cols, "aoceditdeletiondate", "deletiondate")
		if !okt {
			p.add(src.Name, c.line, "", "heading row names no edit type column (AOC Edit Type)")
		}
		types := map[string]int{}
		seen := map[[2]string]int{}
		for okt && !p.full() {
			rec, ok := c.next(p)
			if !ok {
				break
			}
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue
			}
			a := at{p, src.Name, c.line}
			var row AddOnRow
			var oks [5]bool
			row.AddOn, oks[0] = a.procCode("Add-On Code", field(rec, ia))
			row.Primary, oks[1] = a.procCode("Primary Code", field(rec, ip))
			row.Type, oks[2] = a.aocType(field(rec, it))
			row.Effective, oks[3] = a.date("AOC Edit Effective Date", field(rec, ie), "", "*")
			row.Deleted, oks[4] = a.date("AOC Edit Deletion Date", field(rec, id), "", "*")
			if oks != [5]bool{true, true, true, true, true} {
				continue
			}
			if t, ok := types[row.AddOn]; ok && t != row.Type {
				a.bad("AOC Edit Type", "%s is type %d on an earlier line and %d here", row.AddOn, t, row.Type)
				continue
			}
			types[row.AddOn] = row.Type
			key := [2]string{row.AddOn, row.Primary}
			if first, dup := seen[key]; dup && row.Effective.IsZero() && row.Deleted.IsZero() {
				a.bad("Primary Code", "%s with %s is already listed on line %d", row.AddOn, row.Primary, first)
				continue
			}
			seen[key] = c.line
			rows = append(rows, row)
		}
	}
	if err := p.done(hs, &meta, KindAddOn, src.Name, len(rows), "an NCCI add-on code file"); err != nil {
		return nil, err
	}
	return NewAddOn(meta, rows)
}

func (a at) aocType(s string) (int, bool) {
	t := strings.ToUpper(strings.TrimSpace(strings.TrimPrefix(strings.ToLower(s), "type")))
	switch t {
	case "1", "I":
		return 1, true
	case "2", "II":
		return 2, true
	case "3", "III":
		return 3, true
	}
	a.bad("AOC Edit Type", "want 1, 2 or 3, got %q", clip(s))
	return 0, false
}
