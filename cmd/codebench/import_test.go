package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codebench/encounter"
)

func TestImportThenExport(t *testing.T) {
	data := t.TempDir()
	t.Setenv("CODEBENCH_DATA", data)
	t.Setenv("CODEBENCH_QUEUE", "")
	inbox := filepath.Join(t.TempDir(), "inbox")
	os.MkdirAll(inbox, 0o755)
	good, err := encounter.Encode(exportClaim("ENC-10"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(inbox, "enc-10.json"), good, 0o644)
	os.WriteFile(filepath.Join(inbox, "broken.json"), []byte(`{"schema": "codebench.encounter/v1", "id": `), 0o644)

	code, out, errOut := runCmd(t, "import", inbox)
	if code != 1 || !strings.Contains(out, "imported ENC-10 from enc-10.json") || !strings.Contains(errOut, "rejected broken.json") {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(inbox, encounter.RejectedDir, "broken.json")); err != nil {
		t.Fatal("rejected file not moved:", err)
	}
	// A second run finds nothing new.
	if code, out, _ := runCmd(t, "import", inbox); code != 0 || !strings.Contains(out, "0 imported, 0 rejected") {
		t.Fatalf("second import: %d %s", code, out)
	}
	if code, out, errOut := runCmd(t, "export", "ENC-10"); code != 0 {
		t.Fatalf("export after import: %d %s %s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(data, DefaultQueueDir, "ENC-10-r0.json")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"import"}, {"import", filepath.Join(inbox, "missing")}} {
		if code, _, _ := runCmd(t, args...); code != 2 {
			t.Errorf("%v: exit %d", args, code)
		}
	}
}
