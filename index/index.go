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
	// ValidOn keeps codes valid on this date of service; zero keeps all.
	ValidOn time.Time
	// Limit is the number of hits wanted (default 20); Offset skips hits.
	Limit, Offset int
}

// Hit is one code found.
type Hit struct {
	Code  *codesets.Code
	Score float64
	// Why is the text that matched when it is not the title: an inclusion
	// term or an index entry ("Acetaminophen - Adverse effect").
	Why string
}

// Result is a page of hits.
type Result struct {
	Hits  []Hit
	Total uint64 // hits in all, beyond the page
	Took  time.Duration
}
