package tui

import (
	"context"
	"errors"

	"codebench/encounter/exporter"
	"codebench/encounter/queue"
	"codebench/encounter/store"
)

// BillingExporter adapts encounter/exporter to the workbench: the document
// is built from the saved revision exactly as the exporter builds it, and
// the export runs under the coder's own lease.
type BillingExporter struct {
	X *exporter.Exporter
	// Dest names the queue in the confirmation ("billing queue /srv/q").
	Dest string
	// Policies say which payers take replacements and voids (R on an
	// exported claim); the zero value lets every payer take both.
	Policies exporter.Policies
}

// Document builds the export JSON of the encounter's saved revision.
func (b BillingExporter) Document(ctx context.Context, id string) ([]byte, error) {
	if b.X == nil || b.X.Store == nil {
		return nil, errors.New("no exporter configured")
	}
	// The exporter stamps the claim with the time the revision was saved,
	// so the preview is byte for byte what is published.
	return b.X.Document(ctx, id)
}

// Export publishes the saved revision under the coder's lease.
func (b BillingExporter) Export(ctx context.Context, l store.Lease) (string, queue.Delivery, error) {
	if b.X == nil {
		return "", "", errors.New("no exporter configured")
	}
	res, err := b.X.ExportLeased(ctx, l)
	return res.Key, res.Delivery, err
}

// Destination names the queue.
func (b BillingExporter) Destination() string {
	if b.Dest == "" {
		return "the billing queue"
	}
	return b.Dest
}
