package prefs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDirRoundTripAndBadInput(t *testing.T) {
	d := NewDir(filepath.Join(t.TempDir(), "prefs"))
	p, err := d.Load("alice")
	if err != nil || len(p.Favourites)+len(p.Recent) != 0 {
		t.Fatalf("new coder: %+v %v", p, err)
	}
	p.ToggleFavourite("E1165")
	for i := 0; i < MaxRecent+5; i++ {
		p.Touch(fmt.Sprintf("C%d", i))
	}
	p.Touch("C3")
	if err := d.Save("alice", p); err != nil {
		t.Fatal(err)
	}
	q, err := d.Load("alice")
	if err != nil || !q.IsFavourite("E1165") || len(q.Recent) != MaxRecent || q.Recent[0] != "C3" {
		t.Fatalf("loaded %+v %v", q, err)
	}
	if starred, _ := q.ToggleFavourite("E1165"); starred || q.IsFavourite("E1165") {
		t.Fatal("toggle did not unstar")
	}
	for _, bad := range []string{"", "../x", "a/b", ".."} {
		if err := d.Save(bad, p); err == nil {
			t.Errorf("coder id %q accepted as a file name", bad)
		}
	}
	if err := os.WriteFile(filepath.Join(d.Path, "bob.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Load("bob"); err == nil || !strings.Contains(err.Error(), "bob.json") {
		t.Fatalf("corrupt file: %v", err)
	}
}
