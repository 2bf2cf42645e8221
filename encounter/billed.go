package encounter

import (
	"slices"
	"strconv"
	"strings"
)

// The lines a payer sees together for the PTP and MUE edits: this
// claim's, and those of the other encounters of the same patient and
// rendering provider on the same date of service (Options.SameDay).

type billedLine struct {
	encID string // "" for this claim's lines
	index int    // the line's index in its encounter
	code  string
	mods  []string
	units int
	ptp   int    // the code's index in the PTP table, -1 when in no pair
	label string // name(), computed once
}

func (b billedLine) ours() bool { return b.encID == "" }

func (b billedLine) has(mods ...string) bool {
	for _, m := range mods {
		if slices.Contains(b.mods, m) {
			return true
		}
	}
	return false
}

// name says which line it is: "line 2 (93010)", or "line 1 (93000) of
// "enc-1009"".
func (b billedLine) name() string { return b.label }

func lineLabel(encID string, index int, code string, mods []string) string {
	s := "line " + strconv.Itoa(index+1) + " (" + code + modText(mods) + ")"
	if encID != "" {
		s += " of " + strconv.Quote(encID)
	}
	return s
}

// billed collects the lines once per validation: this claim's usable
// lines, then the same-day encounters' lines with a well-formed code.
func (v *validator) billed() []billedLine {
	if v.billedDone {
		return v.billedLines
	}
	v.billedDone = true
	ptp := v.tables.PTP()
	v.billedLines = make([]billedLine, 0, len(v.lines))
	add := func(encID string, i int, code string, mods []string, units int) {
		b := billedLine{encID: encID, index: i, code: code, mods: mods, units: units, ptp: -1, label: lineLabel(encID, i, code, mods)}
		if idx, ok := ptp.Index(code); ok {
			b.ptp = idx
		}
		v.billedLines = append(v.billedLines, b)
	}
	for i, r := range v.lines {
		if r.state == lineUsable {
			add("", i, r.code, r.mods, v.enc.Lines[i].Units)
		}
	}
	for _, o := range v.sameDay() {
		for i, l := range o.Lines {
			code := strings.ToUpper(strings.TrimSpace(l.Code))
			if len(code) != 5 {
				continue
			}
			mods := make([]string, len(l.Modifiers))
			for k, m := range l.Modifiers {
				mods[k] = strings.ToUpper(strings.TrimSpace(m))
			}
			add(o.ID, i, code, mods, l.Units)
		}
	}
	return v.billedLines
}

// sameDay filters Options.SameDay to what the option promises: other
// encounters of this patient and rendering provider whose date of
// service is this claim's first date.
func (v *validator) sameDay() []*Encounter {
	e := v.enc
	if len(v.opts.SameDay) == 0 || e.Patient.ID == "" || e.Provider.NPI == "" || e.Service.From.IsZero() {
		return nil
	}
	var out []*Encounter
	for _, o := range v.opts.SameDay {
		if o == nil || o.ID == e.ID || o.Patient.ID != e.Patient.ID || o.Provider.NPI != e.Provider.NPI || !o.Service.From.Equal(e.Service.From.Time) {
			continue
		}
		out = append(out, o)
	}
	return out
}

// IsEM tells whether a code is an evaluation and management service
// (CPT 99202-99499).
func IsEM(code string) bool {
	return len(code) == 5 && code >= "99202" && code <= "99499" && strings.Trim(code, "0123456789") == ""
}
