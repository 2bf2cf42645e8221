package payer

import (
	"strings"
)

// ParseMUE reads the NCCI practitioner MUE table: a CSV (or tab-separated
// text) whose heading row names the code column (HCPCS/CPT Code,
// hcpcs_code), the MUE value (Practitioner Services MUE Values,
// mue_units), the MUE adjudication indicator (written "3" or "3 Date of
// Service Edit: Clinical"; mue_mai) and the rationale. Notice lines
// before the heading are skipped.
func ParseMUE(meta Meta, src Source) (*MUE, error) {
	hs, p, c, err := delimited(src)
	if err != nil {
		return nil, err
	}
	cols, ok := findHeading(c, p, func(cols map[string]int) bool {
		_, code := find(cols, "hcpcscptcode", "hcpcscode", "hcpcs")
		_, mai := find(cols, "mueadjudicationindicator", "muemai", "mai")
		return code && mai
	})
	var rows []MUERow
	if ok {
		ic, _ := find(cols, "hcpcscptcode", "hcpcscode", "hcpcs")
		iv, okv := find(cols, "practitionerservicesmuevalues", "muevalues", "muevalue", "mueunits")
		im, _ := find(cols, "mueadjudicationindicator", "muemai", "mai")
		ir, _ := find(cols, "muerationale", "rationale")
		if !okv {
			p.add(src.Name, c.line, "", "heading row names no MUE value column (Practitioner Services MUE Values or mue_units)")
		}
		seen := map[string]int{}
		for okv && !p.full() {
			rec, ok := c.next(p)
			if !ok {
				break
			}
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue
			}
			a := at{p, src.Name, c.line}
			var row MUERow
			var oks [4]bool
			row.Code, oks[0] = a.procCode("HCPCS/CPT Code", field(rec, ic))
			row.Value, oks[1] = a.integer("MUE Value", field(rec, iv), 0, maxMUEValue)
			row.MAI, oks[2] = a.mai(field(rec, im))
			row.Rationale, oks[3] = a.text("MUE Rationale", field(rec, ir))
			if oks != [4]bool{true, true, true, true} {
				continue
			}
			if first, dup := seen[row.Code]; dup {
				a.bad("HCPCS/CPT Code", "%s is already listed on line %d", row.Code, first)
				continue
			}
			seen[row.Code] = c.line
			rows = append(rows, row)
		}
	}
	if err := p.done(hs, &meta, KindMUE, src.Name, len(rows), "an NCCI MUE table"); err != nil {
		return nil, err
	}
	return NewMUE(meta, rows)
}

func (a at) mai(s string) (int, bool) {
	if s != "" && s[0] >= '1' && s[0] <= '3' && (len(s) == 1 || s[1] == ' ') {
		return int(s[0] - '0'), true
	}
	a.bad("MUE Adjudication Indicator", "want 1, 2 or 3 (optionally followed by its name), got %q", clip(s))
	return 0, false
}

// headingLimit bounds the notice records before a heading row.
const headingLimit = 40

// findHeading skips notice records until one that is recognized as the
// heading row.
func findHeading(c *csvRecords, p *problems, isHeading func(map[string]int) bool) (map[string]int, bool) {
	for n := 0; n < headingLimit; n++ {
		rec, ok := c.next(p)
		if !ok {
			if len(p.list) == 0 {
				p.add(c.name, 0, "", "%v: no heading row found", ErrEmpty)
			}
			return nil, false
		}
		cols := columns(rec)
		if isHeading(cols) {
			return cols, true
		}
	}
	p.add(c.name, c.line, "", "no heading row in the first %d records", headingLimit)
	return nil, false
}
