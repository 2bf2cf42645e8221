package encounter

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"codebench/codesets/payer"
)

// NCCI procedure-to-procedure (PTP) edits: pairs of codes one
// practitioner does not report for one patient on one date of service,
// unless the modifier indicator is 1 and an NCCI PTP-associated modifier
// shows the services were distinct (NCCI Policy Manual ch. I §E).

const (
	RulePTP         = "ncci.ptp"
	RulePTPBypassed = "ncci.ptp-bypassed"
	RuleNCCIAge     = "ncci.data-age"
)

const srcPTPManual = "NCCI Policy Manual 2026 ch. I §E (modifiers and modifier indicators)"

var ncciFamily = family{
	name: "NCCI PTP",
	rules: []RuleInfo{
		{RulePTP, Error, false, "NCCI PTP practitioner edits (2024-07-01 embedded); " + srcPTPManual, "two lines on one date of service (this claim, or another encounter of the patient with the same provider) are an NCCI PTP pair: modifier indicator 0, or 1 without an NCCI PTP-associated modifier on the line that needs it"},
		{RulePTPBypassed, Info, false, "NCCI PTP practitioner edits (2024-07-01 embedded); " + srcPTPManual, "an indicator-1 pair bypassed by a modifier: the documentation must support a distinct service"},
		{RuleNCCIAge, Info, false, "NCCI tables (2024-07-01 embedded); CMS publishes them quarterly", "the NCCI tables loaded are older than the claim's quarter: pairs, MUEs and add-on edits changed since are not checked"},
	},
	check: (*validator).ncci,
}

func init() {
	policyRef[RulePTP] = srcPTPManual
	policyRef[RulePTPBypassed] = srcPTPManual
	policyRef[RuleNCCIAge] = "CMS publishes the NCCI tables quarterly"
}

// NCCI PTP-associated modifiers (NCCI Policy Manual ch. I §E). 22, 76 and
// 77 are not among them.
var (
	anatomicModifiers = []string{"E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9",
		"TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "LT", "RT", "LC", "LD", "RC", "LM", "RI"}
	globalSurgeryModifiers = []string{"24", "25", "57", "58", "78", "79"}
	otherPTPModifiers      = []string{"27", "59", "91", "XE", "XS", "XP", "XU"}
)

func (v *validator) ncci() {
	if len(v.dates) == 0 || len(v.lines) == 0 {
		return
	}
	if v.applies(EditsPTP) || v.applies(EditsMUE) || v.applies(EditsAddOn) {
		v.ncciAge()
	}
	if v.applies(EditsPTP) {
		v.ptp()
	}
}

// ncciAge says when the NCCI tables loaded predate the claim's quarter.
func (v *validator) ncciAge() {
	var oldest payer.Meta
	for _, k := range []struct {
		set  EditSet
		kind payer.Kind
	}{{EditsPTP, payer.KindPTP}, {EditsMUE, payer.KindMUE}, {EditsAddOn, payer.KindAddOn}} {
		if !v.applies(k.set) {
			continue
		}
		m, err := v.tables.Meta(k.kind)
		if err == nil && (oldest.Effective.IsZero() || m.Effective.Before(oldest.Effective)) {
			oldest = m
		}
	}
	q := payer.Quarter(v.dates[0])
	if oldest.Effective.IsZero() || !payer.Quarter(oldest.Effective).Before(q) {
		return
	}
	v.addFrom(oldest, RuleNCCIAge, Info, "claim", nil, "NCCI tables of %s predate the claim's quarter (%s, date of service %s): pairs, MUEs and add-on edits CMS changed since are not checked; import the current quarter (codebench data import)",
		oldest.Version, q.Format(time.DateOnly), Date{v.dates[0]})
}

func (v *validator) ptp() {
	t := v.tables.PTP()
	m := t.Meta()
	day := payer.DateOf(v.dates[0])
	lines := v.billed()
	// Each unordered pair once, in either order of the table's columns.
	for i, a := range lines {
		if a.ptp < 0 {
			continue
		}
		for j := i + 1; j < len(lines); j++ {
			b := lines[j]
			if b.ptp < 0 || a.code == b.code || !a.ours() && !b.ours() {
				continue
			}
			if e, ok := t.PairAt(a.ptp, b.ptp, day); ok && e.Indicator != 9 {
				v.ptpPair(m, e, a, b)
			} else if e, ok := t.PairAt(b.ptp, a.ptp, day); ok && e.Indicator != 9 {
				v.ptpPair(m, e, b, a)
			}
		}
	}
}

// ptpPair reports one pair found: col1 and col2 are the lines of the
// column-1 and column-2 codes.
func (v *validator) ptpPair(m payer.Meta, e payer.PTPEdit, col1, col2 billedLine) {
	at := col2
	if !col2.ours() {
		at = col1
	}
	codes := []string{col1.code, col2.code}
	where := "on the same date of service"
	if !col1.ours() || !col2.ours() {
		where = "on the same date of service, same patient and provider"
	}
	head := col1.name() + " and " + col2.name() + " are an NCCI PTP pair " + where + " (column 1 " + col1.code + ", column 2 " + col2.code +
		"; modifier indicator " + strconv.Itoa(e.Indicator) + "; rationale: " + e.Rationale + "): "
	target := lineTarget(at.index)
	switch mod, on, bypassed := ptpBypass(col1, col2); {
	case e.Indicator == 0:
		v.addFromMessage(m, RulePTP, Error, target, codes, head+"no modifier bypasses it; "+col2.code+" is not paid with "+col1.code+". Remove "+col2.code+", or correct the codes to the one service performed")
	case bypassed:
		v.addFromMessage(m, RulePTPBypassed, Info, target, codes, head+mod+" on "+on.name()+" bypasses it; the documentation must support a distinct service ("+distinctWhy(mod)+")")
	default:
		how, line := ptpFix(col1, col2)
		v.addFromMessage(m, RulePTP, Error, target, codes, head+how+line+ptpFixTail[how]+"; otherwise remove "+col2.code)
	}
}

// ptpBypass finds an NCCI PTP-associated modifier on the line that
// needs it: 25 or 57 on an E/M; anatomic modifiers naming different
// sites on the two lines; the others on the column-2 line.
func ptpBypass(col1, col2 billedLine) (mod string, on billedLine, ok bool) {
	for _, l := range []billedLine{col1, col2} {
		if IsEM(l.code) {
			for _, m := range []string{"25", "57"} {
				if l.has(m) {
					return m, l, true
				}
			}
		}
	}
	for _, m := range col2.mods {
		if slices.Contains(otherPTPModifiers, m) || slices.Contains(globalSurgeryModifiers, m) && m != "25" && m != "57" {
			return m, col2, true
		}
	}
	if hasSite(col1) && hasSite(col2) && !sameSite(col1, col2) {
		s1, s2 := sites(col1), sites(col2)
		return strings.Join(s2, "/") + " (with " + strings.Join(s1, "/") + " on the other line)", col2, true
	}
	return "", billedLine{}, false
}

func sites(l billedLine) []string {
	var out []string
	for _, m := range l.mods {
		if slices.Contains(anatomicModifiers, m) {
			out = append(out, m)
		}
	}
	return out
}

func hasSite(l billedLine) bool {
	for _, m := range l.mods {
		if slices.Contains(anatomicModifiers, m) {
			return true
		}
	}
	return false
}

// sameSite: an anatomic modifier on both lines.
func sameSite(a, b billedLine) bool {
	for _, m := range a.mods {
		if slices.Contains(anatomicModifiers, m) && slices.Contains(b.mods, m) {
			return true
		}
	}
	return false
}

// ptpFix says which line takes which modifier: the advice, the line,
// and (ptpFixTail) the rest of the advice, so that the message is built
// in one concatenation.
func ptpFix(col1, col2 billedLine) (how, line string) {
	if em1, em2 := IsEM(col1.code), IsEM(col2.code); em1 != em2 {
		if em2 {
			return fixEM, col2.name()
		}
		return fixEM, col1.name()
	}
	if hasSite(col1) || hasSite(col2) {
		return fixSites, col2.name()
	}
	return fixDistinct, col2.name()
}

const (
	fixEM       = "if the E/M was significant and separately identifiable, add 25 to "
	fixSites    = "for different sites both lines need their anatomic modifier (RT and LT, F1 and F2, ...), and these name one site or only one line; for a separate encounter or structure add XE or XS to "
	fixDistinct = "if the documentation supports a distinct service, add to "
)

var ptpFixTail = map[string]string{
	fixEM:       " (57 when it was the decision for major surgery)",
	fixSites:    "",
	fixDistinct: " the modifier that says why: XE, XS, XP or XU (59 only when none fits; 24, 58, 78, 79, 91 as defined)",
}

func distinctWhy(mod string) string {
	switch mod {
	case "25":
		return "a significant, separately identifiable E/M"
	case "57":
		return "the decision for surgery"
	case "XE":
		return "a separate encounter"
	case "XS":
		return "a separate organ or structure"
	case "XP":
		return "a separate practitioner"
	case "XU":
		return "a service that does not overlap the usual components of the other"
	case "59":
		return "a different session, procedure, site, incision, lesion or injury"
	case "58", "78", "79", "24":
		return "the postoperative period's rules for " + mod
	case "91":
		return "a repeated clinical laboratory test"
	}
	return "different anatomic sites"
}
