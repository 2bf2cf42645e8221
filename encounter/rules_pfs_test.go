package encounter

import "testing"

var pfsCases = []ruleCase{
	numbersOnly(fires(RulePFSBilateral, "69210-50 (bilateral indicator 2)", Error, "line:1", func(e *Encounter) { lines(e, l("69210", "50")) })),
	numbersOnly(fires(RulePFSBilateral, "99213-50 (indicator 0)", Error, "line:1", func(e *Encounter) { lines(e, l("99213", "50")) })),
	numbersOnly(quiet(RulePFSBilateral, "27447-50 (indicator 1)", func(e *Encounter) { lines(e, l("27447", "50")) })),

	numbersOnly(fires(RulePFSPCTC, "99213-26 (PC/TC 0)", Error, "line:1", func(e *Encounter) { lines(e, l("99213", "26")) })),
	numbersOnly(fires(RulePFSPCTC, "93010-26: already the professional component (PC/TC 2)", Error, "line:1", func(e *Encounter) { lines(e, l("93010", "26")) })),
	numbersOnly(quiet(RulePFSPCTC, "71046-26 (PC/TC 1)", func(e *Encounter) { lines(e, l("71046", "26")) })),

	numbersOnly(fires(RulePFSAssistant, "11042-80 (assistant indicator 1)", Error, "line:1", func(e *Encounter) { lines(e, l("11042", "80")) })),
	numbersOnly(fires(RulePFSAssistant, "29881-80 needs documentation (indicator 0)", Warning, "line:1", func(e *Encounter) { lines(e, l("29881", "80")) })),
	numbersOnly(quiet(RulePFSAssistant, "27447-80 (indicator 2)", func(e *Encounter) { lines(e, l("27447", "80")) })),

	numbersOnly(fires(RulePFSCoSurgeon, "29881-62 (co-surgeon indicator 0)", Error, "line:1", func(e *Encounter) { lines(e, l("29881", "62")) })),
	numbersOnly(fires(RulePFSCoSurgeon, "27447-62 needs documentation (indicator 1)", Warning, "line:1", func(e *Encounter) { lines(e, l("27447", "62")) })),
	numbersOnly(quiet(RulePFSCoSurgeon, "27447 without 62", func(e *Encounter) { lines(e, l("27447")) })),

	numbersOnly(fires(RulePFSTeam, "27447-66 (team indicator 0)", Error, "line:1", func(e *Encounter) { lines(e, l("27447", "66")) })),
	numbersOnly(quiet(RulePFSTeam, "27447 without 66", func(e *Encounter) { lines(e, l("27447")) })),

	numbersOnly(fires(RulePFSStatus, "99243 consultation (status I)", Error, "line:1", func(e *Encounter) { lines(e, l("99243")) })),
	numbersOnly(fires(RulePFSStatus, "97010 hot or cold packs (status B)", Warning, "line:1", func(e *Encounter) { lines(e, l("97010")) })),
	numbersOnly(quiet(RulePFSStatus, "99213 (status A)", noChange)),

	numbersOnly(fires(RulePFSFacility, "96372 on an emergency department physician's claim", Error, "line:2", func(e *Encounter) {
		e.PlaceOfService = "23"
		lines(e, l("99283"), l("96372"))
	})),
	numbersOnly(fires(RulePFSFacility, "94640 at an inpatient place of service", Error, "line:1", func(e *Encounter) { e.PlaceOfService = "21"; lines(e, l("94640")) })),
	numbersOnly(quiet(RulePFSFacility, "96372 in the office", func(e *Encounter) { lines(e, l("96372")) })),

	fires(RuleSideOnEM, "RT on an E/M", Error, "line:1", func(e *Encounter) { e.Lines[0].Modifiers = []string{"RT"} }),
	quiet(RuleSideOnEM, "RT on a procedure", func(e *Encounter) { lines(e, l("29125", "RT")) }),
}

func TestPFSAcceptance(t *testing.T) {
	wantMessage(t, editsOf(t, medicareClaim(l("69210", "50")), RulePFSBilateral), "bilateral indicator 2", "remove 50")
	wantMessage(t, editsOf(t, medicareClaim(l("99213", "RT")), RuleSideOnEM), "E/M visit", "remove RT")
}
