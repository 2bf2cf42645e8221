package tui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"codebench/encounter/fhir"
	"codebench/encounter/store"
)

// pickFromResults moves down the search results to code and picks it.
func (d *driver) pickFromResults(display string) {
	d.t.Helper()
	d.press("home")
	for i := 0; i < 60; i++ {
		if c := d.st().Result; c != nil && c.Display() == display {
			d.press("enter")
			return
		}
		d.press("down")
	}
	d.t.Fatalf("%s not among the results:\n%s", display, d.screen())
}

// search types a query into the search pane from anywhere.
func (d *driver) search(q string) {
	d.t.Helper()
	d.press("esc") // leave any input; harmless elsewhere
	d.press("/", "ctrl+u")
	d.typeText(q)
}

// TestCodeOneEncounterEndToEnd codes demo encounter enc-1001 by keys
// alone with the full index, the SQLite store, the validator, the exporter
// and a directory billing queue, and checks the claim that reaches the
// queue.
func TestCodeOneEncounterEndToEnd(t *testing.T) {
	r := newRig(t, fullIndex(t))
	d := newDriver(t, New(r.opts))
	d.must("Worklist", "enc-1001", "Dolores Whitaker")
	d.openEncounter("enc-1001")
	d.must("CHIEF COMPLAINT", "1 Documentation", "5 Edits")

	// 1. Select the assessment's first diagnosis in the documentation and
	// search it with one key.
	text := d.m.w.Enc.Notes[0].Text
	phrase := "Type 2 diabetes mellitus with diabetic chronic kidney disease"
	at := strings.Index(text, "1. "+phrase) + 3
	d.walkDocTo(at)
	d.press("v")
	for range strings.Fields(phrase)[1:] {
		d.press("l")
	}
	d.press("s")
	if q := d.st().Query; q != phrase {
		t.Fatalf("searched %q", q)
	}
	d.must("61 selected")
	d.pickFromResults("E11.22")
	d.must("A E11.22", "¶", "added as diagnosis A with evidence")

	// 2. Typed searches: words, then codes typed exactly.
	d.search("hypertensive chronic kidney disease")
	d.pickFromResults("I12.9")
	d.search("N18.31")
	d.pickFromResults("N18.31")
	d.search("99214")
	d.pickFromResults("99214")
	d.search("36415")
	d.pickFromResults("36415")
	d.must("B I12.9", "C N18.31", "1 99214", "2 36415")

	// 3. Link pointers: line 1 to A B C, line 2 to C.
	d.press("esc", "4", "G", "k")
	if line := d.st().Line; line != 0 {
		t.Fatalf("claim cursor not on line 1:\n%s", d.screen())
	}
	d.press("p", "ctrl+u")
	d.typeText("abc")
	d.press("enter", "j", "p", "ctrl+u")
	d.typeText("c")
	d.press("enter")

	// 4. Reorder: I12.9 up to A. The lines keep pointing at the same codes.
	d.press("g", "j", "K")
	d.must("A I12.9", "B E11.22", "I12.9 is now A")
	// 5. Modifier 25 on line 1, and a limit refused with a message.
	d.press("G", "k", "m", "ctrl+u")
	d.typeText("25 59 RT LT 76")
	d.press("enter")
	d.must("at most 4 modifiers")
	d.press("ctrl+u")
	d.typeText("25")
	d.press("enter")
	d.must("1 99214  25", "2 36415")
	l := d.m.w.Enc.Lines
	if !slices.Equal(l[0].Pointers, []int{2, 1, 3}) || !slices.Equal(l[1].Pointers, []int{3}) || !slices.Equal(l[0].Modifiers, []string{"25"}) {
		t.Fatalf("lines %+v", l)
	}

	// Nothing may block the export; warnings may remain.
	if n := d.m.w.Blocking(); n > 0 {
		t.Fatalf("%d blocking edits: %+v\n%s", n, d.m.w.Edits, d.screen())
	}

	// 6. Export: the confirmation shows the claim as it goes out.
	d.press("ctrl+x")
	d.must("Export enc-1001", "A I12.9", "B E11.22", "C N18.31", "99214  mods 25", "pointers B A C", "y/enter export")
	d.press("J")
	d.must(`"resourceType": "Claim"`)
	d.press("J", "y")

	// The next encounter opened; enc-1001 is exported.
	if d.m.w.Enc == nil || d.m.w.Enc.ID == "enc-1001" {
		t.Fatalf("the next encounter did not open:\n%s", d.screen())
	}
	_, sum, err := r.store.Get(t.Context(), "enc-1001")
	if err != nil || sum.Status != store.Exported || sum.LeasedBy != "" {
		t.Fatalf("enc-1001 after export: %+v %v", sum, err)
	}

	// The claim in the billing queue.
	files, _ := filepath.Glob(filepath.Join(r.queueDir, "*.json"))
	if len(files) != 1 {
		t.Fatalf("queue holds %v", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := fhir.Validate(data); err != nil {
		t.Fatalf("queued Bundle does not validate: %v", err)
	}
	doc, err := fhir.Summarize(data)
	if err != nil {
		t.Fatalf("exported JSON: %v\n%s", err, data)
	}
	if doc.EncounterID != "enc-1001" || doc.Key != sum.ExportKey || doc.Coder != "alice" {
		t.Fatalf("claim header %+v", doc)
	}
	if want := []string{"I12.9", "E11.22", "N18.31"}; !slices.Equal(doc.Diagnoses, want) {
		t.Fatalf("diagnoses %v, want %v", doc.Diagnoses, want)
	}
	if len(doc.Items) != 2 {
		t.Fatalf("items %+v", doc.Items)
	}
	it := doc.Items[0]
	if it.Code != "99214" || !slices.Equal(it.Modifiers, []string{"25"}) || !slices.Equal(it.Pointers, []int{2, 1, 3}) || it.Units != "1" {
		t.Fatalf("item 1 %+v", it)
	}
	if it := doc.Items[1]; it.Code != "36415" || !slices.Equal(it.Pointers, []int{3}) {
		t.Fatalf("item 2 %+v", it)
	}
	// The preview the coder confirmed is byte for byte what was queued.
	if prev, err := r.opts.Exporter.Document(t.Context(), "enc-1001"); err != nil || string(prev) != string(data) {
		t.Fatalf("queued claim differs from the preview (%v)", err)
	}
}
