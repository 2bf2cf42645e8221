package tui

import (
	"slices"
	"strings"
	"testing"
)

// The notes of the code shown that name other codes are listed in the
// detail pane; a adds the one under the cursor where its note puts it,
// or opens the search on a range, and the code picked there goes there.
func TestNotesNamingCodesAddThemWithAKey(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1006")
	d.search("j4541")
	d.press("enter") // J45.41 A; the detail shows it
	d.must("Codes its notes name")
	d.press("tab") // to the detail pane
	d.moveDetailTo("Z77.22")
	d.must("a add code a note names")
	d.press("a")
	if got := d.diagnoses(); !slices.Equal(got, []string{"J4541", "Z7722"}) {
		t.Fatalf("diagnoses %q", got)
	}
	d.must("Z77.22 added as diagnosis B")
	d.press("a")
	d.must("Z77.22 is already diagnosis B")

	// A code first note names a range: the search opens on it, and the
	// code picked there goes before the code that asked for it.
	d2 := newDriver(t, New(r.opts))
	d2.openEncounter("enc-1015")
	d2.search("i10")
	d2.press("enter")
	d2.search("f02b0")
	d2.press("enter", "tab")
	d2.moveDetailTo("G30")
	d2.press("a")
	if st := d2.st(); st.Focus != 1 || !strings.EqualFold(st.Query, "G30") {
		t.Fatalf("the range did not open the search: focus %d query %q", st.Focus, st.Query)
	}
	d2.must("code first G30: enter adds the code before F02.B0")
	d2.typeText("g301")
	d2.press("enter")
	if got := d2.diagnoses(); !slices.Equal(got, []string{"I10", "G301", "F02B0"}) {
		t.Fatalf("diagnoses %q: the underlying condition does not come first", got)
	}
}

// moveDetailTo moves the detail pane's cursor to a choice.
func (d *driver) moveDetailTo(choice string) {
	d.t.Helper()
	for i := 0; i < 40 && d.st().DetailChoice != choice; i++ {
		d.press("down")
	}
	if got := d.st().DetailChoice; got != choice {
		d.t.Fatalf("no %s in the detail pane (cursor on %q):\n%s", choice, got, d.screen())
	}
}
