// Package index is the full-text search over the code sets: a Bleve index
// built once into a cache directory and opened read-only. It knows the code
// sets, not the UI.
package index

import (
	"time"

	"codebench/codesets"
)

// Options narrow a search.
type Options struct {
	// Systems limits the search to these code systems; empty means all.
	Systems []codesets.System
	// BillableOnly drops ICD-10-CM headers.
	BillableOnly bool
	// ValidOn is the date of service the search answers for: ICD-10-CM
	// codes as the release in force that day has them (titles, billable
	// or header), HCPCS codes between their effective and termination
	// dates. Zero answers with the index's code sets (the release in
	// force today) and keeps HCPCS codes of any date.
	ValidOn time.Time
	// ShowInvalid keeps the codes that are not valid on that date (not in
	// its ICD-10-CM release, or outside their HCPCS dates), marked with
	// Hit.NotValid, instead of leaving them out.
	ShowInvalid bool
	// Limit is the number of hits wanted (default 20, at most 1000);
	// Offset skips hits.
	Limit, Offset int
	// Modifiers includes the HCPCS Level II modifiers (RT, 59, XS...),
	// which are left out by default: they go on a service line, not in the
	// list of codes a coder picks from.
	Modifiers bool
}

// Hit is one code found.
type Hit struct {
	Code  *codesets.Code
	Score float64
	// Why is the text that matched when it is not the title: an inclusion
	// term or an index entry ("Acetaminophen - Adverse effect").
	Why string
	// Coverage is the share of the query's words the code has, each word
	// weighted by its rarity (1 for a code typed).
	Coverage float64
	// Family is the ICD-10-CM category of the code ("E11"), empty for other
	// systems. Hits of one family that rank close together are kept
	// together, so a list can show them under one heading.
	Family string
	// NotValid says why the code is not valid on the search's date, with
	// the releases that have it (Options.ShowInvalid); empty when it is.
	NotValid string
}

// Result is a page of hits.
type Result struct {
	Hits  []Hit
	Total uint64 // hits in all, beyond the page
	Took  time.Duration
	// TotalCapped says Total is a lower bound: counting stops at a few
	// thousand codes ("encounter" is in forty thousand titles).
	TotalCapped bool
	// Release is the ICD-10-CM release that answered (the one in force on
	// Options.ValidOn, or the index's); nil when none is loaded for the
	// date.
	Release *codesets.Release
}
