// Package queue is the billing queue interface: where exported encounters
// go. Implementations live in subpackages (a directory by default, NATS
// JetStream for teams).
package queue

import (
	"context"
	"fmt"
)

// Message is one exported encounter.
type Message struct {
	EncounterID string
	Revision    int
	// Data is the export document (JSON).
	Data []byte
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
