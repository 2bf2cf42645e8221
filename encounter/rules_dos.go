package encounter

import (
	"fmt"
	"strings"
	"time"

	"codebench/codesets"
)

// Date of service: the claim's dates, and every code valid on them.

const (
	RuleDateOfService  = "claim.dos"
	RuleCodeOnDate     = "code.date-of-service"
	RuleOutsideRelease = "code.outside-release"
)

var dosFamily = family{
	name: "date of service",
	rules: []RuleInfo{
		{RuleDateOfService, Error, false, srcCMS1500 + "item 24A; 837P 2400 DTP*472", "the date of service is missing, or the last date is before the first"},
		{RuleCodeOnDate, Error, false, "45 CFR 162.1000-162.1002 (code set valid on the date of service); ICD-10-CM FY2026 addenda; HCPCS effective and termination dates", "a code is not valid on the date of service (new in FY2026 on an earlier date, deleted in FY2026 on a later one, HCPCS outside its effective dates)"},
		{RuleOutsideRelease, Warning, false, "ICD-10-CM FY2026 (2025-10-01 to 2026-09-30)", "the date of service lies outside the code-set releases loaded, so validity is unchecked"},
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
	for _, d := range v.dates {
		if !v.set.Covers(codesets.ICD10CM, d) {
			name, lo, hi := v.set.ICD10CMRelease()
			v.add(RuleOutsideRelease, Warning, "claim", nil, "date of service %s is outside ICD-10-CM %s (%s to %s) and FY2025: code validity on that date is unchecked",
				Date{d}, name, lo.Format(time.DateOnly), hi.Format(time.DateOnly))
			break
		}
	}
	for i, r := range v.dxs {
		switch r.state {
		case dxUsable:
			v.validOnDates(dxTarget(i), r.code, r.c, "")
		case dxDeleted:
			v.deleted(i, r)
		}
	}
	for i, r := range v.lines {
		if r.state == lineUsable {
			v.validOnDates(lineTarget(i), r.code, r.c, fmt.Sprintf("line %d: ", i+1))
		}
	}
}

// validOnDates reports a code that is not valid on a date of service.
func (v *validator) validOnDates(target, code string, c *codesets.Code, prefix string) {
	for _, day := range v.dates {
		if err := v.set.ValidOn(c, day); err != nil {
			v.add(RuleCodeOnDate, Error, target, []string{code}, "%s%v", prefix, err)
			return
		}
	}
}

// deleted reports a code billable in FY2025 and deleted in FY2026 on a
// FY2026 date (or without a date). r.now is the FY2026 header it became,
// if any.
func (v *validator) deleted(i int, r dxResolved) {
	old, now := r.c, r.now
	_, fy26, _ := v.set.ICD10CMRelease()
	for _, day := range v.dates {
		if day.Before(fy26) {
			continue
		}
		if now != nil {
			v.add(RuleCodeOnDate, Error, dxTarget(i), []string{old.Code}, "%s was deleted as a billable code on %s (FY2026 expanded it); for %s use a code under it, e.g. %s",
				old.Display(), fy26.Format(time.DateOnly), Date{day}, strings.Join(billableUnder(now, 4), ", "))
		} else {
			v.add(RuleCodeOnDate, Error, dxTarget(i), []string{old.Code}, "%s (%s) was deleted from ICD-10-CM on %s; it is valid only for dates of service before, not %s%s",
				old.Display(), old.Title(), fy26.Format(time.DateOnly), Date{day}, nearestText(v.nearestICD(old.Code)))
		}
		return
	}
	v.add(RuleCodeOnDate, Error, dxTarget(i), []string{old.Code}, "%s was deleted from ICD-10-CM on %s; without a date of service it cannot be accepted", old.Display(), fy26.Format(time.DateOnly))
}
