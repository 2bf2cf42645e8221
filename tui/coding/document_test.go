package coding

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"charm.land/log/v2"

	"codebench/encounter"
	"codebench/tui/common"
	"codebench/tui/keymap"
	"codebench/tui/prefs"
	"codebench/tui/styles"
	"codebench/tui/work"
)

const wrappedAt80 = `SUBJECTIVE:
8-year-old girl with sore throat and fever to 102.4 F since yesterday, headache, and
stomach ache. No cough, no runny nose. Two classmates had strep last week. No drug
allergies. Immunizations up to date.
PLAN:
- Amoxicillin 50 mg/kg/day (1000 mg) once daily for 10 days. Acetaminophen or ibuprofen
- Return if unable to swallow liquids, drooling, or trouble breathing at any time of day.
IMPRESSION: Extra-articular distal radius fracture (Colles type), closed, no displacement.

Each knee prepped with chlorhexidine. Through a superolateral approach, 40 mg
with 4 mL 1% lidocaine.`

func docWith(text string, width int) *docPane {
	w := &work.Work{Enc: &encounter.Encounter{Notes: []encounter.Note{{ID: "n1", Title: "Note", Text: text}}}}
	c := testCommon()
	p := newDocPane(c, w)
	p.SetSize(width, 40)
	return p
}

func (p *docPane) plainLines() []string {
	var out []string
	for _, l := range p.lines {
		var b strings.Builder
		for _, c := range l.cells {
			b.WriteString(c.s)
		}
		out = append(out, b.String())
	}
	return out
}

// A note hard-wrapped at 80 columns flows in a 38-column pane: paragraphs
// fill their lines; labels, list items and line-initial capitals after a
// full stop keep their breaks.
func TestDocumentReflowsHardWrappedNotes(t *testing.T) {
	p := docWith(wrappedAt80, 38)
	lines := p.plainLines()
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	got := strings.Join(lines, "\n")
	for _, want := range []string{
		"\nSUBJECTIVE:\n8-year-old girl",
		"\nPLAN:\n- Amoxicillin",
		"\n- Return if",
		"\nIMPRESSION: Extra-articular",
		"approach, 40 mg with", // mid-sentence, lower case next
	} {
		if !strings.Contains(got, want) {
			t.Errorf("layout lacks %q:\n%s", want, got)
		}
	}
	// The first paragraph fills its lines up to its last.
	for _, l := range lines[2:7] {
		if len(l) < 24 {
			t.Errorf("ragged line %q:\n%s", l, got)
		}
	}

	// A selection across a flowed break is still the exact note text.
	at := strings.Index(wrappedAt80, "headache")
	for i, wd := range p.words {
		if wd.start == at {
			p.cur = i
		}
	}
	p.toggleSelect(selWords)
	for i := 0; i < 3; i++ {
		p.moveTo(p.cur+1, true)
	}
	if p.w.Span == nil || p.w.Span.Text != "headache, and\nstomach ache" {
		t.Fatalf("span %+v", p.w.Span)
	}

	// A pane as wide as the note keeps its lines.
	wide := docWith(wrappedAt80, 100)
	if got := wide.plainLines(); len(got) != strings.Count(wrappedAt80, "\n")+2 {
		t.Errorf("wide pane re-flowed the note:\n%s", strings.Join(got, "\n"))
	}
}

// A Markdown note shows its words without the heading and bold marks;
// a selection is still the note's exact text.
func TestDocumentHidesMarkdownMarks(t *testing.T) {
	text := "# Orthopedic follow-up\n\n**Chief complaint:** Both knees.\n\n## Procedure\nInjected into the **right knee**.\n** not markdown *"
	p := docWith(text, 60)
	got := strings.Join(p.plainLines(), "\n") + "\n"
	for _, want := range []string{"\nOrthopedic follow-up\n", "\nChief complaint: Both knees.\n", "\nProcedure\n", "\nInjected into the right knee.\n", "\n** not markdown *\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("layout lacks %q:\n%s", want, got)
		}
	}
	at := strings.Index(text, "right knee")
	for i, wd := range p.words {
		if wd.start == at {
			p.cur = i
		}
	}
	p.toggleSelect(selWords)
	p.moveTo(p.cur+1, true)
	if p.w.Span == nil || p.w.Span.Text != "right knee" {
		t.Fatalf("span %+v", p.w.Span)
	}
	// Without a heading, asterisks are text.
	plain := docWith("Note: **urgent** call back", 60)
	if got := strings.Join(plain.plainLines(), "\n"); !strings.Contains(got, "**urgent**") {
		t.Errorf("a plain note lost its asterisks:\n%s", got)
	}
}

// testCommon is a Common for a pane tested alone.
func testCommon() *common.Common {
	return &common.Common{Width: 80, Height: 24, Styles: styles.New(true, true), KeyMap: keymap.Default(),
		Prefs: &prefs.Memory{}, Logger: log.New(io.Discard), Now: time.Now, Timing: common.Timing{}.WithDefaults(), Ctx: context.Background()}
}
