package encounter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// schemaChecker validates JSON values against the subset of JSON Schema
// 2020-12 that schema/encounter.schema.json uses. It exists so the tests
// can hold the schema and the decoder to the same rules.
type schemaChecker struct {
	root map[string]any
}

func loadSchema(t *testing.T) *schemaChecker { return loadSchemaFrom(t, JSONSchema()) }

func loadSchemaFrom(t *testing.T, schema []byte) *schemaChecker {
	t.Helper()
	var root map[string]any
	dec := json.NewDecoder(bytes.NewReader(schema))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	return &schemaChecker{root: root}
}

func (c *schemaChecker) resolve(s map[string]any) map[string]any {
	for {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		name := strings.TrimPrefix(ref, "#/$defs/")
		s = c.root["$defs"].(map[string]any)[name].(map[string]any)
	}
}

// check returns the schema violations of v at path.
func (c *schemaChecker) check(path string, s map[string]any, v any) []string {
	s = c.resolve(s)
	var errs []string
	fail := func(format string, a ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, a...)) }
	if typ, ok := s["type"].(string); ok && !hasType(typ, v) {
		fail("want %s, got %T", typ, v)
		return errs
	}
	if want, ok := s["const"]; ok && v != want {
		fail("want const %v", want)
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, x := range enum {
			found = found || x == v
		}
		if !found {
			fail("%v not in enum", v)
		}
	}
	switch x := v.(type) {
	case string:
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(x) {
			fail("%q does not match %s", x, p)
		}
		n := int64(utf8.RuneCountInString(x))
		if m, ok := num(s["minLength"]); ok && n < m {
			fail("shorter than %d", m)
		}
		if m, ok := num(s["maxLength"]); ok && n > m {
			fail("longer than %d", m)
		}
		if s["format"] == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, x); err != nil {
				fail("not a date-time")
			}
		}
	case json.Number:
		if s["type"] == "number" {
			f, _ := x.Float64()
			if m, ok := s["exclusiveMinimum"].(json.Number); ok {
				if lo, _ := m.Float64(); f <= lo {
					fail("not above %v", lo)
				}
			}
			if m, ok := s["maximum"].(json.Number); ok {
				if hi, _ := m.Float64(); f > hi {
					fail("above %v", hi)
				}
			}
			break
		}
		if strings.ContainsAny(x.String(), ".eE") {
			fail("not an integer")
			break
		}
		n, _ := x.Int64()
		if m, ok := num(s["minimum"]); ok && n < m {
			fail("below %d", m)
		}
		if m, ok := num(s["maximum"]); ok && n > m {
			fail("above %d", m)
		}
	case []any:
		if m, ok := num(s["minItems"]); ok && int64(len(x)) < m {
			fail("fewer than %d items", m)
		}
		if m, ok := num(s["maxItems"]); ok && int64(len(x)) > m {
			fail("more than %d items", m)
		}
		if items, ok := s["items"].(map[string]any); ok {
			for i, it := range x {
				errs = append(errs, c.check(fmt.Sprintf("%s[%d]", path, i), items, it)...)
			}
		}
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		for _, r := range asStrings(s["required"]) {
			if _, ok := x[r]; !ok {
				fail("missing required %s", r)
			}
		}
		for k, val := range x {
			ps, ok := props[k].(map[string]any)
			if !ok {
				if s["additionalProperties"] == false {
					fail("unknown property %s", k)
				}
				continue
			}
			errs = append(errs, c.check(join(path, k), ps, val)...)
		}
	}
	return errs
}

func hasType(typ string, v any) bool {
	switch typ {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		return ok && !strings.ContainsAny(n.String(), ".eE")
	case "number":
		_, ok := v.(json.Number)
		return ok
	}
	return false
}

func num(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

func asStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		out = append(out, x.(string))
	}
	return out
}

func parseGeneric(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestDemoFilesMatchSchema: the demo encounters, the test fixture and
// Encode's output all satisfy the schema.
func TestDemoFilesMatchSchema(t *testing.T) {
	sc := loadSchema(t)
	files, _ := filepath.Glob("demo/inbox/*.json")
	if len(files) < 10 {
		t.Fatalf("found %d demo JSON files", len(files))
	}
	docs := map[string][]byte{"goodJSON": []byte(goodJSON)}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs[f] = data
		enc, err := Decode(data, f)
		if err != nil {
			t.Errorf("demo file does not decode: %v", err)
			continue
		}
		out, _ := Encode(enc)
		docs[f+" (encoded)"] = out
	}
	notes, _ := filepath.Glob("demo/inbox/*.[mt][dx]*")
	for _, f := range notes {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		enc, err := DecodeFile(data, f)
		if err != nil {
			t.Errorf("demo note does not decode: %v", err)
			continue
		}
		out, _ := Encode(enc)
		docs[f+" (encoded)"] = out
	}
	if len(notes) < 2 {
		t.Errorf("found %d demo text/Markdown notes", len(notes))
	}
	v1 := loadSchemaFrom(t, JSONSchemaV1())
	docs["goodJSONv1"] = []byte(goodJSONv1)
	for name, data := range docs {
		sc := sc
		if bytes.Contains(data, []byte(`"`+SchemaV1+`"`)) {
			sc = v1
		}
		if errs := sc.check("", sc.root, parseGeneric(t, data)); len(errs) > 0 {
			t.Errorf("%s breaks the schema: %v", name, errs)
		}
	}
}

// TestSchemaAndDecoderAgree removes each property of the fixture in turn,
// and adds an unknown one to each object: the decoder and the schema must
// accept or reject the result alike, and a rejection must name the field.
func TestSchemaAndDecoderAgree(t *testing.T) {
	sc := loadSchema(t)
	doc := parseGeneric(t, []byte(goodJSON))
	type spot struct {
		path string
		obj  map[string]any
		s    map[string]any
	}
	var spots []spot
	var walk func(path string, v any, s map[string]any)
	walk = func(path string, v any, s map[string]any) {
		s = sc.resolve(s)
		switch x := v.(type) {
		case map[string]any:
			spots = append(spots, spot{path, x, s})
			props, _ := s["properties"].(map[string]any)
			for k, val := range x {
				walk(join(path, k), val, props[k].(map[string]any))
			}
		case []any:
			for i, it := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), it, s["items"].(map[string]any))
			}
		}
	}
	walk("", doc, sc.root)

	required := 0
	for _, sp := range spots {
		keys := make([]string, 0, len(sp.obj))
		for k := range sp.obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		isRequired := map[string]bool{}
		for _, r := range asStrings(sp.s["required"]) {
			isRequired[r] = true
		}
		for _, k := range keys {
			field := join(sp.path, k)
			val := sp.obj[k]
			delete(sp.obj, k)
			data, _ := json.Marshal(doc)
			sp.obj[k] = val

			schemaOK := len(sc.check("", sc.root, parseGeneric(t, data))) == 0
			_, err := Decode(data, "agree.json")
			if schemaOK != (err == nil) {
				t.Errorf("without %s: schema accepts=%v, decoder error=%v", field, schemaOK, err)
			}
			if isRequired[k] {
				required++
				if schemaOK || err == nil {
					t.Errorf("%s is required but its absence is accepted", field)
				} else if !strings.Contains(err.Error(), "field "+field+": missing") {
					t.Errorf("without %s: error does not name it: %v", field, err)
				}
			}
		}
		sp.obj["zz_unknown"] = true
		data, _ := json.Marshal(doc)
		delete(sp.obj, "zz_unknown")
		if len(sc.check("", sc.root, parseGeneric(t, data))) == 0 {
			t.Errorf("schema accepts an unknown property in %q", sp.path)
		}
		if _, err := Decode(data, "agree.json"); err == nil || !strings.Contains(err.Error(), "field "+join(sp.path, "zz_unknown")+": unknown field") {
			t.Errorf("decoder and an unknown property in %q: %v", sp.path, err)
		}
	}
	if required < 10 {
		t.Errorf("only %d required fields exercised", required)
	}
	// Every property the schema declares appears somewhere in the
	// fixture, so the agreement above covers it.
	seen := map[string]bool{}
	for _, sp := range spots {
		for k := range sp.obj {
			seen[fmt.Sprintf("%p.%s", sp.s, k)] = true
		}
	}
	for _, sp := range spots {
		props, _ := sp.s["properties"].(map[string]any)
		for k := range props {
			if !seen[fmt.Sprintf("%p.%s", sp.s, k)] {
				t.Errorf("the fixture lacks %s, so the agreement is untested there", join(sp.path, k))
			}
		}
	}
}

func TestSchemaEnumsMatchDecoder(t *testing.T) {
	sc := loadSchema(t)
	for _, sex := range []string{"F", "M", "U", "", "f", "X", "male"} {
		data := strings.Replace(goodJSON, `"sex": "F"`, `"sex": "`+sex+`"`, 1)
		schemaOK := len(sc.check("", sc.root, parseGeneric(t, []byte(data)))) == 0
		_, err := Decode([]byte(data), "enum.json")
		if schemaOK != (err == nil) {
			t.Errorf("sex %q: schema accepts=%v, decoder %v", sex, schemaOK, err)
		}
	}
}
