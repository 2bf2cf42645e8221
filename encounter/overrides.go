package encounter

import (
	"strings"

	"codebench/codesets"
)

// Overrides: a coder accepts an edit of an overridable rule with a reason.

const RuleOverride = "claim.override"

var overrideFamily = family{
	name: "overrides",
	rules: []RuleInfo{
		{RuleOverride, Warning, false, "codebench override policy (encounter/README.md)", "an override names a rule that cannot be overridden, has no reason (warning), or no longer matches any edit (info)"},
	},
	// Reported by applyOverrides, after every family has run.
}

// applyOverrides attaches overrides to the edits they accept and reports
// the ones that accept nothing.
func (v *validator) applyOverrides() {
	for _, o := range v.enc.Overrides {
		info, known := ruleByID[o.Rule]
		switch {
		case !known:
			v.add(RuleOverride, Warning, overrideTarget(o), nil, "override names an unknown rule %q; it is ignored", o.Rule)
			continue
		case !info.Overridable:
			v.add(RuleOverride, Warning, overrideTarget(o), nil, "%s cannot be overridden (fix the claim instead); the override is ignored", o.Rule)
			continue
		case strings.TrimSpace(o.Reason) == "":
			v.add(RuleOverride, Warning, overrideTarget(o), nil, "override of %s has no reason; it is ignored", o.Rule)
			continue
		}
		used := false
		for k := range v.edits {
			e := &v.edits[k]
			if e.Rule == o.Rule && e.Target == o.Target && (len(o.Codes) == 0 || equalStrings(o.Codes, e.Codes)) {
				if e.Overridden == nil {
					oc := o
					e.Overridden = &oc
				}
				used = true
			}
		}
		if !used {
			v.add(RuleOverride, Info, overrideTarget(o), nil, "override of %s on %s matches no edit any more (the claim changed); it can be removed", o.Rule, o.Target)
		}
	}
}

func overrideTarget(o Override) string {
	if targetPattern.MatchString(o.Target) {
		return o.Target
	}
	return "claim"
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if codesets.Canonical(a[i]) != codesets.Canonical(b[i]) {
			return false
		}
	}
	return true
}
