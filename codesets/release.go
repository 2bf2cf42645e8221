package codesets

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Release is one release of a code system with the dates of service it is
// in force for: ICD-10-CM FY2027 for 2026-10-01 to 2027-09-30, an April
// update from 1 April, a HCPCS quarterly file. Releases are data: the
// embedded ones and those imported into the data directory (see
// DataDir) load the same way.
type Release struct {
	System System
	// Name tells the release apart within its system: "FY2027",
	// "FY2026 April 1 update", "2025 October".
	Name string
	// From and To bound the dates of service the release is published
	// for, both included.
	From, To time.Time
	// Source is the file the release was made from, with its sha256.
	Source Source
	// Imported marks a release loaded from the data directory rather than
	// embedded in the program.
	Imported bool

	// An ICD-10-CM release derived from another shares the codes of every
	// category it does not change: lookups of those go to base.
	base  *Release
	dirty map[string]bool  // categories the release holds itself (derived releases)
	codes map[string]*Code // its own codes (every code of a release without base)
	list  []*Code          // every code, in tabular order

	// excludes holds the release's own Excludes1 and Excludes2 notes by
	// code or block id; nil when the FY2023 Tabular's stand for it.
	excludes       map[string][]Note
	excludesSource string
	// retired are codes billable in the release before this one (which
	// may not be loaded) and deleted or made headers here, from the
	// addenda: canonical code -> its title then.
	retired map[string]string
	// added are the billable codes new in this release, from its addenda.
	added map[string]bool

	// hcpcs holds an imported HCPCS file's records.
	hcpcs []HCPCSRecord
}

// Title names the release as a coder knows it: "ICD-10-CM FY2027".
func (r *Release) Title() string { return string(r.System) + " " + r.Name }

// Label is the title with the first date of service it applies to:
// "ICD-10-CM FY2027 (DOS from 2026-10-01)".
func (r *Release) Label() string {
	return fmt.Sprintf("%s (DOS from %s)", r.Title(), r.From.Format(time.DateOnly))
}

// Range is the release's dates of service, "2026-10-01 to 2027-09-30".
func (r *Release) Range() string {
	return r.From.Format(time.DateOnly) + " to " + r.To.Format(time.DateOnly)
}

// Covers tells whether a date of service lies in the release's range.
func (r *Release) Covers(dos time.Time) bool {
	d := day(dos)
	return !d.Before(r.From) && !d.After(r.To)
}

// ExcludesSource names where the release's Excludes notes come from.
func (r *Release) ExcludesSource() string {
	if r.excludesSource != "" {
		return r.excludesSource
	}
	return "ICD-10-CM FY2023 Tabular List"
}

// Codes lists the release's ICD-10-CM codes, headers too, in tabular order.
func (r *Release) Codes() []*Code { return r.list }

// lookup finds a canonical code in the release.
func (r *Release) lookup(code string) (*Code, bool) {
	for x := r; x != nil; x = x.base {
		if x.base == nil || x.dirty[category(code)] {
			c, ok := x.codes[code]
			return c, ok
		}
	}
	return nil, false
}

// Retired finds a code the release's addenda deleted or made a header,
// with its title before.
func (r *Release) Retired(code string) (title string, ok bool) {
	title, ok = r.retired[Canonical(code)]
	return title, ok
}

func category(code string) string {
	if len(code) > 3 {
		return code[:3]
	}
	return code
}

// day drops the time of day: releases and codes are valid on dates.
func day(t time.Time) time.Time { return date(t.Year(), t.Month(), t.Day()) }

// views caches one Set per release, so that On returns the same view for
// every date of a release (callers key caches by it).
type views struct {
	mu sync.Mutex
	m  map[*Release]*Set
}

// Releases lists the loaded releases of ICD-10-CM, oldest first.
func (s *Set) Releases() []*Release { return s.releases }

// HCPCSReleases lists the loaded HCPCS Level II files, oldest first; the
// newest answers for every date (its codes carry their own dates).
func (s *Set) HCPCSReleases() []*Release { return s.hcpcsReleases }

// Release is the ICD-10-CM release this view of the code sets answers
// for, nil when no loaded release covers its date (see On).
func (s *Set) Release() *Release { return s.rel }

// HCPCSRelease is the HCPCS Level II file in use, nil when none is loaded.
func (s *Set) HCPCSRelease() *Release {
	if n := len(s.hcpcsReleases); n > 0 {
		return s.hcpcsReleases[n-1]
	}
	return nil
}

// ReleaseOn finds the ICD-10-CM release in force on a date of service:
// of the loaded releases covering it, the one that took effect last (an
// April update over its October release), or the one loaded last on a
// tie. ok is false when no release is loaded for that date.
func (s *Set) ReleaseOn(dos time.Time) (*Release, bool) {
	var best *Release
	for _, r := range s.releases {
		if r.Covers(dos) && (best == nil || !r.From.Before(best.From)) {
			best = r
		}
	}
	return best, best != nil
}

// On returns the code sets as they stand on a date of service: lookups,
// lists and notes of ICD-10-CM come from the release in force that day
// (no ICD-10-CM code at all when none is loaded for it; see Release).
// HCPCS and CPT are shared by every view. On returns the same view for
// every date of one release.
func (s *Set) On(dos time.Time) *Set {
	r, _ := s.ReleaseOn(dos)
	return s.view(r)
}

// View returns the view of one loaded release (nil: a view without
// ICD-10-CM).
func (s *Set) View(r *Release) *Set { return s.view(r) }

// view returns the view of release r (nil: no ICD-10-CM release).
func (s *Set) view(r *Release) *Set {
	s.views.mu.Lock()
	defer s.views.mu.Unlock()
	if v, ok := s.views.m[r]; ok {
		return v
	}
	v := *s
	v.rel = r
	v.icdList = nil
	if r != nil {
		v.icdList = r.list
	}
	s.views.m[r] = &v
	return &v
}

// newest is the release of the latest dates loaded.
func (s *Set) newest() *Release {
	var best *Release
	for _, r := range s.releases {
		if best == nil || r.To.After(best.To) || r.To.Equal(best.To) && !r.From.Before(best.From) {
			best = r
		}
	}
	return best
}

// Status is what a code is on a date of service.
type Status int

const (
	// NoRelease: no release of the code system is loaded for the date.
	NoRelease Status = iota
	// Unknown: no loaded release has the code.
	Unknown
	// Billable: the code is valid on a claim on the date.
	Billable
	// Header: the code is a category or subcategory on the date.
	Header
	// NotYet: the code is only in releases that take effect later.
	NotYet
	// NoLonger: the code is only in releases that ended earlier.
	NoLonger
)

func (st Status) String() string {
	return [...]string{"no release", "unknown", "billable", "header", "not yet valid", "no longer valid"}[st]
}

// Answer is what a code is on a date of service, and by which release.
type Answer struct {
	Code   string // canonical
	System System
	Date   time.Time
	Status Status
	// Release is the release in force on Date (nil for NoRelease, and
	// for CPT, which has no release).
	Release *Release
	// Found is the code as Release has it (Billable, Header); for
	// NotYet and NoLonger, as Other has it. Nil for Unknown.
	Found *Code
	// Other is, for NotYet, the first later release that has the code;
	// for NoLonger, the last earlier one.
	Other *Release
	// Before is the code in the release before Release when its title
	// was revised in Release (nil otherwise).
	Before *Code
}

// CodeOn answers what a code typed in any spelling is on a date of
// service, in the release in force that day. For ICD-10-CM the releases
// decide; HCPCS codes carry their own effective and termination dates;
// CPT numbers are valid on every date (their descriptors are the user's
// import).
func (s *Set) CodeOn(sys System, typed string, dos time.Time) Answer {
	a := Answer{Code: Canonical(typed), System: sys, Date: day(dos)}
	switch sys {
	case ICD10CM:
		s.icdOn(&a)
	case HCPCS:
		a.Release = s.HCPCSRelease()
		c, ok := s.hcpcs[a.Code]
		if !ok {
			c, ok = s.modifiers[a.Code]
		}
		a.Found = c
		switch {
		case a.Release == nil:
			a.Status = NoRelease
		case !ok:
			a.Status = Unknown
		case !c.Effective.IsZero() && a.Date.Before(c.Effective):
			a.Status = NotYet
		case !c.Terminated.IsZero() && a.Date.After(c.Terminated):
			a.Status = NoLonger
		default:
			a.Status = Billable
		}
	case CPT:
		c, ok := s.LookupIn(CPT, a.Code)
		a.Found, a.Status = c, Unknown
		if ok {
			a.Status = Billable
		}
	}
	return a
}

func (s *Set) icdOn(a *Answer) {
	r, ok := s.ReleaseOn(a.Date)
	a.Release = r
	if !ok {
		a.Status = NoRelease
		// Still say what the code is where it is known, for messages.
		if c, other := s.nearestRelease(a.Code, a.Date); c != nil {
			a.Found, a.Other = c, other
		}
		return
	}
	if c, ok := r.lookup(a.Code); ok {
		a.Found, a.Status = c, Header
		if c.Billable {
			a.Status = Billable
		}
		if prev := s.previous(r); prev != nil {
			if b, ok := prev.lookup(a.Code); ok && b != c && b.Long != c.Long {
				a.Before = b
			}
		}
		return
	}
	a.Status = Unknown
	c, other := s.nearestRelease(a.Code, a.Date)
	if c == nil {
		return
	}
	a.Found, a.Other = c, other
	if other.From.After(a.Date) {
		a.Status = NotYet
	} else {
		a.Status = NoLonger
	}
}

// previous is the release in force the day before r took effect.
func (s *Set) previous(r *Release) *Release {
	p, _ := s.ReleaseOn(r.From.AddDate(0, 0, -1))
	return p
}

// nearestRelease finds the code in the loaded release nearest to a date:
// the first later one, else the last earlier one.
func (s *Set) nearestRelease(code string, dos time.Time) (*Code, *Release) {
	rels := append([]*Release(nil), s.releases...)
	sort.SliceStable(rels, func(i, j int) bool { return rels[i].From.Before(rels[j].From) })
	for _, r := range rels {
		if r.From.After(dos) {
			if c, ok := r.lookup(code); ok {
				return c, r
			}
		}
	}
	for i := len(rels) - 1; i >= 0; i-- {
		r := rels[i]
		if !r.From.After(dos) {
			if c, ok := r.lookup(code); ok {
				return c, r
			}
		}
	}
	return nil, nil
}

// Err is nil when the code may be reported on the date; otherwise it says
// why, naming the release and the way out:
// "I42.0 is a header in ICD-10-CM FY2027 (DOS from 2026-10-01): pick
// I42.00, I42.01 or I42.09".
func (a Answer) Err() error {
	if a.Status == Billable {
		return nil
	}
	return fmt.Errorf("%s", a.message())
}

func (a Answer) display() string { return Dotted(a.System, a.Code) }

func (a Answer) message() string {
	d := a.Date.Format(time.DateOnly)
	switch a.Status {
	case NoRelease:
		return fmt.Sprintf("no %s release loaded for the date of service %s: validity of %s unchecked (import that year's file: codebench data import FILE)", a.System, d, a.display())
	case Unknown:
		if a.Release != nil {
			return fmt.Sprintf("%s is not a code of %s", a.display(), a.Release.Title())
		}
		return fmt.Sprintf("%s is not a %s code", a.display(), a.System)
	case Header:
		return fmt.Sprintf("%s is a header in %s: %s", a.display(), a.Release.Label(), pickText(BillableUnder(a.Found, 4), len(BillableUnder(a.Found, 100))))
	case NotYet:
		if a.System != ICD10CM {
			return fmt.Sprintf("%s is effective from %s, after the date of service %s", a.display(), a.Found.Effective.Format(time.DateOnly), d)
		}
		return fmt.Sprintf("%s is not valid on %s: it is new in %s%s", a.display(), d, a.Other.Label(), a.wayOut())
	case NoLonger:
		if a.System != ICD10CM {
			return fmt.Sprintf("%s was terminated on %s, before the date of service %s", a.display(), a.Found.Terminated.Format(time.DateOnly), d)
		}
		return fmt.Sprintf("%s is not valid on %s: %s has no such code; it was valid through %s (%s)%s",
			a.display(), d, a.Release.Label(), a.Other.To.Format(time.DateOnly), a.Other.Title(), a.wayOut())
	}
	return a.display() + " is billable"
}

// wayOut suggests codes of the date's release for a code it lacks: the
// code's nearest ancestor there, or the billable codes under it.
func (a Answer) wayOut() string {
	if a.Release == nil {
		return ""
	}
	for k := len(a.Code) - 1; k >= 3; k-- {
		c, ok := a.Release.lookup(a.Code[:k])
		if !ok {
			continue
		}
		if c.Billable {
			return fmt.Sprintf("; %s has %s (%s)", a.Release.Title(), c.Display(), c.Title())
		}
		under := BillableUnder(c, 4)
		return fmt.Sprintf("; in %s %s", a.Release.Title(), pickText(under, len(BillableUnder(c, 100))))
	}
	return ""
}

// pickText offers codes: "pick I42.00, I42.01 or I42.09", or for many,
// "pick one of the 12 codes under it, e.g. ...".
func pickText(codes []string, total int) string {
	switch {
	case len(codes) == 0:
		return "it has no billable code under it"
	case total <= len(codes) && len(codes) == 1:
		return "pick " + codes[0]
	case total <= len(codes):
		return "pick " + strings.Join(codes[:len(codes)-1], ", ") + " or " + codes[len(codes)-1]
	}
	more := fmt.Sprint(total)
	if total >= 100 {
		more = "100 or more"
	}
	return fmt.Sprintf("pick one of the %s codes under it, e.g. %s", more, strings.Join(codes, ", "))
}

// BillableUnder lists up to n billable codes under c in tabular order,
// as displayed ("I42.00").
func BillableUnder(c *Code, n int) []string {
	var out []string
	var walk func(*Code)
	walk = func(x *Code) {
		for _, ch := range x.children {
			if len(out) == n {
				return
			}
			if ch.Billable {
				out = append(out, ch.Display())
			}
			walk(ch)
		}
	}
	walk(c)
	return out
}
