package tui

import (
	"context"
	"strings"
	"testing"

	"codebench/codesets/icdtables"
	"codebench/encounter"
	"codebench/index"
)

// browseDriver opens an encounter dated in FY2027 (2026-11-05) with an
// 80x24 terminal; codes are typed exactly, so no screen depends on the
// index's ranking.
func browseDriver(t *testing.T) *driver {
	t.Helper()
	r := newRig(t, &recordingSearcher{hits: func(string) []index.Hit { return nil }})
	enc := &encounter.Encounter{
		ID:       "enc-2001",
		Patient:  encounter.Patient{ID: "P-2001", Name: "Rosa Lind", DateOfBirth: encounter.NewDate(1961, 5, 2), Sex: "F"},
		Provider: encounter.Provider{NPI: "1234567893", Name: "Dr Lee"},
		Service:  encounter.DateRange{From: encounter.NewDate(2026, 11, 5)},
		Notes:    []encounter.Note{{ID: "n1", Title: "ED note", Text: "Solvent exposure at work; breast mass; type 2 diabetes with hyperglycemia."}},
	}
	if err := r.store.Add(context.Background(), enc); err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, New(r.opts))
	d.press("r")
	d.openEncounter("enc-2001")
	return d
}

// The Neoplasm table: ctrl+b shows it over the panes; typing filters the
// rows; the arrows move; enter picks the cell, a header opening in the
// detail pane to choose its code, a billable code added to the claim.
func TestNeoplasmGrid(t *testing.T) {
	d := browseDriver(t)
	d.press("ctrl+b")
	if st := d.st(); st.Grid != icdtables.Neoplasm || st.GridRow != 0 {
		t.Fatalf("ctrl+b: %+v", st)
	}
	d.must("Table of Neoplasms", "Primary", "Second.", "In situ", "Benign", "Uncert.", "Unspec.")
	d.typeText("breast")
	if st := d.st(); st.GridFilter != "breast" {
		t.Fatalf("filter %q", st.GridFilter)
	}
	golden(t, "neoplasm-grid-80x24", d.screen())
	// The breast row: malignant primary C50.9- is a header to complete.
	d.press("enter")
	if st := d.st(); st.Grid != "" || st.DetailCode == nil || st.DetailCode.Display() != "C50.9" || st.Focus != 2 {
		t.Fatalf("pick C50.9-: %+v", st)
	}
	// Secondary C79.81 is billable: added at once.
	d.press("ctrl+b")
	if st := d.st(); st.GridFilter != "" {
		t.Errorf("the filter stays after the table closes: %q", st.GridFilter)
	}
	d.typeText("breast")
	d.press("right", "enter")
	if n := len(d.m.w.Enc.Diagnoses); n != 1 || d.m.w.Enc.Diagnoses[0].Code != "C7981" {
		t.Fatalf("diagnoses after picking secondary: %+v", d.m.w.Enc.Diagnoses)
	}
	// esc closes; the filter narrows to nothing and says so.
	d.press("ctrl+b")
	d.typeText("zzzz")
	d.must("no row matches")
	d.press("esc")
	if st := d.st(); st.Grid != "" {
		t.Fatal("esc did not close the table")
	}
}

// The Drug table: tab switches to it; a cell whose code the release of the
// date of service lacks is marked and cannot be picked (T52.8X- is gone
// from FY2027); a code that needs a 7th character opens the picker.
func TestDrugGrid(t *testing.T) {
	d := browseDriver(t)
	d.press("ctrl+b", "tab")
	if st := d.st(); st.Grid != icdtables.Drug {
		t.Fatalf("tab: %+v", st)
	}
	d.must("Table of Drugs and Chemicals", "Accident", "Self-hrm", "Assault", "Undeterm", "Adverse", "Underdos")
	d.typeText("acetal")
	golden(t, "drug-grid-80x24", d.screen())
	if !strings.Contains(d.screen(), "T52.8X1×") {
		t.Errorf("T52.8X1 not marked as gone from FY2027:\n%s", d.screen())
	}
	d.press("enter")
	if len(d.m.w.Enc.Diagnoses) != 0 || d.st().Grid != icdtables.Drug {
		t.Fatal("a code gone from the release was picked")
	}
	d.must("T52.8X1 is not in ICD-10-CM FY2027", "it is in FY2026")
	// Acetaminophen, adverse effect: T39.1X5, 7th character in the picker.
	d.press("ctrl+u")
	d.typeText("acetaminophen")
	d.press("right", "right", "right", "right", "enter")
	if st := d.st(); st.Grid != "" || !st.Picker || st.DetailCode.Display() != "T39.1X5" {
		t.Fatalf("pick T39.1X5: %+v", st)
	}
	d.press("A")
	if n := len(d.m.w.Enc.Diagnoses); n != 1 || d.m.w.Enc.Diagnoses[0].Code != "T391X5A" {
		t.Fatalf("diagnoses: %+v", d.m.w.Enc.Diagnoses)
	}
	// The table shown last opens again.
	d.press("ctrl+b")
	if d.st().Grid != icdtables.Drug {
		t.Error("ctrl+b did not reopen the drug table")
	}
	d.press("esc")
}

// The Tabular List around a code in the detail pane: t shows the chapter,
// section, category and every level down with their notes, the code among
// its siblings; left goes up a level, right opens a line, enter picks a
// billable code; esc closes and the pane shows the code under the cursor.
func TestTabularBrowser(t *testing.T) {
	d := browseDriver(t)
	d.search("E11.65")
	d.press("enter", "esc", "3", "t")
	st := d.st()
	if st.Tabular != "E11.65" || st.TabularCursor != "E11.65" || !st.Zoomed {
		t.Fatalf("t: %+v", st)
	}
	golden(t, "tabular-80x24", d.screen())
	d.must("Chapter 4", "E08-E13", "E11.6", "notes: Includes ×3, Excludes1 ×8, Use additional code ×4")
	// Up a level: the list around E11.6, its notes in full under the cursor.
	d.press("left")
	if st := d.st(); st.Tabular != "E11.6" || st.TabularCursor != "E11.6" {
		t.Fatalf("left: %+v", st.Tabular)
	}
	// Up to the category, where its notes read in full, then the section.
	d.press("left")
	d.must("Includes: diabetes NOS", "Excludes1: diabetes mellitus due to underlying condition (E08.-)")
	d.press("left")
	if st := d.st(); st.Tabular != "E08-E13" || st.TabularCursor != "E08-E13" {
		t.Fatalf("up to the section: %+v", st)
	}
	d.must("E13 Other specified diabetes mellitus", "E00-E07 Disorders of thyroid gland")
	// Down to E11, open it, down to E11.9 and pick it.
	moveTo := func(name string) {
		t.Helper()
		for i := 0; i < 60 && d.st().TabularCursor != name; i++ {
			d.press("down")
		}
		if d.st().TabularCursor != name {
			t.Fatalf("cursor never reached %s:\n%s", name, d.screen())
		}
	}
	moveTo("E11")
	d.press("right")
	if st := d.st(); st.Tabular != "E11" {
		t.Fatalf("right on E11: %+v", st)
	}
	moveTo("E11.9")
	d.press("enter")
	if n := len(d.m.w.Enc.Diagnoses); n != 2 || d.m.w.Enc.Diagnoses[1].Code != "E119" {
		t.Fatalf("pick from the Tabular List: %+v", d.m.w.Enc.Diagnoses)
	}
	if st := d.st(); st.Tabular != "" || st.Zoomed {
		t.Errorf("the browser stays open after a pick: %+v", st)
	}
	// esc leaves the browser, the pane showing the code under the cursor.
	d.press("esc", "3", "t", "up", "esc")
	if st := d.st(); st.Tabular != "" || st.Zoomed || st.DetailCode == nil || st.DetailCode.Display() != "E11.8" {
		t.Fatalf("esc: %+v", st)
	}
	// Closing the encounter with the browser open closes it: the next
	// encounter's date of service may be another release's.
	d.press("t", "q")
	if d.m.w.Enc != nil {
		t.Fatal("q did not close the encounter")
	}
	d.openEncounter("enc-2001")
	if st := d.st(); st.Tabular != "" || st.Zoomed {
		t.Errorf("the Tabular List outlived its encounter: %+v", st)
	}
}
