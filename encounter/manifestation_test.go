package encounter

import (
	"bytes"
	"strings"
	"testing"
)

// The detail pane and `codebench code` (codesets.Detail) call a code a
// manifestation exactly when the validator refuses it first-listed: one
// definition. The codes the issue found mislabelled (I50.9, E66.01,
// N18.31, N18.6, L97.412, Z3A.32, Z87.891) carry code-first or use-
// additional notes but may be first-listed.
func TestDetailAndValidatorAgreeOnManifestations(t *testing.T) {
	_, set := testSets(t)
	for code, want := range map[string]bool{
		"I50.9": false, "E66.01": false, "N18.31": false, "N18.6": false, "L97.412": false, "Z3A.32": false, "Z87.891": false,
		"F02.B0": true, "G63": true, "F02.80": true,
	} {
		c, ok := set.Lookup(code)
		if !ok {
			t.Fatalf("%s missing", code)
		}
		d := set.Detail(c)
		var text bytes.Buffer
		d.WriteText(&text)
		labelled := strings.Contains(text.String(), "never first-listed")
		e := base()
		e.Diagnoses = dxs(code)
		e.Lines[0].Pointers = []int{1}
		refused := false
		for _, ed := range Validate(e, set) {
			refused = refused || ed.Rule == RuleManifestation && ed.Severity == Error
		}
		if d.Manifestation != want || labelled != want || refused != want {
			t.Errorf("%s: detail %v, label %v, validator refuses first %v; want %v", code, d.Manifestation, labelled, refused, want)
		}
	}
}
