package dialog

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codebench/encounter"
	"codebench/encounter/queue"
	"codebench/encounter/store"
	"codebench/tui/common"
	"codebench/tui/keymap"
	"codebench/tui/styles"
)

type fakeExporter struct{}

func (fakeExporter) Document(context.Context, string) ([]byte, error) { return []byte(`{"a":1}`), nil }
func (fakeExporter) Export(context.Context, store.Lease) (string, queue.Delivery, error) {
	return "k", queue.Delivered, nil
}
func (fakeExporter) Destination() string { return "billing queue /q" }

func testDialog() *Export {
	c := &common.Common{Styles: styles.New(true, true), KeyMap: keymap.Default(), Exporter: fakeExporter{}}
	enc := &encounter.Encounter{ID: "enc-1", Patient: encounter.Patient{Name: "Pat Doe", Sex: "F"},
		Diagnoses: []encounter.Diagnosis{{Code: "I10"}}, Lines: []encounter.ServiceLine{{Code: "99213", Units: 1, Pointers: []int{1}}}}
	return NewExport(c, enc, 1)
}

// At any width the dialog is a box with straight sides: every row of it
// has the same width, and on a narrow screen it spans the screen, so no
// column of the pane behind shows beside it.
func TestExportDialogHasStraightSidesAndFillsANarrowScreen(t *testing.T) {
	for _, w := range []int{40, 80, 103, 104, 160} {
		d := testDialog()
		rows := strings.Split(ansi.Strip(d.View(w, 22)), "\n")
		want := min(w, 100)
		if w < 104 {
			want = w
		}
		for i, r := range rows {
			if got := ansi.StringWidth(r); got != want {
				t.Fatalf("width %d: row %d is %d wide, want %d: %q", w, i, got, want, r)
			}
		}
		base := strings.Repeat(strings.Repeat("#", w)+"\n", 21) + strings.Repeat("#", w)
		screen := ansi.Strip(Overlay(base, d.View(w, 22), w, 22))
		for i, r := range strings.Split(screen, "\n") {
			if w < 104 && strings.Contains(r, "#") && strings.ContainsAny(r, "│┌└─") {
				t.Fatalf("width %d: row %d shows the pane behind beside the dialog: %q", w, i, r)
			}
		}
	}
}

// y confirms once the document is there; n cancels; keys are ignored
// while the export runs.
func TestExportDialogKeys(t *testing.T) {
	d := testDialog()
	msg := func(cmd tea.Cmd) tea.Msg {
		if cmd == nil {
			return nil
		}
		return cmd()
	}
	if m, ok := msg(d.Update(tea.KeyPressMsg{Code: 'y', Text: "y"})).(common.StatusMsg); !ok || !strings.Contains(m.Text, "still being built") {
		t.Fatalf("y before the document: %#v", m)
	}
	d.SetDoc([]byte(`{"resourceType":"Claim"}`), nil)
	if _, ok := msg(d.Update(tea.KeyPressMsg{Code: 'y', Text: "y"})).(ConfirmMsg); !ok || !d.Busy() {
		t.Fatal("y did not confirm")
	}
	if m := msg(d.Update(tea.KeyPressMsg{Code: 'n', Text: "n"})); m != nil {
		t.Fatalf("a key while exporting: %#v", m)
	}
	d.Failed(context.Canceled)
	if _, ok := msg(d.Update(tea.KeyPressMsg{Code: tea.KeyEscape})).(CancelMsg); !ok {
		t.Fatal("esc did not cancel")
	}
	d.Update(tea.KeyPressMsg{Code: 'J', Text: "J"})
	if !strings.Contains(ansi.Strip(d.View(80, 22)), `"resourceType": "Claim"`) {
		t.Fatalf("J does not show the JSON:\n%s", ansi.Strip(d.View(80, 22)))
	}
}
