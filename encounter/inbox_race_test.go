package encounter

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// syncStore is a work store several imports share.
type syncStore struct {
	mu   sync.Mutex
	byID map[string]int // id -> times added
}

func (s *syncStore) add(e *Encounter) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byID[e.ID] > 0 {
		return fmt.Errorf("store: %s: %w", e.ID, ErrDuplicate)
	}
	s.byID[e.ID]++
	return nil
}

// TestConcurrentImportsOfOneInbox: imports running at once on one inbox
// all succeed, and every file is imported exactly once; none is taken for
// the leftover of a crashed import.
func TestConcurrentImportsOfOneInbox(t *testing.T) {
	dir := t.TempDir()
	const files, importers = 300, 4
	for i := range files {
		writeFiles(t, dir, map[string]string{fmt.Sprintf("e%03d.json", i): minimalJSON(fmt.Sprintf("enc-%03d", i))})
	}
	st := &syncStore{byID: map[string]int{}}
	reps := make([]Report, importers)
	errs := make([]error, importers)
	var wg sync.WaitGroup
	for i := range importers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reps[i], errs[i] = Inbox{Dir: dir, Add: st.add}.Import()
		}()
	}
	wg.Wait()
	seen := map[string]int{}
	for i := range importers {
		if errs[i] != nil {
			t.Fatalf("import %d: %v", i, errs[i])
		}
		if len(reps[i].Rejected) != 0 {
			t.Fatalf("import %d rejected %+v", i, reps[i].Rejected)
		}
		for _, im := range reps[i].Imported {
			seen[im.File]++
			if im.Recovered {
				t.Errorf("import %d took %s for a crashed import's leftover", i, im.File)
			}
		}
	}
	if len(seen) != files {
		t.Fatalf("%d files imported, want %d", len(seen), files)
	}
	for f, n := range seen {
		if n != 1 {
			t.Fatalf("%s imported %d times", f, n)
		}
	}
	for id, n := range st.byID {
		if n != 1 {
			t.Fatalf("%s stored %d times", id, n)
		}
	}
	if got := listDir(t, filepath.Join(dir, ImportedDir)); len(got) != files {
		t.Fatalf("imported/ holds %d files: %v", len(got), got[:min(5, len(got))])
	}
	if left := listDir(t, dir); len(left) != 0 {
		t.Fatalf("left in the inbox: %v", left)
	}
}

// TestReadFileNeverFollowsASwappedSymlink races a symbolic link to a
// secret into the place of an inbox file while it is read: the secret is
// never returned.
func TestReadFileNeverFollowsASwappedSymlink(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte("SECRET"), 0o600)
	path := filepath.Join(dir, "visit.json")
	plain, link := filepath.Join(dir, "plain.tmp"), filepath.Join(dir, "link.tmp")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%2 == 0 {
				os.WriteFile(plain, []byte("{}"), 0o600)
				os.Rename(plain, path)
			} else {
				os.Symlink(secret, link)
				os.Rename(link, path)
			}
		}
	}()
	reads, refused := 0, 0
	for range 20000 {
		data, err := ReadFile(path)
		if bytes.Contains(data, []byte("SECRET")) {
			close(stop)
			wg.Wait()
			t.Fatalf("read the symlink's target after %d reads", reads)
		}
		if err != nil && strings.Contains(err.Error(), "symbolic link") {
			refused++
		}
		reads++
	}
	close(stop)
	wg.Wait()
	if refused == 0 {
		t.Fatal("the symlink was never seen: the race did not run")
	}
}

func TestImportedAndRejectedArePrivate(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.json": minimalJSON("enc-a"), "b.json": "{"})
	var notes []string
	os.Mkdir(filepath.Join(dir, RejectedDir), 0o755)
	os.Chmod(filepath.Join(dir, RejectedDir), 0o755)
	st := newMemStore()
	if _, err := (Inbox{Dir: dir, Add: st.add, Notice: func(m string) { notes = append(notes, m) }}).Import(); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{
		ImportedDir: 0o700, RejectedDir: 0o700,
		filepath.Join(ImportedDir, "a.json"): 0o600, filepath.Join(RejectedDir, "b.json"): 0o600,
		filepath.Join(RejectedDir, "b.json.reason.txt"): 0o600,
	} {
		st, err := os.Stat(filepath.Join(dir, p))
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want %04o", p, st.Mode().Perm(), err, want)
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "rejected") {
		t.Fatalf("notices: %q", notes)
	}
}

// TestHostileNamesAndKeysEscapedInReasons: a file name, a JSON key and a
// front-matter key carrying terminal escapes reach the reason file and
// the error text escaped.
func TestHostileNamesAndKeysEscapedInReasons(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"evil\x1b]0;owned\a.json": "{",
		"key.json":                `{"schema":"codebench.encounter/v1","id":"k","notes":[{"id":"n","text":"t"}],"\u001b[2J\u202e":1}`,
		"front.md":                "---\n\x1b[31mred\u2028: 1\n---\ntext",
	})
	st := newMemStore()
	rep, err := Inbox{Dir: dir, Add: st.add}.Import()
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rejected) != 3 {
		t.Fatalf("rejected: %+v", rep.Rejected)
	}
	for _, r := range rep.Rejected {
		msg := r.Reason.Error()
		data, err := os.ReadFile(filepath.Join(dir, r.MovedTo+".reason.txt"))
		if err != nil {
			t.Fatal(err)
		}
		for what, text := range map[string]string{"error": msg, "reason file": string(data)} {
			if strings.ContainsAny(text, "\x1b\a\u202e\u2028") {
				t.Errorf("%s of %q carries raw control characters: %q", what, r.File, text)
			}
		}
		if !strings.Contains(string(data), `\x1b`) {
			t.Errorf("reason file of %q does not show the escape: %q", r.File, data)
		}
	}
}

// TestHugeArrayRefusedEarly: a 2 MB file whose array holds a million
// items is refused after reading a thousand, without building them all.
func TestHugeArrayRefusedEarly(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"schema":"codebench.encounter/v1","id":"x","notes":[`)
	for i := range 1_000_000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("0")
	}
	b.WriteString("]}")
	data := b.Bytes()
	if len(data) > MaxFileSize {
		t.Fatalf("test file %d bytes, over the limit", len(data))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Decode(data, "huge.json")
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "more than 1000 items") || !strings.Contains(err.Error(), "(line 1)") {
		t.Fatalf("huge array: %v", err)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("a %d-byte file with a 1,000,000-item array: refused after %d KB allocated", len(data), alloc>>10)
	if alloc > 16<<20 {
		t.Fatalf("decoding the refused file allocated %d MB", alloc>>20)
	}
	// Many small objects nested within the limits still stop at the
	// value budget.
	b.Reset()
	b.WriteString(`{"schema":"codebench.encounter/v1","id":"x","notes":[`)
	for i := range 900 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("[" + strings.Repeat("0,", 150) + "0]")
	}
	b.WriteString("]}")
	if _, err := Decode(b.Bytes(), "wide.json"); err == nil || !strings.Contains(err.Error(), "more than 100000 values") {
		t.Fatalf("wide file: %v", err)
	}
}
