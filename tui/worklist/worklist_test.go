package worklist

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codebench/encounter"
	"codebench/encounter/store"
	"codebench/tui/common"
	"codebench/tui/keymap"
	"codebench/tui/styles"
)

var now = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func newTest(items ...store.Summary) *Model {
	c := &common.Common{Styles: styles.New(true, true), KeyMap: keymap.Default(), Coder: "alice", Now: func() time.Time { return now }}
	p := New(c)
	p.SetSize(80, 20)
	p.Update(ListMsg{Items: items})
	return p
}

func summary(id, name string, st store.Status) store.Summary {
	return store.Summary{ID: id, Status: st, Patient: encounter.Patient{Name: name}}
}

func press(p *Model, keys ...string) tea.Msg {
	var last tea.Msg
	for _, k := range keys {
		var km tea.KeyPressMsg
		switch k {
		case "enter":
			km = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			km = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "down":
			km = tea.KeyPressMsg{Code: tea.KeyDown}
		default:
			r := []rune(k)[0]
			km = tea.KeyPressMsg{Code: r, Text: k}
		}
		last = nil
		if cmd := p.Update(km); cmd != nil {
			last = cmd()
		}
	}
	return last
}

func ids(p *Model) []string {
	var out []string
	for _, it := range p.items {
		out = append(out, it.ID)
	}
	return out
}

func screen(p *Model) string { return ansi.Strip(p.View()) }

// The cursor starts on the first chart to do: new and not held by another
// coder; the charts already exported or being coded are passed over.
func TestCursorStartsOnTheFirstChartToDo(t *testing.T) {
	held := summary("enc-3", "Held", store.New)
	held.LeasedBy, held.LeaseUntil = "bob", now.Add(time.Hour)
	p := newTest(summary("enc-1", "Done", store.Exported), summary("enc-2", "Busy", store.InProgress), held, summary("enc-4", "Fresh", store.New))
	if s, _ := p.Current(); s.ID != "enc-4" {
		t.Fatalf("cursor on %s, want enc-4", s.ID)
	}
	// A refresh keeps the cursor where the coder put it.
	press(p, "g")
	p.Update(ListMsg{Items: p.all})
	if s, _ := p.Current(); s.ID != "enc-1" {
		t.Fatalf("after a refresh the cursor is on %s", s.ID)
	}
	// Nothing new: the first chart being coded.
	p = newTest(summary("enc-1", "Done", store.Exported), summary("enc-2", "Busy", store.InProgress))
	if s, _ := p.Current(); s.ID != "enc-2" {
		t.Fatalf("cursor on %s, want enc-2", s.ID)
	}
}

// f cycles the status filters; / finds by patient name or encounter id as
// the coder types, enter opens the one match, esc clears the search.
func TestFilterByStatusAndFindByPatientOrID(t *testing.T) {
	p := newTest(summary("enc-1", "Dolores Whitaker", store.Exported), summary("enc-2", "Marcus Bell", store.InProgress),
		summary("enc-3", "Ana Ferreira", store.New), summary("enc-4", "Luis Navarro", store.Rejected), summary("enc-5", "Baby Nguyen", store.New))
	want := map[Filter][]string{ToDo: {"enc-3", "enc-5"}, InProgress: {"enc-2"}, Exported: {"enc-1"}, Rejected: {"enc-4"}, All: {"enc-1", "enc-2", "enc-3", "enc-4", "enc-5"}}
	for _, f := range []Filter{ToDo, InProgress, Exported, Rejected, All} {
		press(p, "f")
		if got := ids(p); strings.Join(got, " ") != strings.Join(want[f], " ") {
			t.Fatalf("filter %s shows %v, want %v", f, got, want[f])
		}
		if f != All && !strings.Contains(screen(p), fmt.Sprintf("%s: %d of 5", f, len(want[f]))) {
			t.Fatalf("title does not say the filter:\n%s", screen(p))
		}
	}
	press(p, "/")
	if !p.Typing() {
		t.Fatal("/ did not open the find input")
	}
	press(p, "b", "e", "l")
	if got := ids(p); len(got) != 1 || got[0] != "enc-2" {
		t.Fatalf("find 'bel' shows %v", got)
	}
	if m, ok := press(p, "enter").(OpenMsg); !ok || m.ID != "enc-2" {
		t.Fatalf("enter on the one match: %#v", m)
	}
	if p.Typing() || !strings.Contains(screen(p), `find "bel"`) {
		t.Fatalf("the search is not kept after enter:\n%s", screen(p))
	}
	press(p, "esc")
	if len(ids(p)) != 5 {
		t.Fatalf("esc did not clear the search: %v", ids(p))
	}
	// By id, with letters that are keys elsewhere (f, q, j) typed.
	press(p, "/", "e", "n", "c", "-", "4")
	if got := ids(p); len(got) != 1 || got[0] != "enc-4" || p.filter != All {
		t.Fatalf("find enc-4 shows %v (filter %s)", got, p.filter)
	}
	press(p, "esc", "/", "q", "f", "j")
	if got := ids(p); len(got) != 0 || !strings.Contains(screen(p), "found: 0 of 5") {
		t.Fatalf("find 'qfj': %v\n%s", got, screen(p))
	}
}

// One encounter is one, not "1 encounters".
func TestTitleCountsInTheSingular(t *testing.T) {
	p := newTest(summary("enc-1", "Dolores Whitaker", store.New))
	if s := screen(p); !strings.Contains(s, "1 encounter ·") {
		t.Fatalf("title:\n%s", s)
	}
}
