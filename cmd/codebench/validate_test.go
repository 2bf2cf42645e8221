package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codebench/encounter"
	"codebench/encounter/demo"
)

func writeEncounterFile(t *testing.T, dir, name string, enc *encounter.Encounter) string {
	t.Helper()
	data, err := encounter.Encode(enc)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestValidateCommand(t *testing.T) {
	t.Setenv("CODEBENCH_DATA", t.TempDir()) // no CPT import
	dir := t.TempDir()
	clean := writeEncounterFile(t, dir, "clean.json", exportClaim("ENC-OK"))
	bad := exportClaim("ENC-BAD")
	bad.Diagnoses[0].Code = "E11" // a category header
	blocked := writeEncounterFile(t, dir, "blocked.json", bad)

	code, out, errOut := runCmd(t, "validate", clean)
	if code != 0 || !strings.Contains(out, "clean.json (ENC-OK): 0 errors, 0 warnings") {
		t.Errorf("clean file: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runCmd(t, "validate", blocked)
	if code != 1 || !strings.Contains(out, "icd.billable") || !strings.Contains(out, "1 error,") {
		t.Errorf("file with an error edit: exit %d\n%s", code, out)
	}

	// A directory: every encounter file in it; exit 1 because one has errors.
	code, out, _ = runCmd(t, "validate", dir)
	if code != 1 || !strings.Contains(out, "2 files: 1 with errors, 0 unreadable") {
		t.Errorf("directory: exit %d\n%s", code, out)
	}

	// A malformed file: exit 2, naming the file and the field.
	os.WriteFile(filepath.Join(dir, "broken.json"), []byte(`{"schema":"codebench.encounter/v1","id":"x","notes":[{"id":"n","text":"t"}],"service_lines":[{"code":"99213","units":"two"}]}`), 0o644)
	code, out, _ = runCmd(t, "validate", dir)
	if code != 2 || !strings.Contains(out, "broken.json: field service_lines[0].units: want a number") {
		t.Errorf("broken file: exit %d\n%s", code, out)
	}

	// --json for scripts.
	code, out, _ = runCmd(t, "validate", "--json", blocked, clean)
	var results []validateResult
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if code != 1 || len(results) != 2 || !results[0].Blocked || results[0].Errors != 1 || results[1].Blocked || results[0].Edits[0].Source == "" {
		t.Errorf("--json: exit %d %+v", code, results)
	}

	if code, _, _ := runCmd(t, "validate"); code != 2 {
		t.Errorf("no arguments: exit %d, want 2", code)
	}
	if code, _, _ := runCmd(t, "validate", filepath.Join(dir, "missing.json")); code != 2 {
		t.Errorf("missing file: exit %d, want 2", code)
	}
}

// TestValidateDemoInbox runs the command on the demo inbox, text and
// Markdown notes included.
func TestValidateDemoInbox(t *testing.T) {
	t.Setenv("CODEBENCH_DATA", t.TempDir())
	dir := t.TempDir()
	if _, err := demo.WriteInbox(dir); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, "validate", dir)
	if code != 1 {
		t.Fatalf("demo inbox: exit %d (uncoded encounters have errors)\n%s%s", code, out, errOut)
	}
	for _, name := range demo.Names() {
		if !strings.Contains(out, name+" (") {
			t.Errorf("%s not reported", name)
		}
	}
	if !strings.Contains(out, "icd.excludes1") || !strings.Contains(out, "enc-1011-knee-osteoarthritis.md (enc-1011)") {
		t.Errorf("output:\n%s", out)
	}
}

// TestValidatePayerEdits: --json carries each payer edit's rule, source
// and table version; files of one patient, provider and day are checked
// together; --edit-sets chooses the sets per payer type.
func TestValidatePayerEdits(t *testing.T) {
	t.Setenv("CODEBENCH_DATA", t.TempDir())
	dir := t.TempDir()
	a := exportClaim("ENC-A")
	a.Coverage.PayerType = encounter.PayerMedicare
	a.Lines = []encounter.ServiceLine{{Code: "93010", Units: 1, Pointers: []int{1}}}
	b := exportClaim("ENC-B")
	b.Coverage.PayerType = encounter.PayerMedicare
	b.Patient = a.Patient
	b.Lines = []encounter.ServiceLine{{Code: "93000", Units: 1, Pointers: []int{1}}}
	fa := writeEncounterFile(t, dir, "a.json", a)
	fb := writeEncounterFile(t, dir, "b.json", b)

	code, out, _ := runCmd(t, "validate", "--json", fa, fb)
	var results []validateResult
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	var ptp *encounter.Edit
	for i, ed := range results[0].Edits {
		if ed.Rule == encounter.RulePTP {
			ptp = &results[0].Edits[i]
		}
	}
	if code != 1 || ptp == nil || ptp.Version != "2024-07-01" || !strings.HasPrefix(ptp.Source, "NCCI PTP practitioner 2024-07-01") || !strings.Contains(ptp.Message, `of "ENC-B"`) {
		t.Fatalf("exit %d; the pair across the two files: %+v", code, ptp)
	}
	if !strings.Contains(out, `"version": "2024-07-01"`) || !strings.Contains(out, `"rule": "ncci.ptp"`) {
		t.Errorf("JSON lacks the rule or version fields:\n%s", out)
	}
	// Alone, the claim has no pair.
	if code, out, _ := runCmd(t, "validate", fa); code != 0 || strings.Contains(out, "ncci.ptp") {
		t.Errorf("one file alone: exit %d\n%s", code, out)
	}
	// A site that leaves PTP out for Medicare.
	if code, out, _ := runCmd(t, "validate", "--edit-sets", "medicare=ncci-mue,mce", fa, fb); code != 0 || strings.Contains(out, "ncci.ptp") {
		t.Errorf("--edit-sets medicare=ncci-mue,mce: exit %d\n%s", code, out)
	}
	if code, _, errOut := runCmd(t, "validate", "--edit-sets", "medicare=ptp", fa); code != 2 || !strings.Contains(errOut, "not an edit set") {
		t.Errorf("bad --edit-sets: exit %d %s", code, errOut)
	}
}
