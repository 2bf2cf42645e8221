package encounter

import (
	"strconv"
	"strings"
)

// NCCI medically unlikely edits (MUE): the most units of a code one
// practitioner reports for one patient on one date of service. The MUE
// adjudication indicator (MAI) says how they are counted: MAI 1 per claim
// line (lines are not summed: extra units on separate lines with 59, XE,
// XP, XS, XU, 76, 77, 91 or an anatomic modifier are each checked
// alone); MAI 2 and 3 per code per day, across the lines (and the
// patient's other encounters with the same provider that day). MAI 2 is
// absolute (policy); MAI 1 and 3 denials are appealable with
// documentation, so those edits may be overridden with a reason.

const (
	RuleMUE         = "mue.units"
	RuleMUEAbsolute = "mue.units-absolute"
	RuleMUEZero     = "mue.not-payable"
)

const srcMUE = "NCCI MUE practitioner (2024-07-01 embedded); NCCI Policy Manual 2026 ch. I §V (MUE)"

var mueFamily = family{
	name: "NCCI MUE",
	rules: []RuleInfo{
		{RuleMUE, Error, true, srcMUE, "units above the MUE value of a code with MAI 1 (one line) or 3 (per day, clinical): appealable, so an override with the documented reason is accepted"},
		{RuleMUEAbsolute, Error, false, srcMUE, "units above the MUE value of a code with MAI 2 (per day, absolute: policy or code definition)"},
		{RuleMUEZero, Error, false, srcMUE, "a code with an MUE of 0: not payable to practitioners (billed by the facility, or DMEPOS to the DME MAC)"},
	},
	check: (*validator).mue,
}

func init() {
	policyRef[RuleMUE] = "NCCI Policy Manual 2026 ch. I §V (MUE)"
	policyRef[RuleMUEAbsolute] = policyRef[RuleMUE]
	policyRef[RuleMUEZero] = policyRef[RuleMUE]
}

var maiNames = map[int]string{1: "MAI 1: per line", 2: "MAI 2: per day, absolute", 3: "MAI 3: per day, clinical"}

func (v *validator) mue() {
	if !v.applies(EditsMUE) || len(v.dates) == 0 {
		return
	}
	t := v.tables.MUE()
	m := t.Meta()
	lines := v.billed()
	for i, l := range lines {
		if !l.ours() {
			continue
		}
		e, ok := t.Lookup(l.code)
		if !ok {
			continue
		}
		first := !seenBefore(lines[:i], l.code) // this claim's lines come first
		head := func() string {
			return "NCCI MUE " + strconv.Itoa(e.Value) + " for " + l.code + " (" + maiNames[e.MAI] + "; rationale: " + e.Rationale + ")"
		}
		switch {
		case e.Value == 0:
			if first {
				v.addFromMessage(m, RuleMUEZero, Error, lineTarget(l.index), []string{l.code}, l.name()+": "+l.code+" is not payable to practitioners (MUE 0): "+notPayableWhy(l.code))
			}
		case e.MAI == 1:
			// Each line alone, never summed.
			if l.units > e.Value {
				v.addFrom(m, RuleMUE, Error, lineTarget(l.index), []string{l.code}, "%s: %d units on one line, more than the %s. Report at most %d on a line; extra units of a distinct service go on their own line with its modifier (59, XE, XS, XP, XU, 76, 77, 91, or an anatomic one), or override with the documented reason (appealable)",
					l.name(), l.units, head(), e.Value)
			}
		case first:
			// Per day: the code's units over every line, this claim's and
			// the same-day encounters', reported on its first line here.
			total := 0
			for _, x := range lines {
				if x.code == l.code {
					total += x.units
				}
			}
			if total <= e.Value {
				continue
			}
			var parts []string
			for _, x := range lines {
				if x.code == l.code {
					parts = append(parts, x.name()+" × "+strconv.Itoa(x.units))
				}
			}
			rule, fix := RuleMUE, "or override with the documented medical necessity (MAI 3 denials are appealable)"
			if e.MAI == 2 {
				rule, fix = RuleMUEAbsolute, "MAI 2 is absolute: no documentation makes more payable"
			}
			v.addFrom(m, rule, Error, lineTarget(l.index), []string{l.code}, "%s: %d units on %s (%s), more than the %s. Report at most %d units, %s",
				l.code, total, Date{v.dates[0]}, strings.Join(parts, ", "), head(), e.Value, fix)
		}
	}
}

// seenBefore tells whether an earlier line has the code.
func seenBefore(lines []billedLine, code string) bool {
	for _, x := range lines {
		if x.code == code {
			return true
		}
	}
	return false
}

// notPayableWhy explains an MUE of 0 by the kind of code.
func notPayableWhy(code string) string {
	switch {
	case code == "G0463":
		return "G0463 is the hospital outpatient clinic visit, billed by the facility; the practitioner reports the E/M (99202-99215)"
	case strings.IndexByte("ABEKL", code[0]) >= 0:
		return "durable medical equipment, prosthetics, orthotics and supplies are billed to the DME MAC by the supplier, not on the practitioner's claim"
	}
	return "CMS policy pays the service to another provider type (facility, supplier) or not at all"
}
