package tui

import (
	"slices"
	"testing"

	"codebench/tui/coding"
)

// openFromWorklist opens id as the coder does, leaving the focus where the
// chart opens.
func (d *driver) openFromWorklist(id string) {
	d.t.Helper()
	for i := 0; i < 40 && !d.cursorOn(id); i++ {
		d.press("down")
	}
	if !d.cursorOn(id) {
		d.t.Fatalf("%s not in the worklist:\n%s", id, d.screen())
	}
	d.press("enter")
	if d.m.w.Enc == nil || d.m.w.Enc.ID != id {
		d.t.Fatalf("%s did not open:\n%s", id, d.screen())
	}
}

// A chart opens where its first key goes: an uncoded chart in the search
// (the code is typed at once; / there is not a query; esc reads the
// documentation), a chart that came coded in the claim, on diagnosis A.
func TestChartOpensWhereItsFirstKeyGoes(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openFromWorklist("enc-1001")
	if st := d.st(); st.Focus != coding.PaneSearch || !st.QueryFocused {
		t.Fatalf("uncoded chart opened in pane %d:\n%s", st.Focus, d.screen())
	}
	d.press("/") // out of habit: nothing typed
	if q := d.st().Query; q != "" {
		t.Fatalf("/ at the opening search typed %q", q)
	}
	d.typeText("e1122")
	d.press("enter")
	if got := d.diagnoses(); !slices.Equal(got, []string{"E1122"}) {
		t.Fatalf("typed at the opening: %q\n%s", got, d.screen())
	}
	d.press("esc")
	if st := d.st(); st.Focus != coding.PaneDoc {
		t.Fatalf("esc from the opening search went to pane %d", st.Focus)
	}
	d.press("q")
	d.openFromWorklist("enc-1013") // F02.B0, G30.1 and 99214 from charge capture
	if st := d.st(); st.Focus != coding.PaneClaim || st.ClaimRow != 0 {
		t.Fatalf("coded chart opened in pane %d row %d:\n%s", st.Focus, st.ClaimRow, d.screen())
	}
	d.press("j", "K") // straight to the review: G30.1 first
	if got := d.diagnoses(); !slices.Equal(got, []string{"G301", "F02B0"}) {
		t.Fatalf("after K: %q", got)
	}
}

// * points the line under the cursor at every diagnosis (external causes
// left out, four at most) and M strips its modifiers, one key each; a new
// E/M line points at every diagnosis by itself.
func TestClaimKeysForEveryDiagnosisAndNoModifiers(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openFromWorklist("enc-1010") // N40.1, R35.1; 99204; 51798-59-XU
	d.search("r3914")
	d.press("enter")
	d.search("99213")
	d.press("enter")
	lines := d.m.w.Enc.Lines
	if got := lines[2].Pointers; !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("new E/M line points at %v, want A B C", got)
	}
	d.press("esc", "4", "G", "k") // 51798
	d.press("M")
	d.must("modifiers 59 XU removed")
	if got := d.m.w.Enc.Lines[1].Modifiers; len(got) != 0 {
		t.Fatalf("M left %q", got)
	}
	d.press("k", "*") // 99204, which pointed at A B
	d.must("line 1 points at A B C")
	if got := d.m.w.Enc.Lines[0].Pointers; !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("* gave %v", got)
	}
	d.press("g", "*")
	d.must("select a service line first")
	d.press("ctrl+z")
	if got := d.m.w.Enc.Lines[0].Pointers; !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("ctrl+z after * gave %v", got)
	}
}
