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
	// ValidOn keeps codes whose effective and termination dates cover this
	// date of service, with the rule of codesets.Set.ValidOn (headers stay
	// unless BillableOnly is set); zero keeps all.
	ValidOn time.Time
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
}

// Result is a page of hits.
type Result struct {
	Hits  []Hit
	Total uint64 // hits in all, beyond the page
	Took  time.Duration
	// TotalCapped says Total is a lower bound: counting stops at a few
	// thousand codes ("encounter" is in forty thousand titles).
	TotalCapped bool
}
