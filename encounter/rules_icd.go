package encounter

import (
	"fmt"
	"strings"
	"sync"

	"codebench/codesets"
)

// ICD-10-CM conventions: codes that exist and are billable, 7th
// characters, Excludes1 pairs, "code first" and "use additional code"
// notes, and what may be first-listed.

const (
	RuleICDUnknown     = "icd.unknown"
	RuleBillable       = "icd.billable"
	RuleSeventh        = "icd.seventh-character"
	RuleExcludes1      = "icd.excludes1"
	RuleManifestation  = "icd.manifestation-first"
	RuleCodeFirst      = "icd.code-first"
	RuleCodeFirstOrder = "icd.code-first-sequence"
	RuleUseAdditional  = "icd.use-additional"
	RuleExternalFirst  = "icd.external-cause-first"
	RuleEvidence       = "icd.evidence"
)

var icdFamily = family{
	name: "ICD-10-CM",
	rules: []RuleInfo{
		{RuleICDUnknown, Error, false, "ICD-10-CM order file of the release in force on the date of service", "a diagnosis code is in no loaded ICD-10-CM release (nearest codes, or the X-placeholder spelling, suggested)"},
		{RuleBillable, Error, false, srcGuidelines + "I.A.3, I.B.2, IV.F.2", "a diagnosis code is a category or subcategory header, not billable"},
		{RuleSeventh, Error, false, srcGuidelines + "I.A.4, I.A.5", "a code of a category with a 7th-character table lacks its 7th character"},
		{RuleExcludes1, Error, true, srcGuidelines + "I.A.12.a", "two diagnoses form an Excludes1 pair (a warning when the note qualifies the range, such as \"with .42\")"},
		{RuleManifestation, Error, false, srcGuidelines + "I.A.13; " + srcMCE + "edit 6 (manifestation code as principal diagnosis)", "a manifestation code (\"in diseases classified elsewhere\", MCE manifestation list) is first-listed"},
		{RuleCodeFirst, Warning, false, srcGuidelines + "I.A.13", "a manifestation code's underlying condition is not coded (info for codes whose \"code first\" note is not a manifestation convention)"},
		{RuleCodeFirstOrder, Error, true, srcGuidelines + "I.A.13", "an underlying condition named by a \"code first\" note is listed after the code (warning for codes that are not manifestations)"},
		{RuleUseAdditional, Info, false, srcGuidelines + "I.A.13", "a \"use additional code\" note names codes the claim does not have"},
		{RuleExternalFirst, Error, false, srcGuidelines + "I.C.20; " + srcMCE + "edit 2", "an external cause code (V00-Y99) is first-listed"},
		{RuleEvidence, Warning, false, "codebench evidence links (encounter/README.md)", "a diagnosis's evidence points at a missing note or outside its text"},
	},
	check: (*validator).icd,
}

func (v *validator) icd() {
	v.diagnosisCodes()
	v.firstListed()
	v.excludes1()
	v.instructions()
}

// diagnosisCodes reports codes that are unknown or headers, and evidence
// that points nowhere.
func (v *validator) diagnosisCodes() {
	for i, r := range v.dxs {
		target, codes := dxTarget(i), []string{r.code}
		switch r.state {
		case dxUnknown:
			v.unknownICD(i, r.code)
		case dxHeader:
			c := r.c
			if opts := v.on.SeventhOptions(c); c.NeedsSeventh() && len(opts) > 0 {
				_, from := c.SeventhChars()
				v.addCiting(r.answer.Release, RuleSeventh, Error, target, codes, "%s needs a 7th character (table at %s): %s", c.Display(), icdDisplay(from), seventhList(c, opts))
			} else {
				// "I42.0 is a header in ICD-10-CM FY2027 (DOS from
				// 2026-10-01): pick I42.00, I42.01 or I42.09"
				v.addCiting(r.answer.Release, RuleBillable, Error, target, codes, "%v", r.answer.Err())
			}
		case dxUsable:
			if ev := v.enc.Diagnoses[i].Evidence; ev != nil {
				if msg := ev.problem(v.enc.Notes); msg != "" {
					v.add(RuleEvidence, Warning, target, codes, "evidence for %s: %s", r.c.Display(), msg)
				}
			}
		}
	}
}

func (v *validator) unknownICD(i int, code string) {
	target, codes := dxTarget(i), []string{code}
	rel := v.on.Release()
	if c, ok := v.set.LookupIn(codesets.HCPCS, code); ok {
		v.add(RuleICDUnknown, Error, target, codes, "%s is a HCPCS code (%s); diagnoses take ICD-10-CM codes", code, c.Title())
		return
	}
	// A missing X placeholder: T38.31A for T38.3X1A, W01.0A for W01.0XXA.
	if n := len(code); n >= 4 && n < 7 {
		for p := 3; p < n; p++ {
			cand := code[:p] + strings.Repeat("X", 7-n) + code[p:]
			if c, ok := v.on.LookupIn(codesets.ICD10CM, cand); ok && c.Billable {
				v.addCiting(rel, RuleICDUnknown, Error, target, codes, "%s is not an ICD-10-CM code: with the X placeholder it is %s (%s)", icdDisplay(code), c.Display(), c.Title())
				return
			}
		}
	}
	if rel == nil {
		v.add(RuleICDUnknown, Error, target, codes, "%s is in no loaded ICD-10-CM release", icdDisplay(code))
		return
	}
	deleted := ""
	if title, ok := rel.Retired(code); ok {
		deleted = fmt.Sprintf(" (%s deleted it; it was %q)", rel.Title(), title)
	}
	v.addCiting(rel, RuleICDUnknown, Error, target, codes, "%s is not a code of %s%s%s", icdDisplay(code), rel.Title(), deleted, nearestText(v.nearestICD(code)))
}

func seventhList(c *codesets.Code, opts []codesets.Seventh) string {
	chars := make([]string, len(opts))
	for i, o := range opts {
		chars[i] = string(o.Char)
	}
	base := c.Code + strings.Repeat("X", max(0, 6-len(c.Code)))
	return fmt.Sprintf("%s (%s%c = %s)", strings.Join(chars, ", "), icdDisplay(base), opts[0].Char, opts[0].Meaning)
}

// manifestation is the one definition (payer.MCE.Manifestation, which
// codesets.Code.Manifestation and the detail pane use too), on the MCE
// lists this validation uses.
func (v *validator) manifestation(c *codesets.Code) bool {
	ok, _ := v.tables.MCE().Manifestation(c.Code, c.Long)
	return ok
}

func (v *validator) firstListed() {
	if len(v.dx) == 0 || v.dx[0] == nil {
		return
	}
	c, codes := v.dx[0], []string{v.dx[0].Code}
	switch {
	case c.Code[0] >= 'V' && c.Code[0] <= 'Y':
		v.add(RuleExternalFirst, Error, "dx:1", codes, "%s is an external cause code; it is never first-listed: list the injury or condition first", c.Display())
	case v.manifestation(c):
		if j, ok := v.codedUnderlying(0); ok {
			v.add(RuleManifestation, Error, "dx:1", codes, "%s is a manifestation code and is never first-listed: list its underlying condition %s (%s) first", c.Display(), v.dx[j].Display(), letter(j))
		} else {
			v.add(RuleManifestation, Error, "dx:1", codes, "%s is a manifestation code and is never first-listed: code the underlying condition first%s", c.Display(), refsHint(v.on, c))
		}
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
func refsHint(on *codesets.Set, c *codesets.Code) string {
	var refs []string
	for _, n := range on.NotesOf(c, codesets.CodeFirst) {
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

// refCache keeps the parsed references of note texts: parsing runs a
// regular expression, and Validate runs on every keystroke.
var refCache sync.Map // note text -> []codesets.Ref

func refsOf(n codesets.Note) []codesets.Ref {
	if n.RefsParsed() {
		return n.Refs()
	}
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

// excludes1 checks Excludes1 pairs among the diagnoses.
func (v *validator) excludes1() {
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
					v.addCiting(v.on.Release(), RuleExcludes1, sev, dxTarget(p.j), []string{a.Code, b.Code},
						"%s (%s) and %s (%s) are an Excludes1 pair: %s excludes %q (note at %s)%s; report both only if the conditions are unrelated, with an override reason",
						a.Display(), letter(p.i), b.Display(), letter(p.j), c.Display(), n.Text, fromLabel(n.From), how)
					if rel := v.on.Release(); rel != nil {
						v.edits[len(v.edits)-1].Release += "; Excludes notes: " + rel.ExcludesSource()
					}
				}
			}
		}
	}
}

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
			strict := v.manifestation(c)
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
