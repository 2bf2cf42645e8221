package coding

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"codebench/codesets"
	"codebench/tui/work"
)

// The detail pane shows a code as the encounter's release has it: both
// titles when that release revised it, and where its notes come from,
// saying when their source predates the code.
func TestDetailShowsTheRelease(t *testing.T) {
	all, err := codesets.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	c := testCommon()
	c.Codes = all.On(time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC))
	p := newDetailPane(c, &work.Work{})
	p.SetSize(60, 60)
	text := func(code string) string {
		x, ok := c.Codes.Lookup(code)
		if !ok {
			t.Fatalf("%s not in FY2027", code)
		}
		p.show(x)
		var b strings.Builder
		for _, l := range p.lines {
			b.WriteString(ansi.Strip(l) + "\n")
		}
		return strings.Join(strings.Fields(b.String()), " ")
	}
	if got := text("L02.232"); !strings.Contains(got, "ICD-10-CM FY2027") || !strings.Contains(got, "title until ICD-10-CM FY2026: Carbuncle of back [any part, except buttock]") {
		t.Errorf("L02.232:\n%s", got)
	}
	got := text("Z87.8901")
	for _, want := range []string{"notes from Excludes1/Excludes2 from ICD-10-CM FY2027 Tabular List", "FY2023 Tabular List (it predates Z87.8901"} {
		if !strings.Contains(got, want) {
			t.Errorf("Z87.8901 lacks %q:\n%s", want, got)
		}
	}
}
