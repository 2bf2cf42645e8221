package tui

import (
	"strings"
	"testing"

	"codebench/index"
)

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
