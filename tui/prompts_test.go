package tui

import (
	"slices"
	"strings"
	"testing"

	"codebench/encounter"
	"codebench/encounter/demo"
	"codebench/encounter/store"
	"codebench/tui/coding"

	tea "charm.land/bubbletea/v2"
)

// wantPromptSelected checks the open claim prompt shows value selected
// (typing replaces it).
func (d *driver) wantPromptSelected(value string) {
	d.t.Helper()
	if st := d.st(); st.Prompt != value || !st.PromptSelected {
		d.t.Fatalf("prompt shows %q selected %v, want %q selected:\n%s", st.Prompt, st.PromptSelected, value, d.screen())
	}
}

// The claim prompts open on the line's value shown selected: typing
// replaces it (16 on a line of 1 unit is 16, not 116; RT on RT is RT),
// enter keeps it, a cursor key edits it. Units far above the code's usual
// range raise a warning.
func TestPromptsReplaceTheValueTheyShow(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1006")
	d.search("j4541")
	d.press("enter")
	d.search("j1100")
	d.press("enter", "esc", "4", "G")
	line := func() encounter.ServiceLine { return d.m.w.Enc.Lines[0] }

	d.press("u")
	d.wantPromptSelected("1")
	d.typeText("16")
	d.press("enter")
	if line().Units != 16 {
		t.Fatalf("units %d, want 16", line().Units)
	}

	d.press("m")
	d.typeText("rt")
	d.press("enter", "m")
	d.typeText("RT")
	d.press("enter")
	if !slices.Equal(line().Modifiers, []string{"RT"}) {
		t.Fatalf("modifiers %q", line().Modifiers)
	}
	// Enter keeps the value; a cursor key keeps it to edit.
	d.press("m", "enter")
	d.press("m", "end")
	d.typeText(" 59")
	d.press("enter")
	if !slices.Equal(line().Modifiers, []string{"RT", "59"}) {
		t.Fatalf("modifiers after editing %q", line().Modifiers)
	}
	// Backspace clears the selected value.
	d.press("m", "backspace", "enter")
	if len(line().Modifiers) != 0 {
		t.Fatalf("modifiers after clearing %q", line().Modifiers)
	}

	// A slip that stays under the MUE: a warning names it.
	d.press("u")
	d.typeText("116")
	d.press("enter")
	if line().Units != 116 {
		t.Fatalf("units %d", line().Units)
	}
	found := false
	for _, e := range d.m.w.Edits {
		found = found || e.Rule == encounter.RuleUnitsUnusual && e.Severity == encounter.Warning && strings.Contains(e.Message, "116 units")
	}
	if !found {
		t.Fatalf("no warning for 116 units: %+v", d.m.w.Edits)
	}
	d.press("p")
	d.typeText("a")
	d.press("enter", "p")
	d.wantPromptSelected("A")
}

// Undo puts the claim cursor back on the row the change was made on:
// deleting the last line, undoing and deleting again removes that line
// again, not the one the cursor fell back to.
func TestUndoPutsTheCursorBackOnTheRow(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1002") // lines 99283-25 and 29125-RT
	d.press("4", "G", "d")
	if codes := lineCodesOf(d); !slices.Equal(codes, []string{"99283"}) {
		t.Fatalf("after delete: %q", codes)
	}
	d.press("ctrl+z")
	if st := d.st(); st.Line != 1 {
		t.Fatalf("after undo the cursor is on line %d, want 2", st.Line+1)
	}
	d.press("d")
	if codes := lineCodesOf(d); !slices.Equal(codes, []string{"99283"}) {
		t.Fatalf("delete after undo removed another line: %q", codes)
	}
	// A move undone: the cursor is back on the diagnosis that moved.
	d.press("g", "j", "K", "ctrl+z")
	if st := d.st(); st.ClaimRow != 1 || d.m.w.Enc.Diagnoses[1].Code != "W010XXA" {
		t.Fatalf("after undoing a move: row %d, diagnoses %q", st.ClaimRow, d.diagnoses())
	}
}

func lineCodesOf(d *driver) []string {
	var out []string
	for _, l := range d.m.w.Enc.Lines {
		out = append(out, l.Code)
	}
	return out
}

// o on an edit no reason can accept refuses at once and says why, before
// a reason is typed.
func TestOverrideOfAFixOnlyEditRefusesAtOnce(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1002") // S52.531 lacks its 7th character
	d.press("5")
	for i := 0; i < 10 && !strings.Contains(d.screen(), "icd.seventh-character"); i++ {
		d.press("down")
	}
	d.press("o")
	if d.st().Focus != coding.PaneEdits || strings.Contains(d.screen(), "reason:") {
		t.Fatalf("a reason was asked for:\n%s", d.screen())
	}
	d.must("icd.seventh-character cannot be overridden", "fix the claim")
}

// At 80 columns the header names the provider in full on every demo
// chart; the patient's name gives way first.
func TestHeaderShowsTheProviderAt80Columns(t *testing.T) {
	r := newRig(t, typedCodes())
	encs, err := demo.Encounters()
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, New(r.opts))
	for _, e := range encs {
		d.send(openedMsg{id: e.ID, enc: e, sum: store.Summary{ID: e.ID, Status: store.InProgress}})
		d.settle()
		head := strings.SplitN(d.screen(), "\n", 2)[0]
		if !strings.Contains(head, e.Provider.Name) || !strings.Contains(head, e.Service.From.String()) || !strings.Contains(head, "FY2026 r0") {
			t.Errorf("%s header: %q", e.ID, head)
		}
	}
	// With room, everything and its labels.
	d.send(tea.WindowSizeMsg{Width: 160, Height: 48})
	head := strings.SplitN(d.screen(), "\n", 2)[0]
	if !strings.Contains(head, "DOS 2025-10-15 · Amir Haddad, MD") || !strings.Contains(head, "FY2026 · in progress · r0 saved") {
		t.Errorf("wide header: %q", head)
	}
}

// A line added from the search points at A and says so with keys that
// work from there (4 would be typed into the query).
func TestNewLineHintNamesKeysThatWorkInTheSearch(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1012")
	d.search("99213")
	d.press("enter")
	d.must("99213 added as line 1 pointing at no diagnosis yet")
	d.typeText("j020")
	d.press("enter")
	d.typeText("87880")
	d.press("enter")
	d.must("87880 added as line 2 → A; esc 4 p changes it")
	if got := d.m.w.Enc.Lines; !slices.Equal(got[0].Pointers, []int{1}) || !slices.Equal(got[1].Pointers, []int{1}) {
		t.Fatalf("lines %+v", got)
	}
	d.press("esc", "4", "p")
	if st := d.st(); st.Line != 1 || st.Prompt != "A" {
		t.Fatalf("esc 4 p: line %d prompt %q", st.Line, st.Prompt)
	}
}

// At 80x24 the documentation shows 12 lines; the claim takes the larger
// part of the column while it has the focus, and the documentation is
// where it was when the focus comes back.
func TestDocumentationTallerAt80x24AndKeepsItsPlace(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	docLines := func() []string {
		var out []string
		rows := strings.Split(d.screen(), "\n")
		in := false
		for _, row := range rows[1 : len(rows)-1] {
			left, _, _ := strings.Cut(row, "│")
			switch {
			case strings.Contains(left, "1 Documentation"):
				in = true
			case strings.Contains(left, "4 Claim"):
				in = false
			case in:
				out = append(out, left)
			}
		}
		return out
	}
	if n := len(docLines()); n < 12 {
		t.Fatalf("the documentation shows %d lines at 80x24", n)
	}
	d.press("pgdown", "pgdown")
	before := docLines()
	d.press("4")
	if n := len(docLines()); n >= 12 {
		t.Fatalf("the claim has the focus and the documentation still takes %d lines", n)
	}
	d.press("1")
	if after := docLines(); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Fatalf("the documentation moved:\nbefore\n%s\nafter\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
	}
}

// The edits pane wraps the message under the cursor (every message when
// they all fit): at 80x24 the longest message reads in full in the pane.
func TestEditMessagesReadInFull(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1007") // L97.412 before E11.621, a line without pointers
	longest := 0
	for i, e := range d.m.w.Edits {
		if len(e.Message) > len(d.m.w.Edits[longest].Message) {
			longest = i
		}
	}
	msg := d.m.w.Edits[longest].Message
	if len(msg) < 80 {
		t.Fatalf("no long message to read: %q", msg)
	}
	d.press("5")
	for d.st().EditCursor < longest {
		d.press("down")
	}
	var right []string
	rows := strings.Split(d.screen(), "\n")
	for _, row := range rows[1 : len(rows)-1] {
		if _, r, ok := strings.Cut(row, "│"); ok {
			right = append(right, strings.TrimSpace(r))
		}
	}
	pane := strings.Join(strings.Fields(strings.Join(right, " ")), " ")
	// The narrow pane drops what the row's target says ("line 2: ").
	_, tail, _ := strings.Cut(msg, ": ")
	if !strings.Contains(pane, strings.Join(strings.Fields(tail), " ")) {
		t.Fatalf("the message does not read in full:\n%s\nwant %q", d.screen(), tail)
	}
}
