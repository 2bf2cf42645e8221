// Package queue is the billing queue interface: where exported encounters
// go. Implementations live in subpackages (a directory by default, NATS
// JetStream for teams).
package queue

import (
	"context"
	"fmt"
)

// Content types of the documents a queue carries.
const (
	// ContentFHIR is a FHIR R4 Bundle in JSON (the default).
	ContentFHIR = "application/fhir+json"
	// ContentX12 is an X12 837P interchange.
	ContentX12 = "application/edi-x12"
)

// Message is one exported encounter.
type Message struct {
	EncounterID string
	Revision    int
	// Data is the export document.
	Data []byte
	// ContentType is ContentFHIR (also when empty) or ContentX12.
	ContentType string
}

// Type is the message's content type, ContentFHIR when unset.
func (m Message) Type() string {
	if m.ContentType == "" {
		return ContentFHIR
	}
	return m.ContentType
}

// Extension is the file extension of the document: ".json" for FHIR,
// ".x12" for an 837P.
func (m Message) Extension() string { return Extension(m.Type()) }

// Extension is the file extension of a content type.
func Extension(contentType string) string {
	if contentType == ContentX12 {
		return ".x12"
	}
	return ".json"
}

// Key identifies an export: the same encounter and revision published twice
// must reach billing once.
func (m Message) Key() string { return fmt.Sprintf("%s-r%d", m.EncounterID, m.Revision) }

// Queue delivers exports to billing.
type Queue interface {
	// Publish delivers m durably before it returns, or returns an error.
	// Publishing the same Key again is not an error and does not
	// duplicate the export.
	Publish(ctx context.Context, m Message) error
	Close() error
}

// Locator is a queue that can say where an export it took is, for the
// record and for the coder: a file path, a stream and subject. It names
// no credentials.
type Locator interface {
	Locate(m Message) string
}
