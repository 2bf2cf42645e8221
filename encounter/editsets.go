package encounter

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// EditSet names a group of payer edits a payer type may apply.
type EditSet string

const (
	EditsPTP   EditSet = "ncci-ptp"   // NCCI procedure-to-procedure pairs
	EditsMUE   EditSet = "ncci-mue"   // NCCI medically unlikely edits
	EditsAddOn EditSet = "ncci-addon" // NCCI add-on code edits
	EditsPFS   EditSet = "pfs"        // Medicare fee-schedule indicators (modifiers 50, 26/TC, 80-82, 62; status; facility NA)
	EditsMCE   EditSet = "mce"        // Medicare Code Editor age, sex and principal-diagnosis lists
)

// AllEditSets lists every edit set.
var AllEditSets = []EditSet{EditsPTP, EditsMUE, EditsAddOn, EditsPFS, EditsMCE}

// EditSets says which edit sets apply to claims of each payer type.
type EditSets map[PayerType][]EditSet

// DefaultEditSets: the tables are Medicare's, and Medicare (the default
// for a claim without coverage) gets them all. State Medicaid programs
// must use NCCI methodologies (Affordable Care Act s. 6507), so Medicaid
// gets the NCCI and MCE sets, but not the Medicare fee schedule's
// indicators. Commercial and other payers vary; they get the pairs and
// add-on codes most of them license, and the age and sex lists, which are
// coding facts. A site changes this with ParseEditSets.
var DefaultEditSets = EditSets{
	PayerMedicare:   AllEditSets,
	PayerMedicaid:   {EditsPTP, EditsMUE, EditsAddOn, EditsMCE},
	PayerCommercial: {EditsPTP, EditsAddOn, EditsMCE},
	PayerOther:      {EditsPTP, EditsAddOn, EditsMCE},
}

// payerType is the claim's payer type: the coverage's, Medicare when the
// claim names none.
func (v *validator) payerType() PayerType {
	if t := v.enc.Coverage.PayerType; t != "" {
		return t
	}
	return PayerMedicare
}

// applies tells whether an edit set applies to this claim's payer.
func (v *validator) applies(s EditSet) bool {
	return slices.Contains(v.opts.EditSets[v.payerType()], s)
}

// ParseEditSets reads a site's setting, one payer type per clause:
// "medicare=all; medicaid=ncci-ptp,ncci-mue,mce; commercial=none". Payer
// types not named keep their defaults.
func ParseEditSets(s string) (EditSets, error) {
	out := EditSets{}
	for k, v := range DefaultEditSets {
		out[k] = v
	}
	for _, clause := range strings.Split(s, ";") {
		clause = strings.TrimSpace(clause)
		if clause == "" {
			continue
		}
		name, list, ok := strings.Cut(clause, "=")
		pt := PayerType(strings.TrimSpace(name))
		if !ok || !slices.Contains(PayerTypes, pt) {
			return nil, fmt.Errorf("edit sets: %q: want payer=set,set with payer one of %s", clause, joinStrings(PayerTypes))
		}
		var sets []EditSet
		switch list = strings.TrimSpace(list); list {
		case "all":
			sets = AllEditSets
		case "none":
		default:
			for _, x := range strings.Split(list, ",") {
				es := EditSet(strings.TrimSpace(x))
				if !slices.Contains(AllEditSets, es) {
					return nil, fmt.Errorf("edit sets: %q is not an edit set (%s, all, none)", x, joinStrings(AllEditSets))
				}
				sets = append(sets, es)
			}
		}
		out[pt] = sets
	}
	return out, nil
}

// String writes the setting back in ParseEditSets form.
func (e EditSets) String() string {
	var parts []string
	for pt, sets := range e {
		names := make([]string, len(sets))
		for i, s := range sets {
			names[i] = string(s)
		}
		if len(names) == 0 {
			names = []string{"none"}
		}
		parts = append(parts, string(pt)+"="+strings.Join(names, ","))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}
