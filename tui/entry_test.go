package tui

import (
	"slices"
	"testing"

	"codebench/encounter"
)

// A service line typed in the search with its modifiers, units and
// pointers ("99284-25 abc", "j1100x16") is added as typed, in one change;
// a part the claim cannot take refuses the whole line.
func TestLineTypedAsOnAChargeTicket(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1009")
	for _, c := range []string{"r0789", "i10", "f17210"} {
		d.search(c)
		d.press("enter")
	}
	d.typeText("99284-25 abc")
	d.must("enter adds 99284-25 → A B C")
	d.press("enter")
	d.typeText("99406 c")
	d.press("enter")
	d.typeText("j1100x16")
	d.press("enter")
	lines := d.m.w.Enc.Lines
	want := []encounter.ServiceLine{
		{Code: "99284", Modifiers: []string{"25"}, Units: 1, Pointers: []int{1, 2, 3}},
		{Code: "99406", Units: 1, Pointers: []int{3}},
		{Code: "J1100", Units: 16, Pointers: []int{1}},
	}
	if len(lines) != len(want) {
		t.Fatalf("lines %+v", lines)
	}
	for i, w := range want {
		l := lines[i]
		if l.Code != w.Code || !slices.Equal(l.Modifiers, w.Modifiers) || l.Units != w.Units || !slices.Equal(l.Pointers, w.Pointers) {
			t.Fatalf("line %d: %+v, want %+v", i+1, l, w)
		}
	}
	d.must("J1100 ×16 added as line 3")
	// Refused as a whole: a modifier that is none, a letter with no
	// diagnosis.
	for _, bad := range []string{"93010-zz", "93010 d"} {
		d.press("ctrl+u")
		d.typeText(bad)
		d.press("enter")
		if n := len(d.m.w.Enc.Lines); n != 3 {
			t.Fatalf("%q added a line: %+v", bad, d.m.w.Enc.Lines)
		}
	}
	// One change: one undo takes the line back.
	d.press("ctrl+z")
	if n := len(d.m.w.Enc.Lines); n != 2 {
		t.Fatalf("after undo: %+v", d.m.w.Enc.Lines)
	}
}

// * points a line at every diagnosis but the external causes, up to four;
// a code typed without its X placeholders is the code that has them.
func TestEveryDiagnosisAndPlaceholdersTyped(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1015")
	for _, c := range []string{"s93491a", "w101a", "y92480", "i10"} {
		d.search(c)
		d.press("enter")
	}
	if got := d.diagnoses(); !slices.Equal(got, []string{"S93491A", "W101XXA", "Y92480", "I10"}) {
		t.Fatalf("diagnoses %q", got)
	}
	d.typeText("99203 *")
	d.must("enter adds 99203 → all dx")
	d.press("enter")
	if ps := d.m.w.Enc.Lines[0].Pointers; !slices.Equal(ps, []int{1, 4}) {
		t.Fatalf("* points at %v, want A and D (B and C are external causes)", ps)
	}
	d.press("esc", "4", "G", "p")
	d.typeText("*")
	d.press("enter")
	if ps := d.m.w.Enc.Lines[0].Pointers; !slices.Equal(ps, []int{1, 4}) {
		t.Fatalf("p * points at %v", ps)
	}
}
