package tui

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"codebench/encounter"
	"codebench/encounter/exporter"
	"codebench/encounter/store"
	"codebench/tui/common"
	"codebench/tui/dialog"
)

// Reopener turns an exported claim back into work: a replacement
// (frequency 7) or a void (8) of the payer's claim, under the coder's
// lease; BillingExporter does it with encounter/exporter and the payers'
// policies.
type Reopener interface {
	Reopen(ctx context.Context, l store.Lease, frequency, originalClaimNumber, reason string) (*encounter.Encounter, error)
}

// Reopen reopens the exported encounter under the lease, as the payer's
// policy allows.
func (b BillingExporter) Reopen(ctx context.Context, l store.Lease, frequency, originalClaimNumber, reason string) (*encounter.Encounter, error) {
	if b.X == nil || b.X.Store == nil {
		return nil, errors.New("no exporter configured")
	}
	return exporter.Reopen(ctx, b.X.Store, b.Policies, l, frequency, originalClaimNumber, reason)
}

type reopenedMsg struct {
	id    string
	enc   *encounter.Encounter
	sum   store.Summary
	lease store.Lease
	kind  string
	err   error
}

// startReopen asks how to reopen the exported encounter on screen.
func (m *Model) startReopen() tea.Cmd {
	w := m.w
	if w.Enc == nil {
		return common.Fail(common.Refuse("open an exported encounter first"))
	}
	if w.Sum.Status != store.Exported || w.Sum.PendingExport != "" {
		return common.Fail(common.Refuse("only an exported claim is reopened (this one is %s)", common.StatusLabel(w.Sum.Status)))
	}
	if _, ok := m.c.Exporter.(Reopener); !ok || m.c.Store == nil {
		return common.Fail(common.Refuse("no billing exporter to reopen the claim with"))
	}
	m.reopen = dialog.NewReopen(&m.c, w.Enc.ID, w.Sum.ExportKey)
	return nil
}

// reopenCmd leases the encounter and reopens it; the lease is kept for
// the coder's corrections, or released if the reopen is refused.
func (m *Model) reopenCmd(msg dialog.ReopenMsg) tea.Cmd {
	m.reopen = nil
	if m.w.Enc == nil {
		return nil
	}
	st, ro, id, coder, ttl, ctx := m.c.Store, m.c.Exporter.(Reopener), m.w.Enc.ID, m.c.Coder, m.c.Timing.LeaseTTL, m.c.Ctx
	kind := map[string]string{encounter.FrequencyReplacement: "replacement", encounter.FrequencyVoid: "void"}[msg.Frequency]
	return func() tea.Msg {
		l, err := st.Lease(ctx, id, coder, ttl)
		if err != nil {
			return reopenedMsg{id: id, err: err}
		}
		enc, err := ro.Reopen(ctx, l, msg.Frequency, msg.OriginalClaimNumber, msg.Reason)
		if err != nil {
			st.Release(context.WithoutCancel(ctx), l)
			return reopenedMsg{id: id, err: err}
		}
		_, sum, err := st.Get(ctx, id)
		if err != nil {
			st.Release(context.WithoutCancel(ctx), l)
			return reopenedMsg{id: id, err: err}
		}
		return reopenedMsg{id: id, enc: enc, sum: sum, lease: l, kind: kind}
	}
}

func (m *Model) reopened(msg reopenedMsg) tea.Cmd {
	if msg.err != nil {
		return common.Fail(fmt.Errorf("%s not reopened: %w", msg.id, msg.err))
	}
	if m.w.Enc == nil || m.w.Enc.ID != msg.id {
		st, l, ctx := m.c.Store, msg.lease, m.c.Ctx
		return func() tea.Msg { st.Release(ctx, l); return nil }
	}
	next := "correct the claim, then ctrl+x exports the replacement"
	if msg.kind == "void" {
		next = "ctrl+x exports the void"
	}
	return m.opened(openedMsg{id: msg.id, enc: msg.enc, sum: msg.sum, lease: msg.lease,
		said: fmt.Sprintf("%s reopened as a %s of %s (revision %d): %s", msg.id, msg.kind, msg.sum.ExportKey, msg.enc.Revision, next)})
}
