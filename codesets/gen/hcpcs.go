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
