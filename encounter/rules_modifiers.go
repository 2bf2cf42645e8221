package encounter

import (
	"strings"
	"time"
)

// Modifiers: how many, which exist, and the pairs that contradict each
// other on one line.

const (
	RuleMaxModifiers     = "line.max-modifiers"
	RuleModifierUnknown  = "line.modifier-unknown"
	RuleModifierRepeated = "line.modifier-duplicate"
	Rule59WithX          = "line.59-with-x"
	RuleLeftRight        = "line.lt-rt"
	RuleBilateralSide    = "line.50-with-side"
	RuleSideOnEM         = "line.em-side"
)

var modifierFamily = family{
	name: "modifiers",
	rules: []RuleInfo{
		{RuleMaxModifiers, Error, false, srcCMS1500 + "item 24D (4 modifiers); 837P SV101-3 to SV101-6", "more than 4 modifiers on a line"},
		{RuleModifierUnknown, Error, false, "HCPCS Level II modifiers (CMS October 2025); AMA CPT Appendix A", "a modifier is not a CPT or HCPCS modifier, or is terminated"},
		{RuleModifierRepeated, Error, false, srcCMS1500 + "item 24D", "the same modifier twice on a line"},
		{Rule59WithX, Error, false, "CMS CR 8863 (MLN MM8863): X{E,P,S,U} modifiers; NCCI Policy Manual ch. I", "59 and an X{E,P,S,U} modifier on one line"},
		{RuleLeftRight, Error, false, "Medicare Claims Processing Manual ch. 12 §40.7 (bilateral procedures)", "LT and RT on one line: use 50 or two lines"},
		{RuleBilateralSide, Error, false, "Medicare Claims Processing Manual ch. 12 §40.7 (bilateral procedures)", "modifier 50 with LT or RT on one line"},
		{RuleSideOnEM, Error, false, "AMA CPT and HCPCS modifier definitions (LT, RT: procedures on one side); NCCI Policy Manual 2026 ch. I §E", "RT or LT on an evaluation and management service (99202-99499): a visit has no side"},
	},
	check: (*validator).modifiers,
}

func (v *validator) modifiers() {
	for i := range v.lines {
		v.lineModifiers(i)
	}
}

// lineModifiers checks one line's modifiers.
func (v *validator) lineModifiers(i int) {
	r := v.lines[i]
	target, codes := lineTarget(i), []string{r.code}
	if len(r.mods) > 4 {
		v.add(RuleMaxModifiers, Error, target, codes, "line %d has %d modifiers; a line takes at most 4", i+1, len(r.mods))
	}
	has := map[string]bool{}
	for _, m := range r.mods {
		if has[m] {
			v.add(RuleModifierRepeated, Error, target, codes, "line %d: modifier %s given twice", i+1, m)
		}
		has[m] = true
		if !v.set.IsModifier(m) {
			v.add(RuleModifierUnknown, Error, target, codes, "line %d: %s is not a CPT or HCPCS modifier", i+1, m)
			continue
		}
		if c, ok := v.set.Modifier(m); ok && !c.Terminated.IsZero() {
			for _, day := range v.dates {
				if day.After(c.Terminated) {
					v.add(RuleModifierUnknown, Error, target, codes, "line %d: modifier %s was terminated on %s", i+1, m, c.Terminated.Format(time.DateOnly))
					break
				}
			}
		}
	}
	if has["59"] {
		var xs []string
		for _, x := range []string{"XE", "XP", "XS", "XU"} {
			if has[x] {
				xs = append(xs, x)
			}
		}
		if len(xs) > 0 {
			v.add(Rule59WithX, Error, target, codes, "line %d: 59 and %s on one line; report the more specific %s alone", i+1, strings.Join(xs, ", "), xs[0])
		}
	}
	if has["LT"] && has["RT"] {
		v.add(RuleLeftRight, Error, target, codes, "line %d: LT and RT on one line; for a bilateral procedure report 50, or two lines (one LT, one RT) as the payer requires", i+1)
	}
	if has["50"] && (has["LT"] || has["RT"]) {
		v.add(RuleBilateralSide, Error, target, codes, "line %d: 50 (bilateral) with a side modifier; report 50 alone, or one line per side with LT and RT", i+1)
	}
	if IsEM(r.code) && (has["LT"] || has["RT"]) {
		v.add(RuleSideOnEM, Error, target, codes, "line %d: %s is an E/M visit and takes no side modifier; remove %s (the side belongs on the procedure or in the diagnosis)", i+1, r.code, sideOf(has))
	}
}

func sideOf(has map[string]bool) string {
	if has["LT"] && has["RT"] {
		return "LT and RT"
	}
	if has["LT"] {
		return "LT"
	}
	return "RT"
}
