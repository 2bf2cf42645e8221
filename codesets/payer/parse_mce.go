package payer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// MCEOptions tune ParseMCE.
type MCEOptions struct {
	// Universe lists every billable ICD-10-CM code the lists' version
	// knew (canonical, no dot), so that a code added later takes the flag
	// its whole category shares (see MCE.Lookup). Optional.
	Universe []string
	// Lists keeps only these lists (0: all).
	Lists MCEFlags
}

// v37Ages are the age ranges of the MCE v37 definitions, which its
// simple list file does not repeat.
var v37Ages = map[MCEFlags]AgeRange{MCENewborn: {0, 0}, MCEPediatric: {0, 17}, MCEMaternity: {12, 55}, MCEAdult: {15, 124}}

var v37Edits = map[string]MCEFlags{
	"Newborn_Only":            MCENewborn,
	"Pediatric_Only":          MCEPediatric,
	"Maternity_Only":          MCEMaternity,
	"Adult_Only":              MCEAdult,
	"Female_Only":             MCEFemale,
	"Male_Only":               MCEMale,
	"Principal_Manifestation": MCEManifestation,
	"Principal_Unacceptable":  MCEUnacceptablePrincipal,
}

// ParseMCE reads Medicare Code Editor diagnosis lists, in either layout:
//
//   - a CSV whose heading names icd_code, icd_conflict_group and
//     icd_conflict_rule, the rule saying the list and, for age lists,
//     the ages: "Perinatal/Newborn (Age 0 Only)", "Maternity (Ages
//     9-64)", "Female Only", "Manifestation (Not Allowed as Principal
//     Diagnosis)", "Unacceptable Principal Diagnosis";
//   - the tab-separated simple edit list (MCE_Version, ICD_Version,
//     MCE_Section, MCE_Subsection, MCE_Edit_Type, ICD_Code_Type,
//     ICD_Code, ICD_Desc) with edit types such as Newborn_Only and
//     Principal_Unacceptable; diagnosis rows only, ages from the v37
//     definitions.
//
// Codes may be written with or without the dot.
func ParseMCE(meta Meta, src Source, opts MCEOptions) (*MCE, error) {
	hs, p, c, err := delimited(src)
	if err != nil {
		return nil, err
	}
	c.r.LazyQuotes = true // descriptions in the simple list hold bare quotes
	cols, ok := findHeading(c, p, func(cols map[string]int) bool {
		return hasAll(cols, "icdcode", "icdconflictrule") || hasAll(cols, "mceedittype", "icdcode", "icdcodetype")
	})
	var rows []MCERow
	ages := map[MCEFlags]AgeRange{}
	agesFrom := map[MCEFlags]int{}
	if ok {
		ic, _ := find(cols, "icdcode")
		simple := hasAll(cols, "mceedittype")
		if simple {
			for f, a := range v37Ages {
				ages[f] = a
			}
		}
		it, _ := find(cols, "mceedittype")
		itype, _ := find(cols, "icdcodetype")
		ir, _ := find(cols, "icdconflictrule")
		for !p.full() {
			rec, ok := c.next(p)
			if !ok {
				break
			}
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue
			}
			a := at{p, src.Name, c.line}
			var f MCEFlags
			if simple {
				if field(rec, itype) != "D" {
					continue // procedure edits
				}
				if f = v37Edits[field(rec, it)]; f == 0 {
					continue // edits codebench does not apply (questionable admission, ...)
				}
			} else {
				var lo, hi int
				var hasAges bool
				if f, lo, hi, hasAges, ok = a.mceRule(field(rec, ir)); !ok {
					continue
				}
				if hasAges {
					if first, ok := agesFrom[f]; !ok {
						ages[f], agesFrom[f] = AgeRange{lo, hi}, c.line
					} else if ages[f] != (AgeRange{lo, hi}) {
						a.bad("icd_conflict_rule", "%s ages %d-%d differ from %d-%d on line %d", f, lo, hi, ages[f].Lo, ages[f].Hi, first)
						continue
					}
				}
			}
			if opts.Lists != 0 && f&opts.Lists == 0 {
				continue
			}
			code := strings.ToUpper(strings.ReplaceAll(field(rec, ic), ".", ""))
			if !validICD(code) {
				a.bad("icd_code", "want an ICD-10-CM code, got %q", clip(field(rec, ic)))
				continue
			}
			rows = append(rows, MCERow{Code: code, Flags: f})
		}
	}
	for _, f := range AgeFlags {
		if opts.Lists != 0 && opts.Lists&f == 0 {
			delete(ages, f)
			continue
		}
		if _, ok := ages[f]; !ok && hasFlag(rows, f) && len(p.list) == 0 {
			p.add(src.Name, 0, "", "the %s list gives no ages", f)
		}
	}
	kind := KindMCE
	if opts.Lists == MCEUnacceptablePrincipal {
		kind = KindMCEPrincipal
	}
	if err := p.done(hs, &meta, kind, src.Name, len(rows), "an MCE list file"); err != nil {
		return nil, err
	}
	return NewMCE(meta, rows, ages, opts.Universe)
}

func hasFlag(rows []MCERow, f MCEFlags) bool {
	for _, r := range rows {
		if r.Flags&f != 0 {
			return true
		}
	}
	return false
}

func ageIndex(f MCEFlags) int {
	for i, a := range AgeFlags {
		if a == f {
			return i
		}
	}
	return -1
}

// mceRules name the lists in an icd_conflict_rule: "Female Only" is
// matched as a prefix, or "male" would find it.
var mceRules = []struct {
	word   string
	prefix bool
	flag   MCEFlags
}{
	{"newborn", false, MCENewborn},
	{"pediatric", false, MCEPediatric},
	{"maternity", false, MCEMaternity},
	{"adult", false, MCEAdult},
	{"female", true, MCEFemale},
	{"male", true, MCEMale},
	{"manifestation", true, MCEManifestation},
	{"unacceptable principal", false, MCEUnacceptablePrincipal},
}

var agesPattern = regexp.MustCompile(`\(Ages? (\d{1,3})(?:\s*-\s*(\d{1,3}))?(?: Only)?\)`)

// mceRule reads an icd_conflict_rule: the list, and the ages of an age
// list.
func (a at) mceRule(s string) (f MCEFlags, lo, hi int, hasAges, ok bool) {
	l := strings.ToLower(s)
	for _, r := range mceRules {
		if r.prefix && strings.HasPrefix(l, r.word) || !r.prefix && strings.Contains(l, r.word) {
			f = r.flag
			break
		}
	}
	if f == 0 {
		a.bad("icd_conflict_rule", "unknown MCE list %q", clip(s))
		return 0, 0, 0, false, false
	}
	if ageIndex(f) < 0 {
		return f, 0, 0, false, true
	}
	m := agesPattern.FindStringSubmatch(s)
	if m == nil {
		a.bad("icd_conflict_rule", "age list %q gives no ages, e.g. \"(Ages 9-64)\"", clip(s))
		return 0, 0, 0, false, false
	}
	lo, _ = strconv.Atoi(m[1])
	hi = lo
	if m[2] != "" {
		hi, _ = strconv.Atoi(m[2])
	}
	if hi < lo || hi > 150 {
		a.bad("icd_conflict_rule", "%s", fmt.Sprintf("ages %d-%d are not a range", lo, hi))
		return 0, 0, 0, false, false
	}
	return f, lo, hi, true, true
}
