package main

import (
	"fmt"
	"strings"
)

// genHCPCS writes one record per HCPCS Level II row:
// hcpcs, code, kind (code|modifier), long, short, added, effective, terminated,
// action code, BETOS, coverage. Dates stay YYYYMMDD as CMS gives them.
func genHCPCS(srcDir string, w *writer) error {
	w.rec("rel", "HCPCS", hcpcsRelease.name, hcpcsRelease.from, hcpcsRelease.to, "-", "hcpcs")
	var col map[string]int
	return eachLine(srcDir, "hcpcs/HCPC2025_OCT_ANWEB.tsv.gz", func(line string) error {
		f := strings.Split(line, "\t")
		if col == nil {
			col = map[string]int{}
			for i, name := range f {
				col[strings.TrimSpace(name)] = i
			}
			for _, need := range []string{"HCPC", "RECID", "LONG DESCRIPTION", "SHORT DESCRIPTION", "ADD DT", "ACT EFF DT", "TERM DT", "ACTION CD", "BETOS", "COV"} {
				if _, ok := col[need]; !ok {
					return fmt.Errorf("HCPCS header has no column %q", need)
				}
			}
			return nil
		}
		get := func(name string) string {
			if i := col[name]; i < len(f) {
				return strings.TrimSpace(f[i])
			}
			return ""
		}
		var kind string
		switch get("RECID") {
		case "3":
			kind = "code"
		case "7":
			kind = "modifier"
		default:
			return fmt.Errorf("unknown RECID %q", get("RECID"))
		}
		w.rec("hcpcs", get("HCPC"), kind, get("LONG DESCRIPTION"), get("SHORT DESCRIPTION"),
			get("ADD DT"), get("ACT EFF DT"), get("TERM DT"), get("ACTION CD"), get("BETOS"), get("COV"))
		return nil
	})
}

// mceEdits names the diagnosis edits of the MCE lists that codesets keeps.
var mceEdits = map[string]string{
	"Newborn_Only":                 "newborn",
	"Pediatric_Only":               "pediatric",
	"Maternity_Only":               "maternity",
	"Adult_Only":                   "adult",
	"Female_Only":                  "female",
	"Male_Only":                    "male",
	"Principal_Manifestation":      "manifestation",
	"Principal_Questionable_Admit": "questionable-admission",
	"Principal_Unacceptable":       "unacceptable-principal",
}

// genMCE writes "mce", edit, code for each diagnosis (not procedure) row.
func genMCE(srcDir string, w *writer) error {
	header := true
	return eachLine(srcDir, "mce/MCE_Simple_Code_Edits_v37.txt.gz", func(line string) error {
		if header {
			header = false
			return nil
		}
		f := strings.Split(line, "\t")
		if len(f) < 7 {
			return fmt.Errorf("short MCE row %q", line)
		}
		edit, ok := mceEdits[f[4]]
		if !ok || f[5] != "D" {
			return nil
		}
		w.rec("mce", edit, strings.TrimSpace(f[6]))
		return nil
	})
}
