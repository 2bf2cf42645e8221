package encounter

import (
	"fmt"
	"strings"
	"time"

	"codebench/codesets"
)

// Date of service: the claim's dates, a code-set release loaded for each,
// and every code valid on them in the release in force that day. A claim
// whose dates cross 1 October is checked against both releases.

const (
	RuleDateOfService  = "claim.dos"
	RuleCodeOnDate     = "code.date-of-service"
	RuleOutsideRelease = "code.outside-release"
	RuleTitleRevised   = "code.title-revised"
)

var dosFamily = family{
	name: "date of service",
	rules: []RuleInfo{
		{RuleDateOfService, Error, false, srcCMS1500 + "item 24A; 837P 2400 DTP*472", "the date of service is missing, or the last date is before the first"},
		{RuleCodeOnDate, Error, false, "45 CFR 162.1000-162.1002 (the code set valid on the date of service); ICD-10-CM release of that date (order file and addenda); HCPCS effective and termination dates", "a code is not valid on a date of service: new in a later release, gone from the release of that date, a header there, or a HCPCS code outside its dates"},
		{RuleOutsideRelease, Error, false, "45 CFR 162.1002 (the code set valid on the date of service); codebench data status", "no ICD-10-CM release is loaded for a date of service, so its codes cannot be checked (import that year's order file)"},
		{RuleTitleRevised, Info, false, "ICD-10-CM order addenda (Revise from / Revise to)", "the release of the date of service revised the title of a diagnosis code: both titles shown"},
	},
	check: (*validator).datesOfService,
}

func (v *validator) datesOfService() {
	from, to := v.enc.Service.From, v.enc.Service.To
	switch {
	case from.IsZero():
		v.add(RuleDateOfService, Error, "claim", nil, "date of service missing: codes cannot be checked for validity on it")
	case !to.IsZero() && to.Before(from.Time):
		v.add(RuleDateOfService, Error, "claim", nil, "last date of service %s is before the first, %s", to, from)
	}
	for k, d := range v.dates {
		if _, ok := v.set.ReleaseOn(d); !ok {
			v.add(RuleOutsideRelease, Error, "claim", nil, "no ICD-10-CM release loaded for the %s %s (loaded: %s): its diagnosis codes cannot be checked; import that year's order file (codebench data import FILE)",
				dateName(k, len(v.dates)), Date{d}, loadedReleases(v.set))
		}
	}
	for i, r := range v.dxs {
		target, codes := dxTarget(i), []string{r.code}
		switch r.state {
		case dxNotOnDate:
			v.addCiting(r.answer.Release, RuleCodeOnDate, Error, target, codes, "%v", r.answer.Err())
		case dxUsable:
			if b := r.answer.Before; b != nil {
				v.addCiting(r.answer.Release, RuleTitleRevised, Info, target, codes, "%s: title revised in %s: now %q; before, %q",
					r.c.Display(), r.answer.Release.Title(), r.c.Title(), b.Title())
			}
			// A later date of service in another release must find the
			// code billable there too.
			for k := 1; k < len(v.dates); k++ {
				a := v.icdOn(r.code, v.dates[k])
				if a.Status == codesets.Billable || a.Status == codesets.NoRelease {
					continue
				}
				v.addCiting(a.Release, RuleCodeOnDate, Error, target, codes, "on the %s %s: %v", dateName(k, len(v.dates)), Date{v.dates[k]}, a.Err())
			}
		}
	}
	for i, r := range v.lines {
		if r.state == lineUsable {
			v.validOnDates(lineTarget(i), r.code, r.c, fmt.Sprintf("line %d: ", i+1))
		}
	}
}

// dateName tells the dates of a claim apart in messages.
func dateName(k, n int) string {
	switch {
	case n == 1:
		return "date of service"
	case k == 0:
		return "first date of service"
	}
	return "last date of service"
}

// loadedReleases lists the loaded ICD-10-CM releases with their dates.
func loadedReleases(set *codesets.Set) string {
	var parts []string
	for _, r := range set.Releases() {
		parts = append(parts, r.Name+" "+r.Range())
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// validOnDates reports a HCPCS or CPT code that is not valid on a date of
// service.
func (v *validator) validOnDates(target, code string, c *codesets.Code, prefix string) {
	for _, day := range v.dates {
		if err := v.set.ValidOn(c, day); err != nil {
			v.add(RuleCodeOnDate, Error, target, []string{code}, "%s%v", prefix, err)
			return
		}
	}
}

// releasesOf lists the ICD-10-CM releases the claim's dates fall in, in
// date order, without repeats.
func releasesOf(set *codesets.Set, dates []time.Time) []*codesets.Release {
	var out []*codesets.Release
	for _, d := range dates {
		if r, ok := set.ReleaseOn(d); ok && (len(out) == 0 || out[len(out)-1] != r) {
			out = append(out, r)
		}
	}
	return out
}
