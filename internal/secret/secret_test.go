package secret

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pw")
	os.WriteFile(p, []byte("  s3cret \nsecond line\n"), 0o600)
	if got, err := ReadFile(p); err != nil || got != "s3cret" {
		t.Fatalf("%q %v", got, err)
	}
	os.Chmod(p, 0o644)
	_, err := ReadFile(p)
	if err == nil || !strings.Contains(err.Error(), "chmod 600") || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("loose file: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "empty"), nil, 0o600)
	if _, err := ReadFile(filepath.Join(dir, "empty")); err == nil {
		t.Fatal("empty secret accepted")
	}
	os.Symlink(p, filepath.Join(dir, "link"))
	if _, err := ReadFile(filepath.Join(dir, "link")); err == nil {
		t.Fatal("a link was followed")
	}
	err = OnCommandLine("--queue", "nats://alice:xxxxx@host", "use a file")
	if !errors.Is(err, ErrOnCommandLine) || !strings.Contains(err.Error(), "--queue nats://alice:xxxxx@host") {
		t.Fatalf("%v", err)
	}
}
