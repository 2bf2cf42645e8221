package encounter

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"codebench/termsafe"
)

// A plain-text or Markdown note is one encounter with one note. It may
// start with front-matter: a line "---", then "key: value" lines, then a
// line "---". Keys (all optional):
//
//	id            encounter id (default: the file name without extension)
//	patient_id    patient_name  dob (YYYY-MM-DD)  sex (F, M, U)
//	npi           provider (rendering provider's name)
//	dos           date of service (YYYY-MM-DD)  dos_to (last date, if several)
//	pos           place of service (two digits)
//	title         the note's title (default: the first Markdown heading, else "Clinical note")
//
// Values may be wrapped in single or double quotes; blank lines and lines
// starting with # are ignored. An unknown or repeated key is an error.

// frontMatterKeys lists the keys in the order the documentation gives.
var frontMatterKeys = []string{"id", "patient_id", "patient_name", "dob", "sex", "patient_address", "npi", "provider", "taxonomy", "dos", "dos_to", "pos", "title",
	"payer_id", "payer_name", "payer_type", "member_id", "group", "relationship", "subscriber_name", "subscriber_dob", "subscriber_sex",
	"billing_npi", "billing_name", "billing_taxonomy", "billing_tax_id", "billing_address",
	"referring_npi", "referring_name", "facility_npi", "facility_name", "facility_address",
	"onset", "accident_date", "accident_type", "accident_state", "prior_auth"}

var headingPattern = regexp.MustCompile(`(?m)^#{1,6}[ \t]+(.+?)[ \t#]*$`)

// DecodeNote reads a plain-text or Markdown note (see above) into an
// uncoded encounter. name is the file name: it gives the default id and
// appears in errors, which are *FileError.
func DecodeNote(data []byte, name string) (*Encounter, error) {
	if err := checkBytes(data); err != nil {
		return nil, fileError(name, err.Error())
	}
	text := normalizeNewlines(string(stripBOM(data)))
	fe := &FileError{File: name}
	fail := func(field string, line int, format string, a ...any) {
		if len(fe.Problems) < maxProblems {
			fe.Problems = append(fe.Problems, Problem{Field: termsafe.Escape(field), Line: line, Message: termsafe.Escape(fmt.Sprintf(format, a...))})
		}
	}

	values := map[string]string{}
	lines := map[string]int{}
	body, bodyLine := text, 1
	if strings.HasPrefix(text, "---\n") {
		rest := text[len("---\n"):]
		lineNo := 1
		closed := false
		for rest != "" {
			line := rest
			if i := strings.IndexByte(rest, '\n'); i >= 0 {
				line, rest = rest[:i], rest[i+1:]
			} else {
				rest = ""
			}
			lineNo++
			trimmed := strings.TrimSpace(line)
			if trimmed == "---" {
				closed = true
				body, bodyLine = rest, lineNo+1
				break
			}
			if trimmed == "" || strings.HasPrefix(trimmed, "#") {
				continue
			}
			key, value, ok := strings.Cut(trimmed, ":")
			key = strings.ToLower(strings.TrimSpace(key))
			if !ok || key == "" {
				fail("", lineNo, "front-matter line %q is not \"key: value\"", clip(trimmed, 40))
				continue
			}
			if !knownKey(key) {
				fail(key, lineNo, "unknown front-matter key (known: %s)", strings.Join(frontMatterKeys, ", "))
				continue
			}
			if _, dup := values[key]; dup {
				fail(key, lineNo, "repeated; it was already given on line %d", lines[key])
				continue
			}
			values[key], lines[key] = unquote(strings.TrimSpace(value)), lineNo
		}
		if !closed {
			fail("", 1, "front-matter starts with --- but has no closing --- line")
			return nil, fe
		}
	}

	enc := &Encounter{}
	set := func(key string, apply func(v string) string) {
		v, ok := values[key]
		if !ok || v == "" {
			return
		}
		if msg := textProblem(v, false); msg != "" {
			fail(key, lines[key], "%s", msg)
			return
		}
		if msg := apply(v); msg != "" {
			fail(key, lines[key], "%s", msg)
		}
	}
	date := func(dst *Date) func(string) string {
		return func(v string) string {
			d, err := ParseDate(v)
			if err != nil {
				return fmt.Sprintf("%q is not a date YYYY-MM-DD", v)
			}
			*dst = d
			return ""
		}
	}
	pattern := func(dst *string, re *regexp.Regexp, want string) func(string) string {
		return func(v string) string {
			if !re.MatchString(v) {
				return fmt.Sprintf("%q is not %s", v, want)
			}
			*dst = v
			return ""
		}
	}
	length := func(dst *string) func(string) string {
		return func(v string) string {
			if len([]rune(v)) > maxNameLen {
				return fmt.Sprintf("longer than %d characters", maxNameLen)
			}
			*dst = v
			return ""
		}
	}
	set("id", pattern(&enc.ID, idPattern, idPatternMessage))
	set("patient_id", pattern(&enc.Patient.ID, idPattern, idPatternMessage))
	set("patient_name", length(&enc.Patient.Name))
	set("dob", date(&enc.Patient.DateOfBirth))
	sex := func(dst *string) func(string) string {
		return func(v string) string {
			switch strings.ToLower(v) {
			case "f", "female":
				*dst = "F"
			case "m", "male":
				*dst = "M"
			case "u", "unknown":
				*dst = "U"
			default:
				return fmt.Sprintf("%q is not F, M or U", v)
			}
			return ""
		}
	}
	address := func(dst *Address) func(string) string {
		return func(v string) string {
			a, err := ParseAddress(v)
			if err != nil {
				return err.Error()
			}
			*dst = a
			return ""
		}
	}
	oneOf := func(dst *string, list []string, what string) func(string) string {
		return func(v string) string {
			if !slices.Contains(list, v) {
				return fmt.Sprintf("%q is not %s (%s)", v, what, strings.Join(list, ", "))
			}
			*dst = v
			return ""
		}
	}
	set("sex", sex(&enc.Patient.Sex))
	set("patient_address", address(&enc.Patient.Address))
	set("npi", pattern(&enc.Provider.NPI, npiPattern, "a 10-digit NPI"))
	set("provider", length(&enc.Provider.Name))
	set("taxonomy", pattern(&enc.Provider.Taxonomy, taxonomyPattern, "a NUCC taxonomy code"))
	cov := &enc.Coverage
	set("payer_id", pattern(&cov.PayerID, refPattern, refPatternMessage))
	set("payer_name", func(v string) string {
		if len([]rune(v)) > 60 {
			return "longer than 60 characters (837P NM103)"
		}
		cov.PayerName = v
		return ""
	})
	payerType := ""
	set("payer_type", oneOf(&payerType, []string{string(PayerMedicare), string(PayerMedicaid), string(PayerCommercial), string(PayerOther)}, "a payer type"))
	cov.PayerType = PayerType(payerType)
	set("member_id", pattern(&cov.MemberID, refPattern, refPatternMessage))
	set("group", pattern(&cov.Group, refPattern, refPatternMessage))
	set("relationship", oneOf(&cov.Relationship, Relationships, "a relationship to the subscriber"))
	set("subscriber_name", length(&cov.Subscriber.Name))
	set("subscriber_dob", date(&cov.Subscriber.DateOfBirth))
	set("subscriber_sex", sex(&cov.Subscriber.Sex))
	bp := &enc.BillingProvider
	set("billing_npi", pattern(&bp.NPI, npiPattern, "a 10-digit NPI"))
	set("billing_name", length(&bp.Name))
	set("billing_taxonomy", pattern(&bp.Taxonomy, taxonomyPattern, "a NUCC taxonomy code"))
	set("billing_tax_id", func(v string) string {
		if !taxIDPattern.MatchString(v) {
			return fmt.Sprintf("%q is not an employer identification number (9 digits, or 12-3456789)", v)
		}
		bp.TaxID = strings.ReplaceAll(v, "-", "")
		return ""
	})
	set("billing_address", address(&bp.Address))
	set("referring_npi", pattern(&enc.ReferringProvider.NPI, npiPattern, "a 10-digit NPI"))
	set("referring_name", length(&enc.ReferringProvider.Name))
	set("facility_npi", pattern(&enc.ServiceFacility.NPI, npiPattern, "a 10-digit NPI"))
	set("facility_name", length(&enc.ServiceFacility.Name))
	set("facility_address", address(&enc.ServiceFacility.Address))
	set("onset", date(&enc.Onset.Date))
	set("accident_date", date(&enc.Onset.AccidentDate))
	set("accident_type", oneOf(&enc.Onset.AccidentType, AccidentTypes, "an accident type"))
	set("accident_state", pattern(&enc.Onset.AccidentState, statePattern, "a two-letter USPS state code in capitals"))
	set("prior_auth", pattern(&enc.PriorAuthorization, refPattern, refPatternMessage))
	set("dos", date(&enc.Service.From))
	set("dos_to", date(&enc.Service.To))
	set("pos", pattern(&enc.PlaceOfService, posPattern, "a two-digit CMS place-of-service code"))
	title := ""
	set("title", length(&title))

	// A group of keys that fill one object needs the object's required
	// keys, as the JSON format does.
	for _, g := range [][]string{
		{"payer_id", "payer_name", "payer_type", "member_id", "group", "relationship", "subscriber_name", "subscriber_dob", "subscriber_sex"},
		{"billing_npi", "billing_name", "billing_address", "billing_taxonomy", "billing_tax_id"},
		{"facility_name", "facility_address", "facility_npi"},
		{"subscriber_name", "subscriber_dob", "subscriber_sex"},
	} {
		required := map[string]int{"payer_id": 3, "billing_npi": 3, "facility_name": 2, "subscriber_name": 1}[g[0]]
		given := ""
		for _, k := range g {
			if values[k] != "" {
				given = k
				break
			}
		}
		if given == "" {
			continue
		}
		for _, k := range g[:required] {
			if values[k] == "" {
				fail(k, lines[given], "missing; %s is given, which needs %s", given, strings.Join(g[:required], ", "))
			}
		}
	}
	if _, ok := values["dos_to"]; ok && enc.Service.From.IsZero() {
		fail("dos_to", lines["dos_to"], "given without dos")
	}
	if enc.ID == "" && values["id"] == "" {
		enc.ID = idFromFileName(name)
		if enc.ID == "" {
			fail("id", 0, "no id in the front-matter and the file name %q gives none; add \"id: ...\"", filepath.Base(name))
		}
	}
	if msg := textProblem(body, true); msg != "" {
		fail("text", bodyLine+strings.Count(body[:unsafeAt(body)], "\n"), "%s", msg)
	}
	if strings.TrimSpace(body) == "" {
		fail("text", bodyLine, "the note has no text")
	}
	if len(fe.Problems) > 0 {
		return nil, fe
	}
	if title == "" {
		if m := headingPattern.FindStringSubmatch(body); m != nil && strings.EqualFold(filepath.Ext(name), ".md") {
			title = clip(strings.TrimSpace(m[1]), maxNameLen)
		} else {
			title = "Clinical note"
		}
	}
	enc.Notes = []Note{{ID: "note-1", Title: title, Text: strings.TrimLeft(body, "\n")}}
	return enc, nil
}

func knownKey(k string) bool {
	for _, x := range frontMatterKeys {
		if x == k {
			return true
		}
	}
	return false
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		return v[1 : len(v)-1]
	}
	return v
}

func unsafeAt(s string) int {
	at, _, _ := unsafeRune(s, true)
	return at
}

// idFromFileName makes an encounter id from a file name: the base name
// without extension, with characters an id cannot hold turned into '-'.
func idFromFileName(name string) string {
	base := filepath.Base(name)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	var b strings.Builder
	for _, r := range base {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	id := strings.Trim(b.String(), "-._")
	if len(id) > maxIDLen {
		id = strings.TrimRight(id[:maxIDLen], "-._")
	}
	if !idPattern.MatchString(id) {
		return ""
	}
	return id
}
