package encounter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"codebench/codesets"
)

// ExportSchema versions the export document. A change that breaks
// consumers gets a new version.
const ExportSchema = "codebench.claim/v1"

// Code system URIs of the export, as FHIR and the code stewards name them.
const (
	SystemICD10CM        = "http://hl7.org/fhir/sid/icd-10-cm"
	SystemCPT            = "http://www.ama-assn.org/go/cpt"
	SystemHCPCS          = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
	SystemNPI            = "http://hl7.org/fhir/sid/us-npi"
	SystemPlaceOfService = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
	SystemClaimType      = "http://terminology.hl7.org/CodeSystem/claim-type"
	SystemPriority       = "http://terminology.hl7.org/CodeSystem/processpriority"
	// SystemEncounterID and SystemPatientID qualify the ids codebench was
	// given; billing maps them to its own.
	SystemEncounterID = "urn:codebench:encounter"
	SystemPatientID   = "urn:codebench:patient"
)

// ExportDoc is the coded encounter as it goes to billing: a FHIR R4 Claim
// (professional) whose field names and nesting match the FHIR resource one
// to one, plus "schema" and a "codebench" block FHIR has no place for. It
// carries what codebench knows; insurer and coverage are billing's to add.
type ExportDoc struct {
	Schema       string            `json:"schema"`
	ResourceType string            `json:"resourceType"` // "Claim"
	ID           string            `json:"id"`           // the queue key, "<encounter>-r<revision>"
	Contained    []ClaimPatient    `json:"contained"`    // the patient, referenced as "#patient"
	Identifier   []ClaimIdentifier `json:"identifier"`
	Status       string            `json:"status"` // "active"
	Type         ClaimConcept      `json:"type"`   // professional
	Use          string            `json:"use"`    // "claim"
	Patient      ClaimReference    `json:"patient"`
	// BillablePeriod is the date or dates of service.
	BillablePeriod ClaimPeriod `json:"billablePeriod"`
	// Created is when the exported revision was saved (UTC), so the same
	// revision always exports to the same bytes.
	Created   string           `json:"created"`
	Provider  ClaimReference   `json:"provider"` // rendering provider by NPI
	Priority  ClaimConcept     `json:"priority"`
	Diagnosis []ClaimDiagnosis `json:"diagnosis"`
	Item      []ClaimItem      `json:"item"`
	Total     *ClaimMoney      `json:"total,omitempty"`
	Codebench ClaimExtension   `json:"codebench"`
}

// ClaimCoding is a FHIR Coding.
type ClaimCoding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

// ClaimConcept is a FHIR CodeableConcept.
type ClaimConcept struct {
	Coding []ClaimCoding `json:"coding"`
}

// ClaimIdentifier is a FHIR Identifier.
type ClaimIdentifier struct {
	System string `json:"system"`
	Value  string `json:"value"`
}

// ClaimReference is a FHIR Reference, local ("#patient") or logical (by
// identifier).
type ClaimReference struct {
	Reference  string           `json:"reference,omitempty"`
	Identifier *ClaimIdentifier `json:"identifier,omitempty"`
	Display    string           `json:"display,omitempty"`
}

// ClaimPeriod is a FHIR Period of dates.
type ClaimPeriod struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// ClaimPatient is the contained FHIR Patient the claim points at.
type ClaimPatient struct {
	ResourceType string            `json:"resourceType"` // "Patient"
	ID           string            `json:"id"`           // "patient"
	Identifier   []ClaimIdentifier `json:"identifier"`
	Name         []ClaimName       `json:"name,omitempty"`
	Gender       string            `json:"gender"` // female, male, unknown
	BirthDate    string            `json:"birthDate,omitempty"`
}

// ClaimName is a FHIR HumanName given as one text.
type ClaimName struct {
	Text string `json:"text"`
}

// ClaimDiagnosis is Claim.diagnosis: item 21 of the CMS-1500, A = 1.
type ClaimDiagnosis struct {
	Sequence                 int          `json:"sequence"`
	DiagnosisCodeableConcept ClaimConcept `json:"diagnosisCodeableConcept"`
}

// ClaimItem is Claim.item: one service line (CMS-1500 item 24).
type ClaimItem struct {
	Sequence int `json:"sequence"`
	// DiagnosisSequence are the line's diagnosis pointers (24E).
	DiagnosisSequence []int          `json:"diagnosisSequence"`
	ProductOrService  ClaimConcept   `json:"productOrService"`
	Modifier          []ClaimConcept `json:"modifier,omitempty"`
	// ServicedDate or ServicedPeriod: the line's date(s) of service.
	ServicedDate            string        `json:"servicedDate,omitempty"`
	ServicedPeriod          *ClaimPeriod  `json:"servicedPeriod,omitempty"`
	LocationCodeableConcept *ClaimConcept `json:"locationCodeableConcept,omitempty"` // place of service (24B)
	Quantity                ClaimQuantity `json:"quantity"`                          // units (24G)
	// UnitPrice is given when the charge divides evenly by the units.
	UnitPrice *ClaimMoney `json:"unitPrice,omitempty"`
	Net       *ClaimMoney `json:"net,omitempty"` // the line charge (24F)
}

// ClaimQuantity is a FHIR SimpleQuantity of units.
type ClaimQuantity struct {
	Value int `json:"value"`
}

// ClaimMoney is a FHIR Money in US dollars.
type ClaimMoney struct {
	Value    Cents  `json:"value"`
	Currency string `json:"currency"`
}

// Cents is an amount in cents written as a decimal number of dollars
// (12500 -> 125.00), exactly, without floating point.
type Cents int64

// MarshalJSON writes dollars with two decimals.
func (c Cents) MarshalJSON() ([]byte, error) {
	sign, n := "", int64(c)
	if n < 0 {
		sign, n = "-", -n
	}
	return []byte(fmt.Sprintf("%s%d.%02d", sign, n/100, n%100)), nil
}

// UnmarshalJSON reads a decimal number of dollars with at most two
// decimals.
func (c *Cents) UnmarshalJSON(b []byte) error {
	s := string(b)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return fmt.Errorf("amount %s has more than two decimals", b)
	}
	frac += strings.Repeat("0", 2-len(frac))
	d, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || whole == "" {
		return fmt.Errorf("amount %s is not a decimal number", b)
	}
	n := d*100 + f
	if neg {
		n = -n
	}
	*c = Cents(n)
	return nil
}

// ClaimExtension is what codebench adds to the Claim.
type ClaimExtension struct {
	EncounterID string `json:"encounterId"`
	Revision    int    `json:"revision"`
	Coder       string `json:"coder,omitempty"`
	// CodeSets are the code-set releases the claim was validated against.
	CodeSets []string `json:"codeSets"`
	// Overrides are the edits the coder accepted, each with its reason.
	Overrides []ClaimOverride `json:"overrides"`
}

// ClaimOverride is one accepted edit.
type ClaimOverride struct {
	Rule    string   `json:"rule"`
	Target  string   `json:"target"`
	Codes   []string `json:"codes,omitempty"`
	Message string   `json:"message"`
	Source  string   `json:"source"`
	Reason  string   `json:"reason"`
	Coder   string   `json:"coder,omitempty"`
	At      string   `json:"at,omitempty"`
}

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

// Export validates enc against set and builds its claim document. It
// refuses, with an *ExportRefusedError, while any error edit is not
// overridden; the edits are returned either way. created is the claim's
// creation time: pass the time the revision was saved so that exporting
// it again gives identical bytes.
func Export(enc *Encounter, set *codesets.Set, created time.Time) (*ExportDoc, []Edit, error) {
	edits := Validate(enc, set)
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

func buildClaim(enc *Encounter, set *codesets.Set, edits []Edit, created time.Time) (*ExportDoc, error) {
	from, to := enc.Service.From, enc.Service.To
	if to.IsZero() {
		to = from
	}
	doc := &ExportDoc{
		Schema:       ExportSchema,
		ResourceType: "Claim",
		ID:           ExportKey(enc.ID, enc.Revision),
		Contained:    []ClaimPatient{claimPatient(enc.Patient)},
		Identifier:   []ClaimIdentifier{{System: SystemEncounterID, Value: enc.ID}},
		Status:       "active",
		Type:         ClaimConcept{[]ClaimCoding{{System: SystemClaimType, Code: "professional", Display: "Professional"}}},
		Use:          "claim",
		Patient:      ClaimReference{Reference: "#patient", Display: enc.Patient.Name},
		BillablePeriod: ClaimPeriod{
			Start: from.String(),
			End:   to.String(),
		},
		Created: created.UTC().Format(time.RFC3339),
		Provider: ClaimReference{
			Identifier: &ClaimIdentifier{System: SystemNPI, Value: enc.Provider.NPI},
			Display:    enc.Provider.Name,
		},
		Priority:  ClaimConcept{[]ClaimCoding{{System: SystemPriority, Code: "normal", Display: "Normal"}}},
		Diagnosis: []ClaimDiagnosis{},
		Item:      []ClaimItem{},
		Codebench: ClaimExtension{
			EncounterID: enc.ID,
			Revision:    enc.Revision,
			Coder:       enc.CoderID,
			CodeSets:    CodeSetsUsed(enc, set),
			Overrides:   claimOverrides(edits),
		},
	}

	on := set.On(from.Time) // the claim's release
	for i, d := range enc.Diagnoses {
		c, ok := on.LookupIn(codesets.ICD10CM, d.Code)
		if !ok {
			return nil, fmt.Errorf("diagnosis %d: %q is not an ICD-10-CM code", i+1, d.Code)
		}
		doc.Diagnosis = append(doc.Diagnosis, ClaimDiagnosis{
			Sequence:                 i + 1,
			DiagnosisCodeableConcept: ClaimConcept{[]ClaimCoding{{System: SystemICD10CM, Code: c.Display(), Display: c.Title()}}},
		})
	}

	var location *ClaimConcept
	if enc.PlaceOfService != "" {
		name, _ := PlaceOfService(enc.PlaceOfService)
		location = &ClaimConcept{[]ClaimCoding{{System: SystemPlaceOfService, Code: enc.PlaceOfService, Display: name}}}
	}
	var total int64
	charged := false
	for i, l := range enc.Lines {
		product, err := lineCoding(set, l.Code)
		if err != nil {
			return nil, fmt.Errorf("service line %d: %w", i+1, err)
		}
		for _, p := range l.Pointers {
			if p < 1 || p > len(enc.Diagnoses) {
				return nil, fmt.Errorf("service line %d: diagnosis pointer %d names no diagnosis", i+1, p)
			}
		}
		item := ClaimItem{
			Sequence:                i + 1,
			DiagnosisSequence:       append([]int{}, l.Pointers...),
			ProductOrService:        ClaimConcept{[]ClaimCoding{product}},
			LocationCodeableConcept: location,
			Quantity:                ClaimQuantity{Value: l.Units},
		}
		for _, m := range l.Modifiers {
			item.Modifier = append(item.Modifier, ClaimConcept{[]ClaimCoding{modifierCoding(set, m)}})
		}
		if from.Equal(to.Time) {
			item.ServicedDate = from.String()
		} else {
			item.ServicedPeriod = &ClaimPeriod{Start: from.String(), End: to.String()}
		}
		if l.Charge != 0 {
			charged = true
			total += l.Charge
			item.Net = &ClaimMoney{Value: Cents(l.Charge), Currency: "USD"}
			if l.Units > 0 && l.Charge%int64(l.Units) == 0 {
				item.UnitPrice = &ClaimMoney{Value: Cents(l.Charge / int64(l.Units)), Currency: "USD"}
			}
		}
		doc.Item = append(doc.Item, item)
	}
	if charged {
		doc.Total = &ClaimMoney{Value: Cents(total), Currency: "USD"}
	}
	return doc, nil
}

func claimPatient(p Patient) ClaimPatient {
	cp := ClaimPatient{
		ResourceType: "Patient",
		ID:           "patient",
		Identifier:   []ClaimIdentifier{{System: SystemPatientID, Value: p.ID}},
		BirthDate:    p.DateOfBirth.String(),
	}
	if p.Name != "" {
		cp.Name = []ClaimName{{Text: p.Name}}
	}
	switch p.Sex {
	case "F":
		cp.Gender = "female"
	case "M":
		cp.Gender = "male"
	default:
		cp.Gender = "unknown"
	}
	return cp
}

// lineCoding codes a service line as CPT or HCPCS Level II. CPT codes
// carry a display only from the user's licensed descriptor file.
func lineCoding(set *codesets.Set, code string) (ClaimCoding, error) {
	c, ok := set.LookupIn(codesets.HCPCS, code)
	if !ok {
		c, ok = set.LookupIn(codesets.CPT, code)
	}
	if !ok {
		return ClaimCoding{}, fmt.Errorf("%q is not a CPT or HCPCS code", code)
	}
	coding := ClaimCoding{System: SystemHCPCS, Code: c.Code, Display: c.Title()}
	if c.System == codesets.CPT {
		coding.System = SystemCPT
		if c.DescriptorMissing {
			coding.Display = ""
		}
	}
	return coding, nil
}

// modifierCoding codes a modifier: two digits are CPT modifiers (known by
// number only), the rest HCPCS Level II.
func modifierCoding(set *codesets.Set, m string) ClaimCoding {
	m = strings.ToUpper(strings.TrimSpace(m))
	if len(m) == 2 && m[0] >= '0' && m[0] <= '9' && m[1] >= '0' && m[1] <= '9' {
		return ClaimCoding{System: SystemCPT, Code: m}
	}
	coding := ClaimCoding{System: SystemHCPCS, Code: m}
	if c, ok := set.Modifier(m); ok {
		coding.Display = c.Title()
	}
	return coding
}

func claimOverrides(edits []Edit) []ClaimOverride {
	out := []ClaimOverride{}
	for _, e := range edits {
		o := e.Overridden
		if o == nil {
			continue
		}
		co := ClaimOverride{Rule: e.Rule, Target: e.Target, Codes: e.Codes, Message: e.Message, Source: e.Source,
			Reason: o.Reason, Coder: o.Coder}
		if !o.At.IsZero() {
			co.At = o.At.UTC().Format(time.RFC3339)
		}
		out = append(out, co)
	}
	return out
}

// JSON is the document as exported: indented, HTML characters unescaped,
// ending in a newline. Equal documents give equal bytes.
func (d *ExportDoc) JSON() ([]byte, error) {
	var buf bytes.Buffer
	je := json.NewEncoder(&buf)
	je.SetIndent("", "  ")
	je.SetEscapeHTML(false)
	if err := je.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
