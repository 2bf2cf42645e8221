// Package encounter is the coded encounter: the visit's documentation, the
// diagnoses and service lines a coder assigns, the edits that check them,
// and the JSON that goes to the billing queue. Stores and queues live in
// subpackages.
package encounter

import "time"

// Encounter is one visit to code.
type Encounter struct {
	ID string `json:"id"`
	// Revision counts saved changes; an export is identified by ID and
	// Revision, so re-exporting an unchanged encounter is idempotent.
	Revision int     `json:"revision"`
	Patient  Patient `json:"patient"`
	// Provider is the rendering provider (837P 2310B).
	Provider Provider `json:"provider"`
	// BillingProvider is who bills and is paid (837P 2010AA: NPI, tax id,
	// address); v2.
	BillingProvider Provider `json:"billing_provider,omitzero"`
	// ReferringProvider is who referred the patient (837P 2310A); v2.
	ReferringProvider Provider `json:"referring_provider,omitzero"`
	// ServiceFacility is where the service was rendered when that is not
	// the billing provider's address (837P 2310C; needed for places of
	// service 21, 22 and 23); v2.
	ServiceFacility Provider `json:"service_facility,omitzero"`
	// Coverage is the payer and the patient's policy; v2.
	Coverage Coverage  `json:"coverage,omitzero"`
	Service  DateRange `json:"date_of_service"`
	// PlaceOfService is the CMS two-digit place-of-service code ("11"
	// office, "23" emergency department, "21" inpatient hospital).
	PlaceOfService string `json:"place_of_service,omitempty"`
	// Onset dates the illness, injury or accident; v2.
	Onset Onset `json:"onset,omitzero"`
	// PriorAuthorization is the payer's prior authorisation number
	// (CMS-1500 item 23; 837P REF*G1); v2.
	PriorAuthorization string `json:"prior_authorization,omitempty"`
	// Resubmission marks a replacement or void of a claim sent before; v2.
	Resubmission Resubmission  `json:"resubmission,omitzero"`
	Notes        []Note        `json:"notes"`
	Diagnoses    []Diagnosis   `json:"diagnoses"`
	Lines        []ServiceLine `json:"service_lines"`
	Overrides    []Override    `json:"overrides,omitempty"`
	CoderID      string        `json:"coder_id,omitempty"`
	// CodeSets names the code-set releases used ("ICD-10-CM FY2026", ...).
	CodeSets []string `json:"code_sets,omitempty"`
}

// Patient is who was seen. DateOfBirth and Sex drive the age and sex edits.
type Patient struct {
	ID          string `json:"id"`
	Name        string `json:"name,omitempty"`
	DateOfBirth Date   `json:"date_of_birth"`
	// Sex as recorded for claims: "F", "M" or "U" (unknown).
	Sex     string  `json:"sex"`
	Address Address `json:"address,omitzero"` // v2
}

// Provider is a provider in one of the claim's roles: rendering, billing,
// referring, or the service facility. The fields a role does not use stay
// empty.
type Provider struct {
	NPI  string `json:"npi"`
	Name string `json:"name,omitempty"`
	// Taxonomy is the NUCC health care provider taxonomy code
	// ("207Q00000X"), billing and rendering only; v2.
	Taxonomy string `json:"taxonomy,omitempty"`
	// TaxID is the billing provider's employer identification number, 9
	// digits (837P 2010AA REF*EI); v2.
	TaxID string `json:"tax_id,omitempty"`
	// Address of the billing provider or service facility; v2.
	Address Address `json:"address,omitzero"`
}

// IsZero tells whether nothing is recorded.
func (p Provider) IsZero() bool { return p == Provider{} }

// DateRange is the date or dates of service; To equals From for one day.
type DateRange struct {
	From Date `json:"from"`
	To   Date `json:"to,omitzero"`
}

// Note is one clinical note of the documentation.
type Note struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

// Diagnosis is one ICD-10-CM code on the claim; order matters: the first is
// the first-listed diagnosis.
type Diagnosis struct {
	Code     string    `json:"code"` // canonical, no dot ("E1165")
	Evidence *Evidence `json:"evidence,omitempty"`
}

// Evidence points at the documentation that supports a code: a byte span
// [Start, End) of a note's text.
type Evidence struct {
	NoteID string `json:"note_id"`
	Start  int    `json:"start"`
	End    int    `json:"end"`
	Text   string `json:"text,omitempty"`
}

// ServiceLine is one CPT or HCPCS procedure line.
type ServiceLine struct {
	Code      string   `json:"code"`
	Modifiers []string `json:"modifiers,omitempty"`
	Units     int      `json:"units"`
	// Pointers are 1-based indexes into Diagnoses (1 = A ... 12 = L).
	Pointers []int `json:"diagnosis_pointers"`
	// Charge in cents; zero when not given.
	Charge int64 `json:"charge_cents,omitempty"`
	// NDC is the drug a HCPCS drug line supplies; v2.
	NDC NDC `json:"ndc,omitzero"`
}

// Override records that a coder accepted an edit on purpose, and why.
type Override struct {
	Rule   string `json:"rule"`
	Target string `json:"target"` // what the edit is about, as Edit.Target
	// Codes are the codes the accepted edit was about (Edit.Codes). When
	// set, the override applies only while the target still holds those
	// codes, so reordering or recoding never carries it to another pair.
	Codes  []string  `json:"codes,omitempty"`
	Reason string    `json:"reason"`
	Coder  string    `json:"coder,omitempty"`
	At     time.Time `json:"at,omitzero"`
}

// Date is a calendar date without a time of day, "2026-03-14" in JSON.
type Date struct{ time.Time }

// NewDate makes a Date.
func NewDate(y int, m time.Month, d int) Date {
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDate reads "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	return Date{t}, err
}

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

// MarshalJSON writes "2006-01-02", or "" for the zero date.
func (d Date) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads "2006-01-02"; "" and null give the zero date.
func (d *Date) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" || s == `""` {
		*d = Date{}
		return nil
	}
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return &DateError{Value: s}
	}
	t, err := time.Parse(time.DateOnly, s[1:len(s)-1])
	if err != nil {
		return &DateError{Value: s}
	}
	*d = Date{t}
	return nil
}

// DateError is a date that is not YYYY-MM-DD.
type DateError struct{ Value string }

func (e *DateError) Error() string { return "date " + e.Value + " is not YYYY-MM-DD" }

// AgeOn is the patient's age in whole years on a date.
func (p Patient) AgeOn(d Date) int {
	b := p.DateOfBirth
	age := d.Year() - b.Year()
	if d.Month() < b.Month() || d.Month() == b.Month() && d.Day() < b.Day() {
		age-- // birthday not reached yet that year
	}
	return age
}

// Severity ranks edits: an Error blocks export until fixed or overridden.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Edit is one finding of Validate.
type Edit struct {
	Severity Severity `json:"severity"`
	// Rule is a stable identifier ("icd.billable", "claim.max-diagnoses").
	Rule string `json:"rule"`
	// Target names what the edit is about: "dx:2" (second diagnosis),
	// "line:1" (first service line), "claim".
	Target  string `json:"target"`
	Message string `json:"message"`
	// Source cites the rule's authority ("ICD-10-CM Guidelines I.A.12.a",
	// "CMS-1500 item 21", "MCE v37 sex edit").
	Source string `json:"source"`
	// Release names the code-set release the edit was checked against,
	// with its dates of service ("ICD-10-CM FY2027, DOS 2026-10-01 to
	// 2027-09-30"); empty for edits that rest on no release.
	Release string `json:"release,omitempty"`
	// Codes are the canonical codes the edit is about, in claim order
	// (both codes of an Excludes1 pair); empty for claim-level edits.
	Codes []string `json:"codes,omitempty"`
	// Version is the version of the data table the edit rests on, for
	// payer edits ("2024-07-01" for the NCCI tables, "v41.1" for the
	// MCE lists); Source names the table with it.
	Version string `json:"version,omitempty"`
	// Overridden is set when an Override with a reason accepts the edit.
	Overridden *Override `json:"overridden,omitempty"`
}

// Accept builds the Override that accepts this edit for a reason. Only
// overridable rules (RuleInfo.Overridable) can be accepted; Validate
// reports an override of any other rule and ignores it.
func (e Edit) Accept(reason, coder string, at time.Time) Override {
	return Override{Rule: e.Rule, Target: e.Target, Codes: append([]string(nil), e.Codes...), Reason: reason, Coder: coder, At: at}
}
