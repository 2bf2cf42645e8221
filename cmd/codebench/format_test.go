package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codebench/encounter/x12"
)

const testEnvelopeJSON = `{
  "sender_qualifier": "ZZ", "sender_id": "CODEBENCH01",
  "receiver_qualifier": "ZZ", "receiver_id": "CLEARHOUSE",
  "usage": "T",
  "submitter_name": "Lakeside Billing Office", "submitter_id": "CB0001",
  "submitter_contact": "Billing Desk", "submitter_phone": "2175550100",
  "receiver_name": "Example Clearinghouse", "receiver_etin": "CH0001"
}`

// TestExport837PCommand: --format 837p writes ENC-rN.x12 that passes the
// structure check; a second export is idempotent; a missing or bad
// envelope is a clear error before anything is queued.
func TestExport837PCommand(t *testing.T) {
	data := exportEnv(t, exportClaim("ENC-1"), exportClaim("ENC-2"))
	queueDir := filepath.Join(data, DefaultQueueDir)

	code, _, errOut := runCmd(t, "export", "--format", "837p", "ENC-1")
	if code != 2 || !strings.Contains(errOut, "837p.json") || !strings.Contains(errOut, "--x12-envelope") {
		t.Fatalf("no envelope: %d %q", code, errOut)
	}
	if err := os.WriteFile(filepath.Join(data, Default837PConfig), []byte(`{"sender_qualifier": "ZZ", "usage": "Q"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCmd(t, "export", "--format", "837p", "ENC-1")
	if code != 2 || !strings.Contains(errOut, "usage") || !strings.Contains(errOut, "sender_id") {
		t.Fatalf("bad envelope: %d %q", code, errOut)
	}
	if err := os.WriteFile(filepath.Join(data, Default837PConfig), []byte(testEnvelopeJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, "export", "--format", "837p", "ENC-1")
	file := filepath.Join(queueDir, "ENC-1-r0.x12")
	if code != 0 || !strings.Contains(out, file) {
		t.Fatalf("export: %d %q %q", code, out, errOut)
	}
	first, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := x12.Check(first); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCmd(t, "export", "--format", "837p", "ENC-1"); code != 0 || !strings.Contains(out, "already exported") {
		t.Fatalf("second export: %d %q", code, out)
	}
	if again, _ := os.ReadFile(file); !bytes.Equal(again, first) {
		t.Fatal("re-export rewrote the interchange")
	}

	// The format from the environment, the envelope from a flag.
	env := filepath.Join(t.TempDir(), "env.json")
	os.WriteFile(env, []byte(testEnvelopeJSON), 0o600)
	t.Setenv("CODEBENCH_FORMAT", "837P")
	if code, _, errOut := runCmd(t, "export", "--x12-envelope", env, "ENC-2"); code != 0 {
		t.Fatalf("ENC-2: %d %q", code, errOut)
	}
	second, _ := os.ReadFile(filepath.Join(queueDir, "ENC-2-r0.x12"))
	n1, _ := x12.ControlOf(first)
	n2, _ := x12.ControlOf(second)
	if n1 == n2 || x12.Check(second) != nil {
		t.Fatalf("control numbers %d and %d", n1, n2)
	}
	if code, _, errOut := runCmd(t, "export", "--format", "pdf", "ENC-2"); code != 2 || !strings.Contains(errOut, `format "pdf"`) {
		t.Fatalf("unknown format: %d %q", code, errOut)
	}
}
