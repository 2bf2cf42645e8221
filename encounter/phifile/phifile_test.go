package phifile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func TestCreatedPrivateAndLooseTightened(t *testing.T) {
	root := t.TempDir()
	var notes []string
	note := func(m string) { notes = append(notes, m) }
	dir := filepath.Join(root, "a", "b")
	if err := MkdirAll(dir, note); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, dir); m != 0o700 {
		t.Fatalf("new dir %04o", m)
	}
	if len(notes) != 0 {
		t.Fatalf("notices for a new dir: %v", notes)
	}
	loose := filepath.Join(root, "loose")
	os.Mkdir(loose, 0o755)
	os.Chmod(loose, 0o755)
	file := filepath.Join(loose, "w.db")
	os.WriteFile(file, []byte("x"), 0o644)
	os.Chmod(file, 0o644)
	if err := MkdirAll(loose, note); err != nil {
		t.Fatal(err)
	}
	if err := TightenAll(note, file, file+"-wal"); err != nil {
		t.Fatal(err)
	}
	if mode(t, loose) != 0o700 || mode(t, file) != 0o600 {
		t.Fatalf("not tightened: %04o %04o", mode(t, loose), mode(t, file))
	}
	if len(notes) != 2 || !strings.Contains(notes[1], "(0644); tightened to 0600") {
		t.Fatalf("notices: %v", notes)
	}
	log := filepath.Join(root, "logs", "serve.log")
	f, err := OpenAppend(log, note)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if mode(t, log) != 0o600 || mode(t, filepath.Dir(log)) != 0o700 {
		t.Fatalf("log %04o in %04o", mode(t, log), mode(t, filepath.Dir(log)))
	}
	os.Symlink(file, filepath.Join(root, "link"))
	if err := Tighten(filepath.Join(root, "link"), note); err == nil {
		t.Fatal("a symbolic link was followed")
	}
}
