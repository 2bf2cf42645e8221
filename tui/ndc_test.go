package tui

import (
	"testing"

	"codebench/encounter"
)

// A drug line takes the NDC its documentation states for that drug (said
// in the status line); n on the line types or clears it.
func TestDrugLineTakesTheDocumentedNDC(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openFromWorklist("enc-1005") // "Cyanocobalamin 1000 mcg/mL (NDC 63323-0044-01), 1 mL given"
	d.typeText("d510")
	d.press("enter")
	d.typeText("j3420")
	d.press("enter")
	d.must("NDC 63323004401 ML 1 from the notes")
	ndc := func() encounter.NDC { return d.m.w.Enc.Lines[0].NDC }
	if want := (encounter.NDC{Code: "63323004401", Unit: "ML", Quantity: "1"}); ndc() != want {
		t.Fatalf("NDC %+v", ndc())
	}
	ndcEdit := func() bool {
		for _, e := range d.m.w.Edits {
			if e.Rule == encounter.RuleNDC {
				return true
			}
		}
		return false
	}
	if ndcEdit() {
		t.Fatal("payer.ndc raised on a line with its NDC")
	}
	d.press("esc", "4", "G", "n")
	d.wantPromptSelected("63323004401 ML 1")
	d.typeText("63323-0044-01 ml 2")
	d.press("enter")
	if ndc().Quantity != "2" {
		t.Fatalf("typed NDC gave %+v", ndc())
	}
	d.press("n")
	d.typeText("63323-0044-01 oz 2")
	d.press("enter")
	d.must(`"oz" is not an NDC unit`)
	d.press("esc", "n", "backspace", "enter")
	if !ndc().IsZero() || !ndcEdit() {
		t.Fatalf("cleared NDC %+v, edit raised %v", ndc(), ndcEdit())
	}
}
