package encounter

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"codebench/codesets"
)

// resolve looks up what the families check: the dates of service, each
// diagnosis and each line's code and modifiers. It reports nothing; the
// families report what it found (an unknown code, a header, a code not
// valid on the date).
func (v *validator) resolve() {
	v.resolveDates()
	v.resolveDiagnoses()
	v.resolveLines()
}

// resolveDates keeps the first and, when different, the last date of
// service; none when the dates are missing or reversed (claim.dos). The
// ICD-10-CM release in force on the first date is the claim's release:
// codes, notes and hierarchy come from it (v.on); a last date in another
// release is checked against that one too (rules_dos.go).
func (v *validator) resolveDates() {
	v.on = v.set
	from, to := v.enc.Service.From, v.enc.Service.To
	if from.IsZero() || (!to.IsZero() && to.Before(from.Time)) {
		return
	}
	v.dates = append(v.dates, from.Time)
	if !to.IsZero() && !to.Equal(from.Time) {
		v.dates = append(v.dates, to.Time)
	}
	v.on = v.set.On(from.Time)
}

// dxState is what resolve found a diagnosis code to be.
type dxState int

const (
	dxUsable    dxState = iota // billable in the claim's release
	dxUnknown                  // in no loaded release
	dxHeader                   // a category or subcategory in the claim's release
	dxNotOnDate                // in another release only: not yet, or no longer, valid
	dxUnchecked                // no release is loaded for the first date of service
)

type dxResolved struct {
	code   string          // canonical
	state  dxState         //
	c      *codesets.Code  // the code as the claim's release has it (dxNotOnDate: as the other release has it); nil when unknown
	answer codesets.Answer // what the code is on the first date of service
}

// resolveDiagnoses looks every diagnosis up in the claim's release; v.dx
// holds the usable ones.
func (v *validator) resolveDiagnoses() {
	n := len(v.enc.Diagnoses)
	v.dxs = make([]dxResolved, n)
	v.dx = make([]*codesets.Code, n)
	v.notes = make([][]codesets.Note, n)
	for i, d := range v.enc.Diagnoses {
		r := dxResolved{code: codesets.Canonical(d.Code)}
		r.answer = v.icdOn(r.code, v.firstDate())
		r.c = r.answer.Found
		switch r.answer.Status {
		case codesets.NoRelease:
			r.state = dxUnchecked
		case codesets.Billable:
			r.state = dxUsable
		case codesets.Header:
			r.state = dxHeader
		case codesets.NotYet, codesets.NoLonger:
			r.state = dxNotOnDate
		default:
			r.state = dxUnknown
		}
		if r.state == dxUsable {
			v.dx[i] = r.c
		}
		v.dxs[i] = r
	}
}

// firstDate is the first date of service, or without one the first day
// of the release the validator was given, so that codes are still looked
// up in a release (claim.dos reports the missing date).
func (v *validator) firstDate() time.Time {
	if len(v.dates) > 0 {
		return v.dates[0]
	}
	if r := v.set.Release(); r != nil {
		return r.From
	}
	return time.Time{}
}

// icdOn answers what an ICD-10-CM code is on a date of service.
func (v *validator) icdOn(code string, day time.Time) codesets.Answer {
	return v.set.CodeOn(codesets.ICD10CM, code, day)
}

// lineState is what resolve found a service line's code to be.
type lineState int

const (
	lineUsable   lineState = iota // a HCPCS or CPT code
	lineICD                       // an ICD-10-CM code on a service line
	lineUnknown                   // no CPT or HCPCS code
	lineNotInCPT                  // a CPT number missing from the imported CPT file
)

type lineResolved struct {
	code  string         // upper case, trimmed
	state lineState      //
	c     *codesets.Code // the code (the ICD-10-CM one for lineICD); nil when unknown
	mods  []string       // canonical modifiers, in line order
}

// resolveLines looks every line's code up and makes its modifiers canonical.
func (v *validator) resolveLines() {
	v.lines = make([]lineResolved, len(v.enc.Lines))
	cptLoaded := len(v.set.CPTCodes()) > 0
	for i, l := range v.enc.Lines {
		r := lineResolved{code: strings.ToUpper(strings.TrimSpace(l.Code)), mods: make([]string, 0, len(l.Modifiers))}
		for _, m := range l.Modifiers {
			r.mods = append(r.mods, codesets.Canonical(m))
		}
		c, ok := v.set.LookupIn(codesets.HCPCS, r.code)
		if !ok {
			c, ok = v.set.LookupIn(codesets.CPT, r.code)
		}
		switch {
		case ok && c.DescriptorMissing && cptLoaded:
			// With a licensed CPT file loaded, a number it lacks is no code.
			r.state = lineNotInCPT
		case ok:
			r.c, r.state = c, lineUsable
		default:
			r.state = lineUnknown
			if d, isICD := v.on.LookupIn(codesets.ICD10CM, r.code); isICD {
				r.c, r.state = d, lineICD
			}
		}
		v.lines[i] = r
	}
}

// nearestCache remembers suggestions for unknown codes: finding them scans
// the code list (a few milliseconds), and the same wrong code is validated
// on every keystroke. It is emptied when full, so typed garbage cannot grow
// it without bound.
var nearestCache = struct {
	sync.Mutex
	m map[string][]*codesets.Code
}{m: map[string][]*codesets.Code{}}

const nearestCacheSize = 4096

func cachedNearest(key string, find func() []*codesets.Code) []*codesets.Code {
	nearestCache.Lock()
	near, ok := nearestCache.m[key]
	nearestCache.Unlock()
	if ok {
		return near
	}
	near = find()
	nearestCache.Lock()
	if len(nearestCache.m) >= nearestCacheSize {
		clear(nearestCache.m)
	}
	nearestCache.m[key] = near
	nearestCache.Unlock()
	return near
}

func (v *validator) nearestICD(code string) []*codesets.Code {
	// The longest prefix that is a code leads to its billable codes with
	// a few map lookups; only an unknown category needs the full scan.
	for k := len(code) - 1; k >= 3; k-- {
		c, ok := v.on.LookupIn(codesets.ICD10CM, code[:k])
		if !ok {
			continue
		}
		if len(c.Children()) == 0 {
			return []*codesets.Code{c}
		}
		var near []*codesets.Code
		for _, d := range codesets.BillableUnder(c, 3) {
			if x, ok := v.on.LookupIn(codesets.ICD10CM, d); ok {
				near = append(near, x)
			}
		}
		return near
	}
	return cachedNearest(fmt.Sprintf("%p icd %s", v.on, code), func() []*codesets.Code {
		return v.on.Nearest(icdDisplay(code)+".", 3) // the dot keeps the search in ICD-10-CM
	})
}

func (v *validator) nearestProcedure(code string) []*codesets.Code {
	return cachedNearest(fmt.Sprintf("%p proc %s", v.set, code), func() []*codesets.Code {
		var near []*codesets.Code
		for k := len(code) - 1; k >= 1 && len(near) == 0; k-- {
			for _, list := range [][]*codesets.Code{v.set.HCPCSCodes(), v.set.CPTCodes()} {
				for _, c := range list {
					if len(near) < 3 && strings.HasPrefix(c.Code, code[:k]) && c.Terminated.IsZero() {
						near = append(near, c)
					}
				}
			}
		}
		return near
	})
}

func nearestText(near []*codesets.Code) string {
	if len(near) == 0 {
		return ""
	}
	parts := make([]string, len(near))
	for i, c := range near {
		parts[i] = c.Display() + " " + clip(c.Title(), 40)
	}
	return "; nearest: " + strings.Join(parts, "; ")
}
