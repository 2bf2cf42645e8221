package encounter

import (
	"slices"
	"strings"
	"testing"
)

func TestParseNDC(t *testing.T) {
	for typed, want := range map[string]NDC{
		"63323-0044-01 ml 1":  {Code: "63323004401", Unit: "ML", Quantity: "1"},
		"0003-0293-05 2 mL":   {Code: "00003029305", Unit: "ML", Quantity: "2"},
		"00003029305, ML, 2":  {Code: "00003029305", Unit: "ML", Quantity: "2"},
		"50242-040-62 mg 0.5": {Code: "50242004062", Unit: "ME", Quantity: "0.5"},
	} {
		if got, err := ParseNDC(typed); err != nil || got != want {
			t.Errorf("%q: %+v %v", typed, got, err)
		}
	}
	for typed, why := range map[string]string{
		"63323-0044-01 ml":        "code, unit and quantity",
		"632-0044-01 ml 1":        "not an NDC",
		"63323-0044-01 oz 1":      "unit of measure",
		"63323-0044-01 ml 0":      "above 0",
		"63323-0044-01 ml 1.5555": "at most",
	} {
		if _, err := ParseNDC(typed); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("%q: %v, want %q", typed, err, why)
		}
	}
}

// The documentation's NDC goes to the drug its sentence names, and only
// when exactly one statement names it.
func TestDocumentedNDC(t *testing.T) {
	notes := []Note{{ID: "n", Text: "Denies fatigue. MCV 92.\n\nCyanocobalamin 1000 mcg/mL (NDC 63323-0044-01), 1 mL given IM in the left deltoid. Lot 4471B.\n" +
		"Ondansetron 4 mg (NDC 0409-1120-02) 2 mL given."}}
	d, quote, ok := DocumentedNDC(notes, "Injection, vitamin b-12 cyanocobalamin, up to 1000 mcg")
	if !ok || d != (NDC{Code: "63323004401", Unit: "ML", Quantity: "1"}) || quote != "NDC 63323-0044-01), 1 mL" {
		t.Fatalf("cyanocobalamin: %+v %q %v", d, quote, ok)
	}
	if _, _, ok := DocumentedNDC(notes, "Injection, triamcinolone acetonide, not otherwise specified, 10 mg"); ok {
		t.Fatal("triamcinolone took another drug's NDC")
	}
	two := append(notes, Note{Text: "Cyanocobalamin (NDC 0143-9619-25) 1 mL given."})
	if _, _, ok := DocumentedNDC(two, "cyanocobalamin"); ok {
		t.Fatal("two NDCs for one drug: one was chosen")
	}
	dose := []Note{{Text: "Triamcinolone acetonide 40 mg/mL, 2.5 mL drawn (NDC 0003-0293-05) 2 mL injected."}}
	if d, _, ok := DocumentedNDC(dose, "triamcinolone acetonide"); !ok || d.Quantity != "2" {
		t.Fatalf("a decimal before the NDC cut its sentence: %+v %v", d, ok)
	}
}

// Notes and typed NDCs come from outside: whatever they hold, an NDC found
// or parsed is one a claim can carry.
func FuzzNDC(f *testing.F) {
	f.Add("Cyanocobalamin 1000 mcg/mL (NDC 63323-0044-01), 1 mL given.", "cyanocobalamin")
	f.Add("ndc:00003029305 2.5 ml triamcinolone\n0.5 mg", "triamcinolone acetonide")
	f.Add("NDC 1234-5678-90 0 mL drug. NDC 12345-678-9", "drugname")
	f.Fuzz(func(t *testing.T, text, title string) {
		for _, d := range []NDC{
			func() NDC { d, _, _ := DocumentedNDC([]Note{{Text: text}}, title); return d }(),
			func() NDC { d, _ := ParseNDC(text); return d }(),
		} {
			if d.IsZero() {
				continue
			}
			if _, ok := CanonicalNDC(d.Code); !ok || len(d.Code) != 11 || !slices.Contains(NDCUnits, d.Unit) || !decimalPattern.MatchString(string(d.Quantity)) {
				t.Fatalf("%q gave %+v", text, d)
			}
		}
	})
}
