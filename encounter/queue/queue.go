// Package queue is the billing queue interface: where exported encounters
// go. Implementations live in subpackages (a directory by default, NATS
// JetStream for teams).
package queue

import (
	"context"
	"errors"
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

// Delivery says how far a published export got.
type Delivery string

const (
	// Delivered: billing's queue has it (JetStream acknowledged it, or
	// it is written in the queue directory).
	Delivered Delivery = "delivered"
	// Spooled: kept durably on this machine because the queue server is
	// unreachable; it is forwarded, once, when the server is back. Not
	// delivered yet.
	Spooled Delivery = "spooled"
)

// ErrRefused: the queue server refused the export or the connection
// (credentials, permissions, a stream that is missing and cannot be
// created). Unlike an outage, waiting does not help: nothing is spooled.
var ErrRefused = errors.New("refused by the billing queue")

// DeliveryReporter is a Queue that says whether Publish delivered the
// export or spooled it (queues without it deliver or fail).
type DeliveryReporter interface {
	PublishDelivery(ctx context.Context, m Message) (Delivery, error)
}

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
