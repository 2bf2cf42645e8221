package exporter

import (
	"context"
	"fmt"
	"strings"
	"time"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/encounter/fhir"
	"codebench/encounter/queue"
	"codebench/encounter/store"
	"codebench/encounter/x12"
)

// Format is the kind of document an exporter puts on its queue.
type Format string

const (
	// FormatFHIR: a FHIR R4 Bundle (Claim, Patient, Coverage, ...), JSON.
	FormatFHIR Format = "fhir"
	// Format837P: an X12 837P 005010X222A1 interchange.
	Format837P Format = "837p"
)

// ParseFormat reads a --format value.
func ParseFormat(s string) (Format, error) {
	switch Format(strings.ToLower(strings.TrimSpace(s))) {
	case "", FormatFHIR:
		return FormatFHIR, nil
	case Format837P, "x12":
		return Format837P, nil
	}
	return "", fmt.Errorf("format %q: want fhir or 837p", s)
}

// ContentType is the queue content type of the format's documents.
func (f Format) ContentType() string {
	if f == Format837P {
		return queue.ContentX12
	}
	return queue.ContentFHIR
}

// validateFHIR is fhir.Validate; tests replace it to reach the refusal.
var validateFHIR = fhir.Validate

// RuleDocument is the rule of the edit that refuses a claim whose
// rendered document does not pass its format's checks (FHIR R4
// validation, the 837P structure check). It is not one of Validate's
// rules: the edits passed, and the document still would not be accepted.
const RuleDocument = "export.document"

// RenderFHIR builds the FHIR R4 Bundle of enc saved at revisedAt and
// validates it with Google's FHIR library; a claim with blocking edits,
// or whose Bundle would not validate, is refused with an
// *encounter.ExportRefusedError saying why.
func RenderFHIR(enc *encounter.Encounter, set *codesets.Set, revisedAt time.Time) ([]byte, []encounter.Edit, error) {
	return renderFHIR(enc, set, revisedAt, encounter.Options{})
}

func renderFHIR(enc *encounter.Encounter, set *codesets.Set, revisedAt time.Time, opts encounter.Options) ([]byte, []encounter.Edit, error) {
	c, edits, err := encounter.ExportWith(enc, set, revisedAt, opts)
	if err != nil {
		return nil, edits, err
	}
	data, err := fhir.JSON(c)
	if err != nil {
		return nil, edits, fmt.Errorf("export %s: %w", c.Key, err)
	}
	if err := validateFHIR(data); err != nil {
		return nil, edits, refuseDocument(enc, edits, "the FHIR R4 Bundle does not validate: "+err.Error(),
			"HL7 FHIR R4 (4.0.1), validated with github.com/google/fhir/go v0.7.4")
	}
	return data, edits, nil
}

// refuseDocument is the refusal of a claim whose document failed its
// checks, as an edit among the claim's others.
func refuseDocument(enc *encounter.Encounter, edits []encounter.Edit, msg, source string) error {
	ed := encounter.Edit{Severity: encounter.Error, Rule: RuleDocument, Target: "claim", Message: msg, Source: source}
	return &encounter.ExportRefusedError{ID: enc.ID, Revision: enc.Revision, Blocking: []encounter.Edit{ed}}
}

// Document builds the queue document of the encounter's saved revision
// exactly as Export would publish it (the workbench shows it before the
// coder confirms).
func (x *Exporter) Document(ctx context.Context, id string) ([]byte, error) {
	enc, sum, err := x.Store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	data, _, _, err := x.document(ctx, enc, sum)
	return data, err
}

// document renders the saved revision in x.Format.
func (x *Exporter) document(ctx context.Context, enc *encounter.Encounter, sum store.Summary) ([]byte, string, []encounter.Edit, error) {
	var opts encounter.Options
	if x.Checks != nil {
		var err error
		if opts, err = x.Checks(ctx, enc); err != nil {
			return nil, "", nil, fmt.Errorf("export %s: %w", enc.ID, err)
		}
	}
	switch x.Format {
	case "", FormatFHIR:
		data, edits, err := renderFHIR(enc, x.Codes, sum.RevisedAt, opts)
		return data, queue.ContentFHIR, edits, err
	case Format837P:
		data, edits, err := x.render837P(ctx, enc, sum, opts)
		return data, queue.ContentX12, edits, err
	}
	return nil, "", nil, fmt.Errorf("export %s: format %q is not supported", enc.ID, x.Format)
}

// render837P builds the 837P of the saved revision. Its interchange
// control number is allocated in the store once per export key, so a
// retry or re-render of the same revision gives the same bytes; the
// interchange passes the structure check before it is queued.
func (x *Exporter) render837P(ctx context.Context, enc *encounter.Encounter, sum store.Summary, opts encounter.Options) ([]byte, []encounter.Edit, error) {
	if x.Envelope == nil {
		return nil, nil, fmt.Errorf("export %s as 837P: no 837P envelope configured (submitter, receiver, ISA ids)", enc.ID)
	}
	if err := x.Envelope.Check(); err != nil {
		return nil, nil, fmt.Errorf("export %s as 837P: the 837P envelope configuration: %w", enc.ID, err)
	}
	cn, ok := x.Store.(store.ControlNumbers)
	if !ok {
		return nil, nil, fmt.Errorf("export %s as 837P: the work store allocates no interchange control numbers", enc.ID)
	}
	c, edits, err := encounter.ExportWith(enc, x.Codes, sum.RevisedAt, opts)
	if err != nil {
		return nil, edits, err
	}
	control, err := cn.ControlNumber(ctx, c.Key)
	if err != nil {
		return nil, edits, fmt.Errorf("export %s: %w", c.Key, err)
	}
	data, err := x12.Render(c, *x.Envelope, control)
	if err != nil {
		return nil, edits, refuseDocument(enc, edits, "the 837P cannot be written: "+err.Error(), "ASC X12N 837P 005010X222A1")
	}
	if err := x12.Check(data); err != nil {
		return nil, edits, refuseDocument(enc, edits, "the 837P fails its structure check: "+err.Error(), "ASC X12N 837P 005010X222A1")
	}
	return data, edits, nil
}
