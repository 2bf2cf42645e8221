package encounter

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
)

// memStore is the work store as ImportInbox sees it.
type memStore struct {
	byID map[string]*Encounter
	fail error // returned by add when set
}

func newMemStore() *memStore { return &memStore{byID: map[string]*Encounter{}} }

func (s *memStore) add(e *Encounter) error {
	if s.fail != nil {
		return s.fail
	}
	if _, ok := s.byID[e.ID]; ok {
		return fmt.Errorf("store: %s: %w", e.ID, ErrDuplicate)
	}
	s.byID[e.ID] = e
	return nil
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

func minimalJSON(id string) string {
	return `{"schema":"codebench.encounter/v1","id":"` + id + `","notes":[{"id":"n","text":"note of ` + id + `"}]}`
}

func TestImportInbox(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.json":          minimalJSON("enc-a"),
		"b.md":            "---\nid: enc-b\n---\n# Visit\ntext",
		"c.txt":           "plain note",
		"bad.json":        `{"schema":"codebench.encounter/v1","id":"x","notes":[{"id":"n","text":"t","colour":1}]}`,
		"esc.txt":         "hello \x1b[31m",
		"notes.pdf":       "%PDF",
		".partial.json":   "{",
		"upload.json.tmp": "{",
	})
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	st := newMemStore()
	rep, err := ImportInbox(dir, st.add)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Imported) != 3 || len(rep.Rejected) != 2 {
		t.Fatalf("report: %+v", rep)
	}
	for _, id := range []string{"enc-a", "enc-b", "c"} {
		if st.byID[id] == nil {
			t.Errorf("%s not stored", id)
		}
	}
	if got, want := listDir(t, filepath.Join(dir, ImportedDir)), []string{"a.json", "b.md", "c.txt"}; !equalStringSlices(got, want) {
		t.Errorf("imported/: %v, want %v", got, want)
	}
	if got, want := listDir(t, filepath.Join(dir, RejectedDir)), []string{"bad.json", "bad.json.reason.txt", "esc.txt", "esc.txt.reason.txt"}; !equalStringSlices(got, want) {
		t.Errorf("rejected/: %v, want %v", got, want)
	}
	reason, _ := os.ReadFile(filepath.Join(dir, RejectedDir, "bad.json.reason.txt"))
	if !strings.Contains(string(reason), "bad.json: field notes[0].colour: unknown field") {
		t.Errorf("reason file: %s", reason)
	}
	// Other files stay where they are and are reported as skipped.
	if got, want := listDir(t, dir), []string{".partial.json", "notes.pdf", "upload.json.tmp"}; !equalStringSlices(got, want) {
		t.Errorf("inbox left: %v, want %v", got, want)
	}
	if len(rep.Skipped) != 4 { // three files and the directory sub
		t.Errorf("skipped: %v", rep.Skipped)
	}

	// Importing again does nothing: idempotent.
	rep, err = ImportInbox(dir, st.add)
	if err != nil || len(rep.Imported)+len(rep.Rejected) != 0 {
		t.Errorf("second import: %+v %v", rep, err)
	}
}

func TestImportDuplicateIDIsKept(t *testing.T) {
	dir := t.TempDir()
	st := newMemStore()
	writeFiles(t, dir, map[string]string{"first.json": minimalJSON("enc-1")})
	if _, err := ImportInbox(dir, st.add); err != nil {
		t.Fatal(err)
	}
	// Another file with the same id: rejected with a reason, not lost, and
	// the stored encounter is unchanged.
	writeFiles(t, dir, map[string]string{"first.json": minimalJSON("enc-1"), "second.json": strings.Replace(minimalJSON("enc-1"), "note of", "other note of", 1)})
	rep, err := ImportInbox(dir, st.add)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rejected) != 2 || !rep.Rejected[0].Duplicate || !rep.Rejected[1].Duplicate {
		t.Fatalf("report: %+v", rep)
	}
	if got := listDir(t, filepath.Join(dir, RejectedDir)); !equalStringSlices(got, []string{"first.json", "first.json.reason.txt", "second.json", "second.json.reason.txt"}) {
		t.Errorf("rejected/: %v", got)
	}
	if st.byID["enc-1"].Notes[0].Text != "note of enc-1" {
		t.Error("stored encounter was replaced")
	}
	reason, _ := os.ReadFile(filepath.Join(dir, RejectedDir, "second.json.reason.txt"))
	if !strings.Contains(string(reason), `field id: encounter "enc-1" is already in the work store`) {
		t.Errorf("reason: %s", reason)
	}
	// The same name again goes next to the earlier one, renamed.
	writeFiles(t, dir, map[string]string{"second.json": "{"})
	rep, _ = ImportInbox(dir, st.add)
	if len(rep.Rejected) != 1 || rep.Rejected[0].MovedTo != filepath.Join(RejectedDir, "second.1.json") {
		t.Errorf("renamed rejection: %+v", rep.Rejected)
	}
}

// TestImportStoreFailureKeepsFile: when the store fails, the file stays in
// the inbox for the next run and the import stops.
func TestImportStoreFailureKeepsFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.json": minimalJSON("a"), "b.json": minimalJSON("b")})
	st := newMemStore()
	st.fail = errors.New("database is locked")
	rep, err := ImportInbox(dir, st.add)
	if err == nil || !strings.Contains(err.Error(), "database is locked") || !strings.Contains(err.Error(), "a.json") {
		t.Fatalf("want the store error naming a.json, got %v", err)
	}
	if len(rep.Imported) != 0 || !equalStringSlices(listDir(t, dir), []string{"a.json", "b.json"}) {
		t.Fatalf("files moved despite the failure: %v", listDir(t, dir))
	}
	st.fail = nil
	rep, err = ImportInbox(dir, st.add)
	if err != nil || len(rep.Imported) != 2 {
		t.Fatalf("retry: %+v %v", rep, err)
	}
}

// TestImportCrashBetweenAddAndMove: an import that dies after the store has
// an encounter but before its file moves loses nothing, and the next run
// recognises the file as already imported rather than as a duplicate.
func TestImportCrashBetweenAddAndMove(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.json": minimalJSON("a"), "b.json": minimalJSON("b")})
	st := newMemStore()
	type crash struct{}
	testCrashAfterAdd = func(name string) {
		if name == "b.json" {
			panic(crash{})
		}
	}
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Fatal("the simulated crash did not happen")
			}
		}()
		ImportInbox(dir, st.add)
	}()
	testCrashAfterAdd = nil
	if st.byID["b"] == nil || !equalStringSlices(listDir(t, dir), []string{"b.json"}) {
		t.Fatalf("after the crash: store has b=%v, inbox %v", st.byID["b"] != nil, listDir(t, dir))
	}
	rep, err := ImportInbox(dir, st.add)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Imported) != 1 || !rep.Imported[0].Recovered || len(rep.Rejected) != 0 {
		t.Fatalf("recovery run: %+v", rep)
	}
	if got := listDir(t, filepath.Join(dir, ImportedDir)); !equalStringSlices(got, []string{"a.json", "b.json"}) {
		t.Errorf("imported/: %v (the pending marker must be gone too)", got)
	}
}

func TestImportRefusesNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(t.TempDir(), "secret.json")
	writeFiles(t, filepath.Dir(secret), map[string]string{"secret.json": minimalJSON("secret")})
	if err := os.Symlink(secret, filepath.Join(dir, "link.json")); err != nil {
		t.Fatal("no symlinks:", err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.json"), 0o644); err != nil {
		t.Fatal("no FIFOs:", err)
	}
	st := newMemStore()
	rep, err := ImportInbox(dir, st.add)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rejected) != 2 || len(st.byID) != 0 {
		t.Fatalf("report %+v, stored %d", rep, len(st.byID))
	}
	for _, r := range rep.Rejected {
		if !strings.Contains(r.Reason.Error(), "not a regular file") {
			t.Errorf("%s: %v", r.File, r.Reason)
		}
	}
	if _, err := os.Stat(secret); err != nil {
		t.Errorf("the link's target was touched: %v", err)
	}
}

func TestImportTooLarge(t *testing.T) {
	dir := t.TempDir()
	big := make([]byte, MaxFileSize+10)
	for i := range big {
		big[i] = 'a'
	}
	writeFiles(t, dir, map[string]string{"big.txt": string(big)})
	rep, err := ImportInbox(dir, newMemStore().add)
	if err != nil || len(rep.Rejected) != 1 || !strings.Contains(rep.Rejected[0].Reason.Error(), "big.txt: file is") {
		t.Fatalf("%+v %v", rep, err)
	}
}

func equalStringSlices(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
