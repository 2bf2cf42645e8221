package encounter

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"codebench/codesets"
	"codebench/codesets/payer"
)

// Validate checks a coded encounter against the claim rules (see Rules and
// README.md) and returns its edits, errors first, then warnings, then
// information, each group in claim order (claim, diagnoses, lines).
// Overrides with a reason are attached to the edits of overridable rules
// they match (Edit.Overridden). It only reads enc and set, and is fast
// enough to run on every keystroke.
func Validate(enc *Encounter, set *codesets.Set) []Edit {
	return ValidateWith(enc, set, Options{})
}

// Options are what Validate uses beyond the encounter and the code sets.
// The zero Options use the embedded payer tables and the default edit
// sets, and check the claim alone.
type Options struct {
	// Payer holds the NCCI, MUE, add-on, fee-schedule and MCE tables;
	// nil means set.Payer(): the embedded tables with those imported into
	// the data directory (codebench data import) in their place.
	Payer *payer.Tables
	// EditSets says which payer edit sets apply to which payer type; nil
	// means DefaultEditSets.
	EditSets EditSets
	// SameDay are the other encounters of the same patient and rendering
	// provider on the same date of service (store.SameDay): the PTP and
	// MUE edits count their lines with this claim's, as the payer does.
	SameDay []*Encounter
}

// ValidateWith is Validate with options.
func ValidateWith(enc *Encounter, set *codesets.Set, opts Options) []Edit {
	if opts.Payer == nil {
		opts.Payer = set.Payer()
	}
	if opts.EditSets == nil {
		opts.EditSets = DefaultEditSets
	}
	v := &validator{enc: enc, set: set, opts: opts, tables: opts.Payer, edits: make([]Edit, 0, 8+3*len(enc.Lines))}
	v.resolve()
	for _, f := range families {
		if f.check != nil {
			f.check(v)
		}
	}
	v.applyOverrides()
	// Sort by severity, then claim position, stably: an index sorted by
	// keys computed once, then the edits moved once.
	keys := make([]int, len(v.edits))
	order := make([]int32, len(v.edits))
	for i := range v.edits {
		keys[i] = rank(v.edits[i].Severity)<<24 | targetOrder(v.edits[i].Target)
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return keys[a] - keys[b] })
	out := make([]Edit, len(v.edits))
	for k, i := range order {
		out[k] = v.edits[i]
	}
	return out
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

// targetOrder places a target in claim order: the claim, then the
// diagnoses, then the lines, each by number.
func targetOrder(t string) int {
	kind, n, ok := strings.Cut(t, ":")
	num, err := strconv.Atoi(n)
	if !ok || err != nil || num < 0 || num > 1<<20 {
		num = 0
	}
	switch kind {
	case "claim":
		return 0
	case "dx":
		return 1<<21 + num
	case "line":
		return 2<<21 + num
	}
	return 3 << 21
}

// validator holds one run of Validate: the encounter, what resolve found
// in it, and the edits the families report.
type validator struct {
	enc    *Encounter
	set    *codesets.Set // as given
	on     *codesets.Set // the claim's release: set seen from the first date of service
	opts   Options
	tables *payer.Tables
	edits  []Edit

	dates []time.Time // the dates of service to check codes on (first, last)

	dxs   []dxResolved      // every diagnosis as resolved, in claim order
	dx    []*codesets.Code  // the usable diagnoses (nil where unusable)
	notes [][]codesets.Note // inherited notes of each usable diagnosis

	lines []lineResolved // every service line as resolved

	cites       map[citeKey]citation // addFrom's, by table and rule
	billedDone  bool
	billedLines []billedLine // this claim's lines and the same-day ones (billed.go)
}

// notesOf returns the inherited notes of diagnosis i, computed once.
func (v *validator) notesOf(i int) []codesets.Note {
	if v.notes[i] == nil && v.dx[i] != nil {
		v.notes[i] = v.on.Notes(v.dx[i])
	}
	return v.notes[i]
}

func (v *validator) add(rule string, sev Severity, target string, codes []string, format string, a ...any) {
	v.addMessage(rule, sev, target, codes, fmt.Sprintf(format, a...))
}

// addMessage is add with the message already written.
func (v *validator) addMessage(rule string, sev Severity, target string, codes []string, msg string) {
	v.edits = append(v.edits, Edit{
		Severity: sev,
		Rule:     rule,
		Target:   target,
		Message:  msg,
		Source:   ruleByID[rule].Source,
		Codes:    codes,
	})
}

// addFrom reports an edit resting on a payer table: its source is the
// table as loaded ("NCCI PTP practitioner 2024-07-01") followed by the
// policy behind the rule; its release the table, and its version the
// table's.
func (v *validator) addFrom(m payer.Meta, rule string, sev Severity, target string, codes []string, format string, a ...any) {
	v.addFromMessage(m, rule, sev, target, codes, fmt.Sprintf(format, a...))
}

// addFromMessage is addFrom with the message already written.
func (v *validator) addFromMessage(m payer.Meta, rule string, sev Severity, target string, codes []string, msg string) {
	v.addMessage(rule, sev, target, codes, msg)
	e := &v.edits[len(v.edits)-1]
	key := citeKey{m.Kind, rule}
	c, ok := v.cites[key]
	if !ok {
		c = citation{source: m.Cite(), release: m.Cite() + ", effective " + m.Effective.Format(time.DateOnly)}
		if ref := policyRef[rule]; ref != "" {
			c.source += "; " + ref
		}
		if v.cites == nil {
			v.cites = map[citeKey]citation{}
		}
		v.cites[key] = c
	}
	e.Source, e.Release, e.Version = c.source, c.release, m.Version
}

// citation is how the edits of one rule cite one table, built once per
// validation.
type citation struct{ source, release string }

type citeKey struct {
	kind payer.Kind
	rule string
}

// policyRef cites the policy behind a payer-table rule, after the table.
var policyRef = map[string]string{}

// addCiting adds an edit that names the release it was checked against
// (Edit.Release).
func (v *validator) addCiting(r *codesets.Release, rule string, sev Severity, target string, codes []string, format string, a ...any) {
	v.add(rule, sev, target, codes, format, a...)
	if r != nil {
		v.edits[len(v.edits)-1].Release = releaseCitation(r)
	}
}

// releaseCitation names a release and its dates of service for an edit's
// source.
func releaseCitation(r *codesets.Release) string {
	return fmt.Sprintf("%s, DOS %s", r.Title(), r.Range())
}

func dxTarget(i int) string   { return "dx:" + strconv.Itoa(i+1) }
func lineTarget(i int) string { return "line:" + strconv.Itoa(i+1) }

// letter is a diagnosis's CMS-1500 item 21 letter.
func letter(i int) string {
	if i >= 0 && i < 12 {
		return string(rune('A' + i))
	}
	return fmt.Sprintf("#%d", i+1)
}

func icdDisplay(code string) string { return codesets.Dotted(codesets.ICD10CM, code) }

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

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
