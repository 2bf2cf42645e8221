package encounter

import (
	"reflect"
	"strings"
	"testing"
)

// numbersOnly runs a payer-table case on a Medicare claim (the base
// encounter is commercial, whose default edit sets leave out MUE and the
// fee schedule), with the code sets without the CPT fixture, so that any
// CPT number is a usable line (the fixture holds a few codes).
func numbersOnly(c ruleCase) ruleCase {
	change := c.change
	c.noCPT = true
	c.change = func(e *Encounter) {
		e.Coverage.PayerType = PayerMedicare
		change(e)
	}
	return c
}

// lines replaces the claim's lines: code, then modifiers, each with one
// unit pointing at the first diagnosis.
func lines(e *Encounter, specs ...[]string) {
	e.Lines = nil
	for _, s := range specs {
		e.Lines = append(e.Lines, ServiceLine{Code: s[0], Modifiers: s[1:], Units: 1, Pointers: []int{1}})
	}
}

func l(code string, mods ...string) []string { return append([]string{code}, mods...) }

var ncciCases = []ruleCase{
	numbersOnly(fires(RulePTP, "43239 with 43235 (indicator 0)", Error, "line:2", func(e *Encounter) { lines(e, l("43239"), l("43235")) })),
	numbersOnly(fires(RulePTP, "indicator 0 is not bypassed by 59", Error, "line:2", func(e *Encounter) { lines(e, l("43239"), l("43235", "59")) })),
	numbersOnly(fires(RulePTP, "93000 with 93010, no modifier (indicator 1)", Error, "line:2", func(e *Encounter) { lines(e, l("93000"), l("93010")) })),
	numbersOnly(quiet(RulePTP, "93000 with 93010-59", func(e *Encounter) { lines(e, l("93000"), l("93010", "59")) })),
	numbersOnly(quiet(RulePTP, "93000 with 93010-XU", func(e *Encounter) { lines(e, l("93000"), l("93010", "XU")) })),
	numbersOnly(fires(RulePTP, "76 does not bypass", Error, "line:2", func(e *Encounter) { lines(e, l("93000"), l("93010", "76")) })),
	numbersOnly(fires(RulePTP, "22 does not bypass", Error, "line:2", func(e *Encounter) { lines(e, l("93000"), l("93010", "22")) })),
	numbersOnly(fires(RulePTP, "59 on the column-1 line does not bypass", Error, "line:2", func(e *Encounter) { lines(e, l("93000", "59"), l("93010")) })),
	numbersOnly(fires(RulePTP, "G0463 with 99213: column 2 is the E/M", Error, "line:1", func(e *Encounter) { lines(e, l("99213"), l("G0463")) })),
	numbersOnly(quiet(RulePTP, "G0463 with 99213-25", func(e *Encounter) { lines(e, l("99213", "25"), l("G0463")) })),
	numbersOnly(quiet(RulePTP, "anatomic modifiers naming different sites", func(e *Encounter) { lines(e, l("20610", "RT"), l("76942", "LT")) })),
	numbersOnly(fires(RulePTP, "anatomic modifiers naming the same site", Error, "line:2", func(e *Encounter) { lines(e, l("20610", "RT"), l("76942", "RT")) })),
	numbersOnly(fires(RulePTP, "an anatomic modifier on one line only", Error, "line:2", func(e *Encounter) { lines(e, l("20610"), l("76942", "LT")) })),
	numbersOnly(quiet(RulePTP, "a pair deleted before the date of service (0001A/0591T, 2023-12-31)", func(e *Encounter) { lines(e, l("0001A"), l("0591T")) })),
	numbersOnly(fires(RulePTP, "the lines' order does not matter (43235 before 43239)", Error, "line:1", func(e *Encounter) { lines(e, l("43235"), l("43239")) })),
	numbersOnly(quiet(RulePTP, "99213 with 93010 is no pair", func(e *Encounter) { lines(e, l("99213"), l("93010")) })),

	numbersOnly(fires(RulePTPBypassed, "59 bypasses 93000/93010", Info, "line:2", func(e *Encounter) { lines(e, l("93000"), l("93010", "59")) })),
	numbersOnly(fires(RulePTPBypassed, "25 on the E/M bypasses G0463/99213", Info, "line:1", func(e *Encounter) { lines(e, l("99213", "25"), l("G0463")) })),
	numbersOnly(quiet(RulePTPBypassed, "no pair, nothing to bypass", func(e *Encounter) { lines(e, l("99213", "25"), l("93010", "59")) })),

	fires(RuleNCCIAge, "2026 claim, 2024-07-01 tables", Info, "claim", noChange),
	quiet(RuleNCCIAge, "a claim of the tables' quarter", func(e *Encounter) { e.Service.From = NewDate(2024, 8, 5) }),
}

// medicareClaim is the base encounter as a Medicare claim with lines.
func medicareClaim(specs ...[]string) *Encounter {
	e := base()
	e.Coverage.PayerType = PayerMedicare
	lines(e, specs...)
	return e
}

// editsOf validates with the code sets without the CPT fixture and
// returns the edits of one rule.
func editsOf(t *testing.T, e *Encounter, rule string, opts ...Options) []Edit {
	t.Helper()
	plain, _ := testSets(t)
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	var out []Edit
	for _, ed := range ValidateWith(e, plain, o) {
		if ed.Rule == rule {
			out = append(out, ed)
		}
	}
	return out
}

func wantMessage(t *testing.T, edits []Edit, want ...string) {
	t.Helper()
	if len(edits) != 1 {
		t.Fatalf("want one edit, got %+v", edits)
	}
	for _, w := range want {
		if !strings.Contains(edits[0].Message, w) {
			t.Errorf("message %q lacks %q", edits[0].Message, w)
		}
	}
}

// TestPTPAcceptance: the real rows, with what each message must
// say: the pair, the rationale, and which line takes the modifier.
func TestPTPAcceptance(t *testing.T) {
	e := editsOf(t, medicareClaim(l("43239"), l("43235")), RulePTP)
	wantMessage(t, e, "column 1 43239, column 2 43235", "modifier indicator 0", "CPT Separate procedure definition", "no modifier bypasses it", "Remove 43235")
	if r, _ := Rule(RulePTP); r.Overridable || e[0].Severity != Error {
		t.Error("an indicator-0 pair must be an error no override accepts")
	}
	if e[0].Source != "NCCI PTP practitioner 2024-07-01; "+srcPTPManual || e[0].Version != "2024-07-01" || !reflect.DeepEqual(e[0].Codes, []string{"43239", "43235"}) {
		t.Errorf("source, version or codes: %+v", e[0])
	}

	wantMessage(t, editsOf(t, medicareClaim(l("93000"), l("93010")), RulePTP),
		"column 1 93000, column 2 93010", "modifier indicator 1", "HCPCS/CPT procedure code definition", "to line 2 (93010)", "XE", "59 only when none fits")
	for _, mod := range []string{"59", "XU"} {
		c := medicareClaim(l("93000"), l("93010", mod))
		if e := editsOf(t, c, RulePTP); len(e) != 0 {
			t.Errorf("93010-%s: %+v", mod, e)
		}
		wantMessage(t, editsOf(t, c, RulePTPBypassed), mod+" on line 2 (93010-"+mod+") bypasses it", "documentation must support")
	}

	wantMessage(t, editsOf(t, medicareClaim(l("99213"), l("G0463")), RulePTP),
		"column 1 G0463, column 2 99213", "add 25 to line 1 (99213)", "Misuse of Column Two code with Column One code")
}

// TestPTPAcrossEncounters: a pair split over two encounters of the same
// patient, provider and date is found; one of another patient is not.
func TestPTPAcrossEncounters(t *testing.T) {
	this := medicareClaim(l("93010"))
	other := medicareClaim(l("93000"))
	other.ID = "t2"
	wantMessage(t, editsOf(t, this, RulePTP, Options{SameDay: []*Encounter{other}}),
		`line 1 (93000) of "t2"`, "same patient and provider", "column 2 93010")
	stranger := medicareClaim(l("93000"))
	stranger.ID, stranger.Patient.ID = "t3", "P-2"
	later := medicareClaim(l("93000"))
	later.ID, later.Service.From = "t4", NewDate(2026, 2, 4)
	if e := editsOf(t, this, RulePTP, Options{SameDay: []*Encounter{stranger, later, this}}); len(e) != 0 {
		t.Errorf("another patient's, another day's or the claim itself counted: %+v", e)
	}
	// MUE per day counts the other encounter's units too (99213 MUE 2).
	a, b := medicareClaim(l("99213")), medicareClaim(l("99213"))
	b.ID = "t2"
	units(a, 1, 2)
	wantMessage(t, editsOf(t, a, RuleMUE, Options{SameDay: []*Encounter{b}}), "3 units", `line 1 (99213) of "t2" × 1`)
}
