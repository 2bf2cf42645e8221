package fhir

import (
	"encoding/json"
	"fmt"
)

// Summary is what a consumer usually wants from a queued Bundle, read
// back by the FHIR element names (see README.md: reading the queue).
type Summary struct {
	Key         string // Bundle.identifier: "<encounter>-r<revision>"
	EncounterID string
	Status      string // Claim.status: active, or cancelled for a void
	Frequency   string // claim-frequency extension: 1, 7 or 8
	Diagnoses   []string
	Items       []SummaryItem
	Total       string // Claim.total.value, dollars
	Coder       string // the Provenance agent's coder id
	Payer       string // Coverage payor display
	MemberID    string
	Related     string // Claim.related.reference: the payer's claim number replaced
}

// SummaryItem is one Claim.item.
type SummaryItem struct {
	Code      string
	Modifiers []string
	Pointers  []int
	Units     json.Number
	Net       json.Number
	NDC       string
}

// Summarize reads a Bundle as codebench writes it.
func Summarize(data []byte) (Summary, error) {
	var b struct {
		ResourceType string `json:"resourceType"`
		Identifier   struct {
			Value string `json:"value"`
		} `json:"identifier"`
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return Summary{}, err
	}
	if b.ResourceType != "Bundle" {
		return Summary{}, fmt.Errorf("not a Bundle: %q", b.ResourceType)
	}
	s := Summary{Key: b.Identifier.Value}
	type coded struct {
		Coding []coding `json:"coding"`
	}
	for _, e := range b.Entry {
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if err := json.Unmarshal(e.Resource, &head); err != nil {
			return s, err
		}
		switch head.ResourceType {
		case "Claim":
			var c struct {
				Extension  []extension  `json:"extension"`
				Identifier []identifier `json:"identifier"`
				Status     string       `json:"status"`
				Related    []struct {
					Reference *identifier `json:"reference"`
				} `json:"related"`
				Diagnosis []struct {
					DiagnosisCodeableConcept coded `json:"diagnosisCodeableConcept"`
				} `json:"diagnosis"`
				Item []struct {
					ProductOrService  coded   `json:"productOrService"`
					Modifier          []coded `json:"modifier"`
					DiagnosisSequence []int   `json:"diagnosisSequence"`
					Quantity          struct {
						Value json.Number `json:"value"`
					} `json:"quantity"`
					Net struct {
						Value json.Number `json:"value"`
					} `json:"net"`
					Detail []struct {
						ProductOrService coded `json:"productOrService"`
					} `json:"detail"`
				} `json:"item"`
				Total struct {
					Value json.Number `json:"value"`
				} `json:"total"`
			}
			if err := json.Unmarshal(e.Resource, &c); err != nil {
				return s, err
			}
			s.Status = c.Status
			s.Total = c.Total.Value.String()
			for _, id := range c.Identifier {
				if id.System == SystemEncounterID {
					s.EncounterID = id.Value
				}
			}
			for _, x := range c.Extension {
				if x.URL == ExtClaimFrequency {
					s.Frequency = x.ValueCode
				}
			}
			for _, r := range c.Related {
				if r.Reference != nil {
					s.Related = r.Reference.Value
				}
			}
			for _, d := range c.Diagnosis {
				if len(d.DiagnosisCodeableConcept.Coding) > 0 {
					s.Diagnoses = append(s.Diagnoses, d.DiagnosisCodeableConcept.Coding[0].Code)
				}
			}
			for _, it := range c.Item {
				si := SummaryItem{Pointers: it.DiagnosisSequence, Units: it.Quantity.Value, Net: it.Net.Value}
				if len(it.ProductOrService.Coding) > 0 {
					si.Code = it.ProductOrService.Coding[0].Code
				}
				for _, m := range it.Modifier {
					if len(m.Coding) > 0 {
						si.Modifiers = append(si.Modifiers, m.Coding[0].Code)
					}
				}
				for _, d := range it.Detail {
					if len(d.ProductOrService.Coding) > 0 {
						si.NDC = d.ProductOrService.Coding[0].Code
					}
				}
				s.Items = append(s.Items, si)
			}
		case "Coverage":
			var c struct {
				SubscriberID string      `json:"subscriberId"`
				Payor        []reference `json:"payor"`
			}
			if err := json.Unmarshal(e.Resource, &c); err != nil {
				return s, err
			}
			s.MemberID = c.SubscriberID
			if len(c.Payor) > 0 {
				s.Payer = c.Payor[0].Display
			}
		case "Practitioner":
			var p struct {
				Identifier []identifier `json:"identifier"`
			}
			if err := json.Unmarshal(e.Resource, &p); err != nil {
				return s, err
			}
			for _, id := range p.Identifier {
				if id.System == SystemCoderID {
					s.Coder = id.Value
				}
			}
		}
	}
	return s, nil
}
