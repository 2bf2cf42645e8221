package codesets

import (
	"fmt"
	"strings"
	"time"
)

var timeZero time.Time

// A release derived from another keeps only what it changes. Codes are
// shared by category: a category whose codes, flags and titles are all
// unchanged is looked up in the base release (the same *Code values, so
// the hierarchy and notes cost nothing twice); a category with any change
// gets codes of its own, copied from the base where unchanged, since a
// changed child changes its parents' children and so every pointer of the
// category. FY2027 changes 35 categories of about 1,900.

// delta is what a derived release changes.
type delta struct {
	cats []catChange // in the derived release's order
}

// catChange is one category of a derived release: every code it has, in
// order (none when the release drops the category), and the category it
// follows ("" for the first).
type catChange struct {
	cat, after string
	codes      []entry
}

// entry is one code of a changed category.
type entry struct {
	code, short, long string
	billable          bool
	same              bool // as in the base release (short, long and billable unset)
}

// derive builds release r from its base and the changes d. ownBase says
// the base was loaded with r (the embedded data), so its codes may be
// given their termination dates; an import leaves a shared base as it is.
func derive(r *Release, d *delta, blocks, chapters []*Block, ownBase bool) error {
	base := r.base
	// The base's codes by category, as runs of its list.
	runs := map[string][]*Code{}
	var order []string
	for i := 0; i < len(base.list); {
		cat := category(base.list[i].Code)
		j := i + 1
		for j < len(base.list) && category(base.list[j].Code) == cat {
			j++
		}
		if _, dup := runs[cat]; dup {
			return fmt.Errorf("base release %s lists category %s in two places", base.Title(), cat)
		}
		runs[cat] = base.list[i:j]
		order = append(order, cat)
		i = j
	}
	own := map[string][]*Code{}
	for _, ch := range d.cats {
		if r.dirty[ch.cat] {
			return fmt.Errorf("category %s changed twice", ch.cat)
		}
		r.dirty[ch.cat] = true
		list := make([]*Code, 0, len(ch.codes))
		for _, e := range ch.codes {
			if category(e.code) != ch.cat {
				return fmt.Errorf("code %s listed under category %s", e.code, ch.cat)
			}
			old, had := base.lookup(e.code)
			var c *Code
			switch {
			case e.same && !had:
				return fmt.Errorf("code %s is marked unchanged but %s lacks it", e.code, base.Title())
			case e.same:
				c = old.detached()
			default:
				c = &Code{System: ICD10CM, Code: e.code, Billable: e.billable, Short: e.short, Long: e.long}
				if had {
					c.attachFrom(old)
				}
			}
			if _, dup := r.codes[c.Code]; dup {
				return fmt.Errorf("code %s listed twice", c.Code)
			}
			r.codes[c.Code] = c
			list = append(list, c)
		}
		own[ch.cat] = list
	}
	// The derived order: the base's categories the release keeps as they
	// are, each changed one placed after the category it follows.
	var cats []string
	for _, cat := range order {
		if !r.dirty[cat] {
			cats = append(cats, cat)
		}
	}
	for _, ch := range d.cats {
		at := 0
		if ch.after != "" {
			at = -1
			for i, c := range cats {
				if c == ch.after {
					at = i + 1
					break
				}
			}
			if at < 0 {
				return fmt.Errorf("category %s follows %s, which the release does not have", ch.cat, ch.after)
			}
		}
		cats = append(cats[:at], append([]string{ch.cat}, cats[at:]...)...)
	}
	r.list = make([]*Code, 0, len(base.list)+len(r.codes))
	var prev *Code
	for _, cat := range cats {
		if !r.dirty[cat] {
			r.list = append(r.list, runs[cat]...)
			prev = runs[cat][0]
			continue
		}
		list := own[cat]
		if len(list) == 0 {
			continue // dropped
		}
		linkCodes(list, r.codes, blocks, chapters, prev)
		r.list = append(r.list, list...)
		prev = list[0]
	}
	r.dates(runs, ownBase)
	return nil
}

// dates sets the validity of the codes a derived release changes: a code
// billable in the base and not here ends the day before the release; a
// code billable here and not in the base starts with it.
func (r *Release) dates(baseRuns map[string][]*Code, ownBase bool) {
	end := r.From.AddDate(0, 0, -1)
	for cat := range r.dirty {
		if !ownBase {
			break
		}
		for _, old := range baseRuns[cat] {
			if !old.Billable {
				continue
			}
			if c, ok := r.codes[old.Code]; !ok || !c.Billable {
				old.Terminated = end
			}
		}
	}
	for code, c := range r.codes {
		if !c.Billable {
			c.Effective, c.Terminated = timeZero, timeZero
			continue
		}
		if old, ok := r.base.lookup(code); !ok || !old.Billable {
			c.Effective = r.From
			r.added[code] = true
		}
	}
}

// detached copies a code without its place in the hierarchy, for a
// derived release to link anew.
func (c *Code) detached() *Code {
	x := *c
	x.parent, x.children, x.block = nil, nil, nil
	x.Terminated = timeZero
	return &x
}

// attachFrom gives a changed code what the sources keyed by code attach
// to it: tabular notes, 7th characters, index terms. (The MCE lists are
// payer tables, keyed by code: codesets/payer.)
func (c *Code) attachFrom(old *Code) {
	c.notes, c.seventh, c.terms, c.notesPredate = old.notes, old.seventh, old.terms, old.notesPredate
}

// deltaFrom compares a full order file with a loaded release and returns
// the categories it changes, in the file's order, for derive. ok is false
// when unchanged categories are in another order than the base's, which
// derive cannot express.
func deltaFrom(base *Release, list []OrderEntry) (d *delta, ok bool) {
	runs := map[string][]*Code{}
	var baseOrder []string
	for i := 0; i < len(base.list); {
		cat := category(base.list[i].Code)
		j := i + 1
		for j < len(base.list) && category(base.list[j].Code) == cat {
			j++
		}
		runs[cat] = base.list[i:j]
		baseOrder = append(baseOrder, cat)
		i = j
	}
	d = &delta{}
	var newOrder []string
	newCats := map[string]bool{}
	dirty := map[string]bool{}
	prev := ""
	for i := 0; i < len(list); {
		cat := category(list[i].Code)
		j := i + 1
		for j < len(list) && category(list[j].Code) == cat {
			j++
		}
		entries := list[i:j]
		newCats[cat] = true
		newOrder = append(newOrder, cat)
		if !sameRun(runs[cat], entries) {
			dirty[cat] = true
			ch := catChange{cat: cat, after: prev}
			for _, e := range entries {
				ch.codes = append(ch.codes, entry{code: e.Code, billable: e.Billable, short: e.Short, long: e.Long})
			}
			d.cats = append(d.cats, ch)
		}
		prev = cat
		i = j
	}
	for _, cat := range baseOrder {
		if !newCats[cat] {
			dirty[cat] = true
			d.cats = append(d.cats, catChange{cat: cat})
		}
	}
	var a, b []string
	for _, c := range baseOrder {
		if !dirty[c] {
			a = append(a, c)
		}
	}
	for _, c := range newOrder {
		if !dirty[c] {
			b = append(b, c)
		}
	}
	return d, strings.Join(a, " ") == strings.Join(b, " ")
}

func sameRun(codes []*Code, entries []OrderEntry) bool {
	if len(codes) != len(entries) {
		return false
	}
	for i, c := range codes {
		e := entries[i]
		if c.Code != e.Code || c.Billable != e.Billable || c.Long != e.Long || c.Short != e.Short {
			return false
		}
	}
	return true
}

// Entries lists the release as order-file lines (to hold an addenda file
// to it).
func (r *Release) Entries() []OrderEntry {
	out := make([]OrderEntry, len(r.list))
	for i, c := range r.list {
		out[i] = OrderEntry{Order: i + 1, Code: c.Code, Billable: c.Billable, Short: c.Short, Long: c.Long}
	}
	return out
}
