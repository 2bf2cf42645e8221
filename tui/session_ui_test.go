package tui

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"codebench/index"
	"codebench/tui/coding"
)

// typedCodes answers no search: codes are typed exactly.
func typedCodes() Searcher {
	return &recordingSearcher{hits: func(string) []index.Hit { return nil }}
}

// After an export the next encounter opens at once; the status line still
// says where the exported one went. The JSON view keeps its indentation.
func TestExportStatusSurvivesTheNextOpen(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1015")
	d.search("S93.491A")
	d.press("enter")
	d.search("99203")
	d.press("enter", "esc", "4", "G", "p")
	d.typeText("a")
	d.press("enter", "ctrl+x", "J")
	d.must(`  "resourceType": "Claim"`, `    {`)
	d.press("y")
	if d.m.w.Enc == nil || d.m.w.Enc.ID == "enc-1015" {
		t.Fatalf("the next encounter did not open:\n%s", d.screen())
	}
	if !strings.Contains(d.m.status, "exported enc-1015-r") || !strings.Contains(d.m.status, "opened "+d.m.w.Enc.ID) {
		t.Fatalf("status %q", d.m.status)
	}
}

// Inline inputs take letters: their help says esc cancels, not n. One
// error "blocks" the export.
func TestInlineInputHelpAndMessages(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1002") // pre-coded: S52.531 lacks its 7th character
	d.press("ctrl+x")
	d.must("1 error blocks the export")
	d.press("4", "G", "m")
	footer := d.screen()[strings.LastIndex(d.screen(), "\n"):]
	if !strings.Contains(footer, "esc cancel input") || strings.Contains(footer, "n/esc") {
		t.Fatalf("footer while editing modifiers: %q", footer)
	}
	d.press("esc")
}

// Deleting a claim row shows the row now selected in the detail pane, not
// the code just removed; a recode shows the new code.
func TestDetailFollowsTheClaim(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1002")
	d.press("4", "g", "enter") // S52.531 opens to recode
	d.must("3 Detail  S52.531 → A")
	d.press("a")
	if c := d.st().DetailCode; c == nil || c.Code != "S52531A" {
		t.Fatalf("detail after recode shows %v", c)
	}
	d.press("4", "g", "d")
	if c := d.st().DetailCode; c == nil || c.Code != "W010XXA" {
		t.Fatalf("detail after delete shows %v", c)
	}
}

// A terminal too small for the workbench says so in words that fit.
func TestTooSmallTerminalMessageWraps(t *testing.T) {
	r := newRig(t, nil)
	d := newDriver(t, New(r.opts))
	d.send(tea.WindowSizeMsg{Width: 30, Height: 8})
	s := d.screen()
	for _, l := range strings.Split(s, "\n") {
		if len([]rune(l)) > 30 {
			t.Fatalf("line wider than the terminal: %q", l)
		}
	}
	if !strings.Contains(strings.ReplaceAll(s, "\n", " "), "the terminal is 30x8") {
		t.Fatalf("message:\n%s", s)
	}
}

// Narrow edit rows show the message without the rule id (the detail pane
// has both) and without repeating the target.
func TestNarrowEditRowsShowTheMessage(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1002")
	d.must("E dx A S52.531 needs a 7th character")
	d.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	d.press("5", "z") // zoomed: room for the rule
	d.must("E dx A icd.seventh-character: S52.531 needs a 7th character")
}

// Enter on a diagnosis and enter again in the detail pane changes nothing.
func TestRecodeToTheSameCodeIsNoChange(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1015")
	d.search("S93.491A")
	d.press("enter", "esc")
	rev := d.m.w.Enc.Revision
	d.press("4", "g", "enter", "enter")
	d.must("diagnosis A is already S93.491A")
	if d.m.w.Enc.Revision != rev {
		t.Fatalf("revision %d, was %d: a draft was saved for nothing", d.m.w.Enc.Revision, rev)
	}
}

// Fracture 7th characters include G, J and K: typed in the picker they
// pick, though the same letters move in lists elsewhere.
func TestSeventhCharactersThatAreAlsoMovementKeys(t *testing.T) {
	for _, tc := range []struct{ base, key, want string }{
		{"S52.531", "g", "S52531G"}, {"S52.531", "G", "S52531G"}, {"S52.531", "j", "S52531J"}, {"S52.531", "k", "S52531K"},
		{"S52.531", "q", "S52531Q"}, // q closes the encounter elsewhere
		{"O40.1", "1", "O401XX1"},   // fetus 1; 1 focuses a pane elsewhere
	} {
		r := newRig(t, typedCodes())
		d := newDriver(t, New(r.opts))
		d.openEncounter("enc-1003")
		d.send(coding.PickCode(code(t, r.codes, tc.base)))
		d.settle()
		d.press(tc.key)
		if got := d.diagnoses(); len(got) != 1 || got[0] != tc.want {
			t.Fatalf("%s typed: diagnoses %q, want %s", tc.key, got, tc.want)
		}
	}
	// Where j is no 7th character (a sprain: A D S) it moves.
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1003")
	d.send(coding.PickCode(code(t, r.codes, "S93.491")))
	d.settle()
	d.press("j")
	if d.st().DetailCursor != 1 || len(d.m.w.Enc.Diagnoses) != 0 {
		t.Fatalf("j in a sprain's picker: cursor %d, diagnoses %q", d.st().DetailCursor, d.diagnoses())
	}
}

// esc and a pane digit typed within the terminal's escape timeout arrive
// as alt+digit: both happen.
func TestEscThenDigitArrivingAsAltDigit(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1015")
	d.search("i10")
	d.press("alt+4")
	if d.st().Focus != coding.PaneClaim || d.st().QueryFocused {
		t.Fatalf("focus %d, input focused %v", d.st().Focus, d.st().QueryFocused)
	}
	if q := d.st().Query; q != "i10" {
		t.Fatalf("query %q", q)
	}
}

// Overriding and withdrawing say so, naming the target as the claim does.
func TestOverrideMessagesNameTheTarget(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1007")
	d.search("e10.621") // an Excludes1 pair with E11.621 (B)
	d.press("enter", "esc", "5")
	for i := 0; i < 5 && !strings.Contains(d.screen(), "icd.excludes1"); i++ {
		d.press("down")
	}
	d.press("o")
	d.typeText("conditions unrelated per provider query")
	d.press("enter")
	d.must("overridden icd.excludes1 on dx D", "1 ✓")
	d.press("O")
	d.must("override of icd.excludes1 on dx D withdrawn")
}

// ctrl+z takes back claim changes one by one, evidence and pointers with
// them; the undo is saved like any change.
func TestUndoTakesBackClaimChanges(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1002") // S52.531 (A, with evidence), W01.0XXA (B); lines point to A
	d.press("ctrl+z")
	d.must("nothing to undo")
	d.press("4", "g", "d")
	d.must("S52.531 removed; line 1, 2 now points to no diagnosis")
	if got := d.diagnoses(); !slices.Equal(got, []string{"W010XXA"}) {
		t.Fatalf("after delete: %q", got)
	}
	d.press("ctrl+z")
	d.must("undone: dx A: removed S52.531")
	enc := d.m.w.Enc
	if got := d.diagnoses(); !slices.Equal(got, []string{"S52531", "W010XXA"}) || enc.Diagnoses[0].Evidence == nil || !slices.Equal(enc.Lines[0].Pointers, []int{1}) {
		t.Fatalf("after undo: %+v %+v", enc.Diagnoses, enc.Lines)
	}
	// Two changes, two undos, in reverse order.
	d.press("j", "K")
	d.search("i10")
	d.press("enter")
	if got := d.diagnoses(); !slices.Equal(got, []string{"W010XXA", "S52531", "I10"}) {
		t.Fatalf("after move and add: %q", got)
	}
	d.press("ctrl+z") // while typing in the search
	d.press("esc", "ctrl+z")
	if got := d.diagnoses(); !slices.Equal(got, []string{"S52531", "W010XXA"}) {
		t.Fatalf("after two undos: %q", got)
	}
	// Saved: the store has the claim as undone.
	saved, _, err := r.store.Get(t.Context(), "enc-1002")
	if err != nil || len(saved.Diagnoses) != 2 || saved.Diagnoses[0].Code != "S52531" {
		t.Fatalf("store: %+v %v", saved.Diagnoses, err)
	}
}
