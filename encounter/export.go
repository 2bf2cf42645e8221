package encounter

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"codebench/codesets"
)

// ErrExportRefused is matched by every *ExportRefusedError.
var ErrExportRefused = errors.New("export refused")

// ExportRefusedError lists the error edits that block an export.
type ExportRefusedError struct {
	ID       string
	Revision int
	Blocking []Edit
}

func (e *ExportRefusedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "export of %s revision %d refused: %d error edit", e.ID, e.Revision, len(e.Blocking))
	if len(e.Blocking) != 1 {
		b.WriteString("s")
	}
	b.WriteString(" to fix or override")
	for _, ed := range e.Blocking {
		fmt.Fprintf(&b, "\n  %s %s: %s", ed.Target, ed.Rule, ed.Message)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrExportRefused) true.
func (e *ExportRefusedError) Is(target error) bool { return target == ErrExportRefused }

// ExportKey is the queue key of an encounter revision, as queue.Message.Key.
func ExportKey(id string, revision int) string { return fmt.Sprintf("%s-r%d", id, revision) }

// Export validates enc against set and builds its claim, which
// encounter/fhir and encounter/x12 render. It
// refuses, with an *ExportRefusedError, while any error edit is not
// overridden; the edits are returned either way. created is the claim's
// creation time: pass the time the revision was saved so that exporting
// it again gives identical bytes.
func Export(enc *Encounter, set *codesets.Set, created time.Time) (*Claim, []Edit, error) {
	return ExportWith(enc, set, created, Options{})
}

// ExportWith is Export validating with options: the payer tables, edit
// sets and same-day encounters the coder's edits pane used.
func ExportWith(enc *Encounter, set *codesets.Set, created time.Time, opts Options) (*Claim, []Edit, error) {
	edits := ValidateWith(enc, set, opts)
	var blocking []Edit
	for _, e := range edits {
		if e.Severity == Error && e.Overridden == nil {
			blocking = append(blocking, e)
		}
	}
	if len(blocking) > 0 {
		return nil, edits, &ExportRefusedError{ID: enc.ID, Revision: enc.Revision, Blocking: blocking}
	}
	doc, err := buildClaim(enc, set, edits, created)
	if err != nil {
		return nil, edits, fmt.Errorf("export of %s revision %d: %w", enc.ID, enc.Revision, err)
	}
	return doc, edits, nil
}
