package tui

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"codebench/index"
)

var update = flag.Bool("update", false, "rewrite the golden screens in testdata")

// golden compares the plain-text frame with testdata/name.golden.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	got += "\n"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui -run Golden -update to create it)", err)
	}
	if string(want) != got {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
		for i := 0; i < max(len(wl), len(gl)); i++ {
			var w, g string
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			if w != g {
				t.Errorf("line %d\nwant %q\ngot  %q", i+1, w, g)
			}
		}
		t.Fatalf("%s differs from the frame (run with -update if the change is intended):\n%s", path, got)
	}
}

// codedScreen opens enc-1001 and codes part of it. Codes are typed exactly
// so the frame does not depend on the index's ranking; the search pane then
// shows the recent codes.
func codedScreen(t *testing.T, w, h int) *driver {
	r := newRig(t, &recordingSearcher{hits: func(string) []index.Hit { return nil }})
	r.opts.Width, r.opts.Height = w, h
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	for _, c := range []string{"E11.22", "I12.9", "N18.31", "99214"} {
		d.search(c)
		d.press("enter")
	}
	d.press("esc", "4", "G", "p") // the E/M points at A B C: typed CA replaces it
	d.typeText("ca")
	d.press("enter", "/", "ctrl+u", "esc")
	d.press("1", "j", "j", "j", "l", "l")
	return d
}

func TestGoldenCoding80x24(t *testing.T) {
	d := codedScreen(t, 80, 24)
	golden(t, "coding-80x24", d.screen())
}

func TestGoldenCoding160x48(t *testing.T) {
	d := codedScreen(t, 160, 48)
	golden(t, "coding-160x48", d.screen())
	// The same session re-laid out for a small terminal.
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	golden(t, "coding-80x24", d.screen())
}

func TestGoldenWorklist80x24(t *testing.T) {
	r := newRig(t, nil)
	d := newDriver(t, New(r.opts))
	golden(t, "worklist-80x24", d.screen())
}

// The screen an uncoded chart opens on: the focus in the search, the
// documentation from its top beside it.
func TestGoldenOpening(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {160, 48}} {
		r := newRig(t, &recordingSearcher{hits: func(string) []index.Hit { return nil }})
		r.opts.Width, r.opts.Height = size.w, size.h
		d := newDriver(t, New(r.opts))
		d.openFromWorklist("enc-1001")
		golden(t, fmt.Sprintf("opening-%dx%d", size.w, size.h), d.screen())
	}
}
