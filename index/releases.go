package index

import (
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"codebench/codesets"
)

// Releases. The index holds one document per code across every loaded
// ICD-10-CM release, with the releases that have it and those where it is
// billable (fields releases and billable_in) and the dates of service it
// exists on (eff, end). A search answers for one date of service: each
// ICD-10-CM hit is resolved to the code as the release in force that day
// has it (its title, whether it is billable there); codes that release
// lacks are left out, or kept and marked with Options.ShowInvalid.

// anyRelease stands in the release fields of codes outside ICD-10-CM,
// which have no release of their own (HCPCS and CPT codes carry dates).
const anyRelease = "any"

// releaseSet is what the index knows of the loaded ICD-10-CM releases:
// which releases have each code, as bit masks over releases.
type releaseSet struct {
	releases []*codesets.Release // by effective date
	in       map[string]uint32   // code -> releases that have it
	billable map[string]uint32   // code -> releases where it is billable
}

func newReleaseSet(set *codesets.Set) *releaseSet {
	rs := &releaseSet{releases: append([]*codesets.Release(nil), set.Releases()...)}
	sort.SliceStable(rs.releases, func(i, j int) bool { return rs.releases[i].From.Before(rs.releases[j].From) })
	if len(rs.releases) > 32 {
		rs.releases = rs.releases[len(rs.releases)-32:]
	}
	n := 0
	for _, r := range rs.releases {
		n = max(n, len(r.Codes()))
	}
	rs.in = make(map[string]uint32, n+n/20)
	rs.billable = make(map[string]uint32, n+n/20)
	for i, r := range rs.releases {
		bit := uint32(1) << i
		for _, c := range r.Codes() {
			rs.in[c.Code] |= bit
			if c.Billable {
				rs.billable[c.Code] |= bit
			}
		}
	}
	return rs
}

// names lists the names of the releases in a mask.
func (rs *releaseSet) names(mask uint32) []string {
	var out []string
	for i, r := range rs.releases {
		if mask&(1<<i) != 0 {
			out = append(out, r.Name)
		}
	}
	return out
}

// span is the dates of service an ICD-10-CM code exists on in the loaded
// releases: open before when the first release has it (it may be older),
// open after when the newest does.
func (rs *releaseSet) span(c *codesets.Code) (eff, end float64) {
	mask := rs.in[c.Code]
	eff, end = openStart, openEnd
	first, last := -1, -1
	for i := range rs.releases {
		if mask&(1<<i) != 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first > 0 {
		eff = yyyymmdd(rs.releases[first].From)
	} else if first == 0 && !c.Effective.IsZero() {
		eff = yyyymmdd(c.Effective)
	}
	if last >= 0 && last < len(rs.releases)-1 {
		end = yyyymmdd(rs.releases[last].To)
	}
	return eff, end
}

// releaseFields are the release fields of a code's document.
func (rs *releaseSet) releaseFields(c *codesets.Code) (releases, billableIn []string) {
	if c.System != codesets.ICD10CM {
		releases = []string{anyRelease}
		if c.Billable {
			billableIn = releases
		}
		return releases, billableIn
	}
	return rs.names(rs.in[c.Code]), rs.names(rs.billable[c.Code])
}

// icdUnion lists every ICD-10-CM code of every loaded release once: as
// the newest release that has it has it, that release's codes first (in
// tabular order), then those only older releases have.
func icdUnion(set *codesets.Set) []*codesets.Code {
	rels := append([]*codesets.Release(nil), set.Releases()...)
	sort.SliceStable(rels, func(i, j int) bool { return rels[i].From.After(rels[j].From) })
	if len(rels) == 0 {
		return nil
	}
	out := make([]*codesets.Code, 0, len(rels[0].Codes())+len(rels[0].Codes())/50)
	seen := make(map[string]bool, cap(out))
	for _, r := range rels {
		for _, c := range r.Codes() {
			if !seen[c.Code] {
				seen[c.Code] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// resolver answers for the date of service of one search.
type resolver struct {
	view  *codesets.Set // the code sets on that date
	date  time.Time     // zero: no date asked (ICD-10-CM as view's release; HCPCS on any date)
	show  bool          // keep codes not valid, marked
	ixSet *codesets.Set
}

func (ix *Index) resolverFor(opt Options) *resolver {
	r := &resolver{view: ix.set, date: opt.ValidOn, show: opt.ShowInvalid, ixSet: ix.set}
	if !opt.ValidOn.IsZero() {
		r.view = ix.set.On(opt.ValidOn)
	}
	return r
}

// release is the ICD-10-CM release the search answers with (nil when none
// is loaded for its date).
func (r *resolver) release() *codesets.Release { return r.view.Release() }

// resolve turns an indexed code into the code as it stands on the
// search's date: for ICD-10-CM, the version of the date's release. keep is
// false when the code is not valid that day and invalid codes are left
// out; otherwise notValid says why it is not, for the code as another
// release has it.
func (r *resolver) resolve(c *codesets.Code) (out *codesets.Code, notValid string, keep bool) {
	switch c.System {
	case codesets.ICD10CM:
		if x, ok := r.view.LookupIn(codesets.ICD10CM, c.Code); ok {
			return x, "", true
		}
		if !r.show {
			return nil, "", false
		}
		return c, notIn(r.ixSet, r.view.Release(), c), true
	default:
		if r.date.IsZero() {
			return c, "", true
		}
		if err := r.view.ValidOn(c, r.date); err != nil {
			if !r.show {
				return nil, "", false
			}
			return c, err.Error(), true
		}
		return c, "", true
	}
}

// notIn says which releases have a code the search's release lacks.
func notIn(set *codesets.Set, rel *codesets.Release, c *codesets.Code) string {
	var in []string
	for _, r := range set.Releases() {
		if x, ok := set.View(r).LookupIn(codesets.ICD10CM, c.Code); ok && x != nil {
			in = append(in, r.Name)
		}
	}
	where := "no ICD-10-CM release loaded for the date"
	if rel != nil {
		where = "not in " + rel.Title()
	}
	return where + "; in " + strings.Join(in, ", ")
}

// mark says, on each hit, why its code is not valid on the search's date
// (hits kept by Options.ShowInvalid).
func (r *resolver) mark(hits []Hit) {
	for i := range hits {
		c := hits[i].Code
		switch {
		case c.System == codesets.ICD10CM:
			if x, ok := r.view.LookupIn(codesets.ICD10CM, c.Code); !ok || x != c {
				hits[i].NotValid = notIn(r.ixSet, r.view.Release(), c)
			}
		case !r.date.IsZero():
			if err := r.view.ValidOn(c, r.date); err != nil {
				hits[i].NotValid = err.Error()
			}
		}
	}
}

// releases is the release table of the index's code sets, built once.
func (ix *Index) releases() *releaseSet {
	ix.releasesOnce.Do(func() { ix.releaseSet = newReleaseSet(ix.set) })
	return ix.releaseSet
}

// releaseTerms matches the documents whose field (releases or
// billable_in) names the release of the search's date, or "any".
func (ix *Index) releaseTerms(field string, opt Options) query.Query {
	names := []string{anyRelease}
	if r := ix.resolverFor(opt).release(); r != nil {
		names = append(names, r.Name)
	}
	var any []query.Query
	for _, n := range names {
		t := query.NewTermQuery(n)
		t.SetField(field)
		t.SetBoost(0)
		any = append(any, t)
	}
	return query.NewDisjunctionQuery(any)
}
