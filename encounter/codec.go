package encounter

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"codebench/codesets"
	"codebench/termsafe"
)

// The encounter JSON formats; every file names its own in "schema". See
// schema/*.schema.json and README.md. v2 adds what a professional claim
// carries besides the coding (payer and coverage, billing, referring and
// facility providers, onset and accident, NDC, prior authorisation,
// resubmission); v1 files are still read.
const (
	SchemaV1 = "codebench.encounter/v1"
	SchemaV2 = "codebench.encounter/v2"
	// Schema is the format Encode writes.
	Schema = SchemaV2
)

var (
	//go:embed schema/encounter.v2.schema.json
	schemaJSON []byte
	//go:embed schema/encounter.v1.schema.json
	schemaV1JSON []byte
)

// JSONSchema returns the JSON Schema (draft 2020-12) of the current format
// (v2).
func JSONSchema() []byte { return append([]byte(nil), schemaJSON...) }

// JSONSchemaV1 returns the JSON Schema of version 1, which Decode still
// reads.
func JSONSchemaV1() []byte { return append([]byte(nil), schemaV1JSON...) }

// Field limits of the format (also stated in the JSON Schema).
const (
	maxIDLen     = 64
	maxNameLen   = 200
	maxNotes     = 100
	maxListItems = 100 // diagnoses, service lines, overrides: far above a claim's limits, which Validate reports
	maxProblems  = 20  // problems listed per file before giving up
)

var (
	idPattern        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	icdPattern       = regexp.MustCompile(codesets.ICD10CMPattern)
	procPattern      = regexp.MustCompile(`^[0-9A-Za-z]{5}$`)
	modifierPattern  = regexp.MustCompile(`^[0-9A-Za-z]{2}$`)
	npiPattern       = regexp.MustCompile(`^[0-9]{10}$`)
	posPattern       = regexp.MustCompile(`^[0-9]{2}$`)
	rulePattern      = regexp.MustCompile(`^[a-z0-9]+(\.[a-z0-9-]+)+$`)
	targetPattern    = regexp.MustCompile(`^(claim|dx:[1-9][0-9]?|line:[1-9][0-9]?)$`)
	anyCodePattern   = regexp.MustCompile(`^[0-9A-Za-z.]{2,8}$`)
	idPatternMessage = "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
)

// Problem is one thing wrong with an input file.
type Problem struct {
	// Field is the JSON path ("service_lines[1].units") or front-matter
	// key; empty for problems with the file as a whole.
	Field string
	// Line is the 1-based line of the file, 0 when unknown.
	Line    int
	Message string
}

// FileError lists what is wrong with one input file. Its Error text names
// the file and, for each problem, the field.
type FileError struct {
	File     string
	Problems []Problem
}

// The file name, fields and messages come from outside (a JSON key, a
// front-matter key, a file name): they are escaped, never printed raw.
func (e *FileError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(termsafe.Text(e.File))
		b.WriteString(": ")
		if p.Field != "" {
			b.WriteString("field " + termsafe.Escape(p.Field) + ": ")
		}
		b.WriteString(termsafe.Escape(p.Message))
		if p.Line > 0 {
			fmt.Fprintf(&b, " (line %d)", p.Line)
		}
	}
	return b.String()
}

func fileError(name, msg string) *FileError {
	return &FileError{File: name, Problems: []Problem{{Message: termsafe.Escape(msg)}}}
}

// Decode reads one encounter in the codebench.encounter/v2 or v1 JSON format,
// strictly: unknown fields, wrong types, repeated keys, malformed codes,
// dates and ids, invalid UTF-8, binary data, files over MaxFileSize and
// control characters in text are errors. name is the file name used in
// messages; the error is a *FileError. Codes and modifiers come back in
// canonical form (upper case, no dot), note text with LF line endings.
func Decode(data []byte, name string) (*Encounter, error) {
	if err := checkBytes(data); err != nil {
		return nil, fileError(name, err.Error())
	}
	data = stripBOM(data)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fileError(name, "empty file; want an encounter JSON object")
	}
	root, err := parseTree(data)
	if err != nil {
		se := err.(*syntaxError)
		return nil, &FileError{File: name, Problems: []Problem{{Line: lineOf(data, se.off), Message: se.msg}}}
	}
	r := &reader{file: name, data: data, version: 2}
	if s := member(root, "schema"); s != nil && s.kind == jString && s.str == SchemaV1 {
		r.version = 1
	}
	enc := r.encounter(root)
	if len(r.probs) > 0 {
		return nil, &FileError{File: name, Problems: r.probs}
	}
	return enc, nil
}

// Encode writes an encounter in the codebench.encounter/v2 format, indented,
// with empty lists as [] so the output always satisfies the schema.
func Encode(enc *Encounter) ([]byte, error) {
	e := *enc
	e.Notes = nonNil(e.Notes)
	e.Diagnoses = nonNil(e.Diagnoses)
	e.Lines = make([]ServiceLine, len(enc.Lines))
	for i, l := range enc.Lines {
		l.Pointers = nonNil(l.Pointers)
		e.Lines[i] = l
	}
	doc := struct {
		Schema string `json:"schema"`
		*Encounter
	}{Schema, &e}
	var buf bytes.Buffer
	je := json.NewEncoder(&buf)
	je.SetIndent("", "  ")
	je.SetEscapeHTML(false)
	if err := je.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// reader walks the parsed tree into an Encounter, collecting problems.
type reader struct {
	file  string
	data  []byte
	probs []Problem
	// version is the file's format version; fields of a later version
	// are unknown in an earlier one.
	version int
}

func (r *reader) fail(path string, n *jnode, format string, a ...any) {
	if len(r.probs) >= maxProblems {
		return
	}
	line := 0
	if n != nil {
		line = lineOf(r.data, n.off)
	}
	msg := fmt.Sprintf(format, a...)
	r.probs = append(r.probs, Problem{Field: termsafe.Escape(path), Line: line, Message: termsafe.Escape(msg)})
	if len(r.probs) == maxProblems {
		r.probs = append(r.probs, Problem{Message: "more problems not listed; fix these first"})
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// field is one member of a JSON object.
type field struct {
	name     string
	required bool
	read     func(path string, n *jnode)
}

// object reads the members of an object, reporting unknown and missing
// ones. It returns false when n is not an object.
func (r *reader) object(path string, n *jnode, fields []field) bool {
	return r.objectV2(path, n, fields, nil)
}

// objectV2 is object for an object that gained the fields v2 in version
// 2: in a v1 file they are unknown, with a message saying so.
func (r *reader) objectV2(path string, n *jnode, fields, v2 []field) bool {
	var later []string
	if r.version >= 2 {
		fields = append(fields[:len(fields):len(fields)], v2...)
	} else {
		for _, f := range v2 {
			later = append(later, f.name)
		}
	}
	if n.kind != jObject {
		r.fail(path, n, "want an object, got %s", n.kind)
		return false
	}
	byName := make(map[string]int, len(fields))
	for i, f := range fields {
		byName[f.name] = i
	}
	seen := make([]bool, len(fields))
	for k, key := range n.keys {
		i, ok := byName[key]
		if !ok {
			if slices.Contains(later, key) {
				r.fail(join(path, key), n.vals[k], "unknown field in %s; it is new in %s (change \"schema\")", SchemaV1, SchemaV2)
				continue
			}
			names := make([]string, len(fields))
			for j, f := range fields {
				names[j] = f.name
			}
			r.fail(join(path, key), n.vals[k], "unknown field (known here: %s)", strings.Join(names, ", "))
			continue
		}
		seen[i] = true
		fields[i].read(join(path, key), n.vals[k])
	}
	for i, f := range fields {
		if f.required && !seen[i] {
			r.fail(join(path, f.name), n, "missing (required)")
		}
	}
	return true
}

func (r *reader) array(path string, n *jnode, max int) []*jnode {
	if n.kind != jArray {
		r.fail(path, n, "want an array, got %s", n.kind)
		return nil
	}
	if len(n.items) > max {
		r.fail(path, n, "%d items; at most %d accepted", len(n.items), max)
		return nil
	}
	return n.items
}

// str reads a one-line string of at most max characters.
func (r *reader) str(path string, n *jnode, max int) (string, bool) {
	if n.kind != jString {
		r.fail(path, n, "want a string, got %s", describe(n))
		return "", false
	}
	if msg := textProblem(n.str, false); msg != "" {
		r.fail(path, n, "%s", msg)
		return "", false
	}
	if utf8.RuneCountInString(n.str) > max {
		r.fail(path, n, "longer than %d characters", max)
		return "", false
	}
	return n.str, true
}

// match reads a string that must match a pattern.
func (r *reader) match(path string, n *jnode, re *regexp.Regexp, want string) (string, bool) {
	s, ok := r.str(path, n, 200)
	if !ok {
		return "", false
	}
	if !re.MatchString(s) {
		r.fail(path, n, "%q is not %s", s, want)
		return "", false
	}
	return s, true
}

// optMatch is match for optional fields, where "" means absent.
func (r *reader) optMatch(path string, n *jnode, re *regexp.Regexp, want string) (string, bool) {
	if n.kind == jString && n.str == "" {
		return "", true
	}
	return r.match(path, n, re, want)
}

func (r *reader) integer(path string, n *jnode, lo, hi int64) (int64, bool) {
	if n.kind != jNumber {
		r.fail(path, n, "want a number, got %s", describe(n))
		return 0, false
	}
	v, err := strconv.ParseInt(n.num.String(), 10, 64)
	if err != nil {
		r.fail(path, n, "want a whole number, got %s", n.num)
		return 0, false
	}
	if v < lo || v > hi {
		r.fail(path, n, "%d is out of range %d-%d", v, lo, hi)
		return 0, false
	}
	return v, true
}

func (r *reader) date(path string, n *jnode) (Date, bool) {
	s, ok := r.str(path, n, 40)
	if !ok {
		return Date{}, false
	}
	if s == "" {
		return Date{}, true
	}
	d, err := ParseDate(s)
	if err != nil {
		r.fail(path, n, "%q is not a date YYYY-MM-DD", s)
		return Date{}, false
	}
	return d, true
}

func describe(n *jnode) string {
	switch n.kind {
	case jString:
		s := n.str
		if len(s) > 20 {
			s = s[:20] + "..."
		}
		return fmt.Sprintf("a string (%q)", s)
	case jNumber:
		return fmt.Sprintf("a number (%s)", n.num)
	case jBool:
		return fmt.Sprintf("%v", n.b)
	}
	return n.kind.String()
}

func (r *reader) encounter(root *jnode) *Encounter {
	enc := &Encounter{}
	ok := r.objectV2("", root, []field{
		{"schema", true, func(p string, n *jnode) {
			if s, ok := r.str(p, n, 100); ok && s != SchemaV1 && s != SchemaV2 {
				r.fail(p, n, "%q is not a known format; want %q (or %q)", s, SchemaV2, SchemaV1)
			}
		}},
		{"id", true, func(p string, n *jnode) { enc.ID, _ = r.match(p, n, idPattern, idPatternMessage) }},
		{"revision", false, func(p string, n *jnode) {
			v, _ := r.integer(p, n, 0, 1<<31-1)
			enc.Revision = int(v)
		}},
		{"patient", false, func(p string, n *jnode) { r.patient(p, n, &enc.Patient) }},
		{"provider", false, func(p string, n *jnode) { r.provider(p, n, &enc.Provider, roleRendering) }},
		{"date_of_service", false, func(p string, n *jnode) { r.dateRange(p, n, &enc.Service) }},
		{"place_of_service", false, func(p string, n *jnode) {
			enc.PlaceOfService, _ = r.optMatch(p, n, posPattern, "a two-digit CMS place-of-service code")
		}},
		{"notes", true, func(p string, n *jnode) { enc.Notes = r.notes(p, n) }},
		{"diagnoses", false, func(p string, n *jnode) { enc.Diagnoses = r.diagnoses(p, n) }},
		{"service_lines", false, func(p string, n *jnode) { enc.Lines = r.lines(p, n) }},
		{"overrides", false, func(p string, n *jnode) { enc.Overrides = r.overrides(p, n) }},
		{"coder_id", false, func(p string, n *jnode) { enc.CoderID, _ = r.optMatch(p, n, idPattern, idPatternMessage) }},
		{"code_sets", false, func(p string, n *jnode) {
			for i, it := range r.array(p, n, 20) {
				if s, ok := r.str(index(p, i), it, 100); ok {
					enc.CodeSets = append(enc.CodeSets, s)
				}
			}
		}},
	}, []field{
		{"billing_provider", false, func(p string, n *jnode) { r.provider(p, n, &enc.BillingProvider, roleBilling) }},
		{"referring_provider", false, func(p string, n *jnode) { r.provider(p, n, &enc.ReferringProvider, roleReferring) }},
		{"service_facility", false, func(p string, n *jnode) { r.provider(p, n, &enc.ServiceFacility, roleFacility) }},
		{"coverage", false, func(p string, n *jnode) { r.coverage(p, n, &enc.Coverage) }},
		{"onset", false, func(p string, n *jnode) { r.onset(p, n, &enc.Onset) }},
		{"prior_authorization", false, func(p string, n *jnode) {
			enc.PriorAuthorization, _ = r.optMatch(p, n, refPattern, refPatternMessage)
		}},
		{"resubmission", false, func(p string, n *jnode) { r.resubmission(p, n, &enc.Resubmission) }},
	})
	if !ok {
		return nil
	}
	r.checkEvidence(enc, root)
	return enc
}

func (r *reader) patient(path string, n *jnode, p *Patient) {
	r.objectV2(path, n, []field{
		{"id", false, func(fp string, n *jnode) { p.ID, _ = r.optMatch(fp, n, idPattern, idPatternMessage) }},
		{"name", false, func(fp string, n *jnode) { p.Name, _ = r.str(fp, n, maxNameLen) }},
		{"date_of_birth", false, func(fp string, n *jnode) { p.DateOfBirth, _ = r.date(fp, n) }},
		{"sex", false, func(fp string, n *jnode) { p.Sex = r.sex(fp, n) }},
	}, []field{
		{"address", false, func(fp string, n *jnode) { p.Address = r.address(fp, n) }},
	})
}

func (r *reader) dateRange(path string, n *jnode, d *DateRange) {
	r.object(path, n, []field{
		{"from", true, func(fp string, n *jnode) { d.From, _ = r.date(fp, n) }},
		{"to", false, func(fp string, n *jnode) { d.To, _ = r.date(fp, n) }},
	})
}

func (r *reader) notes(path string, n *jnode) []Note {
	items := r.array(path, n, maxNotes)
	if n.kind == jArray && len(n.items) == 0 {
		r.fail(path, n, "no notes; an encounter needs its documentation")
	}
	var out []Note
	ids := map[string]int{}
	for i, it := range items {
		p := index(path, i)
		var note Note
		r.object(p, it, []field{
			{"id", true, func(fp string, n *jnode) {
				if s, ok := r.match(fp, n, idPattern, idPatternMessage); ok {
					if j, dup := ids[s]; dup {
						r.fail(fp, n, "note id %q is already used by notes[%d]", s, j)
					}
					ids[s] = i
					note.ID = s
				}
			}},
			{"title", false, func(fp string, n *jnode) { note.Title, _ = r.str(fp, n, maxNameLen) }},
			{"text", true, func(fp string, n *jnode) {
				if n.kind != jString {
					r.fail(fp, n, "want a string, got %s", describe(n))
					return
				}
				text := normalizeNewlines(n.str)
				if msg := textProblem(text, true); msg != "" {
					r.fail(fp, n, "%s", msg)
					return
				}
				if strings.TrimSpace(text) == "" {
					r.fail(fp, n, "empty note text")
					return
				}
				note.Text = text
			}},
		})
		out = append(out, note)
	}
	return out
}

func (r *reader) diagnoses(path string, n *jnode) []Diagnosis {
	var out []Diagnosis
	for i, it := range r.array(path, n, maxListItems) {
		p := index(path, i)
		var d Diagnosis
		r.object(p, it, []field{
			{"code", true, func(fp string, n *jnode) {
				if s, ok := r.match(fp, n, icdPattern, "an ICD-10-CM code (a letter, two letters or digits with at least one digit, then up to 4 letters or digits; dot optional)"); ok {
					d.Code = codesets.Canonical(s)
				}
			}},
			{"evidence", false, func(fp string, n *jnode) { d.Evidence = r.evidence(fp, n) }},
		})
		out = append(out, d)
	}
	return out
}

func (r *reader) evidence(path string, n *jnode) *Evidence {
	ev := &Evidence{}
	r.object(path, n, []field{
		{"note_id", true, func(fp string, n *jnode) { ev.NoteID, _ = r.match(fp, n, idPattern, idPatternMessage) }},
		{"start", true, func(fp string, n *jnode) {
			v, _ := r.integer(fp, n, 0, MaxFileSize)
			ev.Start = int(v)
		}},
		{"end", true, func(fp string, n *jnode) {
			v, _ := r.integer(fp, n, 0, MaxFileSize)
			ev.End = int(v)
		}},
		{"text", false, func(fp string, n *jnode) {
			if n.kind != jString {
				r.fail(fp, n, "want a string, got %s", describe(n))
				return
			}
			ev.Text = normalizeNewlines(n.str)
			if msg := textProblem(ev.Text, true); msg != "" {
				r.fail(fp, n, "%s", msg)
			}
		}},
	})
	return ev
}

// checkEvidence makes sure every evidence span points into a note.
func (r *reader) checkEvidence(enc *Encounter, root *jnode) {
	dx := member(root, "diagnoses")
	for i, d := range enc.Diagnoses {
		if d.Evidence == nil || dx == nil || i >= len(dx.items) {
			continue
		}
		p := index("diagnoses", i) + ".evidence"
		node := member(dx.items[i], "evidence")
		if msg := d.Evidence.problem(enc.Notes); msg != "" {
			r.fail(p, node, "%s", msg)
		}
	}
}

// problem says what is wrong with an evidence span, "" when nothing.
func (ev *Evidence) problem(notes []Note) string {
	var note *Note
	for i := range notes {
		if notes[i].ID == ev.NoteID {
			note = &notes[i]
		}
	}
	switch {
	case note == nil:
		return fmt.Sprintf("note_id %q names no note of the encounter", ev.NoteID)
	case ev.Start >= ev.End:
		return fmt.Sprintf("span %d-%d is empty; want start < end", ev.Start, ev.End)
	case ev.End > len(note.Text):
		return fmt.Sprintf("span %d-%d runs past the end of note %q (%d bytes)", ev.Start, ev.End, ev.NoteID, len(note.Text))
	case !utf8.RuneStart(note.Text[ev.Start]) || ev.End < len(note.Text) && !utf8.RuneStart(note.Text[ev.End]):
		return fmt.Sprintf("span %d-%d cuts a character in two", ev.Start, ev.End)
	case ev.Text != "" && ev.Text != note.Text[ev.Start:ev.End]:
		return fmt.Sprintf("text %q does not match note %q at %d-%d, which reads %q", clip(ev.Text, 40), ev.NoteID, ev.Start, ev.End, clip(note.Text[ev.Start:ev.End], 40))
	}
	return ""
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "..."
}

func member(n *jnode, key string) *jnode {
	if n == nil || n.kind != jObject {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

func (r *reader) lines(path string, n *jnode) []ServiceLine {
	var out []ServiceLine
	for i, it := range r.array(path, n, maxListItems) {
		p := index(path, i)
		l := ServiceLine{Units: 1}
		r.objectV2(p, it, []field{
			{"code", true, func(fp string, n *jnode) {
				if s, ok := r.match(fp, n, procPattern, "a CPT or HCPCS code (5 letters or digits)"); ok {
					l.Code = strings.ToUpper(s)
				}
			}},
			{"modifiers", false, func(fp string, n *jnode) {
				for j, m := range r.array(fp, n, 10) {
					if s, ok := r.match(index(fp, j), m, modifierPattern, "a modifier (2 letters or digits)"); ok {
						l.Modifiers = append(l.Modifiers, strings.ToUpper(s))
					}
				}
			}},
			{"units", false, func(fp string, n *jnode) {
				v, _ := r.integer(fp, n, 0, 9999)
				l.Units = int(v)
			}},
			{"diagnosis_pointers", false, func(fp string, n *jnode) {
				for j, x := range r.array(fp, n, 12) {
					if v, ok := r.integer(index(fp, j), x, 1, 12); ok {
						l.Pointers = append(l.Pointers, int(v))
					}
				}
			}},
			{"charge_cents", false, func(fp string, n *jnode) { l.Charge, _ = r.integer(fp, n, 0, MaxCharge) }},
		}, []field{
			{"ndc", false, func(fp string, n *jnode) { r.ndc(fp, n, &l.NDC) }},
		})
		out = append(out, l)
	}
	return out
}

func (r *reader) overrides(path string, n *jnode) []Override {
	var out []Override
	for i, it := range r.array(path, n, maxListItems) {
		p := index(path, i)
		var o Override
		r.object(p, it, []field{
			{"rule", true, func(fp string, n *jnode) {
				o.Rule, _ = r.match(fp, n, rulePattern, "a rule id such as \"icd.excludes1\"")
			}},
			{"target", true, func(fp string, n *jnode) {
				o.Target, _ = r.match(fp, n, targetPattern, `a target: "claim", "dx:N" or "line:N"`)
			}},
			{"codes", false, func(fp string, n *jnode) {
				for j, c := range r.array(fp, n, 4) {
					if s, ok := r.match(index(fp, j), c, anyCodePattern, "a code"); ok {
						o.Codes = append(o.Codes, codesets.Canonical(s))
					}
				}
			}},
			{"reason", true, func(fp string, n *jnode) {
				if s, ok := r.str(fp, n, 500); ok {
					if strings.TrimSpace(s) == "" {
						r.fail(fp, n, "empty; an override needs the coder's reason")
					}
					o.Reason = s
				}
			}},
			{"coder", false, func(fp string, n *jnode) { o.Coder, _ = r.optMatch(fp, n, idPattern, idPatternMessage) }},
			{"at", false, func(fp string, n *jnode) {
				if s, ok := r.str(fp, n, 40); ok {
					t, err := time.Parse(time.RFC3339Nano, s)
					if err != nil {
						r.fail(fp, n, "%q is not a time like 2026-03-14T09:30:00Z (RFC 3339)", s)
					}
					o.At = t
				}
			}},
		})
		out = append(out, o)
	}
	return out
}
