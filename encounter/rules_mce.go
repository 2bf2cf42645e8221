package encounter

import (
	"fmt"
	"strings"

	"codebench/codesets"
)

// MCE: the Medicare Code Editor's age, sex and principal-diagnosis edits.

// srcMCE cites the Medicare Code Editor, whose lists the embedded code
// sets carry.
const srcMCE = "MCE v37 "

const (
	RuleMCEAge       = "mce.age"
	RuleMCESex       = "mce.sex"
	RuleMCEUnchecked = "mce.unchecked"
	RuleMCEPrincipal = "mce.unacceptable-principal"
)

var mceFamily = family{
	name: "MCE",
	rules: []RuleInfo{
		{RuleMCEAge, Error, true, srcMCE + "edit 4 (age conflict)", "a diagnosis is for ages the patient is not (newborn 0, pediatric 0-17, maternity 12-55, adult 15-124)"},
		{RuleMCESex, Error, true, srcMCE + "edit 5 (sex conflict)", "a diagnosis is for the other sex"},
		{RuleMCEUnchecked, Warning, false, srcMCE + "edits 4-5", "age or sex edits cannot run: date of birth or sex unknown"},
		{RuleMCEPrincipal, Warning, true, srcMCE + "edit 9 (unacceptable principal diagnosis)", "a code the MCE does not accept as principal is first-listed on an inpatient claim"},
	},
	check: (*validator).mce,
}

func (v *validator) mce() {
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
	if c.HasMCE(codesets.MCEUnacceptablePrincipal) && (inpatientPOS(pos) || pos == "") {
		v.add(RuleMCEPrincipal, Warning, "dx:1", []string{c.Code}, "%s is not acceptable as the principal diagnosis of an inpatient claim", c.Display())
	}
}

// mceAgeSex runs the age and sex edits.
func (v *validator) mceAgeSex() {
	p := v.enc.Patient
	ageKnown := !p.DateOfBirth.IsZero() && len(v.dates) > 0 && !p.DateOfBirth.After(v.dates[0])
	sexKnown := p.Sex == "F" || p.Sex == "M"
	var noAge, noSex []string
	for i, c := range v.dx {
		if c == nil {
			continue
		}
		target, codes := dxTarget(i), []string{c.Code}
		for _, e := range c.MCE() {
			if lo, hi, ok := e.AgeRange(); ok {
				if !ageKnown {
					noAge = append(noAge, c.Display())
					continue
				}
				if age := p.AgeOn(Date{v.dates[0]}); age < lo || age > hi {
					v.add(RuleMCEAge, Error, target, codes, "%s is a %s code (ages %s); the patient is %s on %s", c.Display(), e, ageSpan(lo, hi), ageText(p, Date{v.dates[0]}), Date{v.dates[0]})
				}
				continue
			}
			want := map[codesets.MCEEdit]string{codesets.MCEFemale: "F", codesets.MCEMale: "M"}[e]
			if want == "" {
				continue
			}
			if !sexKnown {
				noSex = append(noSex, c.Display())
				continue
			}
			if p.Sex != want {
				v.add(RuleMCESex, Error, target, codes, "%s is for %s patients; the patient's sex is %s", c.Display(), map[string]string{"F": "female", "M": "male"}[want], p.Sex)
			}
		}
	}
	if len(noAge) > 0 {
		v.add(RuleMCEUnchecked, Warning, "claim", nil, "age edits not checked for %s: patient date of birth or date of service unknown", strings.Join(dedupe(noAge), ", "))
	}
	if len(noSex) > 0 {
		v.add(RuleMCEUnchecked, Warning, "claim", nil, "sex edits not checked for %s: patient sex is %s", strings.Join(dedupe(noSex), ", "), orUnknown(p.Sex))
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
