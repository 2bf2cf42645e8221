// Package fhir renders a claim as the FHIR R4 Bundle the billing queue
// carries, and validates it with Google's FHIR library before it is
// queued.
//
// The Bundle (type collection) holds the Claim (professional), the
// Patient, the Coverage, the payer and billing provider (Organization),
// the rendering, referring and coding practitioners (Practitioner), the
// service facility (Location), the subscriber when not the patient
// (RelatedPerson) and a Provenance that records who coded the claim, when,
// against which code-set releases, with which overrides and evidence.
// Every key is FHIR's; what FHIR has no element for is an extension under
// ExtensionBase. Resource ids are name-based UUIDs of the export key, so
// one revision always renders to the same bytes.
package fhir

import (
	"bytes"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"codebench/codesets"
	"codebench/encounter"
)

// Code systems and identifier systems, as FHIR and the code stewards name
// them.
const (
	SystemICD10CM        = "http://hl7.org/fhir/sid/icd-10-cm"
	SystemCPT            = "http://www.ama-assn.org/go/cpt"
	SystemHCPCS          = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
	SystemNDC            = "http://hl7.org/fhir/sid/ndc"
	SystemNPI            = "http://hl7.org/fhir/sid/us-npi"
	SystemEIN            = "urn:oid:2.16.840.1.113883.4.4"
	SystemTaxonomy       = "http://nucc.org/provider-taxonomy"
	SystemPlaceOfService = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
	SystemPayerType      = "urn:oid:2.16.840.1.113883.3.221.5" // Source of Payment Typology
	SystemUCUM           = "http://unitsofmeasure.org"
	// codebench's own identifiers: billing maps them to its own.
	SystemEncounterID = "urn:codebench:encounter"
	SystemExportKey   = "urn:codebench:claim"
	SystemPatientID   = "urn:codebench:patient"
	SystemPayerID     = "urn:codebench:payer-id"
	SystemCoderID     = "urn:codebench:coder"
	// SystemPayerClaim qualifies the payer's claim control number of a
	// claim replaced or voided.
	SystemPayerClaim = "urn:codebench:payer-claim-number"
	// ExtensionBase prefixes codebench's extensions.
	ExtensionBase = "https://codebench.invalid/fhir/StructureDefinition/"

	thoClaimType    = "http://terminology.hl7.org/CodeSystem/claim-type"
	thoPriority     = "http://terminology.hl7.org/CodeSystem/processpriority"
	thoCareTeamRole = "http://terminology.hl7.org/CodeSystem/claimcareteamrole"
	carinCareTeam   = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole"
	thoInfoCategory = "http://terminology.hl7.org/CodeSystem/claiminformationcategory"
	thoRelatedClaim = "http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship"
	thoSubscriber   = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
	thoCoverageCls  = "http://terminology.hl7.org/CodeSystem/coverage-class"
	thoOrgType      = "http://terminology.hl7.org/CodeSystem/organization-type"
	thoParticipant  = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
	thoIDType       = "http://terminology.hl7.org/CodeSystem/v2-0203"
	thoActCode      = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	thoRoleCode     = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
	thoDataOp       = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
)

// Extension URLs.
const (
	ExtClaimFrequency = ExtensionBase + "claim-frequency"
	ExtCodeSet        = ExtensionBase + "code-set-release"
	ExtOverride       = ExtensionBase + "override"
	ExtEvidence       = ExtensionBase + "evidence"
)

// Render builds the Bundle of a claim.
func Render(c *encounter.Claim) *Bundle {
	r := renderer{c: c}
	return r.bundle()
}

// JSON renders c as the queue document: indented, HTML characters
// unescaped, ending in a newline. One claim gives one byte sequence.
func JSON(c *encounter.Claim) ([]byte, error) {
	var buf bytes.Buffer
	je := json.NewEncoder(&buf)
	je.SetIndent("", "  ")
	je.SetEscapeHTML(false)
	if err := je.Encode(Render(c)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type renderer struct {
	c       *encounter.Claim
	entries []entry
}

// id is a name-based (version 5 style, SHA-1) UUID of the export key and
// a resource's role, so every render of one revision gives the same ids.
func (r *renderer) id(role string) string {
	h := sha1.Sum([]byte("codebench/" + r.c.Key + "/" + role))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func (r *renderer) ref(role, display string) reference {
	return reference{Reference: "urn:uuid:" + r.id(role), Display: display}
}

func (r *renderer) add(role string, res any) {
	r.entries = append(r.entries, entry{FullURL: "urn:uuid:" + r.id(role), Resource: res})
}

func (r *renderer) bundle() *Bundle {
	c := r.c
	r.add("claim", r.claim())
	r.add("patient", r.patient())
	if !c.Coverage.PatientIsSubscriber() {
		r.add("subscriber", r.subscriber())
	}
	r.add("coverage", r.coverage())
	r.add("payer", r.payer())
	r.add("billing", r.billing())
	r.add("rendering", practitioner(r.id("rendering"), c.Rendering, c.RenderingNm, true))
	if !c.Referring.IsZero() {
		r.add("referring", practitioner(r.id("referring"), c.Referring, c.ReferringNm, false))
	}
	if !c.Facility.IsZero() {
		r.add("facility", r.facility())
	}
	if c.Coder != "" {
		r.add("coder", practitionerResource{ResourceType: "Practitioner", ID: r.id("coder"),
			Identifier: []identifier{{System: SystemCoderID, Value: c.Coder}}, Name: []humanName{{Text: c.Coder}}})
	}
	r.add("provenance", r.provenance())
	return &Bundle{
		ResourceType: "Bundle",
		ID:           r.id("bundle"),
		Identifier:   identifier{System: SystemExportKey, Value: c.Key},
		Type:         "collection",
		Timestamp:    instant(c.Created),
		Entry:        r.entries,
	}
}

func instant(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (r *renderer) claim() claimResource {
	c := r.c
	cl := claimResource{
		ResourceType: "Claim",
		ID:           r.id("claim"),
		Identifier: []identifier{
			{System: SystemExportKey, Value: c.Key},
			{System: SystemEncounterID, Value: c.EncounterID},
		},
		Status:         "active",
		Type:           codeable(thoClaimType, "professional", "Professional"),
		Use:            "claim",
		Patient:        r.ref("patient", c.Patient.Name),
		BillablePeriod: &period{Start: c.From.String(), End: c.To.String()},
		Created:        instant(c.Created),
		Insurer:        ptr(r.ref("payer", c.Coverage.PayerName)),
		Provider:       r.ref("billing", c.Billing.Name),
		Priority:       codeable(thoPriority, "normal", "Normal"),
		Insurance:      []insurance{{Sequence: 1, Focal: true, Coverage: r.ref("coverage", "")}},
		Extension:      []extension{{URL: ExtClaimFrequency, ValueCode: c.Frequency}},
	}
	if c.PriorAuth != "" {
		cl.Insurance[0].PreAuthRef = []string{c.PriorAuth}
	}
	if c.Frequency == encounter.FrequencyVoid {
		cl.Status = "cancelled"
	}
	if rs := c.Resubmission; !rs.IsZero() {
		rel := claimRelated{
			Relationship: codeable(thoRelatedClaim, "prior", "Prior Claim"),
			Reference:    &identifier{System: SystemPayerClaim, Value: rs.OriginalClaimNumber},
		}
		if rs.Predecessor != "" {
			rel.Claim = &reference{Identifier: &identifier{System: SystemExportKey, Value: rs.Predecessor}}
		}
		cl.Related = []claimRelated{rel}
	}
	if !c.Facility.IsZero() {
		cl.Facility = ptr(r.ref("facility", c.Facility.Name))
	}
	cl.CareTeam = []careTeam{{Sequence: 1, Provider: r.ref("rendering", c.Rendering.Name), Role: codeable(thoCareTeamRole, "primary", "Primary provider")}}
	if c.Rendering.Taxonomy != "" {
		cl.CareTeam[0].Qualification = codeable(SystemTaxonomy, c.Rendering.Taxonomy, "")
	}
	if !c.Referring.IsZero() {
		cl.CareTeam = append(cl.CareTeam, careTeam{Sequence: 2, Provider: r.ref("referring", c.Referring.Name),
			Role: &concept{Coding: []coding{{System: thoCareTeamRole, Code: "other", Display: "Other"}, {System: carinCareTeam, Code: "referring", Display: "Referring"}}}})
	}
	if !c.Onset.Date.IsZero() {
		cl.SupportingInfo = []supportingInfo{{Sequence: 1, Category: codeable(thoInfoCategory, "onset", "Onset"), TimingDate: c.Onset.Date.String()}}
	}
	for i, d := range c.Diagnoses {
		cl.Diagnosis = append(cl.Diagnosis, claimDiagnosis{Sequence: i + 1, DiagnosisCodeableConcept: codeable(SystemICD10CM, d.Display, d.Title)})
	}
	if o := c.Onset; !o.AccidentDate.IsZero() {
		a := &accident{Date: o.AccidentDate.String()}
		switch o.AccidentType {
		case encounter.AccidentAuto:
			a.Type = codeable(thoActCode, "MVA", "Motor vehicle accident")
		case encounter.AccidentEmployment:
			a.Type = codeable(thoActCode, "WPA", "Workplace accident")
		case encounter.AccidentOther:
			a.Type = &concept{Text: "Other accident"}
		}
		if o.AccidentState != "" {
			a.LocationAddress = &address{State: o.AccidentState, Country: "US"}
		}
		cl.Accident = a
	}
	var location *concept
	if c.POS != "" {
		location = codeable(SystemPlaceOfService, c.POS, c.POSName)
	}
	for i, l := range c.Lines {
		it := item{
			Sequence:                i + 1,
			CareTeamSequence:        []int{1},
			DiagnosisSequence:       l.Pointers,
			ProductOrService:        codeable(system(l.System), l.Code, l.Title),
			LocationCodeableConcept: location,
			Quantity:                &quantity{Value: rawNumber(strconv.Itoa(l.Units))},
			Net:                     &money{Value: encounter.Cents(l.Charge), Currency: "USD"},
		}
		if l.Charge%int64(l.Units) == 0 {
			it.UnitPrice = &money{Value: encounter.Cents(l.Charge / int64(l.Units)), Currency: "USD"}
		}
		for _, m := range l.Modifiers {
			it.Modifier = append(it.Modifier, codeable(system(m.System), m.Code, m.Title))
		}
		if c.From.Equal(c.To.Time) {
			it.ServicedDate = c.From.String()
		} else {
			it.ServicedPeriod = &period{Start: c.From.String(), End: c.To.String()}
		}
		if n := l.NDC; !n.IsZero() {
			ucum := ndcUCUM[n.Unit]
			it.Detail = []detail{{Sequence: 1, ProductOrService: codeable(SystemNDC, n.Code[:5]+"-"+n.Code[5:9]+"-"+n.Code[9:], ""),
				Quantity: &quantity{Value: rawNumber(n.Quantity), Unit: ucum, System: SystemUCUM, Code: ucum}}}
		}
		cl.Item = append(cl.Item, it)
	}
	cl.Total = &money{Value: encounter.Cents(c.TotalCharge), Currency: "USD"}
	return cl
}

// ndcUCUM maps the NCPDP units of an NDC quantity to UCUM.
var ndcUCUM = map[string]string{"F2": "[IU]", "GR": "g", "ME": "mg", "ML": "mL", "UN": "{unit}"}

func system(s codesets.System) string {
	if s == codesets.CPT {
		return SystemCPT
	}
	return SystemHCPCS
}

func ptr[T any](v T) *T { return &v }

func gender(sex string) string {
	switch sex {
	case "F":
		return "female"
	case "M":
		return "male"
	case "U":
		return "unknown"
	}
	return ""
}

func fhirAddress(a encounter.Address) []address {
	if a.IsZero() {
		return nil
	}
	zip := a.Zip
	if len(zip) == 9 {
		zip = zip[:5] + "-" + zip[5:]
	}
	lines := []string{a.Line1}
	if a.Line2 != "" {
		lines = append(lines, a.Line2)
	}
	return []address{{Line: lines, City: a.City, State: a.State, PostalCode: zip, Country: "US"}}
}

func fhirName(n encounter.PersonName) []humanName {
	if n.Text == "" {
		return nil
	}
	return []humanName{{Use: "official", Text: n.Text, Family: n.Family, Given: n.Given, Suffix: n.Suffix}}
}

func (r *renderer) patient() patientResource {
	p := r.c.Patient
	res := patientResource{ResourceType: "Patient", ID: r.id("patient"), Name: fhirName(r.c.PatientName),
		Gender: gender(p.Sex), BirthDate: p.DateOfBirth.String(), Address: fhirAddress(p.Address)}
	if p.ID != "" {
		res.Identifier = []identifier{{Type: codeable(thoIDType, "MR", "Medical record number"), System: SystemPatientID, Value: p.ID}}
	}
	return res
}

// subscriber is the policy holder when the patient is not: the patient's
// parent for a child, spouse for a spouse.
func (r *renderer) subscriber() relatedPersonResource {
	c := r.c
	s := c.Coverage.Subscriber
	res := relatedPersonResource{ResourceType: "RelatedPerson", ID: r.id("subscriber"), Patient: r.ref("patient", c.Patient.Name),
		Name: fhirName(c.Subscriber), Gender: gender(s.Sex), BirthDate: s.DateOfBirth.String(), Address: fhirAddress(s.Address)}
	switch c.Coverage.Relationship {
	case encounter.RelChild:
		res.Relationship = []*concept{codeable(thoRoleCode, "PRN", "parent")}
	case encounter.RelSpouse:
		res.Relationship = []*concept{codeable(thoRoleCode, "SPS", "spouse")}
	default:
		res.Relationship = []*concept{{Text: "policy holder"}}
	}
	return res
}

var payerTypes = map[encounter.PayerType][2]string{
	encounter.PayerMedicare:   {"1", "Medicare"},
	encounter.PayerMedicaid:   {"2", "Medicaid"},
	encounter.PayerCommercial: {"5", "Private Health Insurance"},
	encounter.PayerOther:      {"9", "Miscellaneous/Other"},
}

func (r *renderer) coverage() coverageResource {
	c := r.c
	cv := c.Coverage
	res := coverageResource{ResourceType: "Coverage", ID: r.id("coverage"), Status: "active",
		SubscriberID: cv.MemberID, Beneficiary: r.ref("patient", c.Patient.Name),
		Payor: []reference{r.ref("payer", cv.PayerName)}}
	if t, ok := payerTypes[cv.PayerType]; ok {
		res.Type = codeable(SystemPayerType, t[0], t[1])
	}
	rel := cv.Relationship
	if rel == "" {
		rel = encounter.RelSelf
	}
	res.Relationship = codeable(thoSubscriber, rel, "")
	if cv.PatientIsSubscriber() {
		res.Subscriber = ptr(r.ref("patient", c.Patient.Name))
	} else {
		res.Subscriber = ptr(r.ref("subscriber", cv.Subscriber.Name))
	}
	if cv.Group != "" {
		res.Class = []coverageClass{{Type: codeable(thoCoverageCls, "group", "Group"), Value: cv.Group}}
	}
	return res
}

func (r *renderer) payer() organizationResource {
	cv := r.c.Coverage
	return organizationResource{ResourceType: "Organization", ID: r.id("payer"),
		Identifier: []identifier{{System: SystemPayerID, Value: cv.PayerID}},
		Type:       []*concept{codeable(thoOrgType, "pay", "Payer")}, Name: cv.PayerName}
}

func (r *renderer) billing() organizationResource {
	b := r.c.Billing
	res := organizationResource{ResourceType: "Organization", ID: r.id("billing"),
		Identifier: []identifier{{Type: codeable(thoIDType, "NPI", "National provider identifier"), System: SystemNPI, Value: b.NPI}},
		Type:       []*concept{codeable(thoOrgType, "prov", "Healthcare Provider")}, Name: b.Name, Address: fhirAddress(b.Address)}
	if b.TaxID != "" {
		res.Identifier = append(res.Identifier, identifier{Type: codeable(thoIDType, "TAX", "Tax ID number"), System: SystemEIN, Value: b.TaxID[:2] + "-" + b.TaxID[2:]})
	}
	return res
}

func practitioner(id string, p encounter.Provider, n encounter.PersonName, taxonomy bool) practitionerResource {
	res := practitionerResource{ResourceType: "Practitioner", ID: id, Name: fhirName(n)}
	if p.NPI != "" {
		res.Identifier = []identifier{{Type: codeable(thoIDType, "NPI", "National provider identifier"), System: SystemNPI, Value: p.NPI}}
	}
	if taxonomy && p.Taxonomy != "" {
		res.Qualification = []qualification{{Code: codeable(SystemTaxonomy, p.Taxonomy, "")}}
	}
	return res
}

func (r *renderer) facility() locationResource {
	f := r.c.Facility
	res := locationResource{ResourceType: "Location", ID: r.id("facility"), Name: f.Name}
	if f.NPI != "" {
		res.Identifier = []identifier{{Type: codeable(thoIDType, "NPI", "National provider identifier"), System: SystemNPI, Value: f.NPI}}
	}
	if r.c.POS != "" {
		res.Type = []*concept{codeable(SystemPlaceOfService, r.c.POS, r.c.POSName)}
	}
	if a := fhirAddress(f.Address); a != nil {
		res.Address = &a[0]
	}
	return res
}

// provenance records the coding: who, when, against which releases, what
// was accepted on purpose and which documentation supports each code.
func (r *renderer) provenance() provenanceResource {
	c := r.c
	res := provenanceResource{ResourceType: "Provenance", ID: r.id("provenance"),
		Target:   []reference{r.ref("claim", "")},
		Recorded: instant(c.Created),
		Activity: codeable(thoDataOp, "CREATE", "create"),
	}
	if c.Coder != "" {
		res.Agent = []agent{{Type: codeable(thoParticipant, "author", "Author"), Who: r.ref("coder", c.Coder)}}
	} else {
		res.Agent = []agent{{Type: codeable(thoParticipant, "author", "Author"), Who: r.ref("billing", c.Billing.Name)}}
	}
	for _, cs := range c.CodeSets {
		res.Extension = append(res.Extension, extension{URL: ExtCodeSet, ValueString: cs})
	}
	for _, o := range c.Overrides {
		ext := extension{URL: ExtOverride, Extension: []extension{
			{URL: "rule", ValueCode: o.Rule},
			{URL: "target", ValueString: o.Target},
		}}
		for _, code := range o.Codes {
			ext.Extension = append(ext.Extension, extension{URL: "code", ValueString: code})
		}
		ext.Extension = append(ext.Extension,
			extension{URL: "message", ValueString: o.Message},
			extension{URL: "source", ValueString: o.Source},
			extension{URL: "reason", ValueString: o.Reason})
		if o.Coder != "" {
			ext.Extension = append(ext.Extension, extension{URL: "coder", ValueString: o.Coder})
		}
		if !o.At.IsZero() {
			ext.Extension = append(ext.Extension, extension{URL: "time", ValueDateTime: instant(o.At)})
		}
		res.Extension = append(res.Extension, ext)
	}
	for _, ev := range c.EvidenceList {
		start, end := ev.Start, ev.End
		res.Extension = append(res.Extension, extension{URL: ExtEvidence, Extension: []extension{
			{URL: "diagnosis", ValuePositiveInt: ev.Diagnosis},
			{URL: "note", ValueString: ev.NoteID},
			{URL: "start", ValueInteger: &start},
			{URL: "end", ValueInteger: &end},
			{URL: "text", ValueString: ev.Text},
		}})
	}
	return res
}
