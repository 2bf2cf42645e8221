package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"codebench/codesets"
	"codebench/index"
)

// In a narrow list the end of a title tells siblings apart: laterality,
// encounter, negation. fitTitle keeps those words and always fits.
func TestFitTitleKeepsWhatTellsSiblingsApart(t *testing.T) {
	codes, err := codesets.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	title := func(code string, w int) string {
		c, ok := codes.Lookup(code)
		if !ok {
			t.Fatalf("%s not found", code)
		}
		return fitTitle(c.Title(), c.Short, w)
	}
	for _, tc := range []struct {
		code string
		w    int
		want []string
	}{
		{"S93.491", 25, []string{"right ankle"}},
		{"S93.492", 25, []string{"left ankle"}},
		{"S93.491A", 25, []string{"right", "init"}},
		{"S52.531A", 26, []string{"right", "init", "clos"}},
		{"S52.539A", 26, []string{"unsp", "init", "clos"}},
		{"W01.0XXA", 25, []string{"w/o", "init"}},
		{"E11.22", 25, []string{"Type 2", "CKD"}},
		{"E10.22", 25, []string{"Type 1", "CKD"}},
		{"Z79.84", 25, []string{"hypoglycemic"}},
		{"N18.31", 25, []string{"stage 3a"}},
		{"J3301", 30, []string{"Triamcinolone", "10 mg"}}, // the dose units count
		{"J3420", 30, []string{"1000 mcg"}},
	} {
		got := title(tc.code, tc.w)
		if ansi.StringWidth(got) > tc.w {
			t.Errorf("%s: %q is wider than %d", tc.code, got, tc.w)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s in %d cells: %q lacks %q", tc.code, tc.w, got, w)
			}
		}
	}
	// Every title fits, however narrow.
	all := codes.ICD10CM()
	for i := 0; i < len(all); i += 97 {
		c := all[i]
		for _, w := range []int{8, 14, 26, 40} {
			if got := fitTitle(c.Title(), c.Short, w); ansi.StringWidth(got) > w {
				t.Fatalf("%s: %q is wider than %d", c.Code, got, w)
			}
		}
	}
	// In a list too: runs of ten neighbouring codes.
	for i := 0; i+10 < len(all); i += 211 {
		var ts [][2]string
		for _, c := range all[i : i+10] {
			ts = append(ts, [2]string{c.Title(), c.Short})
		}
		list := newTitleList(ts)
		for j, c := range all[i : i+10] {
			for _, w := range []int{14, 26, 40} {
				if got := fitTitleIn(c.Title(), c.Short, w, list.common(j)); ansi.StringWidth(got) > w {
					t.Fatalf("%s in a list: %q is wider than %d", c.Code, got, w)
				}
			}
		}
	}
	// Siblings in a list: what tells them apart from their neighbours
	// stays.
	var asthma [][2]string
	for _, code := range []string{"J45.901", "J45.21", "J45.31", "J45.41", "J45.51", "J44.1"} {
		c, _ := codes.Lookup(code)
		asthma = append(asthma, [2]string{c.Title(), c.Short})
	}
	list := newTitleList(asthma)
	for i, want := range []string{"Unsp", "Mild intermittent", "Mild persistent", "Moderate", "Severe", "Chronic"} {
		got := fitTitleIn(asthma[i][0], asthma[i][1], 26, list.common(i))
		if !strings.HasPrefix(got, want) || ansi.StringWidth(got) > 26 {
			t.Errorf("%q in an asthma list: %q", asthma[i][0], got)
		}
	}
	// A title that fits is left alone.
	if got := fitTitle("Essential (primary) hypertension", "Essential hypertension", 40); got != "Essential (primary) hypertension" {
		t.Errorf("fitting title changed: %q", got)
	}
}

func TestElide(t *testing.T) {
	for _, tc := range []struct {
		in   string
		w    int
		want string
	}{
		{"Sprain of other ligament of right ankle", 100, "Sprain of other ligament of right ankle"},
		{"Sprain of other ligament of right ankle", 22, "Sprain…of right ankle"},
		{"Sprain of other ligament of right ankle", 16, "Sprain of other…"}, // the kept words do not fit: clipped
		{"Triamcinolone acet inj nos, 10 mg", 15, "Triamcinolone …"},
		{"one two", 4, "one…"},
	} {
		if got := elide(tc.in, tc.w); got != tc.want {
			t.Errorf("elide(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.want)
		}
	}
}

func BenchmarkFitTitle(b *testing.B) {
	codes, err := codesets.Embedded()
	if err != nil {
		b.Fatal(err)
	}
	all := codes.ICD10CM()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := all[(i*7919)%len(all)]
		fitTitle(c.Title(), c.Short, 26)
	}
}

// At 80x24 the search rows, the claim and the detail pane's list of codes
// tell right from left: the end of the titles shows, and the highlighted
// code of a list is shown in full.
func TestNarrowPanesShowWhatTellsCodesApart(t *testing.T) {
	r := newRig(t, nil)
	r.opts.Searcher = &recordingSearcher{hits: func(q string) []index.Hit {
		var hits []index.Hit
		for _, code := range []string{"S93.491A", "S93.492A", "S93.49"} {
			c, _ := r.codes.Lookup(code)
			hits = append(hits, index.Hit{Code: c})
		}
		return hits
	}}
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1015")
	d.search("ankle sprain")
	rows := searchRows(d)
	if len(rows) < 2 || !strings.Contains(rows[0], "right ankle, init") || !strings.Contains(rows[1], "left ankle, init") {
		t.Fatalf("search rows do not tell right from left:\n%s", strings.Join(rows, "\n"))
	}
	d.press("enter") // S93.491A
	if !strings.Contains(d.screen(), "S93.491A   Sprain…right ankle, init") {
		t.Fatalf("claim row:\n%s", d.screen())
	}
	d.press("down", "down", "enter") // the header S93.49 lists its codes
	d.must("Codes under S93.49")
	var detail []string
	for _, l := range strings.Split(d.screen(), "\n") {
		if _, right, ok := strings.Cut(l, "│"); ok {
			detail = append(detail, right)
		}
	}
	all := strings.Join(detail, "\n")
	// The highlighted S93.491 in full, wrapped; the others fitted.
	if !strings.Contains(all, "○ S93.491  Sprain of other ligament of") || !strings.Contains(all, "right ankle") || !strings.Contains(all, "left ankle") {
		t.Fatalf("detail list:\n%s", all)
	}
	d.press("down")
	all = d.screen()
	if !strings.Contains(all, "○ S93.492  Sprain of other ligament of") {
		t.Fatalf("the highlight did not move:\n%s", all)
	}
}

// searchRows are the result rows of the search pane (80 columns).
func searchRows(d *driver) []string {
	var out []string
	for _, l := range strings.Split(d.screen(), "\n")[3:12] {
		if _, right, ok := strings.Cut(l, "│"); ok && strings.TrimSpace(right) != "" {
			out = append(out, right)
		}
	}
	return out
}
