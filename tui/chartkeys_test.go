package tui

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/encounter/demo"
	"codebench/encounter/fhir"
	"codebench/tui/coding"
	"codebench/tui/work"
)

// The chart harness codes every demo chart to its answer key by keys alone,
// the way a coder who knows the codes works: codes typed exactly in the
// search, the claim fixed in the claim pane, ctrl+x to export, the next
// chart opening by itself. It counts every key message it sends, per chart,
// and keeps the counts in testdata/chart-keys.golden: a change that costs
// the coder keys fails the test (-update records an intended change).
//
// The planner looks at the workbench as a coder reads the screen (focus,
// claim rows, the prompt's text) through the probe methods below, and uses
// whatever the workbench offers; it never writes the model.

var updateKeys = flag.Bool("update-keys", false, "rewrite testdata/chart-keys.golden")

type chartCoder struct {
	t    *testing.T
	d    *driver
	keys int
	// pendingLines are the lines still to add after the diagnoses.
	pendingLines []encounter.ServiceLine
	log          []string
}

func (c *chartCoder) press(keys ...string) {
	c.t.Helper()
	c.keys += len(keys)
	c.log = append(c.log, keys...)
	c.d.press(keys...)
}

func (c *chartCoder) typeText(s string) {
	c.t.Helper()
	c.keys += len([]rune(s))
	c.log = append(c.log, "\""+s+"\"")
	c.d.typeText(s)
}

// Probes: what the coder sees.

func (c *chartCoder) focus() int { return c.d.st().Focus }

func (c *chartCoder) claim() *encounter.Encounter { return c.d.m.w.Enc }

func (c *chartCoder) claimRow() int { return c.d.st().ClaimRow }

// promptText is what the open claim prompt holds, and whether typing
// replaces it (shown selected).
func (c *chartCoder) promptText() (string, bool) {
	st := c.d.st()
	return st.Prompt, st.PromptSelected
}

// typedCodeKey is how the coder types a code: lower case, without the
// dot, and without the X placeholders the search fills in (W10.1XXA is
// "w101a").
func typedCodeKey(code string) string {
	c := strings.ToLower(codesets.Canonical(code))
	if len(c) == 7 && strings.Contains(c[4:6], "x") {
		c = c[:4] + strings.ReplaceAll(c[4:6], "x", "") + c[6:]
	}
	return c
}

// toClaim focuses the claim pane.
func (c *chartCoder) toClaim() {
	c.t.Helper()
	if c.focus() == coding.PaneSearch {
		c.press("esc")
	}
	if c.focus() != coding.PaneClaim {
		c.press("4")
	}
}

// toRow moves the claim cursor to row r the cheapest way.
func (c *chartCoder) toRow(r int) {
	c.t.Helper()
	c.toClaim()
	cur, last := c.claimRow(), len(c.claim().Diagnoses)+len(c.claim().Lines)-1
	steps := []struct {
		first string
		n     int
		key   string
	}{
		{"", max(r-cur, cur-r), map[bool]string{true: "j", false: "k"}[r > cur]},
		{"g", r, "j"},
		{"G", last - r, "k"},
	}
	best := steps[0]
	for _, s := range steps[1:] {
		if 1+s.n < best.n+len(best.first) {
			best = s
		}
	}
	if best.first != "" {
		c.press(best.first)
	}
	for range best.n {
		c.press(best.key)
	}
	if c.claimRow() != r {
		c.t.Fatalf("claim cursor on row %d, want %d:\n%s", c.claimRow(), r, c.d.screen())
	}
}

// searchPick types a code in the search and picks it.
func (c *chartCoder) searchPick(code string) {
	c.t.Helper()
	if c.focus() != coding.PaneSearch {
		c.press("/")
	}
	if !c.d.st().QuerySelected && c.d.st().Query != "" {
		c.press("ctrl+u")
	}
	c.typeText(typedCodeKey(code))
	c.press("enter")
}

// searchLine adds a service line from the search, typed with its
// modifiers, units and pointers as on a charge ticket ("99214-25 abc");
// what the line would get anyway (one unit, its default pointers: A, or
// every diagnosis for an E/M visit) is not typed.
func (c *chartCoder) searchLine(l encounter.ServiceLine) {
	c.t.Helper()
	entry := typedCodeKey(l.Code)
	for _, m := range l.Modifiers {
		entry += "-" + strings.ToLower(m)
	}
	if l.Units != 1 {
		entry += "x" + strconv.Itoa(l.Units)
	}
	switch {
	case len(c.claim().Diagnoses) > 0 && slices.Equal(l.Pointers, defaultPointers(c.claim(), l.Code)):
	case slices.Equal(l.Pointers, everyDiagnosis(c.claim())) && len(l.Pointers) > 1:
		entry += " *"
	default:
		entry += " " + strings.ToLower(pointerLetters(l.Pointers))
	}
	if c.focus() != coding.PaneSearch {
		c.press("/")
	}
	c.typeText(entry)
	c.press("enter")
}

// everyDiagnosis is what * points at: every diagnosis but external
// causes, up to four.
func everyDiagnosis(e *encounter.Encounter) []int {
	var ps []int
	for i, d := range e.Diagnoses {
		if c := d.Code; len(ps) < 4 && (c[0] < 'V' || c[0] > 'Y') {
			ps = append(ps, i+1)
		}
	}
	return ps
}

// defaultPointers is what a new line of code points at untyped: every
// diagnosis for an E/M visit, else A.
func defaultPointers(e *encounter.Encounter, code string) []int {
	if ps := everyDiagnosis(e); encounter.IsEM(code) && len(ps) > 0 {
		return ps
	}
	return []int{1}
}

func pointerLetters(ps []int) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteByte(byte('A' + p - 1))
	}
	return b.String()
}

// addByNote adds diagnosis want through a note that names it, when a code
// shown in the detail pane, or one on the claim, names it exactly and that
// costs fewer keys than typing it. It tells whether it did.
func (c *chartCoder) addByNote(want string, typeAfter bool) bool {
	c.t.Helper()
	codes := c.d.m.c.Codes
	wantDot := codesets.Dotted(codesets.ICD10CM, want)
	typed := len(typedCodeKey(want)) + 1
	if c.focus() != coding.PaneSearch {
		typed++
	}
	after := 0
	if typeAfter && c.focus() == coding.PaneSearch {
		after = 1 // the next code typed needs / again
	}
	moves := func(k, n, cur int) int {
		best := max(k-cur, cur-k)
		best = min(best, 1+k) // g, then down
		if k == n-1 {
			best = min(best, 1) // G
		}
		return best
	}
	// The code the detail pane shows now.
	if st := c.d.st(); st.DetailCode != nil {
		named := coding.NamedRefs(codes, st.DetailCode)
		if k := slices.Index(named, wantDot); k >= 0 {
			focus := 0
			switch {
			case st.Focus == coding.PaneSearch:
				focus = 1 // tab
			case st.Focus != coding.PaneDetail:
				focus = 1 // 3
			}
			cur := 0
			if st.Focus == coding.PaneDetail {
				cur = st.DetailCursor
			}
			if cost := focus + moves(k, len(named), cur) + 1 + after; cost < typed {
				switch {
				case st.Focus == coding.PaneSearch:
					c.press("tab")
				case st.Focus != coding.PaneDetail:
					c.press("3")
				}
				c.detailTo(k, len(named), cur)
				c.press("a")
				return true
			}
		}
	}
	// A diagnosis on the claim whose note names it: enter on its row shows
	// it in the detail pane.
	for j, d := range c.claim().Diagnoses {
		dc, ok := codes.LookupIn(codesets.ICD10CM, d.Code)
		if !ok {
			continue
		}
		named := coding.NamedRefs(codes, dc)
		k := slices.Index(named, wantDot)
		if k < 0 {
			continue
		}
		toClaim := 0
		switch c.focus() {
		case coding.PaneClaim:
		case coding.PaneSearch:
			toClaim = 2 // esc 4
		default:
			toClaim = 1
		}
		cur, last := c.claimRow(), len(c.claim().Diagnoses)+len(c.claim().Lines)-1
		row := min(max(j-cur, cur-j), 1+j, 1+last-j)
		if cost := toClaim + row + 1 + moves(k, len(named), 0) + 1 + btoi(typeAfter); cost < typed {
			c.toRow(j)
			c.press("enter")
			c.detailTo(k, len(named), 0)
			c.press("a")
			return true
		}
	}
	return false
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// detailTo moves the detail pane's cursor from choice cur to choice k of
// n, the cheapest way.
func (c *chartCoder) detailTo(k, n, cur int) {
	c.t.Helper()
	switch {
	case k == n-1 && k-cur > 1:
		c.press("G")
		cur = k
	case 1+k < max(k-cur, cur-k):
		c.press("g")
		cur = 0
	}
	for ; cur < k; cur++ {
		c.press("j")
	}
	for ; cur > k; cur-- {
		c.press("k")
	}
	if got, want := c.d.st().DetailChoice, coding.NamedRefs(c.d.m.c.Codes, c.d.st().DetailCode)[k]; got != want {
		c.t.Fatalf("detail cursor on %q, want %q:\n%s", got, want, c.d.screen())
	}
}

// prompt opens a claim prompt on the cursor's line and enters value.
func (c *chartCoder) prompt(key, value string) {
	c.t.Helper()
	c.press(key)
	// Typing replaces a value shown selected; otherwise, or to empty it,
	// the coder erases it first.
	if text, replaces := c.promptText(); text != "" && (!replaces || value == "") {
		c.press("ctrl+u")
	}
	if value != "" {
		c.typeText(value)
	}
	c.press("enter")
	if _, open := c.promptText(); c.d.st().PromptOpen {
		c.t.Fatalf("prompt %s %q refused (open %v):\n%s", key, value, open, c.d.screen())
	}
}

func dxCodes(e *encounter.Encounter) []string {
	var out []string
	for _, d := range e.Diagnoses {
		out = append(out, codesets.Canonical(d.Code))
	}
	return out
}

// codeDiagnoses brings the claim's diagnoses to want, in order.
func (c *chartCoder) codeDiagnoses(want []string) {
	c.t.Helper()
	for i := range want {
		want[i] = codesets.Canonical(want[i])
	}
	// A header or a code short of its 7th character is recoded in place
	// (its evidence stays); a code the key does not have is removed.
	for i := 0; i < len(c.claim().Diagnoses); {
		have := dxCodes(c.claim())
		code := have[i]
		if slices.Contains(want, code) {
			i++
			continue
		}
		into := ""
		for _, w := range want {
			if !slices.Contains(have, w) && strings.HasPrefix(w, code) {
				into = w
			}
		}
		c.toRow(i)
		if into == "" {
			c.press("d")
			continue
		}
		c.press("enter") // the detail pane offers the codes under it
		rest := into[len(code):]
		if c.d.st().Picker && len(rest) == 1 {
			c.press(strings.ToLower(rest))
		} else {
			c.t.Fatalf("cannot recode %s into %s by keys", code, into)
		}
		i++
	}
	for i, w := range want {
		if slices.Contains(dxCodes(c.claim()), w) {
			continue
		}
		if c.addByNote(w, i < len(want)-1 || len(c.pendingLines) > 0) {
			continue
		}
		c.searchPick(w)
	}
	// Sequence: bring each code up to its place.
	for i, w := range want {
		j := slices.Index(dxCodes(c.claim()), w)
		if j == i {
			continue
		}
		c.toRow(j)
		for range j - i {
			c.press("K")
		}
	}
	if got := dxCodes(c.claim()); !slices.Equal(got, want) {
		c.t.Fatalf("diagnoses %v, want %v", got, want)
	}
}

func lineCodes(e *encounter.Encounter) []string {
	var out []string
	for _, l := range e.Lines {
		out = append(out, l.Code)
	}
	return out
}

// codeLines brings the service lines to want.
func (c *chartCoder) codeLines(want []encounter.ServiceLine) {
	c.t.Helper()
	var wantCodes []string
	for _, l := range want {
		wantCodes = append(wantCodes, l.Code)
	}
	// Remove lines the key does not have (each code as often as wanted).
	for i := 0; i < len(c.claim().Lines); {
		have := lineCodes(c.claim())
		if count(have[:i+1], have[i]) <= count(wantCodes, have[i]) {
			i++
			continue
		}
		c.toRow(len(c.claim().Diagnoses) + i)
		c.press("d")
	}
	for _, l := range want {
		if count(lineCodes(c.claim()), l.Code) < count(wantCodes, l.Code) {
			c.searchLine(l)
		}
	}
	for i, w := range wantCodes {
		j := i + slices.Index(lineCodes(c.claim())[i:], w)
		if j == i {
			continue
		}
		c.toRow(len(c.claim().Diagnoses) + j)
		for range j - i {
			c.press("K")
		}
	}
	ndx := len(c.claim().Diagnoses)
	for i, w := range want {
		l := func() encounter.ServiceLine { return c.claim().Lines[i] }
		if !slices.Equal(l().Modifiers, w.Modifiers) {
			c.toRow(ndx + i)
			if len(w.Modifiers) == 0 {
				c.press("M") // strips them
			} else {
				c.prompt("m", strings.ToLower(strings.Join(w.Modifiers, " ")))
			}
		}
		if l().Units != w.Units {
			c.toRow(ndx + i)
			c.prompt("u", strconv.Itoa(w.Units))
		}
		if !slices.Equal(l().Pointers, w.Pointers) {
			c.toRow(ndx + i)
			if len(w.Pointers) > 1 && slices.Equal(w.Pointers, everyDiagnosis(c.claim())) {
				c.press("*") // every diagnosis, one key
			} else {
				c.prompt("p", strings.ToLower(work.PointerLetters(w.Pointers, "")))
			}
		}
	}
	if got := lineCodes(c.claim()); !slices.Equal(got, wantCodes) {
		c.t.Fatalf("lines %v, want %v", got, wantCodes)
	}
}

// missingLines are the lines of want the claim lacks.
func missingLines(e *encounter.Encounter, want []encounter.ServiceLine) []encounter.ServiceLine {
	have := lineCodes(e)
	var out []encounter.ServiceLine
	for _, l := range want {
		if i := slices.Index(have, l.Code); i >= 0 {
			have = slices.Delete(have, i, i+1)
			continue
		}
		out = append(out, l)
	}
	return out
}

func count(xs []string, x string) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}

// TestCodeEveryDemoChartByKeys codes the demo inbox from the first chart to
// the last, checks that each claim shows no error or warning when it goes,
// checks every claim in the billing queue against the answer key, and
// records the keys each chart took.
func TestCodeEveryDemoChartByKeys(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	c := &chartCoder{t: t, d: d}
	answers := demo.Answers()
	perChart := map[string]int{}
	var order []string

	// Open the first chart to code from the worklist.
	first := ""
	items, err := r.store.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Status != "exported" {
			first = it.ID
			break
		}
	}
	for i := 0; i < len(items) && !d.cursorOn(first); i++ {
		c.press("j")
	}
	c.press("enter")

	for len(order) < len(answers) {
		enc := c.claim()
		if enc == nil {
			t.Fatalf("no chart open after %v:\n%s", order, d.screen())
		}
		id := enc.ID
		a, ok := answers[id]
		if !ok || slices.Contains(order, id) {
			t.Fatalf("%s opened again or not in the key", id)
		}
		c.pendingLines = missingLines(c.claim(), a.Lines)
		c.codeDiagnoses(slices.Clone(a.Diagnoses))
		c.codeLines(a.Lines)
		for i, l := range c.claim().Lines {
			if i < len(a.Lines) && l.NDC != a.Lines[i].NDC {
				t.Errorf("%s line %d: NDC %+v, key %+v", id, i+1, l.NDC, a.Lines[i].NDC)
			}
		}
		// Clean: the workbench shows no error or warning on the claim.
		for _, e := range d.m.w.Edits {
			if e.Severity == encounter.Error || e.Severity == encounter.Warning {
				t.Errorf("%s goes out with %s %s on %s: %s", id, e.Severity, e.Rule, e.Target, e.Message)
			}
		}
		c.press("ctrl+x")
		if d.m.confirm == nil {
			t.Fatalf("%s: the export did not open:\n%s", id, d.screen())
		}
		c.press("y")
		perChart[id] = c.keys
		t.Logf("%s, %d keys: %s", id, c.keys, strings.Join(c.log, " "))
		c.log = nil
		order = append(order, id)
		c.keys = 0
	}

	// Every claim in the queue is the answer key's.
	for _, id := range order {
		_, sum, err := r.store.Get(context.Background(), id)
		if err != nil || sum.Status != "exported" {
			t.Fatalf("%s: %+v %v", id, sum, err)
		}
		data, err := os.ReadFile(filepath.Join(r.queueDir, sum.ExportKey+".json"))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := fhir.Summarize(data)
		if err != nil {
			t.Fatal(err)
		}
		if err := fhir.Validate(data); err != nil {
			t.Errorf("%s: the queued Bundle does not validate: %v", id, err)
		}
		a := answers[id]
		var dx []string
		for _, g := range doc.Diagnoses {
			dx = append(dx, codesets.Canonical(g))
		}
		var want []string
		for _, w := range a.Diagnoses {
			want = append(want, codesets.Canonical(w))
		}
		if !slices.Equal(dx, want) {
			t.Errorf("%s: exported diagnoses %v, key %v", id, dx, want)
		}
		if len(doc.Items) != len(a.Lines) {
			t.Fatalf("%s: %d items exported, key has %d", id, len(doc.Items), len(a.Lines))
		}
		for i, it := range doc.Items {
			w := a.Lines[i]
			if it.Code != w.Code || !slices.Equal(it.Modifiers, w.Modifiers) || it.Units.String() != strconv.Itoa(w.Units) || !slices.Equal(it.Pointers, w.Pointers) {
				t.Errorf("%s line %d: exported %s %v ×%v %v, key %s %v ×%d %v", id, i+1,
					it.Code, it.Modifiers, it.Units, it.Pointers, w.Code, w.Modifiers, w.Units, w.Pointers)
			}
		}
	}

	got := chartKeysReport(order, perChart)
	t.Log("\n" + got)
	path := filepath.Join("testdata", "chart-keys.golden")
	if *updateKeys {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./tui -run ChartByKeys -update-keys records it)", err)
	}
	was := parseChartKeys(string(old))
	for _, id := range order {
		if n, ok := was[id]; ok && perChart[id] > n {
			t.Errorf("%s takes %d keys, %d before", id, perChart[id], n)
		}
	}
	if string(old) != got {
		t.Logf("chart keys changed (record with -update-keys):\nwas\n%s", old)
	}
}

// chartKeysReport lists keys per chart in coding order, then the total
// and the median.
func chartKeysReport(order []string, per map[string]int) string {
	var b strings.Builder
	var ns []int
	total := 0
	for _, id := range order {
		fmt.Fprintf(&b, "%s %d\n", id, per[id])
		ns = append(ns, per[id])
		total += per[id]
	}
	sort.Ints(ns)
	median := float64(ns[len(ns)/2])
	if len(ns)%2 == 0 {
		median = float64(ns[len(ns)/2-1]+ns[len(ns)/2]) / 2
	}
	fmt.Fprintf(&b, "total %d\nmedian %g\n", total, median)
	return b.String()
}

func parseChartKeys(s string) map[string]int {
	out := map[string]int{}
	for _, l := range strings.Split(s, "\n") {
		f := strings.Fields(l)
		if len(f) == 2 && strings.HasPrefix(f[0], "enc-") {
			n, _ := strconv.Atoi(f[1])
			out[f[0]] = n
		}
	}
	return out
}
