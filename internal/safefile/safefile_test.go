package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestReadRegular(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	os.WriteFile(p, []byte("12345"), 0o600)
	if b, err := ReadRegular(p, 5); err != nil || string(b) != "12345" {
		t.Fatalf("%q %v", b, err)
	}
	var tl *TooLargeError
	if _, err := ReadRegular(p, 4); !errors.As(err, &tl) || tl.Size != 5 {
		t.Fatalf("too large: %v", err)
	}
	link := filepath.Join(dir, "l")
	os.Symlink(p, link)
	var nr *NotRegularError
	if _, err := ReadRegular(link, 10); !errors.As(err, &nr) || DescribeMode(nr.Mode) != "a symbolic link" {
		t.Fatalf("link: %v", err)
	}
	fifo := filepath.Join(dir, "p")
	if err := syscall.Mkfifo(fifo, 0o600); err == nil {
		if _, err := ReadRegular(fifo, 10); !errors.As(err, &nr) {
			t.Fatalf("fifo: %v", err)
		}
	}
}

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := WriteAtomic(p, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(p, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	st, _ := os.Stat(p)
	entries, _ := os.ReadDir(dir)
	if string(b) != "two" || st.Mode().Perm() != 0o600 || len(entries) != 1 {
		t.Fatalf("%q %v %d entries", b, st.Mode(), len(entries))
	}
}
