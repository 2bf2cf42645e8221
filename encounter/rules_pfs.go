package encounter

import (
	"fmt"
	"slices"

	"codebench/codesets/payer"
)

// Medicare Physician Fee Schedule payment indicators (the PPRRVU relative
// value file): which modifiers a code's payment policy allows (50, 26 and
// TC, 80-82, 62, 66), codes not paid separately or not valid for
// Medicare, and services not paid to practitioners in a facility.

const (
	RulePFSBilateral = "pfs.bilateral"
	RulePFSPCTC      = "pfs.pc-tc"
	RulePFSAssistant = "pfs.assistant"
	RulePFSCoSurgeon = "pfs.co-surgeon"
	RulePFSTeam      = "pfs.team"
	RulePFSStatus    = "pfs.status"
	RulePFSFacility  = "pfs.facility-na"
)

const srcPFS = "Medicare PFS relative value file indicators (RVU24C embedded); "

var pfsFamily = family{
	name: "fee schedule",
	rules: []RuleInfo{
		{RulePFSBilateral, Error, false, srcPFS + "Medicare Claims Processing Manual ch. 12 §40.7", "modifier 50 on a code whose bilateral indicator is 0, 2 or 9 (only 1 and 3 take it)"},
		{RulePFSPCTC, Error, false, srcPFS + "PC/TC indicator; Medicare Claims Processing Manual ch. 13 §20", "26 or TC on a code whose PC/TC indicator does not split it (only 1 takes both; 6 and 8 take 26, never TC)"},
		{RulePFSAssistant, Error, false, srcPFS + "Medicare Claims Processing Manual ch. 12 §20.4.3", "80, 81 or 82 on a code whose assistant-at-surgery indicator is 1 or 9 (not paid); a warning for 0 (paid only with documentation)"},
		{RulePFSCoSurgeon, Error, false, srcPFS + "Medicare Claims Processing Manual ch. 12 §40.8", "62 on a code whose co-surgeon indicator is 0 or 9 (not permitted); a warning for 1 (documentation required)"},
		{RulePFSTeam, Error, false, srcPFS + "Medicare Claims Processing Manual ch. 12 §40.8", "66 on a code whose team-surgery indicator is 0 or 9 (not permitted); a warning for 1 (documentation required)"},
		{RulePFSStatus, Error, false, srcPFS + "status indicator", "a code with PFS status I (not valid for Medicare, e.g. consultations 99242-99245); a warning for B (bundled: never paid separately)"},
		{RulePFSFacility, Error, false, srcPFS + "facility NA indicator; Medicare Claims Processing Manual ch. 12 §20.4.2", "a service with no facility price (NA) at a hospital place of service (21, 22, 23): the facility is paid for it, not the practitioner"},
	},
	check: (*validator).pfs,
}

func init() {
	for _, r := range pfsFamily.rules {
		policyRef[r.ID] = r.Source[len(srcPFS):]
	}
}

// facilityPOS are the hospital places of service where the facility
// price applies and NA means not paid to the practitioner.
var facilityPOS = map[string]string{"21": "inpatient hospital", "22": "outpatient hospital", "23": "emergency department"}

func (v *validator) pfs() {
	if !v.applies(EditsPFS) {
		return
	}
	t := v.tables.PFS()
	m := t.Meta()
	for i, r := range v.lines {
		if r.state != lineUsable {
			continue
		}
		row, ok := t.Lookup(r.code, "")
		if !ok {
			continue
		}
		target, codes := lineTarget(i), []string{r.code}
		name := fmt.Sprintf("line %d (%s%s)", i+1, r.code, modText(r.mods))
		has := func(mod string) bool { return slices.Contains(r.mods, mod) }
		switch row.Status {
		case 'I':
			v.addFrom(m, RulePFSStatus, Error, target, codes, "%s: PFS status I: %s is not valid for Medicare; report the code Medicare recognises for the service (for a consultation, the office or hospital E/M visit)", name, r.code)
		case 'B':
			v.addFrom(m, RulePFSStatus, Warning, target, codes, "%s: PFS status B: %s is bundled, its payment always included in another service; it is not paid separately", name, r.code)
		}
		if has("50") {
			switch row.Bilateral {
			case '0':
				v.addFrom(m, RulePFSBilateral, Error, target, codes, "%s: bilateral indicator 0: 50 does not apply to %s (no bilateral payment adjustment); remove 50, and if both sides were done report the payer's way (RT and LT lines only if it allows)", name, r.code)
			case '2':
				v.addFrom(m, RulePFSBilateral, Error, target, codes, "%s: bilateral indicator 2: %s is already bilateral or priced as such; remove 50 and report it once", name, r.code)
			case '9':
				v.addFrom(m, RulePFSBilateral, Error, target, codes, "%s: bilateral indicator 9: the bilateral concept does not apply to %s; remove 50", name, r.code)
			}
		}
		for _, mod := range []string{"26", "TC"} {
			if !has(mod) {
				continue
			}
			allowed := row.PCTC == '1' || mod == "26" && (row.PCTC == '6' || row.PCTC == '8')
			if !allowed {
				v.addFrom(m, RulePFSPCTC, Error, target, codes, "%s: PC/TC indicator %c (%s): %s does not take %s; remove it", name, row.PCTC, pctcMeaning(row.PCTC), r.code, mod)
			}
		}
		for _, mod := range []string{"80", "81", "82"} {
			if !has(mod) {
				continue
			}
			switch row.Assistant {
			case '1', '9':
				v.addFrom(m, RulePFSAssistant, Error, target, codes, "%s: assistant-at-surgery indicator %c: an assistant at surgery is not paid for %s; remove the line", name, row.Assistant, r.code)
			case '0':
				v.addFrom(m, RulePFSAssistant, Warning, target, codes, "%s: assistant-at-surgery indicator 0: paid only when the documentation establishes medical necessity; attach it", name)
			}
		}
		v.surgeons(m, target, codes, name, "62", "co-surgeon", RulePFSCoSurgeon, row.CoSurgeon, has("62"))
		v.surgeons(m, target, codes, name, "66", "team-surgery", RulePFSTeam, row.Team, has("66"))
		if place, ok := facilityPOS[v.enc.PlaceOfService]; ok && row.FacilityNA {
			v.addFrom(m, RulePFSFacility, Error, target, codes, "%s: %s has no facility price (NA): at place of service %s (%s) the facility bills it and the practitioner is not paid; remove the line from the practitioner's claim",
				name, r.code, v.enc.PlaceOfService, place)
		}
	}
}

func (v *validator) surgeons(m payer.Meta, target string, codes []string, name, mod, what, rule string, ind byte, has bool) {
	if !has {
		return
	}
	switch ind {
	case '0', '9':
		v.addFrom(m, rule, Error, target, codes, "%s: %s indicator %c: %s is not permitted for %s; remove %s", name, what, ind, mod, codes[0], mod)
	case '1':
		v.addFrom(m, rule, Warning, target, codes, "%s: %s indicator 1: %s is paid for %s only with documentation establishing the need; attach it", name, what, mod, codes[0])
	}
}

func pctcMeaning(ind byte) string {
	switch ind {
	case '0':
		return "physician service, not split"
	case '2':
		return "professional component only code"
	case '3':
		return "technical component only code"
	case '4':
		return "global test only: separate codes exist for the components"
	case '5':
		return "incident-to service"
	case '6':
		return "laboratory physician interpretation"
	case '7':
		return "physical therapy service, not paid"
	case '8':
		return "physician interpretation code"
	case '9':
		return "concept does not apply"
	}
	return "diagnostic test"
}
