package encounter

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"codebench/codesets"
)

// Validate checks a coded encounter against the claim rules (see Rules and
// README.md) and returns its edits, errors first, then warnings, then
// information, each group in claim order. Overrides with a reason are
// attached to the edits of overridable rules they match (Edit.Overridden).
// It only reads enc and set, and is fast enough to run on every keystroke.
func Validate(enc *Encounter, set *codesets.Set) []Edit {
	v := &validator{enc: enc, set: set}
	v.claim()
	v.resolveDiagnoses()
	v.firstListed()
	v.mce()
	v.pairs()
	v.instructions()
	v.lines()
	v.applyOverrides()
	sort.SliceStable(v.edits, func(i, j int) bool { return rank(v.edits[i].Severity) < rank(v.edits[j].Severity) })
	return v.edits
}

// HasErrors tells whether any error-severity edit is not overridden: an
// encounter with errors may not be exported.
func HasErrors(edits []Edit) bool {
	for _, e := range edits {
		if e.Severity == Error && e.Overridden == nil {
			return true
		}
	}
	return false
}

func rank(s Severity) int {
	switch s {
	case Error:
		return 0
	case Warning:
		return 1
	}
	return 2
}

type validator struct {
	enc   *Encounter
	set   *codesets.Set
	edits []Edit

	dates []time.Time // the dates of service to check codes on (first, last)
	dx    []*codesets.Code
	notes [][]codesets.Note // inherited notes of each resolved diagnosis
}

// notesOf returns the inherited notes of diagnosis i, computed once.
func (v *validator) notesOf(i int) []codesets.Note {
	if v.notes[i] == nil && v.dx[i] != nil {
		v.notes[i] = v.dx[i].Notes()
	}
	return v.notes[i]
}

func (v *validator) add(rule string, sev Severity, target string, codes []string, format string, a ...any) {
	v.edits = append(v.edits, Edit{
		Severity: sev,
		Rule:     rule,
		Target:   target,
		Message:  fmt.Sprintf(format, a...),
		Source:   ruleByID[rule].Source,
		Codes:    codes,
	})
}

func dxTarget(i int) string   { return fmt.Sprintf("dx:%d", i+1) }
func lineTarget(i int) string { return fmt.Sprintf("line:%d", i+1) }

// letter is a diagnosis's CMS-1500 item 21 letter.
func letter(i int) string {
	if i >= 0 && i < 12 {
		return string(rune('A' + i))
	}
	return fmt.Sprintf("#%d", i+1)
}

func icdDisplay(code string) string { return codesets.Dotted(codesets.ICD10CM, code) }

// claim checks the patient, provider, dates and place of service.
func (v *validator) claim() {
	e := v.enc
	if strings.TrimSpace(e.Patient.ID) == "" {
		v.add(RulePatientID, Error, "claim", nil, "patient id (account number) missing")
	}
	from, to := e.Service.From, e.Service.To
	switch {
	case from.IsZero():
		v.add(RuleDateOfService, Error, "claim", nil, "date of service missing: codes cannot be checked for validity on it")
	case !to.IsZero() && to.Before(from.Time):
		v.add(RuleDateOfService, Error, "claim", nil, "last date of service %s is before the first, %s", to, from)
	default:
		v.dates = append(v.dates, from.Time)
		if !to.IsZero() && !to.Equal(from.Time) {
			v.dates = append(v.dates, to.Time)
		}
		for _, d := range v.dates {
			if !v.set.Covers(codesets.ICD10CM, d) {
				name, lo, hi := v.set.ICD10CMRelease()
				v.add(RuleOutsideRelease, Warning, "claim", nil, "date of service %s is outside ICD-10-CM %s (%s to %s) and FY2025: code validity on that date is unchecked",
					Date{d}, name, lo.Format(time.DateOnly), hi.Format(time.DateOnly))
				break
			}
		}
	}
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

// resolveDiagnoses looks every diagnosis up and checks it is a billable
// code valid on the date of service.
func (v *validator) resolveDiagnoses() {
	v.dx = make([]*codesets.Code, len(v.enc.Diagnoses))
	v.notes = make([][]codesets.Note, len(v.enc.Diagnoses))
	for i, d := range v.enc.Diagnoses {
		code := codesets.Canonical(d.Code)
		target, codes := dxTarget(i), []string{code}
		c, ok := v.set.LookupIn(codesets.ICD10CM, code)
		if !ok || !c.Billable {
			if old, retired := v.set.Retired(code); retired {
				v.retired(i, old, c)
				continue
			}
		}
		if !ok {
			v.unknownICD(i, code)
			continue
		}
		if !c.Billable {
			if opts := v.set.SeventhOptions(c); c.NeedsSeventh() && len(opts) > 0 {
				_, from := c.SeventhChars()
				v.add(RuleSeventh, Error, target, codes, "%s needs a 7th character (table at %s): %s", c.Display(), icdDisplay(from), seventhList(c, opts))
			} else {
				v.add(RuleBillable, Error, target, codes, "%s is a header (%s), not billable: it needs more characters, e.g. %s", c.Display(), c.Title(), strings.Join(billableUnder(c, 4), ", "))
			}
			continue
		}
		v.dx[i] = c
		for _, day := range v.dates {
			if err := v.set.ValidOn(c, day); err != nil {
				v.add(RuleCodeOnDate, Error, target, codes, "%v", err)
				break
			}
		}
		if d.Evidence != nil {
			if msg := d.Evidence.problem(v.enc.Notes); msg != "" {
				v.add(RuleEvidence, Warning, target, codes, "evidence for %s: %s", c.Display(), msg)
			}
		}
	}
}

// retired handles a code billable in FY2025 and not in FY2026: valid for
// FY2025 dates only. now is the FY2026 header it became, if any.
func (v *validator) retired(i int, old, now *codesets.Code) {
	_, fy26, _ := v.set.ICD10CMRelease()
	for _, day := range v.dates {
		if day.Before(fy26) {
			continue
		}
		if now != nil {
			v.add(RuleCodeOnDate, Error, dxTarget(i), []string{old.Code}, "%s was deleted as a billable code on %s (FY2026 expanded it); for %s use a code under it, e.g. %s",
				old.Display(), fy26.Format(time.DateOnly), Date{day}, strings.Join(billableUnder(now, 4), ", "))
		} else {
			v.add(RuleCodeOnDate, Error, dxTarget(i), []string{old.Code}, "%s (%s) was deleted from ICD-10-CM on %s; it is valid only for dates of service before, not %s%s",
				old.Display(), old.Title(), fy26.Format(time.DateOnly), Date{day}, nearestText(v.nearestICD(old.Code)))
		}
		return
	}
	if len(v.dates) == 0 {
		v.add(RuleCodeOnDate, Error, dxTarget(i), []string{old.Code}, "%s was deleted from ICD-10-CM on %s; without a date of service it cannot be accepted", old.Display(), fy26.Format(time.DateOnly))
		return
	}
	v.dx[i] = old // a FY2025 date: the code was valid then
}

func (v *validator) unknownICD(i int, code string) {
	target, codes := dxTarget(i), []string{code}
	if c, ok := v.set.LookupIn(codesets.HCPCS, code); ok {
		v.add(RuleICDUnknown, Error, target, codes, "%s is a HCPCS code (%s); diagnoses take ICD-10-CM codes", code, c.Title())
		return
	}
	// A missing X placeholder: T38.31A for T38.3X1A, W01.0A for W01.0XXA.
	if n := len(code); n >= 4 && n < 7 {
		for p := 3; p < n; p++ {
			cand := code[:p] + strings.Repeat("X", 7-n) + code[p:]
			if c, ok := v.set.LookupIn(codesets.ICD10CM, cand); ok && c.Billable {
				v.add(RuleICDUnknown, Error, target, codes, "%s is not an ICD-10-CM code: with the X placeholder it is %s (%s)", icdDisplay(code), c.Display(), c.Title())
				return
			}
		}
	}
	v.add(RuleICDUnknown, Error, target, codes, "%s is not an ICD-10-CM FY2026 code%s", icdDisplay(code), nearestText(v.nearestICD(code)))
}

// nearestCache remembers suggestions for unknown codes: finding them scans
// the code list (a few milliseconds), and the same wrong code is validated
// on every keystroke. It is emptied when full, so typed garbage cannot grow
// it without bound.
var nearestCache = struct {
	sync.Mutex
	m map[string][]*codesets.Code
}{m: map[string][]*codesets.Code{}}

const nearestCacheSize = 4096

func cachedNearest(key string, find func() []*codesets.Code) []*codesets.Code {
	nearestCache.Lock()
	near, ok := nearestCache.m[key]
	nearestCache.Unlock()
	if ok {
		return near
	}
	near = find()
	nearestCache.Lock()
	if len(nearestCache.m) >= nearestCacheSize {
		clear(nearestCache.m)
	}
	nearestCache.m[key] = near
	nearestCache.Unlock()
	return near
}

func (v *validator) nearestICD(code string) []*codesets.Code {
	// The longest prefix that is a code leads to its billable codes with
	// a few map lookups; only an unknown category needs the full scan.
	for k := len(code) - 1; k >= 3; k-- {
		c, ok := v.set.LookupIn(codesets.ICD10CM, code[:k])
		if !ok {
			continue
		}
		if len(c.Children()) == 0 {
			return []*codesets.Code{c}
		}
		var near []*codesets.Code
		for _, d := range billableUnder(c, 3) {
			if x, ok := v.set.LookupIn(codesets.ICD10CM, d); ok {
				near = append(near, x)
			}
		}
		return near
	}
	return cachedNearest(fmt.Sprintf("%p icd %s", v.set, code), func() []*codesets.Code {
		return v.set.Nearest(icdDisplay(code)+".", 3) // the dot keeps the search in ICD-10-CM
	})
}

func nearestText(near []*codesets.Code) string {
	if len(near) == 0 {
		return ""
	}
	parts := make([]string, len(near))
	for i, c := range near {
		parts[i] = c.Display() + " " + clip(c.Title(), 40)
	}
	return "; nearest: " + strings.Join(parts, "; ")
}

func seventhList(c *codesets.Code, opts []codesets.Seventh) string {
	chars := make([]string, len(opts))
	for i, o := range opts {
		chars[i] = string(o.Char)
	}
	base := c.Code + strings.Repeat("X", max(0, 6-len(c.Code)))
	return fmt.Sprintf("%s (%s%c = %s)", strings.Join(chars, ", "), icdDisplay(base), opts[0].Char, opts[0].Meaning)
}

// billableUnder lists up to n billable codes under a header, in tabular order.
func billableUnder(c *codesets.Code, n int) []string {
	var out []string
	var walk func(*codesets.Code)
	walk = func(x *codesets.Code) {
		for _, ch := range x.Children() {
			if len(out) == n {
				return
			}
			if ch.Billable {
				out = append(out, ch.Display())
			}
			walk(ch)
		}
	}
	walk(c)
	return out
}

// strictManifestation: a code that may never be first-listed (guideline
// I.A.13), as opposed to a code that merely carries a "code first" note
// (CKD N18.-, weeks of gestation Z3A), which is first-listed when no
// underlying condition is documented.
func strictManifestation(c *codesets.Code) bool {
	return c.HasMCE(codesets.MCEManifestation) || strings.Contains(strings.ToLower(c.Long), "in diseases classified elsewhere")
}

func (v *validator) firstListed() {
	if len(v.dx) == 0 || v.dx[0] == nil {
		return
	}
	c, codes := v.dx[0], []string{v.dx[0].Code}
	switch {
	case c.Code[0] >= 'V' && c.Code[0] <= 'Y':
		v.add(RuleExternalFirst, Error, "dx:1", codes, "%s is an external cause code; it is never first-listed: list the injury or condition first", c.Display())
	case strictManifestation(c):
		if j, ok := v.codedUnderlying(0); ok {
			v.add(RuleManifestation, Error, "dx:1", codes, "%s is a manifestation code and is never first-listed: list its underlying condition %s (%s) first", c.Display(), v.dx[j].Display(), letter(j))
		} else {
			v.add(RuleManifestation, Error, "dx:1", codes, "%s is a manifestation code and is never first-listed: code the underlying condition first%s", c.Display(), refsHint(c))
		}
	}
	pos := v.enc.PlaceOfService
	if c.HasMCE(codesets.MCEUnacceptablePrincipal) && (inpatientPOS(pos) || pos == "") {
		v.add(RuleMCEPrincipal, Warning, "dx:1", codes, "%s is not acceptable as the principal diagnosis of an inpatient claim", c.Display())
	}
}

// codedUnderlying finds a diagnosis that a "code first" note of diagnosis
// i names.
func (v *validator) codedUnderlying(i int) (int, bool) {
	for _, n := range v.notesOf(i) {
		if n.Kind != codesets.CodeFirst {
			continue
		}
		if j, ok := v.coveredBy(refsOf(n), i); ok {
			return j, true
		}
	}
	return 0, false
}

// coveredBy finds a diagnosis other than self that one of refs covers.
func (v *validator) coveredBy(refs []codesets.Ref, self int) (int, bool) {
	for _, r := range refs {
		for j, o := range v.dx {
			if o != nil && j != self && r.Covers(o.Code) {
				return j, true
			}
		}
	}
	return 0, false
}

// refsHint names what a "code first" note points at.
func refsHint(c *codesets.Code) string {
	var refs []string
	for _, n := range c.NotesOf(codesets.CodeFirst) {
		for _, r := range refsOf(n) {
			refs = append(refs, r.String())
		}
	}
	refs = dedupe(refs)
	if len(refs) == 0 {
		return ""
	}
	if len(refs) > 6 {
		refs = append(refs[:6], "...")
	}
	return " (" + strings.Join(refs, ", ") + ")"
}

// mce runs the age and sex edits.
func (v *validator) mce() {
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

func dedupe(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// refCache keeps the parsed references of note texts: parsing runs a
// regular expression, and Validate runs on every keystroke.
var refCache sync.Map // note text -> []codesets.Ref

func refsOf(n codesets.Note) []codesets.Ref {
	if x, ok := refCache.Load(n.Text); ok {
		return x.([]codesets.Ref)
	}
	refs := n.Refs()
	refCache.Store(n.Text, refs)
	return refs
}

// qualified notes narrow their range in words ("E08-E13 with .42",
// "with fifth character 1"), which references cannot express.
func qualified(text string) bool {
	open := strings.IndexByte(text, '(')
	return open >= 0 && strings.Contains(text[open:], " with ")
}

// pairs checks duplicates and Excludes1 pairs among the diagnoses.
func (v *validator) pairs() {
	dx := v.enc.Diagnoses
	first := map[string]int{}
	for i, d := range dx {
		code := codesets.Canonical(d.Code)
		if j, dup := first[code]; dup {
			v.add(RuleDuplicateDx, Error, dxTarget(i), []string{code}, "%s is already listed as diagnosis %s; each code is reported once", icdDisplay(code), letter(j))
			continue
		}
		first[code] = i
	}
	type pair struct{ i, j int }
	seen := map[pair]bool{}
	for i, c := range v.dx {
		if c == nil {
			continue
		}
		for _, n := range v.notesOf(i) {
			if n.Kind != codesets.Excludes1 {
				continue
			}
			for _, r := range refsOf(n) {
				if r.Covers(c.Code) {
					continue // a note never excludes the code it applies to
				}
				for j, o := range v.dx {
					if o == nil || j == i || o.Code == c.Code || !r.Covers(o.Code) {
						continue
					}
					p := pair{min(i, j), max(i, j)}
					if seen[p] {
						continue
					}
					seen[p] = true
					a, b := v.dx[p.i], v.dx[p.j]
					sev, how := Error, ""
					if qualified(n.Text) {
						sev, how = Warning, " (the note qualifies the range: check it applies)"
					}
					v.add(RuleExcludes1, sev, dxTarget(p.j), []string{a.Code, b.Code},
						"%s (%s) and %s (%s) are an Excludes1 pair: %s excludes %q (note at %s)%s; report both only if the conditions are unrelated, with an override reason",
						a.Display(), letter(p.i), b.Display(), letter(p.j), c.Display(), n.Text, fromLabel(n.From), how)
				}
			}
		}
	}
}

// joinNotes joins the items of one note list: "code to identify control
// using: insulin (Z79.4); oral antidiabetic drugs (Z79.84)".
func joinNotes(items []string) string {
	var b strings.Builder
	for i, t := range items {
		if i > 0 {
			if strings.HasSuffix(items[i-1], ":") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(strings.TrimSpace(t))
	}
	return b.String()
}

func fromLabel(from string) string {
	if strings.HasPrefix(from, "ch") || strings.Contains(from, "-") {
		return from
	}
	return icdDisplay(from)
}

// instructions checks "code first" and "use additional code" notes.
func (v *validator) instructions() {
	coded := v.coveredBy
	prompted := map[string]bool{}
	for i, c := range v.dx {
		if c == nil {
			continue
		}
		target, codes := dxTarget(i), []string{c.Code}
		// Group a code's notes by where they are declared: the items of
		// one "use additional code" list are alternatives.
		var firstRefs []codesets.Ref
		var firstText []string
		type group struct {
			from  string
			text  []string
			refs  []codesets.Ref
			hasIt bool
		}
		var adds []*group
		for _, n := range v.notesOf(i) {
			switch n.Kind {
			case codesets.CodeFirst:
				firstRefs = append(firstRefs, refsOf(n)...)
				firstText = append(firstText, n.Text)
			case codesets.UseAdditional:
				if len(adds) == 0 || adds[len(adds)-1].from != n.From {
					adds = append(adds, &group{from: n.From})
				}
				g := adds[len(adds)-1]
				g.text = append(g.text, n.Text)
				g.refs = append(g.refs, refsOf(n)...)
			}
		}
		if len(firstText) > 0 && len(firstRefs) > 0 {
			strict := strictManifestation(c)
			if j, ok := coded(firstRefs, i); ok {
				// A first-listed manifestation is reported by RuleManifestation.
				if j > i && !(i == 0 && strict) {
					sev := Error
					if !strict {
						sev = Warning
					}
					v.add(RuleCodeFirstOrder, sev, target, []string{c.Code, v.dx[j].Code}, "%s says code first %s: list %s (%s) before %s (%s)",
						c.Display(), v.dx[j].Display(), v.dx[j].Display(), letter(j), c.Display(), letter(i))
				}
			} else if strict {
				v.add(RuleCodeFirst, Warning, target, codes, "%s is a manifestation: code first the underlying condition: %s", c.Display(), clip(joinNotes(firstText), 160))
			} else {
				v.add(RuleCodeFirst, Info, target, codes, "%s: code first, if documented: %s", c.Display(), clip(joinNotes(firstText), 160))
			}
		}
		for _, g := range adds {
			if len(g.refs) == 0 || prompted[g.from] {
				continue
			}
			if _, ok := coded(g.refs, i); ok {
				continue
			}
			prompted[g.from] = true
			v.add(RuleUseAdditional, Info, target, codes, "%s: use additional code (note at %s): %s", c.Display(), fromLabel(g.from), clip(joinNotes(g.text), 200))
		}
	}
}

// lines checks the service lines.
func (v *validator) lines() {
	seen := map[string]int{}
	for i, l := range v.enc.Lines {
		target := lineTarget(i)
		code := strings.ToUpper(strings.TrimSpace(l.Code))
		codes := []string{code}
		v.lineCode(i, code)
		if l.Units <= 0 {
			v.add(RuleUnits, Error, target, codes, "line %d (%s): units %d; report 1 or more", i+1, code, l.Units)
		}
		if l.Charge < 0 {
			v.add(RuleCharge, Error, target, codes, "line %d (%s): negative charge", i+1, code)
		}
		v.pointers(i, l, codes)
		mods := v.modifiers(i, l, codes)

		key := code + "|" + strings.Join(sortedCopy(mods), ",")
		if j, dup := seen[key]; dup {
			v.add(RuleDuplicateLine, Warning, target, codes, "line %d repeats line %d (%s%s): for a repeated service add 76, 77 or 91, or report units on one line",
				i+1, j+1, code, modText(mods))
		} else {
			seen[key] = i
		}
	}
}

func modText(mods []string) string {
	if len(mods) == 0 {
		return ""
	}
	return "-" + strings.Join(mods, "-")
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func (v *validator) lineCode(i int, code string) {
	target, codes := lineTarget(i), []string{code}
	c, ok := v.set.LookupIn(codesets.HCPCS, code)
	if !ok {
		c, ok = v.set.LookupIn(codesets.CPT, code)
	}
	if !ok {
		if d, isICD := v.set.LookupIn(codesets.ICD10CM, code); isICD {
			v.add(RuleLineUnknown, Error, target, codes, "line %d: %s is an ICD-10-CM diagnosis code (%s); service lines take CPT or HCPCS codes", i+1, d.Display(), d.Title())
			return
		}
		v.add(RuleLineUnknown, Error, target, codes, "line %d: %s is not a CPT or HCPCS code%s", i+1, code, nearestText(v.nearestProcedure(code)))
		return
	}
	if c.DescriptorMissing && len(v.set.CPTCodes()) > 0 {
		// With a licensed CPT file loaded, a number it lacks is no code.
		v.add(RuleLineUnknown, Error, target, codes, "line %d: %s is not in the imported CPT file%s", i+1, code, nearestText(v.nearestProcedure(code)))
		return
	}
	if c.DescriptorMissing {
		v.add(RuleCPTDescriptor, Info, target, codes, "line %d: CPT %s accepted by its number; descriptor not loaded (codebench cpt import)", i+1, code)
	}
	for _, day := range v.dates {
		if err := v.set.ValidOn(c, day); err != nil {
			v.add(RuleCodeOnDate, Error, target, codes, "line %d: %v", i+1, err)
			break
		}
	}
}

func (v *validator) nearestProcedure(code string) []*codesets.Code {
	return cachedNearest(fmt.Sprintf("%p proc %s", v.set, code), func() []*codesets.Code {
		var near []*codesets.Code
		for k := len(code) - 1; k >= 1 && len(near) == 0; k-- {
			for _, list := range [][]*codesets.Code{v.set.HCPCSCodes(), v.set.CPTCodes()} {
				for _, c := range list {
					if len(near) < 3 && strings.HasPrefix(c.Code, code[:k]) && c.Terminated.IsZero() {
						near = append(near, c)
					}
				}
			}
		}
		return near
	})
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

// modifiers checks a line's modifiers and returns them canonical.
func (v *validator) modifiers(i int, l ServiceLine, codes []string) []string {
	target := lineTarget(i)
	if len(l.Modifiers) > 4 {
		v.add(RuleMaxModifiers, Error, target, codes, "line %d has %d modifiers; a line takes at most 4", i+1, len(l.Modifiers))
	}
	mods := make([]string, 0, len(l.Modifiers))
	has := map[string]bool{}
	for _, m := range l.Modifiers {
		m = codesets.Canonical(m)
		mods = append(mods, m)
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
	return mods
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
