package encounter

import (
	"fmt"
	"strings"
)

// NCCI add-on code edits: an add-on code describes work done with a
// primary service by the same practitioner; reported without one, it is
// not paid (NCCI Policy Manual ch. I §R and §W).

const RuleAddOn = "addon.primary"

const srcAddOnManual = "NCCI Policy Manual 2026 ch. I §R (add-on codes), §W (add-on code edit tables)"

var addOnFamily = family{
	name: "NCCI add-on codes",
	rules: []RuleInfo{
		{RuleAddOn, Error, false, "NCCI add-on code edits (2024-07-01 embedded); " + srcAddOnManual, "a type 1 add-on code without one of its listed primary codes on the date of service (a warning for types 2 and 3, whose primaries the payer decides or lists only as examples)"},
	},
	check: (*validator).addOns,
}

func init() { policyRef[RuleAddOn] = srcAddOnManual }

func (v *validator) addOns() {
	if !v.applies(EditsAddOn) || len(v.dates) == 0 {
		return
	}
	t := v.tables.AddOn()
	m := t.Meta()
	lines := v.billed()
	isAddOn := map[string]bool{}
	for _, l := range lines {
		if _, ok := t.Lookup(l.code, v.dates[0]); ok {
			isAddOn[l.code] = true
		}
	}
	reported := map[string]bool{}
	for _, l := range lines {
		if !l.ours() || reported[l.code] {
			continue
		}
		e, ok := t.Lookup(l.code, v.dates[0])
		if !ok {
			continue
		}
		reported[l.code] = true
		primary, other := false, false
		for _, x := range lines {
			if x.code == l.code {
				continue
			}
			primary = primary || containsString(e.Primaries, x.code)
			other = other || !isAddOn[x.code]
		}
		target, codes := lineTarget(l.index), []string{l.code}
		switch {
		case e.Type == 1 && !primary:
			v.addFrom(m, RuleAddOn, Error, target, codes, "%s is a type 1 add-on code: it is paid only with one of its primary codes (%s) by the same practitioner on the same date, and none is on the claim; add the primary procedure performed, or remove %s",
				l.name(), listCodes(e.Primaries), l.code)
		case e.Type == 3 && !primary:
			v.addFrom(m, RuleAddOn, Warning, target, codes, "%s is a type 3 add-on code: its listed primaries (%s) are examples and none is on the claim; check that the payer accepts the primary reported",
				l.name(), listCodes(e.Primaries))
		case e.Type == 2 && !other:
			v.addFrom(m, RuleAddOn, Warning, target, codes, "%s is a type 2 add-on code (CMS lists no primaries; the payer decides) and the claim has no other procedure it could add on to",
				l.name())
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// listCodes shows up to eight codes.
func listCodes(codes []string) string {
	if len(codes) > 8 {
		return strings.Join(codes[:8], ", ") + fmt.Sprintf(" and %d more", len(codes)-8)
	}
	return strings.Join(codes, ", ")
}
