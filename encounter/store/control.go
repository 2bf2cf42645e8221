package store

import "context"

// MaxControlNumber is the largest X12 interchange control number (ISA13
// has 9 digits); allocation wraps to 1 after it.
const MaxControlNumber = 999_999_999

// ControlNumbers is implemented by stores that allocate X12 interchange
// control numbers (ISA13/GS06) for 837P exports.
type ControlNumbers interface {
	// ControlNumber returns the control number of the export key,
	// allocating the next one (1-MaxControlNumber, wrapping) the first
	// time it is asked, so that rendering the same revision again gives
	// the same interchange. Allocation is atomic across processes and
	// nodes sharing the store.
	ControlNumber(ctx context.Context, key string) (int, error)
}
