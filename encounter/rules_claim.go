package encounter

import (
	"strings"
)

// Claim shape: who, where, how many diagnoses, and each line's code,
// units, charge and pointers (CMS-1500 / 837P).

const (
	RulePatientID       = "claim.patient-id"
	RulePatientDOB      = "claim.patient-dob"
	RulePatientSex      = "claim.patient-sex"
	RuleProviderNPI     = "claim.provider-npi"
	RulePlaceOfService  = "claim.pos"
	RuleDiagnosisNeeded = "claim.diagnosis-required"
	RuleLineNeeded      = "claim.line-required"
	RuleMaxDiagnoses    = "claim.max-diagnoses"
	RuleDuplicateDx     = "claim.duplicate-diagnosis"
	RuleLineUnknown     = "line.unknown"
	RuleCPTDescriptor   = "line.cpt-descriptor"
	RuleUnits           = "line.units"
	RuleUnitsUnusual    = "line.units-unusual"
	RuleCharge          = "line.charge"
	RulePointerNeeded   = "line.pointer-required"
	RuleMaxPointers     = "line.max-pointers"
	RulePointerRange    = "line.pointer-range"
	RuleDuplicateLine   = "line.duplicate"
)

var claimFamily = family{
	name: "claim",
	rules: []RuleInfo{
		{RulePatientID, Error, false, srcCMS1500 + "item 26; 837P 2300 CLM01", "the patient's id (account number) is missing"},
		{RulePatientDOB, Error, false, srcCMS1500 + "item 3; 837P 2010CA DMG02", "the patient's date of birth is missing or after the date of service"},
		{RulePatientSex, Error, false, srcCMS1500 + "item 3; 837P 2010CA DMG03", "the patient's sex is missing or not F, M or U"},
		{RuleProviderNPI, Error, false, srcCMS1500 + "item 24J; 837P 2310B NM109; 45 CFR 162.406 (NPI check digit)", "the rendering provider's NPI is missing, not 10 digits, or fails its check digit"},
		{RulePlaceOfService, Error, false, srcCMS1500 + "item 24B; CMS Place of Service Code Set", "the place of service is missing or malformed (error) or not an assigned CMS code (warning)"},
		{RuleDiagnosisNeeded, Error, false, srcCMS1500 + "item 21; 837P 2300 HI", "the claim has no diagnosis"},
		{RuleLineNeeded, Error, false, srcCMS1500 + "item 24; 837P loop 2400", "the claim has no service line"},
		{RuleMaxDiagnoses, Error, false, srcCMS1500 + "item 21 (A-L); 837P 2300 HI (12 codes)", "more than 12 diagnoses"},
		{RuleDuplicateDx, Error, false, srcCMS1500 + "item 21; " + srcGuidelines + "I.B.12", "the same diagnosis code is listed twice"},
		{RuleLineUnknown, Error, false, "HCPCS Level II (CMS October 2025); AMA CPT", "a service line code is not a CPT or HCPCS code, or (with a CPT file imported) not in that file"},
		{RuleCPTDescriptor, Info, false, "AMA CPT (licensed file not imported)", "a CPT code is accepted by its number; its descriptor is not loaded"},
		{RuleUnits, Error, false, srcCMS1500 + "item 24G; 837P SV104", "units are not more than 0"},
		{RuleUnitsUnusual, Warning, true, "NCCI MUE practitioner table (units per patient per day)", "units far above the code's usual range: more than half its MUE (and 10 or more), or 100 or more for a code without one; a slip such as 116 typed for 16"},
		{RuleCharge, Error, false, srcCMS1500 + "item 24F; 837P SV102", "a charge is negative"},
		{RulePointerNeeded, Error, false, srcCMS1500 + "item 24E; 837P SV107", "a service line points at no diagnosis"},
		{RuleMaxPointers, Error, false, srcCMS1500 + "item 24E (up to 4); 837P SV107", "a service line has more than 4 diagnosis pointers"},
		{RulePointerRange, Error, false, srcCMS1500 + "item 24E (pointers A-L name item 21)", "a pointer names no diagnosis, or one twice"},
		{RuleDuplicateLine, Warning, true, "NCCI Policy Manual ch. I (repeat services: modifiers 76, 77, 91 or units)", "two lines have the same code and modifiers"},
	},
	check: (*validator).claim,
}

func (v *validator) claim() {
	v.parties()
	v.duplicateDiagnoses()
	v.claimLines()
}

// parties checks the patient, provider, place of service and the counts
// of diagnoses and lines.
func (v *validator) parties() {
	e := v.enc
	if strings.TrimSpace(e.Patient.ID) == "" {
		v.add(RulePatientID, Error, "claim", nil, "patient id (account number) missing")
	}
	from := e.Service.From
	dob := e.Patient.DateOfBirth
	switch {
	case dob.IsZero():
		v.add(RulePatientDOB, Error, "claim", nil, "patient date of birth missing")
	case !from.IsZero() && dob.After(from.Time):
		v.add(RulePatientDOB, Error, "claim", nil, "patient date of birth %s is after the date of service %s", dob, from)
	}
	switch e.Patient.Sex {
	case "F", "M", "U":
	case "":
		v.add(RulePatientSex, Error, "claim", nil, "patient sex missing (F, M or U)")
	default:
		v.add(RulePatientSex, Error, "claim", nil, "patient sex %q is not F, M or U", e.Patient.Sex)
	}
	npi := e.Provider.NPI
	switch {
	case npi == "":
		v.add(RuleProviderNPI, Error, "claim", nil, "rendering provider NPI missing")
	case !ValidNPI(npi):
		if len(npi) == 10 && strings.Trim(npi, "0123456789") == "" {
			v.add(RuleProviderNPI, Error, "claim", nil, "NPI %s fails its check digit (Luhn with prefix 80840): a digit is mistyped", npi)
		} else {
			v.add(RuleProviderNPI, Error, "claim", nil, "NPI %q is not 10 digits", npi)
		}
	}
	pos := e.PlaceOfService
	if pos == "" {
		v.add(RulePlaceOfService, Error, "claim", nil, "place of service missing (11 office, 23 emergency room, 21 inpatient, ...)")
	} else if len(pos) != 2 || strings.Trim(pos, "0123456789") != "" {
		v.add(RulePlaceOfService, Error, "claim", nil, "place of service %q is not a two-digit code", pos)
	} else if _, ok := PlaceOfService(pos); !ok {
		v.add(RulePlaceOfService, Warning, "claim", nil, "place of service %s is not an assigned CMS code", pos)
	}
	if len(e.Diagnoses) == 0 {
		v.add(RuleDiagnosisNeeded, Error, "claim", nil, "no diagnosis coded")
	}
	if len(e.Diagnoses) > 12 {
		v.add(RuleMaxDiagnoses, Error, "claim", nil, "%d diagnoses; a claim holds 12 (A-L): drop the least relevant or split the claim", len(e.Diagnoses))
	}
	if len(e.Lines) == 0 {
		v.add(RuleLineNeeded, Error, "claim", nil, "no service line coded")
	}
}

func (v *validator) duplicateDiagnoses() {
	first := map[string]int{}
	for i, d := range v.dxs {
		if j, dup := first[d.code]; dup {
			v.add(RuleDuplicateDx, Error, dxTarget(i), []string{d.code}, "%s is already listed as diagnosis %s; each code is reported once", icdDisplay(d.code), letter(j))
			continue
		}
		first[d.code] = i
	}
}

// claimLines checks each line's code, units, charge and pointers, and
// repeated lines.
func (v *validator) claimLines() {
	seen := map[string]int{}
	for i, l := range v.enc.Lines {
		r := v.lines[i]
		target, code := lineTarget(i), r.code
		codes := []string{code}
		switch r.state {
		case lineICD:
			v.add(RuleLineUnknown, Error, target, codes, "line %d: %s is an ICD-10-CM diagnosis code (%s); service lines take CPT or HCPCS codes", i+1, r.c.Display(), r.c.Title())
		case lineUnknown:
			v.add(RuleLineUnknown, Error, target, codes, "line %d: %s is not a CPT or HCPCS code%s", i+1, code, nearestText(v.nearestProcedure(code)))
		case lineNotInCPT:
			v.add(RuleLineUnknown, Error, target, codes, "line %d: %s is not in the imported CPT file%s", i+1, code, nearestText(v.nearestProcedure(code)))
		case lineUsable:
			if r.c.DescriptorMissing {
				v.add(RuleCPTDescriptor, Info, target, codes, "line %d: CPT %s accepted by its number; descriptor not loaded (codebench cpt import)", i+1, code)
			}
		}
		if l.Units <= 0 {
			v.add(RuleUnits, Error, target, codes, "line %d (%s): units %d; report 1 or more", i+1, code, l.Units)
		}
		if l.Units > 0 && r.state == lineUsable {
			v.unusualUnits(i, code, l.Units)
		}
		if l.Charge < 0 {
			v.add(RuleCharge, Error, target, codes, "line %d (%s): negative charge", i+1, code)
		}
		v.pointers(i, l, codes)

		key := code + "|" + strings.Join(sortedCopy(r.mods), ",")
		if j, dup := seen[key]; dup {
			v.add(RuleDuplicateLine, Warning, target, codes, "line %d repeats line %d (%s%s): for a repeated service add 76, 77 or 91, or report units on one line",
				i+1, j+1, code, modText(r.mods))
		} else {
			seen[key] = i
		}
	}
}

// unusualUnits warns of units far above what the code is usually billed
// in: more than half the most CMS expects of one practitioner for one
// patient on one day (the MUE), or three digits for a code without an
// MUE. Units above the MUE itself are the MUE edit's (mue.units); this
// one catches the slip that stays under it (J1100, 1 mg: 116 typed for
// 16, MUE 120).
func (v *validator) unusualUnits(i int, code string, units int) {
	const atLeast, noMUE = 10, 100
	target, codes := lineTarget(i), []string{code}
	if v.tables != nil {
		if t := v.tables.MUE(); t != nil {
			if row, ok := t.Lookup(code); ok && row.Value > 0 {
				if units >= atLeast && units*2 > row.Value && units <= row.Value {
					v.addFrom(t.Meta(), RuleUnitsUnusual, Warning, target, codes,
						"line %d (%s): %d units is far above the usual range (MUE %d per day): check the units, then override with the documented dose", i+1, code, units, row.Value)
				}
				return
			}
		}
	}
	if units >= noMUE {
		v.add(RuleUnitsUnusual, Warning, target, codes, "line %d (%s): %d units is far above the usual range of a service: check the units, then override with the documented amount", i+1, code, units)
	}
}

func modText(mods []string) string {
	if len(mods) == 0 {
		return ""
	}
	return "-" + strings.Join(mods, "-")
}

func (v *validator) pointers(i int, l ServiceLine, codes []string) {
	target := lineTarget(i)
	switch {
	case len(l.Pointers) == 0:
		v.add(RulePointerNeeded, Error, target, codes, "line %d (%s) points at no diagnosis: add 1-4 pointers", i+1, codes[0])
	case len(l.Pointers) > 4:
		v.add(RuleMaxPointers, Error, target, codes, "line %d (%s) has %d diagnosis pointers; at most 4", i+1, codes[0], len(l.Pointers))
	}
	used := map[int]bool{}
	for _, p := range l.Pointers {
		switch {
		case p < 1 || p > 12:
			v.add(RulePointerRange, Error, target, codes, "line %d: pointer %d is outside A-L (1-12)", i+1, p)
		case p > len(v.enc.Diagnoses):
			v.add(RulePointerRange, Error, target, codes, "line %d: pointer %s names no diagnosis; the claim has %d", i+1, letter(p-1), len(v.enc.Diagnoses))
		case used[p]:
			v.add(RulePointerRange, Error, target, codes, "line %d: pointer %s is given twice", i+1, letter(p-1))
		}
		used[p] = true
	}
}
