// Package work is the open encounter the panes share: the working copy of
// the claim and every change to it, with the claim limits, the undo
// history and the list of changes the next save records. It draws nothing.
package work

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/encounter/fees"
	"codebench/encounter/store"
	"codebench/tui/common"
)

// Claim limits (CMS-1500 / 837P).
const (
	MaxDiagnoses = 12
	MaxPointers  = 4
	MaxModifiers = 4
	MaxUnits     = 9999
)

// Work is the open encounter shared by the panes: the coder's working copy,
// its lease and edits, the documentation span selected now, and the list of
// changes not yet saved.
type Work struct {
	Enc   *encounter.Encounter
	Sum   store.Summary
	Lease store.Lease
	// ReadOnly says why the encounter cannot be changed ("" when it can).
	ReadOnly string
	Edits    []encounter.Edit
	// Changes describe, for the audit, what changed since the last save.
	Changes []string
	// Span is the documentation the coder has selected; a diagnosis picked
	// while it is set records it as evidence.
	Span *encounter.Evidence
	// undo holds the claim as it was before each change, latest last;
	// last is the claim after the latest change (or as opened).
	undo []undoStep
	last *encounter.Encounter

	// Fees is the practice's fee schedule: a line added is charged from
	// it, and its charge follows the line's units and modifiers until the
	// coder sets one. Nil: charges are entered by hand.
	Fees *fees.Schedule
}

// undoStep is the claim before a change, what the change was, and the
// claim row it was made on.
type undoStep struct {
	before *encounter.Encounter
	detail string
	at     Row
}

// Row is a row of the claim: a diagnosis or a service line (Index from
// 0); Index -1 is the claim as a whole.
type Row struct {
	Line  bool
	Index int
}

// targetRow is the row an edit's target names ("dx:2", "line:1").
func targetRow(t string) Row {
	kind, n, _ := strings.Cut(t, ":")
	i, err := strconv.Atoi(n)
	switch {
	case err != nil || i < 1:
		return Row{Index: -1}
	case kind == "line":
		return lineRow(i - 1)
	case kind == "dx":
		return dxRow(i - 1)
	}
	return Row{Index: -1}
}

func dxRow(i int) Row   { return Row{Index: i} }
func lineRow(i int) Row { return Row{Line: true, Index: i} }

// maxUndo bounds the changes an encounter can take back.
const maxUndo = 100

func (w *Work) Editable() error {
	if w == nil || w.Enc == nil {
		return common.Refuse("no encounter is open")
	}
	if w.ReadOnly != "" {
		return common.Refuse("read-only: %s", w.ReadOnly)
	}
	return nil
}

// changed records a change made to the claim on row at: for the save,
// and to undo.
func (w *Work) changed(at Row, detail string) {
	if w.last != nil {
		w.undo = append(w.undo, undoStep{before: w.last, detail: detail, at: at})
		if len(w.undo) > maxUndo {
			w.undo = w.undo[1:]
		}
	}
	w.last = Clone(w.Enc)
	w.Changes = append(w.Changes, detail)
}

// Opened starts the undo history at the claim as Opened.
func (w *Work) Opened() { w.last = Clone(w.Enc) }

// UndoLast puts the claim (diagnoses, lines, overrides) back as it was
// before the latest change; the undo is itself a change, saved and
// audited. It returns what was undone, and the row the change was made on
// (where the cursor was), so the coder is back where they were.
func (w *Work) UndoLast() (string, Row, error) {
	if err := w.Editable(); err != nil {
		return "", Row{}, err
	}
	if len(w.undo) == 0 {
		return "", Row{}, common.Refuse("nothing to undo in this encounter")
	}
	step := w.undo[len(w.undo)-1]
	w.undo = w.undo[:len(w.undo)-1]
	b := Clone(step.before)
	w.Enc.Diagnoses, w.Enc.Lines, w.Enc.Overrides = b.Diagnoses, b.Lines, b.Overrides
	w.last = Clone(w.Enc)
	w.Changes = append(w.Changes, "undo: "+step.detail)
	return step.detail, step.at, nil
}

func dxName(i int) string { return "dx " + common.Letter(i+1) }

// DosTime is the first date of service, zero when unknown.
func (w *Work) DosTime() time.Time {
	if w == nil || w.Enc == nil {
		return time.Time{}
	}
	return w.Enc.Service.From.Time
}

// AddDiagnosis appends an ICD-10-CM code with the selected evidence.
func (w *Work) AddDiagnosis(c *codesets.Code) error {
	if w.Enc == nil {
		return w.Editable()
	}
	return w.AddDiagnosisAt(c, len(w.Enc.Diagnoses))
}

// AddDiagnosisAt adds an ICD-10-CM code at position at (0 = first-listed;
// a code first note's code goes before the code that asks for it): the
// diagnoses after it move down a letter and the line pointers follow
// them.
func (w *Work) AddDiagnosisAt(c *codesets.Code, at int) error {
	if err := w.Editable(); err != nil {
		return err
	}
	if c.System != codesets.ICD10CM {
		return common.Refuse("%s is %s, not a diagnosis code", c.Display(), c.System)
	}
	for i, d := range w.Enc.Diagnoses {
		if codesets.Canonical(d.Code) == c.Code {
			return common.Refuse("%s is already diagnosis %s", c.Display(), common.Letter(i+1))
		}
	}
	if len(w.Enc.Diagnoses) >= MaxDiagnoses {
		return common.Refuse("a claim holds at most %d diagnoses (A-L); remove one before adding %s", MaxDiagnoses, c.Display())
	}
	at = min(max(at, 0), len(w.Enc.Diagnoses))
	d := encounter.Diagnosis{Code: c.Code}
	detail := fmt.Sprintf("%s: added %s", dxName(at), c.Display())
	if w.Span != nil {
		ev := *w.Span
		d.Evidence = &ev
		detail += fmt.Sprintf(" (evidence %s %d-%d)", ev.NoteID, ev.Start, ev.End)
	}
	w.Enc.Diagnoses = slices.Insert(w.Enc.Diagnoses, at, d)
	for k := range w.Enc.Lines {
		for p, v := range w.Enc.Lines[k].Pointers {
			if v > at {
				w.Enc.Lines[k].Pointers[p] = v + 1
			}
		}
	}
	if len(w.Enc.Diagnoses) == 1 {
		// The only diagnosis: the lines coded before it point at it.
		var linked []string
		for i := range w.Enc.Lines {
			if len(w.Enc.Lines[i].Pointers) == 0 {
				w.Enc.Lines[i].Pointers = []int{1}
				linked = append(linked, strconv.Itoa(i+1))
			}
		}
		if len(linked) > 0 {
			detail += "; line " + strings.Join(linked, ", ") + " now point at it"
		}
	}
	w.changed(dxRow(at), detail)
	return nil
}

// ReplaceDiagnosis recodes diagnosis i in place (a 7th character added, a
// header made specific): its letter, evidence and the pointers to it stay.
func (w *Work) ReplaceDiagnosis(i int, c *codesets.Code) error {
	if err := w.Editable(); err != nil {
		return err
	}
	if i < 0 || i >= len(w.Enc.Diagnoses) {
		return common.Refuse("no diagnosis selected")
	}
	if c.System != codesets.ICD10CM {
		return common.Refuse("%s is %s, not a diagnosis code", c.Display(), c.System)
	}
	for j, d := range w.Enc.Diagnoses {
		if j != i && codesets.Canonical(d.Code) == c.Code {
			return common.Refuse("%s is already diagnosis %s", c.Display(), common.Letter(j+1))
		}
	}
	old := w.Enc.Diagnoses[i].Code
	w.Enc.Diagnoses[i].Code = c.Code
	w.changed(dxRow(i), fmt.Sprintf("%s: %s recoded as %s", dxName(i), codesets.Dotted(codesets.ICD10CM, old), c.Display()))
	return nil
}

// AddLine appends a procedure line: one unit, the default pointers.
func (w *Work) AddLine(c *codesets.Code) error {
	if err := w.Editable(); err != nil {
		return err
	}
	return w.addLine(c, nil, 1, nil)
}

// defaultPointers are a new line's pointers: the first-listed diagnosis,
// the usual primary reason for a procedure; an E/M visit, which is about
// every problem addressed, points at every diagnosis (as * does). The
// coder changes them from there.
func (w *Work) defaultPointers(code string) []int {
	if len(w.Enc.Diagnoses) == 0 {
		return []int{}
	}
	if ps := w.everyDiagnosis(); encounter.IsEM(code) && len(ps) > 0 {
		return ps
	}
	return []int{1}
}

// addLine appends a line of c; ptrs nil takes the default pointers.
func (w *Work) addLine(c *codesets.Code, mods []string, units int, ptrs []int) error {
	if c.System == codesets.ICD10CM {
		return common.Refuse("%s is a diagnosis code, not a procedure", c.Display())
	}
	if c.Modifier {
		return common.Refuse("%s is a modifier: select a service line in the claim and press m", c.Code)
	}
	if ptrs == nil {
		ptrs = w.defaultPointers(c.Code)
	}
	l := encounter.ServiceLine{Code: c.Code, Modifiers: mods, Units: units, Pointers: ptrs}
	l.Charge = w.scheduled(l)
	quote := ""
	if strings.HasPrefix(c.Code, "J") {
		// A drug line takes the NDC the documentation states for that
		// drug, when it states exactly one.
		l.NDC, quote, _ = encounter.DocumentedNDC(w.Enc.Notes, c.Title())
	}
	w.Enc.Lines = append(w.Enc.Lines, l)
	n := len(w.Enc.Lines)
	detail := fmt.Sprintf("line %d: added %s", n, c.Display())
	if len(mods) > 0 || units != 1 {
		detail = fmt.Sprintf("line %d: added %s%s ×%d → %s", n, c.Display(), modSuffix(mods), units, common.OrNone(PointerLetters(ptrs, "")))
	}
	if quote != "" {
		detail += fmt.Sprintf(", NDC %s from the documentation (%q)", NDCText(l.NDC), quote)
	}
	w.changed(lineRow(n-1), detail)
	return nil
}

// NDCText shows a line's NDC as typed back: "63323004401 ML 1".
func NDCText(d encounter.NDC) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%s %s %s", d.Code, d.Unit, d.Quantity)
}

// SetNDC sets the NDC, unit and quantity of drug line i as typed
// ("63323-0044-01 ml 1"); empty removes it.
func (w *Work) SetNDC(i int, typed string) error {
	if err := w.Editable(); err != nil {
		return err
	}
	if i < 0 || i >= len(w.Enc.Lines) {
		return common.Refuse("no service line selected")
	}
	var d encounter.NDC
	if strings.TrimSpace(typed) != "" {
		var err error
		if d, err = encounter.ParseNDC(typed); err != nil {
			return common.Refuse("%s", err.Error())
		}
	}
	l := &w.Enc.Lines[i]
	if l.NDC == d {
		return nil
	}
	l.NDC = d
	w.changed(lineRow(i), fmt.Sprintf("line %d: NDC %s", i+1, common.OrNone(NDCText(d))))
	return nil
}

// MoveDiagnosis moves diagnosis i by delta places and renumbers the line
// pointers so every line keeps pointing at the same codes.
func (w *Work) MoveDiagnosis(i, delta int) (int, error) {
	if err := w.Editable(); err != nil {
		return i, err
	}
	n := len(w.Enc.Diagnoses)
	j := i + delta
	if i < 0 || i >= n {
		return i, common.Refuse("no diagnosis selected")
	}
	if j < 0 || j >= n {
		if j < 0 {
			return i, common.Refuse("%s is already first-listed", codesets.Dotted(codesets.ICD10CM, w.Enc.Diagnoses[i].Code))
		}
		return i, common.Refuse("%s is already last", codesets.Dotted(codesets.ICD10CM, w.Enc.Diagnoses[i].Code))
	}
	ds := w.Enc.Diagnoses
	ds[i], ds[j] = ds[j], ds[i]
	for k := range w.Enc.Lines {
		for p, v := range w.Enc.Lines[k].Pointers {
			switch v {
			case i + 1:
				w.Enc.Lines[k].Pointers[p] = j + 1
			case j + 1:
				w.Enc.Lines[k].Pointers[p] = i + 1
			}
		}
	}
	w.changed(dxRow(i), fmt.Sprintf("%s moved to %s", codesets.Dotted(codesets.ICD10CM, ds[j].Code), common.Letter(j+1)))
	return j, nil
}

// RemoveDiagnosis drops diagnosis i and the pointers to it; it tells which
// lines lost their last pointer (orphaned) and which, having pointed only
// at the removed first-listed diagnosis, now point at the new one
// (primary): a line keeps pointing at the claim's primary reason, unless
// that is an external cause.
func (w *Work) RemoveDiagnosis(i int) (orphaned, primary []int, err error) {
	if err := w.Editable(); err != nil {
		return nil, nil, err
	}
	if i < 0 || i >= len(w.Enc.Diagnoses) {
		return nil, nil, common.Refuse("no diagnosis selected")
	}
	code := w.Enc.Diagnoses[i].Code
	w.Enc.Diagnoses = slices.Delete(w.Enc.Diagnoses, i, i+1)
	for k := range w.Enc.Lines {
		l := &w.Enc.Lines[k]
		had := len(l.Pointers) > 0
		var ps []int
		for _, v := range l.Pointers {
			switch {
			case v == i+1:
			case v > i+1:
				ps = append(ps, v-1)
			default:
				ps = append(ps, v)
			}
		}
		if ps == nil {
			ps = []int{}
		}
		l.Pointers = ps
		switch {
		case !had || len(ps) > 0:
		case i == 0 && len(w.Enc.Diagnoses) > 0 && !externalCause(w.Enc.Diagnoses[0].Code):
			l.Pointers = []int{1}
			primary = append(primary, k+1)
		default:
			orphaned = append(orphaned, k+1)
		}
	}
	detail := fmt.Sprintf("%s: removed %s", dxName(i), codesets.Dotted(codesets.ICD10CM, code))
	if len(primary) > 0 {
		detail += fmt.Sprintf("; line %s now point at A", JoinInts(primary))
	}
	w.changed(dxRow(i), detail)
	return orphaned, primary, nil
}

// JoinInts lists line numbers: "1, 3".
func JoinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

func (w *Work) MoveLine(i, delta int) (int, error) {
	if err := w.Editable(); err != nil {
		return i, err
	}
	j := i + delta
	if i < 0 || i >= len(w.Enc.Lines) {
		return i, common.Refuse("no service line selected")
	}
	if j < 0 || j >= len(w.Enc.Lines) {
		return i, common.Refuse("line %d cannot move further", i+1)
	}
	w.Enc.Lines[i], w.Enc.Lines[j] = w.Enc.Lines[j], w.Enc.Lines[i]
	w.changed(lineRow(i), fmt.Sprintf("line %s moved to %d", w.Enc.Lines[j].Code, j+1))
	return j, nil
}

func (w *Work) RemoveLine(i int) error {
	if err := w.Editable(); err != nil {
		return err
	}
	if i < 0 || i >= len(w.Enc.Lines) {
		return common.Refuse("no service line selected")
	}
	code := w.Enc.Lines[i].Code
	w.Enc.Lines = slices.Delete(w.Enc.Lines, i, i+1)
	w.changed(lineRow(i), fmt.Sprintf("line %d: removed %s", i+1, code))
	return nil
}

// fields splits what the coder typed at commas and spaces.
func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\t' })
}

// SetModifiers replaces the modifiers of line i with typed ("25 59").
func (w *Work) SetModifiers(codes *codesets.Set, i int, typed string) error {
	if err := w.Editable(); err != nil {
		return err
	}
	if i < 0 || i >= len(w.Enc.Lines) {
		return common.Refuse("no service line selected")
	}
	mods, err := parseModifiers(codes, typed)
	if err != nil {
		return err
	}
	l := &w.Enc.Lines[i]
	if slices.Equal(l.Modifiers, mods) {
		return nil
	}
	w.inStep(l, func() { l.Modifiers = mods })
	w.changed(lineRow(i), fmt.Sprintf("line %d: modifiers %s", i+1, common.OrNone(strings.Join(mods, " "))))
	return nil
}

// parseModifiers reads modifiers as typed ("25 59", "rt,lt").
func parseModifiers(codes *codesets.Set, typed string) ([]string, error) {
	var mods []string
	for _, f := range fields(typed) {
		m := codesets.Canonical(f)
		if !codes.IsModifier(m) {
			return nil, common.Refuse("%q is not a modifier (two characters: a HCPCS modifier such as RT, or two CPT digits such as 25)", f)
		}
		if slices.Contains(mods, m) {
			return nil, common.Refuse("modifier %s is listed twice", m)
		}
		mods = append(mods, m)
	}
	if len(mods) > MaxModifiers {
		return nil, common.Refuse("a service line takes at most %d modifiers; %d given", MaxModifiers, len(mods))
	}
	return mods, nil
}

// SetUnits sets the units of line i.
func (w *Work) SetUnits(i, units int) error {
	if err := w.Editable(); err != nil {
		return err
	}
	if i < 0 || i >= len(w.Enc.Lines) {
		return common.Refuse("no service line selected")
	}
	if units < 1 || units > MaxUnits {
		return common.Refuse("units must be 1 to %d; %d refused", MaxUnits, units)
	}
	l := &w.Enc.Lines[i]
	if l.Units == units {
		return nil
	}
	w.inStep(l, func() { l.Units = units })
	w.changed(lineRow(i), fmt.Sprintf("line %d: units %d", i+1, units))
	return nil
}

// scheduled is what the fee schedule charges for a line (its fee times
// its units), 0 without a schedule or a fee.
func (w *Work) scheduled(l encounter.ServiceLine) int64 {
	if w.Fees == nil || w.Enc == nil || l.Units <= 0 {
		return 0
	}
	f, ok := w.Fees.Lookup(l.Code, l.Modifiers, w.Enc.Coverage.PayerID, w.Enc.Service.From)
	if !ok || f.Amount*int64(l.Units) > encounter.MaxCharge {
		return 0
	}
	return f.Amount * int64(l.Units)
}

// inStep applies change to a line; a charge the schedule set follows it
// (units, modifiers), one the coder set stays.
func (w *Work) inStep(l *encounter.ServiceLine, change func()) {
	auto := l.Charge == w.scheduled(*l)
	change()
	if auto {
		l.Charge = w.scheduled(*l)
	}
}

// SetCharge sets the charge of line i, in cents; typed empty, the fee
// schedule's.
func (w *Work) SetCharge(i int, typed string) error {
	if err := w.Editable(); err != nil {
		return err
	}
	if i < 0 || i >= len(w.Enc.Lines) {
		return common.Refuse("no service line selected")
	}
	l := &w.Enc.Lines[i]
	cents := w.scheduled(*l)
	if strings.TrimSpace(typed) != "" {
		var err error
		if cents, err = ParseMoney(typed); err != nil {
			return err
		}
	}
	if l.Charge == cents {
		return nil
	}
	l.Charge = cents
	w.changed(lineRow(i), fmt.Sprintf("line %d: charge %s", i+1, Money(cents)))
	return nil
}

// ParseMoney reads an amount in dollars ("125", "125.5", "$1,250.00")
// into cents.
func ParseMoney(typed string) (int64, error) {
	t := strings.TrimSpace(strings.NewReplacer("$", "", ",", "").Replace(typed))
	whole, frac, dot := strings.Cut(t, ".")
	if whole == "" {
		whole = "0"
	}
	digits := func(x string) bool { return strings.Trim(x, "0123456789") == "" }
	if len(frac) > 2 || !digits(whole) || !digits(frac) || (dot && frac == "") && whole == "0" {
		return 0, common.Refuse("a charge is dollars and cents (125.00); %q refused", typed)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	d, err1 := strconv.ParseInt(whole, 10, 64)
	c, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || d < 0 || d > encounter.MaxCharge/100 {
		return 0, common.Refuse("a charge is dollars and cents, at most $%d; %q refused", encounter.MaxCharge/100, typed)
	}
	return d*100 + c, nil
}

// Money shows cents as dollars: "$1,250.00".
func Money(cents int64) string {
	d, c := cents/100, cents%100
	s := strconv.FormatInt(d, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return fmt.Sprintf("$%s.%02d", s, c)
}

func ParseUnits(typed string) (int, error) {
	t := strings.TrimSpace(typed)
	n, err := strconv.Atoi(t)
	if err != nil {
		return 0, common.Refuse("units must be a whole number 1 to %d; %q refused", MaxUnits, t)
	}
	return n, nil
}

// SetPointers links line i to diagnoses by letter ("A C", "ac", "A,B").
func (w *Work) SetPointers(i int, typed string) error {
	if err := w.Editable(); err != nil {
		return err
	}
	if i < 0 || i >= len(w.Enc.Lines) {
		return common.Refuse("no service line selected")
	}
	ps, err := w.parsePointers(typed)
	if err != nil {
		return err
	}
	l := &w.Enc.Lines[i]
	if slices.Equal(l.Pointers, ps) {
		return nil
	}
	l.Pointers = ps
	w.changed(lineRow(i), fmt.Sprintf("line %d: pointers %s", i+1, common.OrNone(PointerLetters(ps, ""))))
	return nil
}

// parsePointers reads claim letters as typed ("A C", "ac", "A,B"), or *
// for every diagnosis (up to four, external causes left out).
func (w *Work) parsePointers(typed string) ([]int, error) {
	ps := []int{}
	if strings.TrimSpace(typed) == "*" {
		if ps = w.everyDiagnosis(); len(ps) == 0 {
			return nil, common.Refuse("* points at every diagnosis: the claim has none to point at")
		}
		return ps, nil
	}
	for _, f := range fields(typed) {
		for _, r := range strings.ToUpper(f) {
			if r < 'A' || r > 'L' {
				return nil, common.Refuse("pointer %q is not a claim letter A-L", string(r))
			}
			p := int(r-'A') + 1
			if p > len(w.Enc.Diagnoses) {
				return nil, common.Refuse("pointer %c: the claim has no diagnosis %c (%d listed)", r, r, len(w.Enc.Diagnoses))
			}
			if slices.Contains(ps, p) {
				return nil, common.Refuse("pointer %c is listed twice", r)
			}
			ps = append(ps, p)
		}
	}
	if len(ps) > MaxPointers {
		return nil, common.Refuse("a service line points to at most %d diagnoses; %d given", MaxPointers, len(ps))
	}
	return ps, nil
}

// everyDiagnosis is what * points at: every diagnosis, up to four, in
// claim order; external causes (V00-Y99) say how, not why, and are not
// linked.
func (w *Work) everyDiagnosis() []int {
	ps := []int{}
	for i, d := range w.Enc.Diagnoses {
		if len(ps) < MaxPointers && !externalCause(d.Code) {
			ps = append(ps, i+1)
		}
	}
	return ps
}

// externalCause tells a V00-Y99 code: it says how an injury happened, is
// never first-listed and never the reason a line points at.
func externalCause(code string) bool {
	c := strings.ToUpper(code)
	return c != "" && c[0] >= 'V' && c[0] <= 'Y'
}

// AddLineWith appends a procedure line with what the coder typed with its
// code ("99214-25 abc", "J3301x8"): modifiers, units (0 keeps one) and
// pointers ("" takes the default pointers). Nothing is added when any is refused.
func (w *Work) AddLineWith(codes *codesets.Set, c *codesets.Code, mods string, units int, ptrs string) error {
	if err := w.Editable(); err != nil {
		return err
	}
	if c.System == codesets.ICD10CM || c.Modifier {
		return w.addLine(c, nil, 1, nil) // says why not
	}
	ms, err := parseModifiers(codes, mods)
	if err != nil {
		return err
	}
	if units == 0 {
		units = 1
	}
	if units < 1 || units > MaxUnits {
		return common.Refuse("units must be 1 to %d; %d refused", MaxUnits, units)
	}
	var ps []int
	if strings.TrimSpace(ptrs) != "" {
		if ps, err = w.parsePointers(ptrs); err != nil {
			return err
		}
	}
	return w.addLine(c, ms, units, ps)
}

func modSuffix(mods []string) string {
	if len(mods) == 0 {
		return ""
	}
	return "-" + strings.Join(mods, "-")
}

func PointerLetters(ps []int, sep string) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = common.Letter(p)
	}
	return strings.Join(s, sep)
}

// Override accepts an edit on purpose, with the coder's reason.
func (w *Work) Override(e encounter.Edit, reason, coder string, at time.Time) (encounter.Override, error) {
	if err := w.Editable(); err != nil {
		return encounter.Override{}, err
	}
	reason = common.OneLine(reason)
	if len(strings.TrimSpace(reason)) < 3 {
		return encounter.Override{}, common.Refuse("an override needs a reason (at least 3 characters)")
	}
	if e.Severity == encounter.Info {
		return encounter.Override{}, common.Refuse("%s is information only; nothing to override", e.Rule)
	}
	if r, ok := encounter.Rule(e.Rule); !ok || !r.Overridable {
		return encounter.Override{}, common.Refuse("%s cannot be overridden: fix the claim", e.Rule)
	}
	o := e.Accept(reason, coder, at.UTC())
	w.Enc.Overrides = slices.DeleteFunc(w.Enc.Overrides, func(x encounter.Override) bool { return x.Rule == e.Rule && x.Target == e.Target })
	w.Enc.Overrides = append(w.Enc.Overrides, o)
	w.changed(targetRow(e.Target), fmt.Sprintf("override %s on %s: %s", e.Rule, e.Target, reason))
	return o, nil
}

// Unoverride withdraws the override of an edit.
func (w *Work) Unoverride(e encounter.Edit) error {
	if err := w.Editable(); err != nil {
		return err
	}
	n := len(w.Enc.Overrides)
	w.Enc.Overrides = slices.DeleteFunc(w.Enc.Overrides, func(x encounter.Override) bool { return x.Rule == e.Rule && x.Target == e.Target })
	if len(w.Enc.Overrides) == n {
		return common.Refuse("%s on %s is not overridden", e.Rule, e.Target)
	}
	w.changed(targetRow(e.Target), fmt.Sprintf("override withdrawn: %s on %s", e.Rule, e.Target))
	return nil
}

// Validate recomputes the edits; the validator marks the overridden ones.
func (w *Work) Validate(v common.Validator) {
	if w == nil || w.Enc == nil || v == nil {
		if w != nil {
			w.Edits = nil
		}
		return
	}
	w.Edits = v(w.Enc)
}

// Blocking counts the errors not overridden: they stop an export.
func (w *Work) Blocking() int {
	n := 0
	for _, e := range w.Edits {
		if e.Severity == encounter.Error && e.Overridden == nil {
			n++
		}
	}
	return n
}

// Clone deep-copies an encounter so a save can run while the coder
// keeps changing the working copy.
func Clone(e *encounter.Encounter) *encounter.Encounter {
	c := *e
	c.Notes = slices.Clone(e.Notes)
	c.CodeSets = slices.Clone(e.CodeSets)
	c.Overrides = make([]encounter.Override, len(e.Overrides))
	for i, o := range e.Overrides {
		c.Overrides[i] = o
		c.Overrides[i].Codes = slices.Clone(o.Codes)
	}
	if e.Overrides == nil {
		c.Overrides = nil
	}
	c.Diagnoses = make([]encounter.Diagnosis, len(e.Diagnoses))
	for i, d := range e.Diagnoses {
		c.Diagnoses[i] = d
		if d.Evidence != nil {
			ev := *d.Evidence
			c.Diagnoses[i].Evidence = &ev
		}
	}
	c.Lines = make([]encounter.ServiceLine, len(e.Lines))
	for i, l := range e.Lines {
		c.Lines[i] = l
		c.Lines[i].Modifiers = slices.Clone(l.Modifiers)
		c.Lines[i].Pointers = slices.Clone(l.Pointers)
		if c.Lines[i].Pointers == nil {
			c.Lines[i].Pointers = []int{}
		}
	}
	return &c
}
