package coding

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"codebench/codesets"
)

var (
	entryCodesOnce sync.Once
	entryCodes     *codesets.Set
)

func testCodes(tb testing.TB) *codesets.Set {
	tb.Helper()
	entryCodesOnce.Do(func() {
		var err error
		if entryCodes, err = codesets.Embedded(); err != nil {
			tb.Fatal(err)
		}
	})
	return entryCodes
}

func TestParseLineEntry(t *testing.T) {
	codes := testCodes(t)
	for _, c := range []struct {
		q     string
		ok    bool
		code  string
		mods  []string
		units int
		ptrs  string
	}{
		{"99214-25 abc", true, "99214", []string{"25"}, 0, "abc"},
		{"j3301x8", true, "J3301", nil, 8, ""},
		{"J3301*8 a", true, "J3301", nil, 8, "a"},
		{"20610-50", true, "20610", []string{"50"}, 0, ""},
		{"87880-qw-59 a,c", true, "87880", []string{"QW", "59"}, 0, "a,c"},
		{"99213", true, "99213", nil, 0, ""},
		{"e1122", false, "", nil, 0, ""},                // a diagnosis takes no entry
		{"99214-2", false, "", nil, 0, ""},              // half a modifier
		{"99214 x", false, "", nil, 0, ""},              // not a claim letter
		{"j3301x0", false, "", nil, 0, ""},              // no units
		{"j3301x99999", false, "", nil, 0, ""},          // too many
		{"99214 abdominal pain", false, "", nil, 0, ""}, // words
		{"chest pain", false, "", nil, 0, ""},
	} {
		e, ok := parseLineEntry(codes, c.q)
		if ok != c.ok {
			t.Errorf("%q: ok %v", c.q, ok)
			continue
		}
		if !ok {
			continue
		}
		if e.code.Code != c.code || !slices.Equal(e.mods, c.mods) || e.units != c.units || e.ptrs != c.ptrs {
			t.Errorf("%q: %+v", c.q, e)
		}
	}
}

// Whatever a coder (or an SSH client) types, the parser answers without
// panicking, and an entry it accepts names a procedure code.
func FuzzParseLineEntry(f *testing.F) {
	codes := testCodes(f)
	for _, s := range []string{"99214-25 abc", "j3301x8", "20610-50 a", "x", "-----", "99214-", "99214x", "ÿÿÿÿÿ-25"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		e, ok := parseLineEntry(codes, q)
		if !ok {
			return
		}
		if e.code == nil || e.code.System == codesets.ICD10CM || len(e.mods) > 20 || e.units < 0 {
			t.Fatalf("%q: %+v", q, e)
		}
		if strings.ContainsAny(e.ptrs, "\x1b\n") {
			t.Fatalf("%q: pointers %q", q, e.ptrs)
		}
		_ = e.String()
	})
}
