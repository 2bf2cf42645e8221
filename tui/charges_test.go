package tui

import (
	"strings"
	"testing"

	"codebench/encounter/demo"
)

// With the practice's fee schedule a line is charged when added (a
// modifier's own fee first, times the units); $ on a line opens its
// charge selected, typing replaces it, empty goes back to the schedule's;
// the claim's title and the export confirmation give the total.
func TestChargesFromTheScheduleAndTyped(t *testing.T) {
	r := newRig(t, typedCodes())
	r.opts.Fees = demo.FeeSchedule()
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1011")
	d.search("m170")
	d.press("enter")
	d.typeText("20610-50")
	d.press("enter")
	d.typeText("j3301x8")
	d.press("enter")
	lines := d.m.w.Enc.Lines
	if lines[0].Charge != 16500 || lines[1].Charge != 3360 {
		t.Fatalf("charges %d and %d, want 16500 and 3360 (8 x $4.20)", lines[0].Charge, lines[1].Charge)
	}
	d.must("$198.60")
	d.press("esc", "4", "G", "$")
	d.wantPromptSelected("33.60")
	d.typeText("40")
	d.press("enter")
	if c := d.m.w.Enc.Lines[1].Charge; c != 4000 {
		t.Fatalf("typed charge %d", c)
	}
	d.press("$", "x")
	d.typeText("abc")
	d.press("enter")
	d.must("a charge is dollars and cents")
	d.press("ctrl+u", "enter")
	if c := d.m.w.Enc.Lines[1].Charge; c != 3360 {
		t.Fatalf("empty charge %d, want the schedule's 3360", c)
	}
	d.press("ctrl+x")
	if !strings.Contains(d.screen(), "total charges $198.60") {
		t.Fatalf("the confirmation lacks the total:\n%s", d.screen())
	}
}
