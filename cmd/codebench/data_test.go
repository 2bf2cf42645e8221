package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// codebench data import, status and remove, end to end on a data
// directory of its own.
func TestDataCommands(t *testing.T) {
	data := t.TempDir()
	t.Setenv("CODEBENCH_DATA", data)
	t.Setenv("CODEBENCH_CACHE", t.TempDir())
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb}
	order := filepath.Join("..", "..", "codesets", "dataimport", "testdata", "icd10cm-order-2028-excerpt.txt")
	if code := run(t.Context(), e, []string{"data", "import", "--no-index", order}); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "imported icd10cm FY2028 (2027-10-01 to 2028-09-30) as icd10cm-FY2028-") || !strings.Contains(out.String(), "every billable code is a leaf") {
		t.Errorf("import output:\n%s", out.String())
	}
	out.Reset()
	if code := run(t.Context(), e, []string{"data", "status", "--today", "2026-11-30"}); code != 0 {
		t.Fatalf("status: %s", errb.String())
	}
	status := out.String()
	for _, want := range []string{"* ICD-10-CM FY2027", "ICD-10-CM FY2028", "icd10cm-FY2028-", "Warnings:", "quarters old"} {
		if !strings.Contains(status, want) {
			t.Errorf("status lacks %q:\n%s", want, status)
		}
	}
	// A bad file: refused, named, nothing changed.
	bad := filepath.Join(t.TempDir(), "icd10cm-order-2029.txt")
	raw, _ := os.ReadFile(order)
	os.WriteFile(bad, bytes.Replace(raw, []byte("00002 A000    1"), []byte("00002 A000    7"), 1), 0o644)
	errb.Reset()
	if code := run(t.Context(), e, []string{"data", "import", "--no-index", bad}); code == 0 || !strings.Contains(errb.String(), `"icd10cm-order-2029.txt" line 2 field billable flag`) || !strings.Contains(errb.String(), "nothing was changed") {
		t.Errorf("bad file: exit %d, %s", code, errb.String())
	}
	id := ""
	for _, f := range strings.Fields(status) {
		if strings.HasPrefix(f, "icd10cm-FY2028-") {
			id = strings.TrimSuffix(f, ":")
		}
	}
	out.Reset()
	if code := run(t.Context(), e, []string{"data", "remove", "--no-index", id}); code != 0 || !strings.Contains(out.String(), "removed icd10cm FY2028") {
		t.Fatalf("remove %q: exit %d %s %s", id, code, out.String(), errb.String())
	}
	out.Reset()
	run(t.Context(), e, []string{"data", "status", "--today", "2026-11-30"})
	if strings.Contains(out.String(), "FY2028") {
		t.Errorf("FY2028 still listed after remove:\n%s", out.String())
	}
	errb.Reset()
	if code := run(t.Context(), e, []string{"data", "frobnicate"}); code == 0 || !strings.Contains(errb.String(), "usage") {
		t.Errorf("unknown subcommand: %d %s", code, errb.String())
	}
}
