package payer

import (
	"strings"
)

// PPRRVU column positions (0-based) of the CMS relative value file as a
// CSV (PPRRVUyy_QQQ.csv). Column 2, the descriptor, is never read: CPT
// descriptors are AMA copyright.
const (
	rvuCode          = 0
	rvuMod           = 1
	rvuStatus        = 3
	rvuNotForMcr     = 4
	rvuNonFacNA      = 7
	rvuFacNA         = 9
	rvuPCTC          = 13
	rvuGlobal        = 14
	rvuMultProc      = 18
	rvuBilateral     = 19
	rvuAssistant     = 20
	rvuCoSurgeon     = 21
	rvuTeam          = 22
	rvuEndoBase      = 23
	rvuMinFields     = 24
	rvuPreambleLimit = 40
)

// ParsePFS reads Physician Fee Schedule payment policy indicators, from
// either layout:
//
//   - the CMS relative value file as CSV (PPRRVU): notice and heading
//     rows, then one row per code and modifier with the indicators at
//     their CMS positions (status in column 4, PCTC in 14, global days
//     in 15, multiple procedure to team surgery in 19-23, endoscopic base
//     in 24; the non-facility and facility NA indicators in 8 and 10);
//   - a CSV with a heading row naming hcpcs_code, mod, status, pctc,
//     glob, mult_proc, bilat_surg, asst_surg, co_surg, team_surg,
//     endo_base, non_na, fac_na and not_used_mcr.
func ParsePFS(meta Meta, src Source) (*PFS, error) {
	hs, p, c, err := delimited(src)
	if err != nil {
		return nil, err
	}
	var rows []PFSRow
	seen := map[[2]string]int{}
	keep := func(a at, row PFSRow) {
		key := [2]string{row.Code, row.Modifier}
		if first, dup := seen[key]; dup {
			a.bad("HCPCS", "%s%s is already listed on line %d", row.Code, modSuffix(row.Modifier), first)
			return
		}
		seen[key] = a.line
		rows = append(rows, row)
	}
	var cols map[string]int
	positional := false
	for n := 0; n < rvuPreambleLimit && cols == nil && !positional; n++ {
		rec, ok := c.next(p)
		if !ok {
			break
		}
		if m := columns(rec); hasAll(m, "hcpcscode", "status", "pctc", "glob") {
			cols = m
		} else if len(rec) >= rvuMinFields && validProcedureCode(strings.TrimSpace(rec[rvuCode])) && len(strings.TrimSpace(rec[rvuStatus])) == 1 {
			positional = true
			if row, ok := pfsPositional(at{p, src.Name, c.line}, rec); ok {
				keep(at{p, src.Name, c.line}, row)
			}
		}
	}
	if cols == nil && !positional && len(p.list) == 0 {
		p.add(src.Name, 0, "", "%v: no PPRRVU row or heading (hcpcs_code, status, pctc, glob) in the first %d records", ErrEmpty, rvuPreambleLimit)
	}
	for (cols != nil || positional) && !p.full() {
		rec, ok := c.next(p)
		if !ok {
			break
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		a := at{p, src.Name, c.line}
		var row PFSRow
		if positional {
			row, ok = pfsPositional(a, rec)
		} else {
			row, ok = pfsNamed(a, rec, cols)
		}
		if ok {
			keep(a, row)
		}
	}
	if err := p.done(hs, &meta, KindPFS, src.Name, len(rows), "a PFS relative value file"); err != nil {
		return nil, err
	}
	return NewPFS(meta, rows)
}

func hasAll(cols map[string]int, names ...string) bool {
	for _, n := range names {
		if _, ok := cols[n]; !ok {
			return false
		}
	}
	return true
}

func pfsPositional(a at, rec []string) (PFSRow, bool) {
	if len(rec) < rvuMinFields {
		a.bad("", "%d fields; a PPRRVU row has at least %d", len(rec), rvuMinFields)
		return PFSRow{}, false
	}
	get := func(i int) string { return field(rec, i) }
	return pfsRow(a, get(rvuCode), get(rvuMod), get(rvuStatus), get(rvuPCTC), get(rvuGlobal),
		[5]string{get(rvuMultProc), get(rvuBilateral), get(rvuAssistant), get(rvuCoSurgeon), get(rvuTeam)},
		get(rvuEndoBase), get(rvuFacNA), get(rvuNonFacNA), get(rvuNotForMcr))
}

func pfsNamed(a at, rec []string, cols map[string]int) (PFSRow, bool) {
	get := func(names ...string) string {
		i, _ := find(cols, names...)
		return field(rec, i)
	}
	return pfsRow(a, get("hcpcscode", "hcpcs"), get("mod", "modifier"), get("status", "statuscode"), get("pctc", "pctcind"), get("glob", "globdays"),
		[5]string{get("multproc"), get("bilatsurg"), get("asstsurg"), get("cosurg"), get("teamsurg")},
		get("endobase"), get("facna", "facilityna"), get("nonna", "nonfacna", "nonfacilityna"), get("notusedmcr", "notusedformedicarepayment"))
}

var pfsIndicatorNames = [5]string{"MULT PROC", "BILAT SURG", "ASST SURG", "CO SURG", "TEAM SURG"}

func pfsRow(a at, code, mod, status, pctc, glob string, ind [5]string, endo, facNA, nonFacNA, notMcr string) (PFSRow, bool) {
	var row PFSRow
	ok := true
	if row.Code, ok = a.procCode("HCPCS", code); !ok {
		return row, false
	}
	mod = strings.ToUpper(mod)
	if mod != "" && (len(mod) != 2 || strings.Trim(mod, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		a.bad("MOD", "want a 2-character modifier or nothing, got %q", clip(mod))
		return row, false
	}
	row.Modifier = mod
	if len(status) != 1 || status[0] < 'A' || status[0] > 'Z' {
		a.bad("STATUS CODE", "want one letter, got %q", clip(status))
		return row, false
	}
	row.Status = status[0]
	one := func(name, s string) (byte, bool) {
		if len(s) != 1 || !isDigit(s[0]) {
			a.bad(name, "want one digit, got %q", clip(s))
			return 0, false
		}
		return s[0], true
	}
	if row.PCTC, ok = one("PCTC IND", pctc); !ok {
		return row, false
	}
	if !contains(globalPeriods, strings.ToUpper(glob)) {
		a.bad("GLOB DAYS", "want one of %s, got %q", strings.Join(globalPeriods, ", "), clip(glob))
		return row, false
	}
	row.Global = strings.ToUpper(glob)
	dst := []*byte{&row.MultProc, &row.Bilateral, &row.Assistant, &row.CoSurgeon, &row.Team}
	for i, s := range ind {
		if *dst[i], ok = one(pfsIndicatorNames[i], s); !ok {
			return row, false
		}
	}
	if endo != "" {
		if row.EndoBase, ok = a.procCode("ENDO BASE", endo); !ok {
			return row, false
		}
	}
	na := func(name, s string) (bool, bool) {
		switch strings.ToUpper(s) {
		case "":
			return false, true
		case "NA":
			return true, true
		}
		a.bad(name, "want NA or nothing, got %q", clip(s))
		return false, false
	}
	if row.FacilityNA, ok = na("FACILITY NA INDICATOR", facNA); !ok {
		return row, false
	}
	if row.NonFacilityNA, ok = na("NON-FAC NA INDICATOR", nonFacNA); !ok {
		return row, false
	}
	switch notMcr {
	case "":
	case "+":
		row.NotForMedicare = true
	default:
		a.bad("NOT USED FOR MEDICARE PAYMENT", "want + or nothing, got %q", clip(notMcr))
		return row, false
	}
	return row, true
}
