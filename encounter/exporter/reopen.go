package exporter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"codebench/encounter"
	"codebench/encounter/store"
)

// PayerPolicy says which corrections a payer takes as claims: Medicare
// contractors differ on Part B corrections (some take a replacement claim,
// frequency 7, others want a reopening request instead), so it is
// configuration, one entry per payer id.
type PayerPolicy struct {
	PayerID      string `json:"payer_id"`
	Name         string `json:"name,omitempty"`
	Replacements bool   `json:"replacements"`
	Voids        bool   `json:"voids"`
	// Note tells the coder what to do instead when a kind is refused.
	Note string `json:"note,omitempty"`
}

// Policies are the payers' policies; a payer not listed takes both
// replacements and voids.
type Policies struct {
	byPayer map[string]PayerPolicy
}

// For is the policy of a payer.
func (p Policies) For(payerID string) PayerPolicy {
	if pol, ok := p.byPayer[payerID]; ok {
		return pol
	}
	return PayerPolicy{PayerID: payerID, Replacements: true, Voids: true}
}

// LoadPolicies reads a payer policy file: {"payers": [{"payer_id":
// "06102", "replacements": false, "voids": true, "note": "..."}]}. A
// missing file means every payer takes both.
func LoadPolicies(path string) (Policies, error) {
	p := Policies{byPayer: map[string]PayerPolicy{}}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	defer f.Close()
	var doc struct {
		Payers []PayerPolicy `json:"payers"`
	}
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return p, fmt.Errorf("payer policies %s: %w", path, err)
	}
	for i, pol := range doc.Payers {
		if !encounter.ValidReference(pol.PayerID) {
			return p, fmt.Errorf("payer policies %s: payers[%d].payer_id %q is not a payer id", path, i, pol.PayerID)
		}
		if _, dup := p.byPayer[pol.PayerID]; dup {
			return p, fmt.Errorf("payer policies %s: payers[%d]: payer %q listed twice", path, i, pol.PayerID)
		}
		p.byPayer[pol.PayerID] = pol
	}
	return p, nil
}

// ErrCorrectionRefused is matched by a reopen the payer's policy does not
// allow.
var ErrCorrectionRefused = errors.New("the payer does not take this correction as a claim")

// Reopen turns an exported encounter into a correction of the claim it
// sent: a replacement (frequency 7) or a void (frequency 8) of the
// exported revision, carrying the payer's original claim number and the
// reason, under the caller's lease. The encounter gets a new revision (a
// draft based on the exported one), an audit entry "reopen", and its
// claim will point at the predecessor (FHIR Claim.related, 837P REF*F8).
// The payer's policy may refuse the kind (ErrCorrectionRefused). It
// returns the reopened encounter; the coder then corrects it (a
// replacement) or exports it as it is (a void).
func Reopen(ctx context.Context, st store.Store, policies Policies, l store.Lease, frequency, originalClaimNumber, reason string) (*encounter.Encounter, error) {
	enc, sum, err := st.Get(ctx, l.EncounterID)
	if err != nil {
		return nil, err
	}
	kind := map[string]string{encounter.FrequencyReplacement: "replacement", encounter.FrequencyVoid: "void"}[frequency]
	switch {
	case kind == "":
		return nil, fmt.Errorf("reopen %s: frequency %q; want 7 (replacement) or 8 (void)", enc.ID, frequency)
	case !encounter.ValidReference(originalClaimNumber):
		return nil, fmt.Errorf("reopen %s: the payer's original claim number %q is missing or not a claim number (letters, digits, spaces, '-')", enc.ID, originalClaimNumber)
	case strings.TrimSpace(reason) == "":
		return nil, fmt.Errorf("reopen %s: a %s needs its reason", enc.ID, kind)
	case len(reason) > 500:
		return nil, fmt.Errorf("reopen %s: the reason is longer than 500 characters", enc.ID)
	case sum.PendingExport != "":
		return nil, fmt.Errorf("reopen %s: %w", enc.ID, store.ErrExportPending)
	case sum.ExportKey == "" || (sum.Status != store.Exported && sum.Status != store.Rejected):
		return nil, fmt.Errorf("reopen %s: %w: only an exported claim is replaced or voided (status %s)", enc.ID, store.ErrTransition, sum.Status)
	}
	pol := policies.For(enc.Coverage.PayerID)
	if (frequency == encounter.FrequencyReplacement && !pol.Replacements) || (frequency == encounter.FrequencyVoid && !pol.Voids) {
		msg := fmt.Sprintf("reopen %s: payer %s (%s) takes no %s claims", enc.ID, enc.Coverage.PayerID, enc.Coverage.PayerName, kind)
		if pol.Note != "" {
			msg += ": " + pol.Note
		}
		return nil, fmt.Errorf("%s: %w", msg, ErrCorrectionRefused)
	}
	predecessor := sum.ExportKey
	detail := fmt.Sprintf("reopened as a %s (frequency %s) of %s, payer claim %s: %s", kind, frequency, predecessor, originalClaimNumber, reason)
	if sum.Status == store.Exported {
		// Exported -> rejected is the store's way back to work; the
		// draft below moves it on to in progress.
		if err := st.SetStatus(ctx, l, store.Rejected, detail); err != nil {
			return nil, fmt.Errorf("reopen %s: %w", enc.ID, err)
		}
	}
	enc.Resubmission = encounter.Resubmission{Frequency: frequency, OriginalClaimNumber: originalClaimNumber, Predecessor: predecessor, Reason: reason}
	if err := st.SaveDraft(ctx, l, sum.Revision, enc, "reopen"); err != nil {
		return nil, fmt.Errorf("reopen %s: %w", enc.ID, err)
	}
	if err := st.Log(ctx, store.AuditEntry{EncounterID: enc.ID, Coder: l.Coder, Revision: enc.Revision, Action: "reopen", Detail: detail}); err != nil {
		return enc, fmt.Errorf("reopen %s: reopened as revision %d, not logged: %w", enc.ID, enc.Revision, err)
	}
	return enc, nil
}
