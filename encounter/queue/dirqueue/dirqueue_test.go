package dirqueue

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"codebench/encounter/queue"
)

var ctx = context.Background()

func msg(id string, rev int, body string) queue.Message {
	return queue.Message{EncounterID: id, Revision: rev, Data: []byte(body)}
}

// jsonFiles lists the exports a consumer picking up *.json would see.
func jsonFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

func TestPublishWritesOneCompleteFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "billing")
	q, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Publish(ctx, msg("ENC-1001", 3, `{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "ENC-1001-r3.json"))
	if err != nil || string(got) != `{"a":1}` {
		t.Fatalf("export file: %q %v", got, err)
	}
	info, _ := os.Stat(filepath.Join(dir, "ENC-1001-r3.json"))
	if info.Mode().Perm() != FileMode && os.Getenv("GOOS") != "windows" {
		t.Fatalf("mode %v", info.Mode())
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			t.Fatalf("temporary file left: %s", e.Name())
		}
	}
	if !q.Published("ENC-1001-r3") || q.Published("ENC-1001-r4") {
		t.Fatal("Published disagrees with the directory")
	}
}

func TestRepublishIsANoOp(t *testing.T) {
	dir := t.TempDir()
	q, _ := Open(dir)
	if err := q.Publish(ctx, msg("E1", 1, `{"v":"first"}`)); err != nil {
		t.Fatal(err)
	}
	if err := q.Publish(ctx, msg("E1", 1, `{"v":"second"}`)); err != nil {
		t.Fatalf("republish: %v", err)
	}
	if got, _ := os.ReadFile(q.Path("E1-r1")); string(got) != `{"v":"first"}` {
		t.Fatalf("republish replaced the export: %s", got)
	}
	// Billing takes the file away; a retry must not deliver it again.
	if err := os.Rename(q.Path("E1-r1"), filepath.Join(t.TempDir(), "taken.json")); err != nil {
		t.Fatal(err)
	}
	if err := q.Publish(ctx, msg("E1", 1, `{"v":"first"}`)); err != nil {
		t.Fatal(err)
	}
	if files := jsonFiles(t, dir); len(files) != 0 {
		t.Fatalf("consumed export came back: %v", files)
	}
	// A new revision is a new export.
	if err := q.Publish(ctx, msg("E1", 2, `{"v":"third"}`)); err != nil {
		t.Fatal(err)
	}
	if files := jsonFiles(t, dir); len(files) != 1 || files[0] != "E1-r2.json" {
		t.Fatalf("files: %v", files)
	}
	// A queue reopened on the same directory remembers.
	q2, _ := Open(dir)
	if err := q2.Publish(ctx, msg("E1", 1, `{"v":"again"}`)); err != nil || len(jsonFiles(t, dir)) != 1 {
		t.Fatalf("reopened queue republished: %v %v", err, jsonFiles(t, dir))
	}
}

func TestRejectsUnsafeIDs(t *testing.T) {
	dir := t.TempDir()
	q, _ := Open(dir)
	bad := map[string]string{
		"":                       "empty",
		"../etc/passwd":          "path separator",
		"a/b":                    "path separator",
		`a\b`:                    "path separator",
		"..":                     `".."`,
		"a..b":                   `".."`,
		".hidden":                "dot",
		"enc\x00":                "control character",
		"enc\n1":                 "control character",
		"enc\x1b[31m":            "control character",
		"enc\u202e1":             "control character", // right-to-left override
		"a:b":                    "one of",
		"a*":                     "one of",
		" enc":                   "space",
		"\xff\xfe":               "UTF-8",
		strings.Repeat("x", 201): "longer",
		"enc\u0085":              "control character",
		"enc?x":                  "one of",
	}
	for id, want := range bad {
		err := q.Publish(ctx, msg(id, 1, `{}`))
		var idErr *IDError
		if !errors.As(err, &idErr) || !strings.Contains(err.Error(), want) {
			t.Errorf("id %q: %v, want an IDError about %s", id, err, want)
		}
	}
	for _, id := range []string{"ENC-1001", "enc_2026.03.14", "Ünïcode-Ω", strings.Repeat("x", 200)} {
		if err := CheckID(id); err != nil {
			t.Errorf("good id %q refused: %v", id, err)
		}
	}
	if files, _ := os.ReadDir(dir); len(files) != 1 { // only .sent
		t.Fatalf("bad ids left files: %v", files)
	}
}

func TestRejectsBadMessages(t *testing.T) {
	q, _ := Open(t.TempDir())
	if err := q.Publish(ctx, msg("E", -1, `{}`)); err == nil {
		t.Fatal("negative revision accepted")
	}
	if err := q.Publish(ctx, msg("E", 1, `{"truncated":`)); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Fatalf("broken JSON: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := q.Publish(cancelled, msg("E", 1, `{}`)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
	if _, err := Open(""); err == nil {
		t.Fatal("empty directory accepted")
	}
}

func TestConcurrentPublishers(t *testing.T) {
	dir := t.TempDir()
	const publishers, keys = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, publishers*keys)
	for p := range publishers {
		q, _ := Open(dir) // separate handles, as separate processes would have
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range keys {
				body := fmt.Sprintf(`{"key":%d,"publisher":%d,"pad":%q}`, k, p, strings.Repeat("x", 4096))
				if err := q.Publish(ctx, msg(fmt.Sprintf("E%02d", k), 1, body)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	files := jsonFiles(t, dir)
	if len(files) != keys {
		t.Fatalf("%d files, want %d: %v", len(files), keys, files)
	}
	for _, f := range files {
		data, _ := os.ReadFile(filepath.Join(dir, f))
		var k, p int
		var pad string
		if _, err := fmt.Sscanf(string(data), `{"key":%d,"publisher":%d,"pad":%q}`, &k, &p, &pad); err != nil ||
			fmt.Sprintf("E%02d-r1.json", k) != f || len(pad) != 4096 {
			t.Fatalf("%s: torn or mixed content (%v)", f, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != keys+1 {
		t.Fatalf("leftover files: %d entries", len(entries))
	}
}

func TestOpenRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, tempPrefix+"E-r1-123")
	fresh := filepath.Join(dir, tempPrefix+"E-r2-456")
	os.WriteFile(stale, []byte(`{"par`), 0o600)
	os.WriteFile(fresh, []byte(`{"par`), 0o600)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(stale, old, old)
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatal("stale temporary file kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Fatal("a temporary file another writer may still be using was removed")
	}
}
