package encounter

import (
	"fmt"
	"strings"

	"codebench/codesets/payer"
)

// MCE: the Medicare Code Editor's age, sex and principal-diagnosis lists
// (codesets/payer: v41.1 embedded, or an imported version; the
// unacceptable principal diagnosis list from v37, the newest obtained).

// srcMCE cites the MCE definitions; the edits name the list version
// loaded.
const srcMCE = "Definitions of Medicare Code Edits v41.1 "

const (
	RuleMCEAge       = "mce.age"
	RuleMCESex       = "mce.sex"
	RuleMCEUnchecked = "mce.unchecked"
	RuleMCEPrincipal = "mce.unacceptable-principal"
)

var mceFamily = family{
	name: "MCE",
	rules: []RuleInfo{
		{RuleMCEAge, Error, true, "MCE age lists (v41.1 embedded); edit 4 (age conflict)", "a diagnosis is for ages the patient is not (v41.1: newborn 0, pediatric 0-17, maternity 9-64, adult 15-124); a code newer than the lists takes its category's list"},
		{RuleMCESex, Error, true, "MCE sex lists (v41.1 embedded); edit 5 (sex conflict)", "a diagnosis is for the other sex; a code newer than the lists takes its category's list"},
		{RuleMCEUnchecked, Warning, false, "MCE age and sex lists (v41.1 embedded); edits 4-5", "age or sex edits cannot run: date of birth or sex unknown"},
		{RuleMCEPrincipal, Warning, true, "MCE unacceptable principal diagnosis list (v37 embedded: the newest obtained); edit 9", "a code the MCE does not accept as principal is first-listed on an inpatient claim"},
	},
	check: (*validator).mce,
}

func init() {
	policyRef[RuleMCEAge] = "edit 4 (age conflict)"
	policyRef[RuleMCESex] = "edit 5 (sex conflict)"
	policyRef[RuleMCEUnchecked] = "edits 4-5"
	policyRef[RuleMCEPrincipal] = "edit 9 (unacceptable principal diagnosis)"
}

func (v *validator) mce() {
	if !v.applies(EditsMCE) {
		return
	}
	v.mceAgeSex()
	v.mcePrincipal()
}

// mcePrincipal: the MCE "unacceptable principal diagnosis" list is an
// inpatient edit.
func (v *validator) mcePrincipal() {
	if len(v.dx) == 0 || v.dx[0] == nil {
		return
	}
	c := v.dx[0]
	pos := v.enc.PlaceOfService
	t := v.tables.MCEPrincipal()
	if f, origin := t.Lookup(c.Code); origin == payer.Listed && f.Has(payer.MCEUnacceptablePrincipal) && (inpatientPOS(pos) || pos == "") {
		v.addFrom(t.Meta(), RuleMCEPrincipal, Warning, "dx:1", []string{c.Code}, "%s is not acceptable as the principal diagnosis of an inpatient claim", c.Display())
	}
}

var sexOfList = map[payer.MCEFlags]string{payer.MCEFemale: "F", payer.MCEMale: "M"}

// mceAgeSex runs the age and sex edits.
func (v *validator) mceAgeSex() {
	t := v.tables.MCE()
	m := t.Meta()
	p := v.enc.Patient
	ageKnown := !p.DateOfBirth.IsZero() && len(v.dates) > 0 && !p.DateOfBirth.After(v.dates[0])
	sexKnown := p.Sex == "F" || p.Sex == "M"
	var noAge, noSex []string
	for i, c := range v.dx {
		if c == nil {
			continue
		}
		flags, origin := t.Lookup(c.Code)
		if flags == 0 {
			continue
		}
		target, codes := dxTarget(i), []string{c.Code}
		how := ""
		if origin == payer.ByCategory {
			how = fmt.Sprintf(" (%s predates %s: every %s code it lists is on this list)", m.Cite(), c.Display(), c.Code[:3])
		}
		for _, f := range payer.AgeFlags {
			ages, ok := t.Ages(f)
			if flags&f == 0 || !ok {
				continue
			}
			if !ageKnown {
				noAge = append(noAge, c.Display())
				continue
			}
			if age := p.AgeOn(Date{v.dates[0]}); age < ages.Lo || age > ages.Hi {
				v.addFrom(m, RuleMCEAge, Error, target, codes, "%s is a %s code (ages %s)%s; the patient is %s on %s", c.Display(), f, ageSpan(ages.Lo, ages.Hi), how, ageText(p, Date{v.dates[0]}), Date{v.dates[0]})
			}
		}
		for _, f := range []payer.MCEFlags{payer.MCEFemale, payer.MCEMale} {
			if flags&f == 0 {
				continue
			}
			if !sexKnown {
				noSex = append(noSex, c.Display())
				continue
			}
			if want := sexOfList[f]; p.Sex != want {
				v.addFrom(m, RuleMCESex, Error, target, codes, "%s is for %s patients%s; the patient's sex is %s", c.Display(), f, how, p.Sex)
			}
		}
	}
	if len(noAge) > 0 {
		v.addFrom(m, RuleMCEUnchecked, Warning, "claim", nil, "age edits not checked for %s: patient date of birth or date of service unknown", strings.Join(dedupe(noAge), ", "))
	}
	if len(noSex) > 0 {
		v.addFrom(m, RuleMCEUnchecked, Warning, "claim", nil, "sex edits not checked for %s: patient sex is %s", strings.Join(dedupe(noSex), ", "), orUnknown(p.Sex))
	}
}

func orUnknown(s string) string {
	if s == "" || s == "U" {
		return "unknown"
	}
	return s
}

func ageSpan(lo, hi int) string {
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

func ageText(p Patient, on Date) string {
	age := p.AgeOn(on)
	if age == 0 {
		days := int(on.Sub(p.DateOfBirth.Time).Hours() / 24)
		return fmt.Sprintf("%d days old", days)
	}
	return fmt.Sprintf("%d", age)
}
