package encounter

import (
	"time"

	"codebench/codesets"
)

// CodeSetsUsed names the code-set releases a claim was checked against,
// for the export's record: the ICD-10-CM release in force on each date of
// service (two when the dates cross 1 October) with its dates, the HCPCS
// Level II file, the MCE lists and the CPT import. Exporters call it with
// the set they validated with.
func CodeSetsUsed(enc *Encounter, set *codesets.Set) []string {
	var dates []time.Time
	if !enc.Service.From.IsZero() {
		dates = append(dates, enc.Service.From.Time)
		if to := enc.Service.To; !to.IsZero() && !to.Equal(enc.Service.From.Time) {
			dates = append(dates, to.Time)
		}
	}
	var out []string
	for _, r := range releasesOf(set, dates) {
		out = append(out, r.Title()+" (DOS "+r.Range()+"; "+r.Source.File+" sha256 "+short(r.Source.SHA256)+")")
	}
	if r := set.HCPCSRelease(); r != nil {
		out = append(out, "HCPCS Level II "+r.Name+" ("+r.Source.Version+")")
	}
	// The payer tables the edits ran on (their headers only: no table is
	// decoded for this).
	if metas, err := set.Payer().Metas(); err == nil {
		for _, m := range metas {
			out = append(out, m.Cite()+" (sha256 "+short(m.SHA256)+")")
		}
	}
	if set.CPTSource != "" {
		out = append(out, "CPT "+set.CPTSource)
	} else {
		out = append(out, "CPT (no descriptor file; codes by number)")
	}
	return out
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}
