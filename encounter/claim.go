package encounter

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"codebench/codesets"
)

// Claim is the coded encounter as billing receives it, built once by
// Export and rendered as a FHIR R4 Bundle (encounter/fhir) or an X12 837P
// (encounter/x12). It holds resolved, checked values: codes with their
// systems and titles, pointers that name diagnoses, names split for the
// 837P, totals.
type Claim struct {
	// Key is the export's queue key, "<encounter>-r<revision>".
	Key         string
	EncounterID string
	Revision    int
	// Created is when the revision was saved (UTC): the claim's creation
	// time, so one revision always renders to the same bytes.
	Created time.Time
	// Frequency is "1" original, "7" replacement, "8" void.
	Frequency    string
	Resubmission Resubmission

	Patient      Patient
	PatientName  PersonName
	Coverage     Coverage
	Subscriber   PersonName // the subscriber's name when not the patient
	Billing      Provider
	Rendering    Provider
	RenderingNm  PersonName
	Referring    Provider
	ReferringNm  PersonName
	Facility     Provider
	From, To     Date
	POS          string
	POSName      string
	Onset        Onset
	PriorAuth    string
	Diagnoses    []ClaimDiagnosis
	Lines        []ClaimLine
	TotalCharge  int64 // cents
	Coder        string
	CodeSets     []string
	Overrides    []ClaimOverride
	EvidenceList []ClaimEvidence
}

// ClaimDiagnosis is one ICD-10-CM code, in claim order (sequence = index+1).
type ClaimDiagnosis struct {
	Code    string // canonical, no dot ("E1165")
	Display string // dotted ("E11.65")
	Title   string
}

// ClaimLine is one service line.
type ClaimLine struct {
	Code      string
	System    codesets.System // CPT or HCPCS
	Title     string          // "" for CPT without a descriptor file
	Modifiers []ClaimModifier
	Units     int
	Pointers  []int // 1-based diagnosis sequences, each naming a diagnosis
	Charge    int64 // cents
	NDC       NDC
}

// ClaimModifier is a modifier with its code system (CPT for two digits,
// HCPCS Level II otherwise).
type ClaimModifier struct {
	Code   string
	System codesets.System
	Title  string
}

// ClaimOverride is an edit the coder accepted, with the reason.
type ClaimOverride struct {
	Rule    string
	Target  string
	Codes   []string
	Message string
	Source  string
	Reason  string
	Coder   string
	At      time.Time
}

// ClaimEvidence is the documentation span behind a diagnosis.
type ClaimEvidence struct {
	Diagnosis int // 1-based sequence
	Evidence
}

// PersonName is a name split as the 837P NM1 segment and FHIR HumanName
// need it.
type PersonName struct {
	Text   string
	Family string
	Given  []string // first, then middle names
	Suffix []string // credentials and generational suffixes ("MD", "Jr")
}

// credentials recognised after a comma ("Helen Castellano, DO").
var credentials = map[string]bool{
	"MD": true, "DO": true, "NP": true, "PA": true, "PA-C": true, "RN": true, "DPM": true, "DC": true, "DDS": true, "DMD": true,
	"PHD": true, "FNP": true, "FNP-C": true, "CNM": true, "CRNA": true, "OD": true, "PT": true, "DPT": true, "LCSW": true, "PSYD": true,
	"JR": true, "SR": true, "II": true, "III": true, "IV": true, "MBBS": true, "APRN": true, "CNP": true, "DNP": true,
}

// SplitName reads a person's name written "First Middle Last[, MD]" or
// "Last, First Middle[, MD]".
func SplitName(s string) PersonName {
	n := PersonName{Text: strings.TrimSpace(s)}
	parts := strings.Split(n.Text, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	for len(parts) > 1 && credentials[strings.ToUpper(strings.TrimSuffix(parts[len(parts)-1], "."))] {
		n.Suffix = append([]string{parts[len(parts)-1]}, n.Suffix...)
		parts = parts[:len(parts)-1]
	}
	if len(parts) >= 2 && parts[0] != "" {
		n.Family = parts[0]
		n.Given = strings.Fields(strings.Join(parts[1:], " "))
		return n
	}
	words := strings.Fields(parts[0])
	if len(words) == 0 {
		return n
	}
	if last := strings.ToUpper(strings.TrimSuffix(words[len(words)-1], ".")); len(words) > 2 && (last == "JR" || last == "SR" || last == "II" || last == "III" || last == "IV") {
		n.Suffix = append([]string{words[len(words)-1]}, n.Suffix...)
		words = words[:len(words)-1]
	}
	n.Family = words[len(words)-1]
	n.Given = words[:len(words)-1]
	return n
}

// buildClaim resolves enc into a Claim. Validate has passed without
// blocking errors; what it checks is checked again here only where a
// renderer would otherwise write something wrong.
func buildClaim(enc *Encounter, set *codesets.Set, edits []Edit, created time.Time) (*Claim, error) {
	from, to := enc.Service.From, enc.Service.To
	if to.IsZero() {
		to = from
	}
	posName, _ := PlaceOfService(enc.PlaceOfService)
	c := &Claim{
		Key:          ExportKey(enc.ID, enc.Revision),
		EncounterID:  enc.ID,
		Revision:     enc.Revision,
		Created:      created.UTC().Truncate(time.Second),
		Frequency:    enc.Frequency(),
		Resubmission: enc.Resubmission,
		Patient:      enc.Patient,
		PatientName:  SplitName(enc.Patient.Name),
		Coverage:     enc.Coverage,
		Billing:      enc.BillingProvider,
		Rendering:    enc.Provider,
		RenderingNm:  SplitName(enc.Provider.Name),
		Referring:    enc.ReferringProvider,
		ReferringNm:  SplitName(enc.ReferringProvider.Name),
		Facility:     enc.ServiceFacility,
		From:         from,
		To:           to,
		POS:          enc.PlaceOfService,
		POSName:      posName,
		Onset:        enc.Onset,
		PriorAuth:    enc.PriorAuthorization,
		Coder:        enc.CoderID,
		CodeSets:     CodeSetsUsed(enc, set),
		Overrides:    claimOverrides(edits),
	}
	if !c.Coverage.PatientIsSubscriber() {
		c.Subscriber = SplitName(c.Coverage.Subscriber.Name)
	}
	if c.PatientName.Family == "" {
		return nil, fmt.Errorf("the patient's name is missing")
	}
	on := set.On(from.Time) // the claim's release
	for i, d := range enc.Diagnoses {
		code, ok := on.LookupIn(codesets.ICD10CM, d.Code)
		if !ok {
			return nil, fmt.Errorf("diagnosis %d: %q is not an ICD-10-CM code", i+1, d.Code)
		}
		c.Diagnoses = append(c.Diagnoses, ClaimDiagnosis{Code: code.Code, Display: code.Display(), Title: code.Title()})
		if d.Evidence != nil && d.Evidence.problem(enc.Notes) == "" {
			ev := *d.Evidence
			note := noteByID(enc.Notes, ev.NoteID)
			ev.Text = note.Text[ev.Start:ev.End]
			c.EvidenceList = append(c.EvidenceList, ClaimEvidence{Diagnosis: i + 1, Evidence: ev})
		}
	}
	for i, l := range enc.Lines {
		line, err := claimLine(set, l, len(enc.Diagnoses))
		if err != nil {
			return nil, fmt.Errorf("service line %d: %w", i+1, err)
		}
		c.TotalCharge += l.Charge
		c.Lines = append(c.Lines, line)
	}
	return c, nil
}

func noteByID(notes []Note, id string) *Note {
	for i := range notes {
		if notes[i].ID == id {
			return &notes[i]
		}
	}
	return nil
}

func claimLine(set *codesets.Set, l ServiceLine, ndx int) (ClaimLine, error) {
	c, ok := set.LookupIn(codesets.HCPCS, l.Code)
	if !ok {
		c, ok = set.LookupIn(codesets.CPT, l.Code)
	}
	if !ok {
		return ClaimLine{}, fmt.Errorf("%q is not a CPT or HCPCS code", l.Code)
	}
	if l.Units <= 0 {
		return ClaimLine{}, fmt.Errorf("%s: units %d", l.Code, l.Units)
	}
	if l.Charge < 0 || l.Charge > MaxCharge {
		return ClaimLine{}, fmt.Errorf("%s: charge %d cents out of range", l.Code, l.Charge)
	}
	line := ClaimLine{Code: c.Code, System: c.System, Title: c.Title(), Units: l.Units, Charge: l.Charge, NDC: l.NDC}
	if c.System == codesets.CPT && c.DescriptorMissing {
		line.Title = ""
	}
	if len(l.Pointers) == 0 || len(l.Pointers) > 4 {
		return ClaimLine{}, fmt.Errorf("%s: %d diagnosis pointers; 1-4 are needed", l.Code, len(l.Pointers))
	}
	for _, p := range l.Pointers {
		if p < 1 || p > ndx {
			return ClaimLine{}, fmt.Errorf("%s: diagnosis pointer %d names no diagnosis", l.Code, p)
		}
	}
	line.Pointers = append([]int(nil), l.Pointers...)
	if len(l.Modifiers) > 4 {
		return ClaimLine{}, fmt.Errorf("%s: %d modifiers; at most 4", l.Code, len(l.Modifiers))
	}
	for _, m := range l.Modifiers {
		line.Modifiers = append(line.Modifiers, claimModifier(set, m))
	}
	return line, nil
}

// claimModifier: two digits are CPT modifiers (known by number only), the
// rest HCPCS Level II.
func claimModifier(set *codesets.Set, m string) ClaimModifier {
	m = strings.ToUpper(strings.TrimSpace(m))
	if len(m) == 2 && m[0] >= '0' && m[0] <= '9' && m[1] >= '0' && m[1] <= '9' {
		return ClaimModifier{Code: m, System: codesets.CPT}
	}
	cm := ClaimModifier{Code: m, System: codesets.HCPCS}
	if c, ok := set.Modifier(m); ok {
		cm.Title = c.Title()
	}
	return cm
}

func claimOverrides(edits []Edit) []ClaimOverride {
	var out []ClaimOverride
	for _, e := range edits {
		o := e.Overridden
		if o == nil {
			continue
		}
		out = append(out, ClaimOverride{Rule: e.Rule, Target: e.Target, Codes: e.Codes, Message: e.Message, Source: e.Source,
			Reason: o.Reason, Coder: o.Coder, At: o.At})
	}
	return out
}

// Cents is an amount in cents written as a decimal number of dollars
// (12500 -> 125.00), exactly, without floating point.
type Cents int64

// String writes dollars with two decimals.
func (c Cents) String() string {
	sign, n := "", int64(c)
	if n < 0 {
		sign, n = "-", -n
	}
	return fmt.Sprintf("%s%d.%02d", sign, n/100, n%100)
}

// MarshalJSON writes dollars with two decimals.
func (c Cents) MarshalJSON() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalJSON reads a decimal number of dollars with at most two
// decimals.
func (c *Cents) UnmarshalJSON(b []byte) error {
	n, err := ParseCents(string(b))
	if err != nil {
		return err
	}
	*c = Cents(n)
	return nil
}

// ParseCents reads dollars ("125", "125.5", "125.50") into cents.
func ParseCents(s string) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return 0, fmt.Errorf("amount %s has more than two decimals", s)
	}
	frac += strings.Repeat("0", 2-len(frac))
	if whole == "" || len(whole) > 12 || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return 0, fmt.Errorf("amount %q is not a decimal number", s)
	}
	d, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("amount %q is not a decimal number", s)
	}
	n := d*100 + f
	if neg {
		n = -n
	}
	return n, nil
}
