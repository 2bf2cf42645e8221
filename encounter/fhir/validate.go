package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"
)

// ValidationError says why a document is not a valid claim Bundle.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	return "not a valid FHIR R4 claim Bundle: " + strings.Join(e.Problems, "; ")
}

var (
	unmarshallerOnce sync.Once
	unmarshaller     *jsonformat.Unmarshaller
	unmarshallerErr  error
)

// r4 is Google's R4 JSON parser with validation (required elements,
// primitive formats, reference types, unknown elements). Building it
// loads the R4 descriptors once.
func r4() (*jsonformat.Unmarshaller, error) {
	unmarshallerOnce.Do(func() {
		unmarshaller, unmarshallerErr = jsonformat.NewUnmarshaller("UTC", fhirversion.R4)
		if unmarshaller != nil {
			unmarshaller.MaxNestingDepth = 64
		}
	})
	return unmarshaller, unmarshallerErr
}

// Validate checks data as billing will read it: Google's FHIR R4 parser
// with validation must accept it, and it must be a Bundle of type
// collection holding one Claim whose references resolve to entries of the
// resource types FHIR allows there. The problems name FHIR paths, never
// patient data.
func Validate(data []byte) error {
	u, err := r4()
	if err != nil {
		return fmt.Errorf("FHIR R4 validator: %w", err)
	}
	if _, err := u.Unmarshal(data); err != nil {
		return &ValidationError{Problems: strings.Split(err.Error(), "\n")}
	}
	if probs := checkBundle(data); len(probs) > 0 {
		return &ValidationError{Problems: probs}
	}
	return nil
}

// refTypes lists, for each reference element codebench writes, the
// resource types it may point at (FHIR R4 Claim, Coverage, RelatedPerson,
// Provenance).
var refTypes = map[string][]string{
	"Claim.patient":            {"Patient"},
	"Claim.insurer":            {"Organization"},
	"Claim.provider":           {"Practitioner", "PractitionerRole", "Organization"},
	"Claim.facility":           {"Location"},
	"Claim.careTeam.provider":  {"Practitioner", "PractitionerRole", "Organization"},
	"Claim.insurance.coverage": {"Coverage"},
	"Coverage.subscriber":      {"Patient", "RelatedPerson"},
	"Coverage.beneficiary":     {"Patient"},
	"Coverage.payor":           {"Organization", "Patient", "RelatedPerson"},
	"RelatedPerson.patient":    {"Patient"},
	"Provenance.target":        {"Claim"},
	"Provenance.agent.who":     {"Practitioner", "PractitionerRole", "RelatedPerson", "Patient", "Device", "Organization"},
	"Claim.related.claim":      {"Claim"},
}

// checkBundle checks what the R4 parser cannot: the Bundle's type, its
// one Claim, unique full URLs, and that every urn:uuid reference names an
// entry of an allowed type.
func checkBundle(data []byte) []string {
	var b struct {
		ResourceType string `json:"resourceType"`
		Type         string `json:"type"`
		Entry        []struct {
			FullURL  string          `json:"fullUrl"`
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	var probs []string
	if b.ResourceType != "Bundle" || b.Type != "collection" {
		probs = append(probs, fmt.Sprintf("want a Bundle of type collection, got %s of type %q", b.ResourceType, b.Type))
	}
	types := map[string]string{}
	resources := make([]any, len(b.Entry))
	claims := 0
	for i, e := range b.Entry {
		dec := json.NewDecoder(bytes.NewReader(e.Resource))
		dec.UseNumber()
		var res map[string]any
		if err := dec.Decode(&res); err != nil {
			probs = append(probs, fmt.Sprintf("entry[%d].resource: %v", i, err))
			continue
		}
		resources[i] = res
		rt, _ := res["resourceType"].(string)
		if rt == "Claim" {
			claims++
		}
		if !strings.HasPrefix(e.FullURL, "urn:uuid:") {
			probs = append(probs, fmt.Sprintf("entry[%d].fullUrl %q is not a urn:uuid", i, e.FullURL))
		}
		if _, dup := types[e.FullURL]; dup {
			probs = append(probs, fmt.Sprintf("entry[%d].fullUrl is used twice", i))
		}
		types[e.FullURL] = rt
	}
	if claims != 1 {
		probs = append(probs, fmt.Sprintf("the Bundle holds %d Claims; want 1", claims))
	}
	for i, res := range resources {
		m, _ := res.(map[string]any)
		if m == nil {
			continue
		}
		rt, _ := m["resourceType"].(string)
		walkRefs(rt, m, func(path, ref string) {
			target, ok := types[ref]
			switch {
			case !strings.HasPrefix(ref, "urn:uuid:"):
				probs = append(probs, fmt.Sprintf("entry[%d] %s: reference %q is not to an entry of the Bundle", i, path, ref))
			case !ok:
				probs = append(probs, fmt.Sprintf("entry[%d] %s: reference names no entry of the Bundle", i, path))
			default:
				allowed, known := refTypes[path]
				if !known {
					probs = append(probs, fmt.Sprintf("entry[%d] %s: a reference where none is expected", i, path))
				} else if !slices.Contains(allowed, target) {
					probs = append(probs, fmt.Sprintf("entry[%d] %s: refers to a %s; want %s", i, path, target, strings.Join(allowed, " or ")))
				}
			}
		})
	}
	return probs
}

// walkRefs calls f with the element path ("Claim.insurance.coverage") of
// every Reference.reference under v.
func walkRefs(path string, v any, f func(path, ref string)) {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["reference"].(string); ok {
			f(path, ref)
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k == "reference" {
				continue
			}
			walkRefs(path+"."+k, x[k], f)
		}
	case []any:
		for _, it := range x {
			walkRefs(path, it, f)
		}
	}
}

// ErrInvalid is matched by every *ValidationError.
var ErrInvalid = errors.New("invalid FHIR document")

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }
