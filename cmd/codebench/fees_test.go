package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFeesAndReopenCommands: a fee schedule is imported whole or not at
// all; an exported claim is reopened as a replacement, and a payer whose
// policy refuses replacements refuses it.
func TestFeesAndReopenCommands(t *testing.T) {
	data := exportEnv(t, exportClaim("ENC-1"))
	bad := filepath.Join(t.TempDir(), "fees-2026.csv")
	os.WriteFile(bad, []byte("code,amount,effective_from\n99213,125,2026-01-01\n99214,abc,2026-01-01\n"), 0o600)
	code, _, errOut := runCmd(t, "fees", "import", bad)
	if code != 1 || !strings.Contains(errOut, "fees-2026.csv:3: field amount") || !strings.Contains(errOut, "nothing imported") {
		t.Fatalf("bad schedule: %d %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(data, "fees")); err == nil {
		t.Fatal("a refused schedule left files")
	}
	good := filepath.Join(t.TempDir(), "fees-2026.csv")
	os.WriteFile(good, []byte("code,amount,effective_from\n99213,125,2026-01-01\n"), 0o600)
	code, out, errOut := runCmd(t, "fees", "import", good)
	if code != 0 || !strings.Contains(out, `imported fee schedule "fees-2026": 1 fees`) || !strings.Contains(out, "sha256 ") {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	code, out, _ = runCmd(t, "fees", "show", "--dos", "2026-03-02", "99213", "99214-25")
	if code != 0 || !strings.Contains(out, "99213: $125.00 (line 2)") || !strings.Contains(out, "99214-25: no fee") {
		t.Fatalf("show: %d %q", code, out)
	}

	// Reopen before the claim was exported: refused.
	if code, _, errOut := runCmd(t, "reopen", "--replace", "--claim-number", "C1", "--reason", "units", "ENC-1"); code != 2 || !strings.Contains(errOut, "only an exported claim") {
		t.Fatalf("reopen before export: %d %q", code, errOut)
	}
	if code, _, errOut := runCmd(t, "export", "ENC-1"); code != 0 {
		t.Fatalf("export: %s", errOut)
	}
	os.WriteFile(filepath.Join(data, DefaultPayersFile), []byte(`{"payers": [{"payer_id": "87726", "replacements": false, "voids": true, "note": "send a corrected claim on paper"}]}`), 0o600)
	if code, _, errOut := runCmd(t, "reopen", "--replace", "--claim-number", "C1", "--reason", "units", "ENC-1"); code != 1 || !strings.Contains(errOut, "takes no replacement claims: send a corrected claim on paper") {
		t.Fatalf("policy: %d %q", code, errOut)
	}
	code, out, errOut = runCmd(t, "reopen", "--void", "--claim-number", "C1", "--reason", "billed in error", "ENC-1")
	if code != 0 || !strings.Contains(out, "ENC-1 reopened as revision 1, a void of ENC-1-r0") {
		t.Fatalf("void: %d %q %q", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, "export", "ENC-1"); code != 0 || !strings.Contains(out, "ENC-1-r1") {
		t.Fatalf("export the void: %d %q %q", code, out, errOut)
	}
	if code, _, _ := runCmd(t, "reopen", "--void", "--replace", "ENC-1"); code != 2 {
		t.Fatal("both --void and --replace accepted")
	}
}
