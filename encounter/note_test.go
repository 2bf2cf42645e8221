package encounter

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

const goodNote = `---
id: enc-77
patient_id: P-9
patient_name: "Jo Example"
dob: 1980-02-29
sex: female
npi: 1234567893
provider: Dr Who
dos: 2026-03-01
dos_to: 2026-03-02
pos: 23
# a comment line
title: 'ED note'
---
# Heading ignored because the title is given

Patient seen for cough.
`

func TestDecodeNoteFrontMatter(t *testing.T) {
	enc, err := DecodeNote([]byte(goodNote), "inbox/x.md")
	if err != nil {
		t.Fatal(err)
	}
	want := Encounter{
		ID:             "enc-77",
		Patient:        Patient{ID: "P-9", Name: "Jo Example", DateOfBirth: NewDate(1980, 2, 29), Sex: "F"},
		Provider:       Provider{NPI: "1234567893", Name: "Dr Who"},
		Service:        DateRange{From: NewDate(2026, 3, 1), To: NewDate(2026, 3, 2)},
		PlaceOfService: "23",
	}
	got := *enc
	got.Notes = nil
	if !equalJSON(t, &got, &want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if len(enc.Notes) != 1 || enc.Notes[0].Title != "ED note" || enc.Notes[0].ID != "note-1" {
		t.Fatalf("notes: %+v", enc.Notes)
	}
	if !strings.HasPrefix(enc.Notes[0].Text, "# Heading") || !strings.HasSuffix(enc.Notes[0].Text, "for cough.\n") {
		t.Errorf("body: %q", enc.Notes[0].Text)
	}
}

func TestDecodeNoteDefaults(t *testing.T) {
	// No front-matter: id from the file name, title from the Markdown
	// heading (.md) or a default (.txt).
	enc, err := DecodeNote([]byte("\r\n# Knee pain follow up\r\nBetter.\r\n"), "inbox/Visit 12 (Smith).md")
	if err != nil {
		t.Fatal(err)
	}
	if enc.ID != "Visit-12--Smith" {
		t.Errorf("id %q", enc.ID)
	}
	if enc.Notes[0].Title != "Knee pain follow up" || strings.Contains(enc.Notes[0].Text, "\r") {
		t.Errorf("note %+v", enc.Notes[0])
	}
	enc, err = DecodeNote([]byte("# not a title in text\nBody"), "n.txt")
	if err != nil || enc.Notes[0].Title != "Clinical note" || enc.ID != "n" {
		t.Errorf("txt: %v %+v", err, enc)
	}
	// The result encodes into valid JSON.
	out, _ := Encode(enc)
	if _, err := Decode(out, "n.json"); err != nil {
		t.Errorf("encoded note does not decode: %v", err)
	}
}

func TestDecodeNoteErrors(t *testing.T) {
	cases := []struct {
		name, file, text, field, contains string
	}{
		{"unknown key", "a.txt", "---\nid: a\ndiagnosis: E11.9\n---\nbody", "diagnosis", "unknown front-matter key"},
		{"repeated key", "a.txt", "---\ndos: 2026-01-01\ndos: 2026-01-02\n---\nbody", "dos", "repeated"},
		{"bad date", "a.txt", "---\ndob: 1/2/1980\n---\nbody", "dob", "YYYY-MM-DD"},
		{"bad sex", "a.txt", "---\nsex: x\n---\nbody", "sex", "F, M or U"},
		{"bad npi", "a.txt", "---\nnpi: 123\n---\nbody", "npi", "10-digit"},
		{"bad pos", "a.txt", "---\npos: office\n---\nbody", "pos", "place-of-service"},
		{"bad id", "a.txt", "---\nid: a/b\n---\nbody", "id", "letters, digits"},
		{"dos_to alone", "a.txt", "---\ndos_to: 2026-01-02\n---\nbody", "dos_to", "without dos"},
		{"not key value", "a.txt", "---\njust words\n---\nbody", "", "not \"key: value\""},
		{"unclosed", "a.txt", "---\nid: a\nbody", "", "no closing ---"},
		{"empty body", "a.txt", "---\nid: a\n---\n\n  \n", "text", "no text"},
		{"escape in body", "a.txt", "---\nid: a\n---\nline one\nred \x1b[31mtext", "text", "ESC"},
		{"escape in value", "a.txt", "---\nprovider: Dr \x1b]0;pwned\x07\n---\nbody", "provider", "ESC"},
		{"no id from name", "---.txt", "body", "id", "no id"},
		{"binary", "a.txt", "ab\x00cd", "", "binary"},
		{"invalid utf-8", "a.txt", "caf\xe9", "", "invalid UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeNote([]byte(c.text), "inbox/"+c.file)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "inbox/"+c.file+": ") {
				t.Errorf("error does not name the file: %q", msg)
			}
			if c.field != "" && !strings.Contains(msg, "field "+c.field+": ") {
				t.Errorf("error does not name field %s: %q", c.field, msg)
			}
			if !strings.Contains(msg, c.contains) {
				t.Errorf("error %q does not say %q", msg, c.contains)
			}
		})
	}
}

func TestIDFromFileName(t *testing.T) {
	for name, want := range map[string]string{
		"inbox/enc-1.txt":               "enc-1",
		"a b.c.md":                      "a-b.c",
		"---.txt":                       "",
		"é.txt":                         "",
		strings.Repeat("x", 90) + ".md": strings.Repeat("x", 64),
	} {
		if got := idFromFileName(name); got != want {
			t.Errorf("idFromFileName(%q) = %q, want %q", name, got, want)
		}
	}
}

// FuzzImportNote: the note reader never panics, and what it accepts is an
// encounter the JSON codec round-trips.
func FuzzImportNote(f *testing.F) {
	f.Add([]byte(goodNote), "x.md")
	f.Add([]byte("plain text note"), "n.txt")
	f.Add([]byte("---\n---\n"), "a.txt")
	f.Add([]byte("---\nid: a\n"), "b.txt")
	f.Add([]byte("---\r\ndos: 2026-01-01\r\n---\r\nbody\r"), "c.txt")
	f.Add([]byte("\x1b[2Jboom"), "d.md")
	f.Add([]byte("---\npayer_id: 60054\npayer_name: Aetna\npayer_type: commercial\nmember_id: W1\nrelationship: child\nsubscriber_name: Al Bo\nbilling_npi: 1245319599\nbilling_name: X\nbilling_address: 1 Main St, Town, IL 62701\nonset: 2026-01-02\n---\nbody"), "e.txt")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		enc, err := DecodeNote(data, name)
		if err != nil {
			if !strings.HasPrefix(err.Error(), name+": ") {
				t.Fatalf("error without file name: %v", err)
			}
			return
		}
		out, err := Encode(enc)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Decode(out, "note.json")
		if err != nil {
			t.Fatalf("accepted note does not round-trip: %v\n%s", err, out)
		}
		again, _ := Encode(back)
		if !bytes.Equal(out, again) {
			t.Fatalf("round trip changed the encounter")
		}
	})
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	return bytes.Equal(ja, jb)
}

// TestNoteClaimKeys: the front-matter carries the v2 claim fields, and a
// key whose object lacks its required keys is refused with its line.
func TestNoteClaimKeys(t *testing.T) {
	note := "---\npayer_id: 60054\npayer_name: Test Plan\npayer_type: medicaid\nmember_id: M-1\nrelationship: child\n" +
		"subscriber_name: Al Bo\nsubscriber_dob: 1980-01-02\nsubscriber_sex: male\n" +
		"billing_npi: 1245319599\nbilling_name: Test Clinic\nbilling_tax_id: 12-3456789\nbilling_address: 1 Main St, Suite 2, Town, IL 62701-1234\n" +
		"referring_npi: 1679576722\nfacility_name: Town ED\nfacility_address: 2 Side St, Town, IL 627011111\n" +
		"onset: 2026-01-02\naccident_date: 2026-01-02\naccident_type: auto\naccident_state: IL\nprior_auth: PA1\ntaxonomy: 207Q00000X\n---\nbody"
	enc, err := DecodeNote([]byte(note), "a.txt")
	if err != nil {
		t.Fatal(err)
	}
	c := enc.Coverage
	if c.PayerType != PayerMedicaid || c.Subscriber.Sex != "M" || c.Subscriber.DateOfBirth != NewDate(1980, 1, 2) || enc.BillingProvider.TaxID != "123456789" ||
		enc.BillingProvider.Address.Line2 != "Suite 2" || enc.ServiceFacility.Address.Zip != "627011111" || enc.Onset.AccidentState != "IL" ||
		enc.PriorAuthorization != "PA1" || enc.ReferringProvider.NPI != "1679576722" || enc.Provider.Taxonomy != "207Q00000X" {
		t.Errorf("claim fields: %+v", enc)
	}
	_, err = DecodeNote([]byte("---\nmember_id: M-1\n---\nbody"), "b.txt")
	if err == nil || !strings.Contains(err.Error(), "field payer_id: missing; member_id is given") || !strings.Contains(err.Error(), "(line 2)") {
		t.Errorf("coverage without payer: %v", err)
	}
	_, err = DecodeNote([]byte("---\npayer_type: Medicare\nbilling_address: Town IL\n---\nbody"), "c.txt")
	if err == nil || !strings.Contains(err.Error(), `"Medicare" is not a payer type`) || !strings.Contains(err.Error(), "field billing_address:") {
		t.Errorf("bad values: %v", err)
	}
}
