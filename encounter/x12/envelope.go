// Package x12 renders a claim as an ASC X12N 837P (005010X222A1)
// professional claim interchange, and checks an interchange's structure:
// envelope, loop order, required segments, element lengths, counts and
// control numbers.
package x12

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Envelope is what the 837P needs besides the claim: who submits the
// interchange to whom. Clearinghouses assign these values; they are
// configuration (Config), not encounter data.
type Envelope struct {
	// SenderQualifier and SenderID: ISA05/ISA06 (ZZ mutually defined, 30
	// federal tax id, ...); SenderID up to 15 characters.
	SenderQualifier string `json:"sender_qualifier"`
	SenderID        string `json:"sender_id"`
	// ReceiverQualifier and ReceiverID: ISA07/ISA08.
	ReceiverQualifier string `json:"receiver_qualifier"`
	ReceiverID        string `json:"receiver_id"`
	// ApplicationSender and ApplicationReceiver: GS02/GS03; the ISA ids
	// when empty.
	ApplicationSender   string `json:"application_sender,omitempty"`
	ApplicationReceiver string `json:"application_receiver,omitempty"`
	// Usage: ISA15, "P" production or "T" test.
	Usage string `json:"usage"`
	// Submitter (loop 1000A): name, electronic transmitter id (ETIN,
	// NM109) and a contact with a phone or email (PER).
	SubmitterName    string `json:"submitter_name"`
	SubmitterID      string `json:"submitter_id"`
	SubmitterContact string `json:"submitter_contact"`
	SubmitterPhone   string `json:"submitter_phone,omitempty"` // 10 digits
	SubmitterEmail   string `json:"submitter_email,omitempty"`
	// Receiver (loop 1000B): the clearinghouse or payer receiving it.
	ReceiverName string `json:"receiver_name"`
	ReceiverETIN string `json:"receiver_etin"`
	// Compact leaves out the line break after each segment terminator;
	// by default each segment is on its own line, which X12 translators
	// ignore and people can read.
	Compact bool `json:"compact,omitempty"`
}

var (
	qualifierPattern = regexp.MustCompile(`^[0-9A-Z]{2}$`)
	isaIDPattern     = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z .-]{0,14}$`)
	phonePattern     = regexp.MustCompile(`^[0-9]{10}$`)
	emailPattern     = regexp.MustCompile(`^[^@\s*:~^]+@[^@\s*:~^]+\.[A-Za-z]{2,}$`)
	etinPattern      = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z-]{1,79}$`)
)

// Check says what is wrong with an envelope, field by field.
func (e Envelope) Check() error {
	var probs []string
	bad := func(field, format string, a ...any) {
		probs = append(probs, field+": "+fmt.Sprintf(format, a...))
	}
	if !qualifierPattern.MatchString(e.SenderQualifier) {
		bad("sender_qualifier", "%q is not an ISA05 qualifier (two capitals or digits, e.g. ZZ)", e.SenderQualifier)
	}
	if !isaIDPattern.MatchString(e.SenderID) {
		bad("sender_id", "%q is not an ISA06 id (1-15 letters, digits, space, '.' or '-')", e.SenderID)
	}
	if !qualifierPattern.MatchString(e.ReceiverQualifier) {
		bad("receiver_qualifier", "%q is not an ISA07 qualifier (two capitals or digits, e.g. ZZ)", e.ReceiverQualifier)
	}
	if !isaIDPattern.MatchString(e.ReceiverID) {
		bad("receiver_id", "%q is not an ISA08 id (1-15 letters, digits, space, '.' or '-')", e.ReceiverID)
	}
	for _, f := range []struct{ name, v string }{{"application_sender", e.ApplicationSender}, {"application_receiver", e.ApplicationReceiver}} {
		if f.v != "" && !isaIDPattern.MatchString(f.v) {
			bad(f.name, "%q is not a GS id (1-15 letters, digits, space, '.' or '-')", f.v)
		}
	}
	if e.Usage != "P" && e.Usage != "T" {
		bad("usage", "%q is not P (production) or T (test)", e.Usage)
	}
	if strings.TrimSpace(e.SubmitterName) == "" || len(e.SubmitterName) > 60 {
		bad("submitter_name", "want 1-60 characters")
	}
	if !etinPattern.MatchString(e.SubmitterID) {
		bad("submitter_id", "%q is not a submitter ETIN (2-80 letters, digits or '-')", e.SubmitterID)
	}
	if strings.TrimSpace(e.SubmitterContact) == "" || len(e.SubmitterContact) > 60 {
		bad("submitter_contact", "want 1-60 characters")
	}
	switch {
	case e.SubmitterPhone == "" && e.SubmitterEmail == "":
		bad("submitter_phone", "give a phone (10 digits) or submitter_email for the 1000A PER contact")
	case e.SubmitterPhone != "" && !phonePattern.MatchString(e.SubmitterPhone):
		bad("submitter_phone", "%q is not 10 digits", e.SubmitterPhone)
	case e.SubmitterEmail != "" && !emailPattern.MatchString(e.SubmitterEmail):
		bad("submitter_email", "%q is not an email address", e.SubmitterEmail)
	}
	if strings.TrimSpace(e.ReceiverName) == "" || len(e.ReceiverName) > 60 {
		bad("receiver_name", "want 1-60 characters")
	}
	if !etinPattern.MatchString(e.ReceiverETIN) {
		bad("receiver_etin", "%q is not a receiver id (2-80 letters, digits or '-')", e.ReceiverETIN)
	}
	for _, f := range []string{e.SenderID, e.ReceiverID, e.SubmitterName, e.SubmitterID, e.SubmitterContact, e.ReceiverName, e.ReceiverETIN, e.SubmitterEmail} {
		if strings.ContainsAny(f, "*:~^\r\n") {
			probs = append(probs, fmt.Sprintf("%q holds an X12 delimiter (* : ~ ^) or a line break", f))
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("%s", strings.Join(probs, "; "))
	}
	return nil
}

// LoadEnvelope reads an envelope configuration file (JSON, the fields
// above), strictly: unknown fields are errors, every problem names the
// file and field.
func LoadEnvelope(path string) (Envelope, error) {
	f, err := os.Open(path)
	if err != nil {
		return Envelope{}, fmt.Errorf("837P configuration: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	var e Envelope
	if err := dec.Decode(&e); err != nil {
		return Envelope{}, fmt.Errorf("837P configuration %s: %w", path, err)
	}
	if dec.More() {
		return Envelope{}, fmt.Errorf("837P configuration %s: more than one JSON object", path)
	}
	if err := e.Check(); err != nil {
		return Envelope{}, fmt.Errorf("837P configuration %s: %w", path, err)
	}
	return e, nil
}
