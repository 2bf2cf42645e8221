package common

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"codebench/codesets"
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
		return FitTitle(c.Title(), c.Short, w)
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
			if got := FitTitle(c.Title(), c.Short, w); ansi.StringWidth(got) > w {
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
		list := NewTitleList(ts)
		for j, c := range all[i : i+10] {
			for _, w := range []int{14, 26, 40} {
				if got := FitTitleIn(c.Title(), c.Short, w, list.Shared(j)); ansi.StringWidth(got) > w {
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
	list := NewTitleList(asthma)
	for i, want := range []string{"Unsp", "Mild intermittent", "Mild persistent", "Moderate", "Severe", "Chronic"} {
		got := FitTitleIn(asthma[i][0], asthma[i][1], 26, list.Shared(i))
		if !strings.HasPrefix(got, want) || ansi.StringWidth(got) > 26 {
			t.Errorf("%q in an asthma list: %q", asthma[i][0], got)
		}
	}
	// A title that fits is left alone.
	if got := FitTitle("Essential (primary) hypertension", "Essential hypertension", 40); got != "Essential (primary) hypertension" {
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
		if got := Elide(tc.in, tc.w); got != tc.want {
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
		FitTitle(c.Title(), c.Short, 26)
	}
}

func TestControlSequencesAreNeutralised(t *testing.T) {
	for in, want := range map[string]string{
		"a\x1b[2Jb":           "a␛[2Jb",
		"title\x1b]0;pwned\a": "title␛]0;pwned␇",
		"x\u009b31my":         "x\uFFFD31my",
		"abc\u202edcba":       "abc\uFFFDdcba",
		"bad\xffutf8":         "bad\uFFFDutf8",
		"tab\tand\nnewline":   "tab and newline",
	} {
		if got := OneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// Seven sibling titles that differ only in their middle words ("Driveway
// of … as place") show those words when cut to a narrow row, not the
// words every row shares.
func TestNarrowRowsKeepTheWordsThatTellThemApart(t *testing.T) {
	codes, err := codesets.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	list := []struct{ code, telling string }{
		{"Y92.014", "Private"}, {"Y92.024", "mobile"}, {"Y92.043", "boarding-house"}, {"Y92.093", "residence"},
		{"Y92.113", "orphanage"}, {"Y92.123", "nursing"}, {"Y92.154", "reform"}, {"Y92.194", "institution"},
	}
	var titles [][2]string
	for _, x := range list {
		c, ok := codes.Lookup(x.code)
		if !ok {
			t.Fatalf("%s missing", x.code)
		}
		titles = append(titles, [2]string{c.Title(), c.Short})
	}
	l := NewTitleList(titles)
	for _, w := range []int{22, 26} {
		seen := map[string]string{}
		for i, x := range list {
			got := FitTitleIn(titles[i][0], titles[i][1], w, l.Shared(i))
			if TextWidth(got) > w || !strings.Contains(got, x.telling) {
				t.Errorf("width %d: %s shows %q, lacking %q", w, x.code, got, x.telling)
			}
			if other, dup := seen[got]; dup {
				t.Errorf("width %d: %s and %s both show %q", w, other, x.code, got)
			}
			seen[got] = x.code
		}
	}
}
