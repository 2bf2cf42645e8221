package encounter

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// What a professional claim carries besides the coding: who pays, who
// bills, who referred, where the service was, when the illness or injury
// began, drug detail and resubmission. Added in codebench.encounter/v2.

// PayerType is the kind of payer, which chooses the payer edit sets and
// the 837P claim filing indicator (SBR09).
type PayerType string

const (
	PayerMedicare   PayerType = "medicare"   // Medicare Part B (SBR09 MB)
	PayerMedicaid   PayerType = "medicaid"   // Medicaid (SBR09 MC)
	PayerCommercial PayerType = "commercial" // commercial insurance (SBR09 CI)
	PayerOther      PayerType = "other"      // any other payer (SBR09 ZZ)
)

// PayerTypes lists the payer types in documentation order.
var PayerTypes = []PayerType{PayerMedicare, PayerMedicaid, PayerCommercial, PayerOther}

// Relationship is the patient's relationship to the subscriber, as the
// 837P (2000B SBR02 "18" self, 2000C PAT01) and FHIR
// (subscriber-relationship) name it.
const (
	RelSelf   = "self"
	RelSpouse = "spouse"
	RelChild  = "child"
	RelOther  = "other"
)

// Relationships lists the relationships in documentation order.
var Relationships = []string{RelSelf, RelSpouse, RelChild, RelOther}

// Coverage is the patient's insurance for this claim (CMS-1500 items 1a,
// 4, 6, 7, 11; 837P loops 2000B/2010BA/2010BB).
type Coverage struct {
	// PayerID is the payer's electronic id (2010BB NM109), as the
	// clearinghouse lists it.
	PayerID   string    `json:"payer_id"`
	PayerName string    `json:"payer_name"`
	PayerType PayerType `json:"payer_type"`
	// MemberID is the subscriber's id with the payer (2010BA NM109).
	MemberID string `json:"member_id"`
	// Group is the group or plan number (SBR03), "" for none.
	Group string `json:"group,omitempty"`
	// Relationship of the patient to the subscriber; "" means self.
	Relationship string `json:"relationship,omitempty"`
	// Subscriber is the policy holder when that is not the patient.
	Subscriber Person `json:"subscriber,omitzero"`
}

// IsZero tells whether no coverage is recorded.
func (c Coverage) IsZero() bool {
	return c.PayerID == "" && c.PayerName == "" && c.PayerType == "" && c.MemberID == "" && c.Group == "" &&
		c.Relationship == "" && c.Subscriber.IsZero()
}

// PatientIsSubscriber tells whether the patient holds the policy.
func (c Coverage) PatientIsSubscriber() bool {
	return c.Relationship == "" || c.Relationship == RelSelf
}

// Person is someone other than the patient named on a claim: the
// subscriber of a child's or spouse's coverage.
type Person struct {
	Name        string  `json:"name"`
	DateOfBirth Date    `json:"date_of_birth,omitzero"`
	Sex         string  `json:"sex,omitempty"`
	Address     Address `json:"address,omitzero"`
}

// IsZero tells whether nothing is recorded.
func (p Person) IsZero() bool {
	return p.Name == "" && p.DateOfBirth.IsZero() && p.Sex == "" && p.Address.IsZero()
}

// Address is a US postal address (837P N3/N4).
type Address struct {
	Line1 string `json:"line1"`
	Line2 string `json:"line2,omitempty"`
	City  string `json:"city"`
	State string `json:"state"` // two-letter USPS code
	// Zip is 5 or 9 digits (ZIP+4 without the hyphen); billing provider
	// and service facility addresses need all 9 for the 837P.
	Zip string `json:"zip"`
}

// IsZero tells whether no address is recorded.
func (a Address) IsZero() bool { return a == Address{} }

// String is the address on one line, "1 Main St, Springfield, IL 62701".
func (a Address) String() string {
	if a.IsZero() {
		return ""
	}
	parts := []string{a.Line1}
	if a.Line2 != "" {
		parts = append(parts, a.Line2)
	}
	zip := a.Zip
	if len(zip) == 9 {
		zip = zip[:5] + "-" + zip[5:]
	}
	return strings.Join(append(parts, a.City, a.State+" "+zip), ", ")
}

// ParseAddress reads the one-line form String writes: lines, city, then
// state and ZIP, separated by commas ("1 Main St, Suite 2, Springfield,
// IL 62701-1234").
func ParseAddress(s string) (Address, error) {
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if len(parts) < 3 || len(parts) > 4 {
		return Address{}, fmt.Errorf("%q is not an address \"LINE1[, LINE2], CITY, ST ZIP\"", s)
	}
	stateZip := strings.Fields(parts[len(parts)-1])
	if len(stateZip) != 2 {
		return Address{}, fmt.Errorf("%q does not end in \"ST ZIP\"", s)
	}
	a := Address{Line1: parts[0], City: parts[len(parts)-2], State: strings.ToUpper(stateZip[0]), Zip: strings.ReplaceAll(stateZip[1], "-", "")}
	if len(parts) == 4 {
		a.Line2 = parts[1]
	}
	if msg := a.problem(); msg != "" {
		return Address{}, fmt.Errorf("%q: %s", s, msg)
	}
	return a, nil
}

// problem says what is wrong with an address's form, "" when nothing.
func (a Address) problem() string {
	switch {
	case strings.TrimSpace(a.Line1) == "":
		return "line1 (street) is empty"
	case strings.TrimSpace(a.City) == "":
		return "city is empty"
	case utf8.RuneCountInString(a.Line1) > 55 || utf8.RuneCountInString(a.Line2) > 55:
		return "an address line is longer than 55 characters (837P N301)"
	case utf8.RuneCountInString(a.City) > 30:
		return "the city is longer than 30 characters (837P N401)"
	case !statePattern.MatchString(a.State):
		return fmt.Sprintf("state %q is not a two-letter USPS code", a.State)
	case !zipPattern.MatchString(a.Zip):
		return fmt.Sprintf("ZIP %q is not 5 or 9 digits", a.Zip)
	}
	return ""
}

// Onset dates the illness or injury (CMS-1500 items 10 and 14; 837P 2300
// DTP*431 onset, DTP*439 accident, CLM11 related causes).
type Onset struct {
	// Date is the onset of the current illness or injury.
	Date Date `json:"date,omitzero"`
	// AccidentDate is when the accident that caused an injury happened.
	AccidentDate Date `json:"accident_date,omitzero"`
	// AccidentType: "auto", "employment" or "other"; "" when the
	// condition is not related to an accident.
	AccidentType string `json:"accident_type,omitempty"`
	// AccidentState is where an auto accident happened (CLM11-4).
	AccidentState string `json:"accident_state,omitempty"`
}

// Accident types.
const (
	AccidentAuto       = "auto"
	AccidentEmployment = "employment"
	AccidentOther      = "other"
)

// AccidentTypes lists the accident types in documentation order.
var AccidentTypes = []string{AccidentAuto, AccidentEmployment, AccidentOther}

// IsZero tells whether nothing is recorded.
func (o Onset) IsZero() bool { return o == Onset{} }

// NDC is the National Drug Code of the drug a HCPCS drug line supplies,
// with the quantity dispensed (837P 2410 LIN/CTP; CMS-1500 item 24
// shaded area).
type NDC struct {
	// Code is the 11-digit NDC in 5-4-2 form without hyphens.
	Code string `json:"code"`
	// Unit is the NCPDP unit of measure: F2 (international unit), GR
	// (gram), ME (milligram), ML (millilitre) or UN (unit).
	Unit string `json:"unit"`
	// Quantity in Unit, a decimal number with up to 3 decimals.
	Quantity Decimal `json:"quantity"`
}

// NDCUnits lists the NDC units of measure the 837P accepts (CTP05-1).
var NDCUnits = []string{"F2", "GR", "ME", "ML", "UN"}

// IsZero tells whether no NDC is recorded.
func (n NDC) IsZero() bool { return n == NDC{} }

// Decimal is a non-negative decimal number kept as written ("1.5"), so no
// quantity is changed by floating point; JSON writes it as a number.
type Decimal string

// MarshalJSON writes the number.
func (d Decimal) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("0"), nil
	}
	if !decimalPattern.MatchString(string(d)) {
		return nil, fmt.Errorf("decimal %q is not a number", string(d))
	}
	return []byte(d), nil
}

// UnmarshalJSON reads a JSON number of up to 7 digits and 3 decimals.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if !decimalPattern.Match(b) {
		return fmt.Errorf("quantity %s is not a decimal number with at most 3 decimals", b)
	}
	*d = Decimal(b)
	return nil
}

// CanonicalNDC turns an NDC as printed on a package (10 digits in 4-4-2,
// 5-3-2 or 5-4-1 form, with hyphens) or as billed (11 digits, with or
// without hyphens) into the 11-digit 5-4-2 form claims carry.
func CanonicalNDC(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "-") {
		if len(s) == 11 && allDigits(s) {
			return s, true
		}
		return "", false
	}
	p := strings.Split(s, "-")
	if len(p) != 3 || !allDigits(p[0]) || !allDigits(p[1]) || !allDigits(p[2]) {
		return "", false
	}
	switch [3]int{len(p[0]), len(p[1]), len(p[2])} {
	case [3]int{5, 4, 2}:
	case [3]int{4, 4, 2}:
		p[0] = "0" + p[0]
	case [3]int{5, 3, 2}:
		p[1] = "0" + p[1]
	case [3]int{5, 4, 1}:
		p[2] = "0" + p[2]
	default:
		return "", false
	}
	return p[0] + p[1] + p[2], true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Claim frequency codes (CLM05-3; NUBC frequency codes as the 837P uses
// them for professional claims).
const (
	FrequencyOriginal    = "1"
	FrequencyReplacement = "7"
	FrequencyVoid        = "8"
)

// Resubmission marks a claim that replaces or voids one sent before.
type Resubmission struct {
	// Frequency is "7" (replacement of a prior claim) or "8" (void).
	Frequency string `json:"frequency"`
	// OriginalClaimNumber is the payer's claim control number of the
	// claim replaced or voided (REF*F8).
	OriginalClaimNumber string `json:"original_claim_number"`
	// Predecessor is the export key of codebench's own earlier claim
	// ("enc-1001-r3"); FHIR Claim.related points at it.
	Predecessor string `json:"predecessor,omitempty"`
	Reason      string `json:"reason"`
}

// IsZero tells whether this is an original claim.
func (r Resubmission) IsZero() bool { return r == Resubmission{} }

// Frequency is the claim frequency code: "1" for an original claim, else
// the resubmission's.
func (e *Encounter) Frequency() string {
	if e.Resubmission.Frequency == "" {
		return FrequencyOriginal
	}
	return e.Resubmission.Frequency
}

// TotalCharge is the sum of the line charges in cents.
func (e *Encounter) TotalCharge() int64 {
	var t int64
	for _, l := range e.Lines {
		t += l.Charge
	}
	return t
}
