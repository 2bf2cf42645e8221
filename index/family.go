package index

import (
	"slices"
	"sort"
	"strings"

	"codebench/codesets"
)

// Code families are listed from memory rather than from Bleve: a prefix is
// a binary search in the sorted codes, exact and in microseconds.

func (ix *Index) sortedCodes() []*codesets.Code {
	ix.familiesOnce.Do(func() {
		all := indexedCodes(ix.set)
		rank := map[codesets.System]int{codesets.ICD10CM: 0, codesets.HCPCS: 1, codesets.CPT: 2}
		slices.SortFunc(all, func(a, b *codesets.Code) int {
			if c := strings.Compare(a.Code, b.Code); c != 0 {
				return c
			}
			return rank[a.System] - rank[b.System]
		})
		ix.families = all
	})
	return ix.families
}

// family lists the indexed codes whose canonical code starts with prefix,
// in code order.
func (ix *Index) family(prefix string) []*codesets.Code {
	all := ix.sortedCodes()
	lo := sort.Search(len(all), func(i int) bool { return all[i].Code >= prefix })
	hi := lo
	for hi < len(all) && strings.HasPrefix(all[hi].Code, prefix) {
		hi++
	}
	return all[lo:hi]
}

// hasFamily tells whether any indexed code starts with prefix.
func (ix *Index) hasFamily(prefix string) bool {
	all := ix.sortedCodes()
	i := sort.Search(len(all), func(i int) bool { return all[i].Code >= prefix })
	return i < len(all) && strings.HasPrefix(all[i].Code, prefix)
}

// codeShaped tells whether a canonical spelling could be a code or the
// start of one: the start of an ICD-10-CM code of two characters or more
// ("E1", "QA", "QA17", "K6A") or a HCPCS code (a letter and digits), or
// three digits (CPT). Words such as "type" or "a1c" pass only if codes
// start with them, which the caller checks.
func codeShaped(c string) bool {
	if len(c) < 2 || len(c) > 7 {
		return false
	}
	if codesets.ICD10CMPrefixShaped(c) {
		return true
	}
	return len(c) >= 3 && isDigit(c[0]) && isDigit(c[1]) && isDigit(c[2]) && len(c) <= 5
}

func isLetter(b byte) bool { return b >= 'A' && b <= 'Z' }
func isDigit(b byte) bool  { return b >= '0' && b <= '9' }

// dottedCode tells whether a dotted spelling that is no code prefix reads
// as a mistyped ICD-10-CM code ("E11.99", "QA1.9") rather than as words
// ("e.g.").
func dottedCode(c string) bool {
	return codesets.ICD10CMShaped(c) || len(c) == 2 && isLetter(c[0]) && isDigit(c[1])
}
