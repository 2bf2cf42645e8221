package codesets

import (
	"fmt"
	"time"

	"codebench/codesets/payer"
)

// Stale says what is out of date on a day: today past the end of the
// newest ICD-10-CM release (claims of later dates cannot be checked), or a
// quarterly file (HCPCS Level II, NCCI PTP, MUE and add-on edits, the PFS
// indicators) more than two quarters old. `codebench data status` and the
// workbench show these warnings.
func (s *Set) Stale(today time.Time) []string {
	today = day(today)
	var out []string
	if n := s.newest(); n == nil {
		out = append(out, "no ICD-10-CM release is loaded")
	} else if today.After(n.To) {
		out = append(out, fmt.Sprintf("today (%s) is past the end of the newest ICD-10-CM release, %s (%s): import the next release (codebench data import FILE)",
			today.Format(time.DateOnly), n.Name, n.Range()))
	}
	if r := s.HCPCSRelease(); r != nil {
		if q := quartersBetween(r.From, today); q > 2 {
			out = append(out, fmt.Sprintf("the HCPCS Level II file in use, %s, is %d quarters old: import the current quarter's file", r.Name, q))
		}
	}
	if metas, err := s.Payer().Metas(); err == nil {
		for _, m := range metas {
			if !quarterly[m.Kind] {
				continue
			}
			if q := quartersBetween(m.Effective, today); q > 2 {
				out = append(out, fmt.Sprintf("%s (effective %s) is %d quarters old: import the current quarter's file", m.Cite(), m.Effective.Format(time.DateOnly), q))
			}
		}
	}
	return out
}

// quarterly are the payer tables CMS publishes every quarter.
var quarterly = map[payer.Kind]bool{payer.KindPTP: true, payer.KindMUE: true, payer.KindAddOn: true, payer.KindPFS: true}

// quartersBetween counts calendar quarters from the one holding a to the
// one holding b.
func quartersBetween(a, b time.Time) int {
	qa := a.Year()*4 + (int(a.Month())-1)/3
	qb := b.Year()*4 + (int(b.Month())-1)/3
	return qb - qa
}
