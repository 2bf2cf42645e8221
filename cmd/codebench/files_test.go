package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"codebench/encounter"
	"codebench/encounter/store/sqlite"
)

// TestConcurrentImportProcesses: two `codebench import` processes on one
// inbox both succeed, and each file is imported exactly once.
func TestConcurrentImportProcesses(t *testing.T) {
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	os.MkdirAll(inbox, 0o700)
	const files = 150
	for i := range files {
		data, err := encounter.Encode(exportClaim(fmt.Sprintf("ENC-%03d", i)))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(inbox, fmt.Sprintf("e%03d.json", i)), data, 0o644)
	}
	storePath := filepath.Join(dir, "work.db")
	// Create the store first, as an operator would.
	st, err := sqlite.Open(storePath)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	outs := make([]bytes.Buffer, 2)
	errs := make([]bytes.Buffer, 2)
	codes := make([]error, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "import", "--store", storePath, inbox)
			cmd.Env = append(os.Environ(), "CODEBENCH_TEST_MAIN=1", "CODEBENCH_DATA="+dir)
			cmd.Stdout, cmd.Stderr = &outs[i], &errs[i]
			codes[i] = cmd.Run()
		}()
	}
	wg.Wait()
	seen := map[string]int{}
	for i := range 2 {
		if codes[i] != nil {
			t.Fatalf("import %d: %v\n%s\n%s", i, codes[i], outs[i].String(), errs[i].String())
		}
		for _, line := range strings.Split(outs[i].String(), "\n") {
			if f, ok := strings.CutPrefix(line, "imported "); ok {
				seen[f]++
			}
		}
	}
	if len(seen) != files {
		t.Fatalf("%d files imported, want %d:\n%s\n%s", len(seen), files, outs[0].String(), outs[1].String())
	}
	for f, n := range seen {
		if n != 1 {
			t.Fatalf("%s reported %d times", f, n)
		}
	}
	st, err = sqlite.Open(storePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if list, _ := st.List(t.Context()); len(list) != files {
		t.Fatalf("store holds %d encounters", len(list))
	}
}

// TestValidateDirDoesNotFollowSymlinks: a symbolic link in a directory
// given to validate is reported, not read.
func TestValidateDirDoesNotFollowSymlinks(t *testing.T) {
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	os.MkdirAll(inbox, 0o700)
	outside := writeEncounterFile(t, dir, "outside.json", exportClaim("SECRET-1"))
	os.Symlink(outside, filepath.Join(inbox, "link.json"))
	writeEncounterFile(t, inbox, "real.json", exportClaim("ENC-1"))
	code, out, errOut := runCmd(t, "validate", inbox)
	if code != 2 || !strings.Contains(out, "link.json: cannot be read") || !strings.Contains(out, "symbolic link") || strings.Contains(out, "SECRET-1") {
		t.Fatalf("validate DIR with a link: %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "real.json (ENC-1)") {
		t.Fatalf("the real file was not validated:\n%s", out)
	}
	// Named explicitly, a link is followed.
	if code, out, _ := runCmd(t, "validate", filepath.Join(inbox, "link.json")); code == 2 || !strings.Contains(out, "SECRET-1") {
		t.Fatalf("validate LINK: %d\n%s", code, out)
	}
}

// TestHostileNamesEscapedInOutput: a file name, a JSON key and a
// front-matter key with terminal escapes are printed escaped by validate
// and import, and written escaped into the reason files.
func TestHostileNamesEscapedInOutput(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CODEBENCH_DATA", dir)
	inbox := filepath.Join(dir, "inbox")
	os.MkdirAll(inbox, 0o700)
	os.WriteFile(filepath.Join(inbox, "x\x1b]0;owned\a.json"), []byte("{"), 0o600)
	os.WriteFile(filepath.Join(inbox, "key.json"), []byte(`{"schema":"codebench.encounter/v1","id":"k","notes":[{"id":"n","text":"t"}],"\u001b[2J\u202e":1}`), 0o600)
	os.WriteFile(filepath.Join(inbox, "front.md"), []byte("---\n\x1b[31mred\u2028x: 1\n---\ntext"), 0o600)
	raw := func(what, s string) {
		t.Helper()
		if strings.ContainsAny(s, "\x1b\a\u202e\u2028") {
			t.Fatalf("%s carries raw control characters: %q", what, s)
		}
	}
	code, out, errOut := runCmd(t, "validate", inbox)
	if code != 2 {
		t.Fatalf("validate: %d", code)
	}
	raw("validate output", out+errOut)
	code, out, errOut = runCmd(t, "validate", "--json", inbox)
	raw("validate --json", out+errOut)
	code, out, errOut = runCmd(t, "import", "--store", filepath.Join(dir, "w.db"), inbox)
	if code != 1 || !strings.Contains(errOut, `rejected "x\x1b]0;owned\a.json"`) {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}
	raw("import output", out+errOut)
	reasons, _ := filepath.Glob(filepath.Join(inbox, encounter.RejectedDir, "*.reason.txt"))
	if len(reasons) != 3 {
		t.Fatalf("reason files: %v", reasons)
	}
	for _, r := range reasons {
		data, _ := os.ReadFile(r)
		raw(filepath.Base(r), string(data))
	}
}

// TestPatientDataFilesPrivate: the store, its directory, the inbox's
// imported/ and rejected/ and the log are created private; a store found
// readable by others is tightened, with a line saying so.
func TestPatientDataFilesPrivate(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CODEBENCH_DATA", dir)
	inbox := filepath.Join(dir, "inbox")
	os.MkdirAll(inbox, 0o755)
	data, _ := encounter.Encode(exportClaim("ENC-1"))
	os.WriteFile(filepath.Join(inbox, "a.json"), data, 0o644)
	storePath := filepath.Join(dir, "store", "w.db")
	if code, out, errOut := runCmd(t, "import", "--store", storePath, inbox); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	for p, want := range map[string]os.FileMode{
		storePath: 0o600, filepath.Dir(storePath): 0o700,
		filepath.Join(inbox, encounter.ImportedDir): 0o700, filepath.Join(inbox, encounter.ImportedDir, "a.json"): 0o600,
	} {
		if got := perm(t, p); got != want {
			t.Errorf("%s: %04o, want %04o", p, got, want)
		}
	}
	os.Chmod(storePath, 0o644)
	os.Chmod(filepath.Dir(storePath), 0o755)
	code, _, errOut := runCmd(t, "import", "--store", storePath, inbox)
	if code != 0 || !strings.Contains(errOut, "w.db held patient data readable by others (0644); tightened to 0600") || perm(t, storePath) != 0o600 {
		t.Fatalf("reopened loose store: %d %q %04o", code, errOut, perm(t, storePath))
	}
	logPath := filepath.Join(dir, "logs", "serve.log")
	f, err := openLog(logPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if perm(t, logPath) != 0o600 || perm(t, filepath.Dir(logPath)) != 0o700 {
		t.Fatalf("log %04o in %04o", perm(t, logPath), perm(t, filepath.Dir(logPath)))
	}
	// An empty file where the store should be is refused, not reused.
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)
	if code, _, errOut := runCmd(t, "import", "--store", empty, inbox); code != 2 || !strings.Contains(errOut, "empty (0 bytes)") {
		t.Fatalf("empty store: %d %s", code, errOut)
	}
}

// TestStoreBackupCommand backs up a store and restores it by copying the
// backup into place.
func TestStoreBackupCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CODEBENCH_DATA", dir)
	t.Setenv(StoreEnv, "")
	inbox := filepath.Join(dir, "inbox")
	os.MkdirAll(inbox, 0o700)
	data, _ := encounter.Encode(exportClaim("ENC-1"))
	os.WriteFile(filepath.Join(inbox, "a.json"), data, 0o600)
	storePath := filepath.Join(dir, "w.db")
	runCmd(t, "import", "--store", storePath, inbox)
	backup := filepath.Join(dir, "backups", "w-1.db")
	code, out, errOut := runCmd(t, "store", "backup", "--store", storePath, backup)
	if code != 0 || !strings.Contains(out, "1 encounters") || !strings.Contains(out, "checked") {
		t.Fatalf("backup: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := runCmd(t, "store", "backup", "--store", storePath, backup); code == 0 || !strings.Contains(errOut, "never overwrites") {
		t.Fatalf("second backup to the same name: %d %s", code, errOut)
	}
	if perm(t, backup) != 0o600 {
		t.Fatalf("backup mode %04o", perm(t, backup))
	}
	// Restore: the store and its -wal/-shm moved aside, the backup copied in.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Rename(storePath+suffix, storePath+suffix+".damaged")
	}
	copyFile(t, backup, storePath)
	st, err := sqlite.Open(storePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := st.Get(t.Context(), "ENC-1"); err != nil {
		t.Fatalf("restored store: %v", err)
	}
	if code, _, errOut := runCmd(t, "store", "backup", "--store", "postgres://db/codebench", filepath.Join(dir, "x.db")); code == 0 || !strings.Contains(errOut, "pg_dump") {
		t.Fatalf("PostgreSQL backup: %d %s", code, errOut)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func perm(t *testing.T, p string) os.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}
