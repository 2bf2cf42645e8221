package index

import (
	"sort"

	"codebench/codesets"
)

// A header is never listed alone: a coder cannot bill it, and the code to
// bill is somewhere under it. Headers lead to their billable codes in two
// ways: a header the query names exactly brings its codes into the
// candidates (underExactHeaders), and every header on the page is followed
// by its best billable code when none of its codes is listed before it
// (headersLead).

// A header may carry the words a query has ("Hyperthyroidism NOS" is an
// inclusion term of E05.9) while its billable codes do not: Bleve cannot
// find E05.90 by the word. The billable codes under the best exact headers
// join the candidates (defaults first), and rank puts them in place.
const (
	exactHeadersLooked = 20 // hits looked at for exact headers
	maxHeadersExpanded = 3
	maxUnderHeader     = 25
)

func (ix *Index) underExactHeaders(ranked []Hit, exact map[*codesets.Code]bool, have []candidate, opt Options, rv *resolver) []candidate {
	present := make(map[*codesets.Code]bool, len(have))
	for _, c := range have {
		present[c.code] = true
	}
	var out []candidate
	headers := 0
	for i := 0; i < len(ranked) && i < exactHeadersLooked && headers < maxHeadersExpanded; i++ {
		h := ranked[i].Code
		// A code the Alphabetic Index gives without its 7th character
		// ("T39.1X1") brings its 7th-character codes too.
		if !exact[h] && !(i < 10 && !h.Billable && h.NeedsSeventh() && len(h.Code) == 6) {
			continue
		}
		headers++
		under := ix.set.Descendants(h)
		if !exact[h] {
			// Only the initial encounters: the others follow in the list
			// the coder opens.
			initial := under[:0:0]
			for _, c := range under {
				if len(c.Code) == 7 && c.Code[6] == 'A' {
					initial = append(initial, c)
				}
			}
			under = initial
		}
		dflt := make(map[*codesets.Code]bool, len(under))
		for _, c := range under {
			dflt[c] = isDefault(c.Title())
		}
		sort.SliceStable(under, func(a, b int) bool {
			if dflt[under[a]] != dflt[under[b]] {
				return dflt[under[a]]
			}
			return len(under[a].Code) < len(under[b].Code)
		})
		for j, c := range under {
			if j == maxUnderHeader {
				break
			}
			if c, ok := ix.keep(c, opt, rv); ok && !present[c] {
				present[c] = true
				out = append(out, candidate{code: c})
			}
		}
	}
	return out
}

// maxLeadScored bounds the codes under a header scored to find its best.
const maxLeadScored = 60

// headersLead makes sure that every header among the first n hits has one
// of its billable codes before it or right after it: the best-ranked one
// listed further down moves up, or, when none is listed, the best under
// it by the query's words joins the list. A header none of whose codes
// passes the options is dropped.
func (ix *Index) headersLead(p *parsedQuery, ranked []Hit, opt Options, rv *resolver, n int) []Hit {
	out := ranked
	copied := false
	for i := 0; i < len(out) && i < n; i++ {
		h := out[i]
		if h.Code.Billable || h.Code.System != codesets.ICD10CM {
			continue
		}
		if !copied {
			out = append([]Hit(nil), ranked...)
			copied = true
		}
		under := map[*codesets.Code]bool{}
		var descendants []*codesets.Code
		for _, c := range ix.set.Descendants(h.Code) {
			if c, ok := ix.keep(c, opt, rv); ok {
				under[c] = true
				descendants = append(descendants, c)
			}
		}
		if len(descendants) == 0 {
			out = append(out[:i], out[i+1:]...)
			i--
			continue
		}
		led := false
		for j := 0; j < i && !led; j++ {
			led = under[out[j].Code]
		}
		if led || i+1 < n && i+1 < len(out) && under[out[i+1].Code] {
			continue
		}
		// The best-ranked code under it further down moves up; failing
		// that, the best code under it joins the list.
		var child Hit
		found := false
		for j := i + 1; j < len(out); j++ {
			if under[out[j].Code] {
				child, found = out[j], true
				out = append(out[:j], out[j+1:]...)
				break
			}
		}
		if !found {
			if child, found = ix.bestUnder(p, descendants); !found {
				continue
			}
		}
		at := i + 1
		if at >= n {
			// The header ends the page: its code takes its place and the
			// header opens the next page.
			at = i
		}
		out = append(out[:at], append([]Hit{child}, out[at:]...)...)
	}
	return out
}

// bestUnder scores the codes under a header against the query and returns
// the best: defaults and initial encounters are tried first when there
// are many.
func (ix *Index) bestUnder(p *parsedQuery, codes []*codesets.Code) (Hit, bool) {
	if len(codes) > maxLeadScored {
		codes = append([]*codesets.Code(nil), codes...)
		dflt := make(map[*codesets.Code]bool, len(codes))
		for _, c := range codes {
			dflt[c] = isDefault(c.Title()) || len(c.Code) == 7 && c.Code[6] == 'A'
		}
		sort.SliceStable(codes, func(a, b int) bool { return dflt[codes[a]] && !dflt[codes[b]] })
		codes = codes[:maxLeadScored]
	}
	cands := make([]candidate, len(codes))
	for i, c := range codes {
		cands[i] = candidate{code: c}
	}
	scored, _ := ix.score(p, cands)
	if len(scored) == 0 {
		return Hit{}, false
	}
	best := scored[0]
	for _, h := range scored[1:] {
		if h.Score > best.Score {
			best = h
		}
	}
	return best, true
}
