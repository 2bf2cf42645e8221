package fhir

import "codebench/encounter"

// The FHIR R4 data types and resources the Bundle uses, with only the
// elements codebench fills. Field names and nesting are FHIR's; empty
// elements are left out, as FHIR JSON requires.

type coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

type concept struct {
	Coding []coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

func codeable(system, code, display string) *concept {
	return &concept{Coding: []coding{{System: system, Code: code, Display: display}}}
}

type identifier struct {
	Type   *concept `json:"type,omitempty"`
	System string   `json:"system"`
	Value  string   `json:"value"`
}

type reference struct {
	Reference  string      `json:"reference,omitempty"`
	Identifier *identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

type period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

type humanName struct {
	Use    string   `json:"use,omitempty"`
	Text   string   `json:"text,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
	Suffix []string `json:"suffix,omitempty"`
}

type address struct {
	Use        string   `json:"use,omitempty"`
	Type       string   `json:"type,omitempty"`
	Line       []string `json:"line,omitempty"`
	City       string   `json:"city,omitempty"`
	State      string   `json:"state,omitempty"`
	PostalCode string   `json:"postalCode,omitempty"`
	Country    string   `json:"country,omitempty"`
}

type money struct {
	Value    encounter.Cents `json:"value"`
	Currency string          `json:"currency"`
}

type quantity struct {
	Value  rawNumber `json:"value"`
	Unit   string    `json:"unit,omitempty"`
	System string    `json:"system,omitempty"`
	Code   string    `json:"code,omitempty"`
}

// rawNumber is a decimal written as given ("1.5", "2"), never through
// floating point.
type rawNumber string

func (n rawNumber) MarshalJSON() ([]byte, error) { return []byte(n), nil }

// extension is a FHIR extension: a simple value or nested extensions.
type extension struct {
	URL              string      `json:"url"`
	Extension        []extension `json:"extension,omitempty"`
	ValueString      string      `json:"valueString,omitempty"`
	ValueCode        string      `json:"valueCode,omitempty"`
	ValueDateTime    string      `json:"valueDateTime,omitempty"`
	ValueInteger     *int        `json:"valueInteger,omitempty"`
	ValuePositiveInt int         `json:"valuePositiveInt,omitempty"`
	ValueCoding      *coding     `json:"valueCoding,omitempty"`
	ValueIdentifier  *identifier `json:"valueIdentifier,omitempty"`
}

// Bundle is the document on the queue: a FHIR R4 Bundle of type
// collection.
type Bundle struct {
	ResourceType string     `json:"resourceType"` // Bundle
	ID           string     `json:"id"`
	Meta         *meta      `json:"meta,omitempty"`
	Identifier   identifier `json:"identifier"`
	Type         string     `json:"type"` // collection
	Timestamp    string     `json:"timestamp"`
	Entry        []entry    `json:"entry"`
}

type meta struct {
	Profile []string `json:"profile,omitempty"`
	Tag     []coding `json:"tag,omitempty"`
}

type entry struct {
	FullURL  string `json:"fullUrl"`
	Resource any    `json:"resource"`
}

type claimResource struct {
	ResourceType   string           `json:"resourceType"`
	ID             string           `json:"id"`
	Extension      []extension      `json:"extension,omitempty"`
	Identifier     []identifier     `json:"identifier"`
	Status         string           `json:"status"`
	Type           *concept         `json:"type"`
	Use            string           `json:"use"`
	Patient        reference        `json:"patient"`
	BillablePeriod *period          `json:"billablePeriod,omitempty"`
	Created        string           `json:"created"`
	Insurer        *reference       `json:"insurer,omitempty"`
	Provider       reference        `json:"provider"`
	Priority       *concept         `json:"priority"`
	Related        []claimRelated   `json:"related,omitempty"`
	Facility       *reference       `json:"facility,omitempty"`
	CareTeam       []careTeam       `json:"careTeam,omitempty"`
	SupportingInfo []supportingInfo `json:"supportingInfo,omitempty"`
	Diagnosis      []claimDiagnosis `json:"diagnosis,omitempty"`
	Insurance      []insurance      `json:"insurance"`
	Accident       *accident        `json:"accident,omitempty"`
	Item           []item           `json:"item,omitempty"`
	Total          *money           `json:"total,omitempty"`
}

type claimRelated struct {
	Claim        *reference  `json:"claim,omitempty"`
	Relationship *concept    `json:"relationship,omitempty"`
	Reference    *identifier `json:"reference,omitempty"`
}

type careTeam struct {
	Sequence      int       `json:"sequence"`
	Provider      reference `json:"provider"`
	Role          *concept  `json:"role,omitempty"`
	Qualification *concept  `json:"qualification,omitempty"`
}

type supportingInfo struct {
	Sequence   int      `json:"sequence"`
	Category   *concept `json:"category"`
	TimingDate string   `json:"timingDate,omitempty"`
}

type claimDiagnosis struct {
	Sequence                 int      `json:"sequence"`
	DiagnosisCodeableConcept *concept `json:"diagnosisCodeableConcept"`
}

type insurance struct {
	Sequence   int       `json:"sequence"`
	Focal      bool      `json:"focal"`
	Coverage   reference `json:"coverage"`
	PreAuthRef []string  `json:"preAuthRef,omitempty"`
}

type accident struct {
	Date            string   `json:"date"`
	Type            *concept `json:"type,omitempty"`
	LocationAddress *address `json:"locationAddress,omitempty"`
}

type item struct {
	Sequence                int        `json:"sequence"`
	CareTeamSequence        []int      `json:"careTeamSequence,omitempty"`
	DiagnosisSequence       []int      `json:"diagnosisSequence,omitempty"`
	ProductOrService        *concept   `json:"productOrService"`
	Modifier                []*concept `json:"modifier,omitempty"`
	ServicedDate            string     `json:"servicedDate,omitempty"`
	ServicedPeriod          *period    `json:"servicedPeriod,omitempty"`
	LocationCodeableConcept *concept   `json:"locationCodeableConcept,omitempty"`
	Quantity                *quantity  `json:"quantity,omitempty"`
	UnitPrice               *money     `json:"unitPrice,omitempty"`
	Net                     *money     `json:"net,omitempty"`
	Detail                  []detail   `json:"detail,omitempty"`
}

type detail struct {
	Sequence         int       `json:"sequence"`
	ProductOrService *concept  `json:"productOrService"`
	Quantity         *quantity `json:"quantity,omitempty"`
}

type patientResource struct {
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id"`
	Identifier   []identifier `json:"identifier,omitempty"`
	Name         []humanName  `json:"name,omitempty"`
	Gender       string       `json:"gender,omitempty"`
	BirthDate    string       `json:"birthDate,omitempty"`
	Address      []address    `json:"address,omitempty"`
}

type relatedPersonResource struct {
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id"`
	Patient      reference    `json:"patient"`
	Relationship []*concept   `json:"relationship,omitempty"`
	Name         []humanName  `json:"name,omitempty"`
	Gender       string       `json:"gender,omitempty"`
	BirthDate    string       `json:"birthDate,omitempty"`
	Address      []address    `json:"address,omitempty"`
	Identifier   []identifier `json:"identifier,omitempty"`
}

type coverageResource struct {
	ResourceType string          `json:"resourceType"`
	ID           string          `json:"id"`
	Status       string          `json:"status"`
	Type         *concept        `json:"type,omitempty"`
	Subscriber   *reference      `json:"subscriber,omitempty"`
	SubscriberID string          `json:"subscriberId,omitempty"`
	Beneficiary  reference       `json:"beneficiary"`
	Relationship *concept        `json:"relationship,omitempty"`
	Payor        []reference     `json:"payor"`
	Class        []coverageClass `json:"class,omitempty"`
}

type coverageClass struct {
	Type  *concept `json:"type"`
	Value string   `json:"value"`
}

type practitionerResource struct {
	ResourceType  string          `json:"resourceType"`
	ID            string          `json:"id"`
	Identifier    []identifier    `json:"identifier,omitempty"`
	Name          []humanName     `json:"name,omitempty"`
	Qualification []qualification `json:"qualification,omitempty"`
}

type qualification struct {
	Code *concept `json:"code"`
}

type organizationResource struct {
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id"`
	Identifier   []identifier `json:"identifier,omitempty"`
	Type         []*concept   `json:"type,omitempty"`
	Name         string       `json:"name,omitempty"`
	Address      []address    `json:"address,omitempty"`
}

type locationResource struct {
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id"`
	Identifier   []identifier `json:"identifier,omitempty"`
	Name         string       `json:"name,omitempty"`
	Type         []*concept   `json:"type,omitempty"`
	Address      *address     `json:"address,omitempty"`
}

type provenanceResource struct {
	ResourceType string      `json:"resourceType"`
	ID           string      `json:"id"`
	Extension    []extension `json:"extension,omitempty"`
	Target       []reference `json:"target"`
	Recorded     string      `json:"recorded"`
	Activity     *concept    `json:"activity,omitempty"`
	Agent        []agent     `json:"agent"`
}

type agent struct {
	Type *concept  `json:"type,omitempty"`
	Who  reference `json:"who"`
}
