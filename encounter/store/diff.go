package store

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"codebench/codesets"
	"codebench/encounter"
)

// Changes describes, for the audit log, what a coder changed between two
// saved states of an encounter: diagnoses added, removed or reordered,
// service lines added, removed or edited, overrides added or withdrawn
// (with their reasons), and the header fields. It is empty when nothing
// changed.
func Changes(old, cur *encounter.Encounter) []string {
	var out []string
	add := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }

	if !samePatient(old.Patient, cur.Patient) {
		add("patient changed")
	}
	if old.Provider != cur.Provider {
		add("provider %s -> %s", old.Provider.NPI, cur.Provider.NPI)
	}
	if !old.Service.From.Equal(cur.Service.From.Time) || !old.Service.To.Equal(cur.Service.To.Time) {
		add("date of service %s -> %s", rangeText(old.Service), rangeText(cur.Service))
	}
	if old.PlaceOfService != cur.PlaceOfService {
		add("place of service %q -> %q", old.PlaceOfService, cur.PlaceOfService)
	}
	if !slices.Equal(old.Notes, cur.Notes) {
		add("documentation changed (%d notes -> %d)", len(old.Notes), len(cur.Notes))
	}

	out = append(out, diagnosisChanges(old.Diagnoses, cur.Diagnoses)...)
	out = append(out, lineChanges(old.Lines, cur.Lines)...)

	for _, o := range cur.Overrides {
		if !hasOverride(old.Overrides, o) {
			add("override %s on %s: %s", o.Rule, o.Target, o.Reason)
		}
	}
	for _, o := range old.Overrides {
		if !hasOverride(cur.Overrides, o) {
			add("override %s on %s withdrawn", o.Rule, o.Target)
		}
	}
	return out
}

// NewOverrides are the overrides in cur that old does not have.
func NewOverrides(old, cur *encounter.Encounter) []encounter.Override {
	var out []encounter.Override
	for _, o := range cur.Overrides {
		if !hasOverride(old.Overrides, o) {
			out = append(out, o)
		}
	}
	return out
}

// OverrideEntries are the audit entries a saved draft adds besides its
// "draft" entry, one per override accepted ("override", with its reason)
// and one per override withdrawn ("override withdrawn"): action and
// detail, logged at the revision the draft creates.
func OverrideEntries(old, cur *encounter.Encounter) (actions, details []string) {
	for _, o := range NewOverrides(old, cur) {
		actions = append(actions, "override")
		details = append(details, fmt.Sprintf("%s on %s: %s", o.Rule, o.Target, o.Reason))
	}
	for _, o := range NewOverrides(cur, old) {
		actions = append(actions, "override withdrawn")
		details = append(details, fmt.Sprintf("%s on %s (was: %s)", o.Rule, o.Target, o.Reason))
	}
	return actions, details
}

func hasOverride(list []encounter.Override, o encounter.Override) bool {
	for _, x := range list {
		if x.Rule == o.Rule && x.Target == o.Target && x.Reason == o.Reason {
			return true
		}
	}
	return false
}

func samePatient(a, b encounter.Patient) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Sex == b.Sex && a.DateOfBirth.Equal(b.DateOfBirth.Time)
}

func rangeText(r encounter.DateRange) string {
	if r.To.IsZero() || r.To.Equal(r.From.Time) {
		return r.From.String()
	}
	return r.From.String() + ".." + r.To.String()
}

func dx(code string) string { return codesets.Dotted(codesets.ICD10CM, code) }

// diagnosisChanges reports codes added and removed with their new letter,
// then the order when the codes kept moved relative to each other.
func diagnosisChanges(old, cur []encounter.Diagnosis) []string {
	var out []string
	oldCodes := make([]string, len(old))
	for i, d := range old {
		oldCodes[i] = d.Code
	}
	curCodes := make([]string, len(cur))
	for i, d := range cur {
		curCodes[i] = d.Code
	}
	for i, c := range curCodes {
		if !slices.Contains(oldCodes, c) {
			out = append(out, fmt.Sprintf("dx %s: added %s", letter(i), dx(c)))
		}
	}
	for _, c := range oldCodes {
		if !slices.Contains(curCodes, c) {
			out = append(out, "dx removed "+dx(c))
		}
	}
	var keptOld, keptCur []string
	for _, c := range oldCodes {
		if slices.Contains(curCodes, c) {
			keptOld = append(keptOld, c)
		}
	}
	for _, c := range curCodes {
		if slices.Contains(oldCodes, c) {
			keptCur = append(keptCur, c)
		}
	}
	if !slices.Equal(keptOld, keptCur) {
		order := make([]string, len(curCodes))
		for i, c := range curCodes {
			order[i] = letter(i) + " " + dx(c)
		}
		out = append(out, "dx reordered: "+strings.Join(order, ", "))
	}
	for i, d := range cur {
		if i < len(old) && old[i].Code == d.Code && !sameEvidence(old[i].Evidence, d.Evidence) {
			out = append(out, fmt.Sprintf("dx %s %s: evidence changed", letter(i), dx(d.Code)))
		}
	}
	return out
}

func sameEvidence(a, b *encounter.Evidence) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// letter is the CMS-1500 item 21 letter of the i-th (0-based) diagnosis.
func letter(i int) string {
	if i >= 0 && i < 26 {
		return string(rune('A' + i))
	}
	return strconv.Itoa(i + 1)
}

// lineChanges compares service lines position by position, as the claim
// form numbers them.
func lineChanges(old, cur []encounter.ServiceLine) []string {
	var out []string
	for i := 0; i < max(len(old), len(cur)); i++ {
		switch {
		case i >= len(old):
			out = append(out, fmt.Sprintf("line %d: added %s", i+1, lineText(cur[i])))
		case i >= len(cur):
			out = append(out, fmt.Sprintf("line %d: removed %s", i+1, lineText(old[i])))
		case !sameLine(old[i], cur[i]):
			out = append(out, fmt.Sprintf("line %d: %s -> %s", i+1, lineText(old[i]), lineText(cur[i])))
		}
	}
	return out
}

func sameLine(a, b encounter.ServiceLine) bool {
	return a.Code == b.Code && a.Units == b.Units && a.Charge == b.Charge &&
		slices.Equal(a.Modifiers, b.Modifiers) && slices.Equal(a.Pointers, b.Pointers)
}

// lineText writes a line the way coders read it: "99213-25 x1 -> A,B".
func lineText(l encounter.ServiceLine) string {
	var b strings.Builder
	b.WriteString(l.Code)
	for _, m := range l.Modifiers {
		b.WriteString("-" + m)
	}
	fmt.Fprintf(&b, " x%d", l.Units)
	if len(l.Pointers) > 0 {
		ptr := make([]string, len(l.Pointers))
		for i, p := range l.Pointers {
			ptr[i] = letter(p - 1)
		}
		b.WriteString(" -> " + strings.Join(ptr, ","))
	}
	if c := l.Charge; c != 0 {
		sign := ""
		if c < 0 {
			sign, c = "-", -c
		}
		fmt.Fprintf(&b, " %s$%d.%02d", sign, c/100, c%100)
	}
	return b.String()
}
