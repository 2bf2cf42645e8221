package main

import (
	"bytes"
	"flag"
	"strings"
	"testing"

	"codebench/codesets"
)

func TestParseInterspersed(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "")
	n := fs.Int("n", 20, "")
	pos, err := parseInterspersed(fs, []string{"heart", "--json", "attack", "-n", "5"})
	if err != nil || strings.Join(pos, " ") != "heart attack" || !*asJSON || *n != 5 {
		t.Errorf("%v %v json=%v n=%d", pos, err, *asJSON, *n)
	}
}

func TestSystemFlag(t *testing.T) {
	got, err := systemFlag("icd10cm, HCPCS,cpt")
	if err != nil || len(got) != 3 || got[0] != codesets.ICD10CM || got[2] != codesets.CPT {
		t.Errorf("%v %v", got, err)
	}
	if _, err := systemFlag("loinc"); err == nil || !strings.Contains(err.Error(), "loinc") {
		t.Errorf("unknown system: %v", err)
	}
}

func TestIsCaseFile(t *testing.T) {
	for name, data := range map[string]string{
		"a.jsonl.gz": "x", "cases.jsonl": "x", "x": "\x1f\x8b...", "y.txt": "  {\"id\":1}",
	} {
		if !isCaseFile(name, []byte(data)) {
			t.Errorf("%s: not read as cases", name)
		}
	}
	if isCaseFile("dev.tsv", []byte("query\tgold\nchf\tI50.9\n")) {
		t.Error("a TSV read as cases")
	}
}

func TestProgressPlainLines(t *testing.T) {
	var b bytes.Buffer
	p := progressPrinter(&b)
	for done := 0; done <= 1000; done += 50 {
		p(done, 1000)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 11 || !strings.Contains(lines[10], "100% (1000/1000 codes") || strings.Contains(b.String(), "\r") {
		t.Errorf("progress lines:\n%s", b.String())
	}
}

func TestSearchUsage(t *testing.T) {
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb}
	if code := runSearch(t.Context(), e, nil); code == 0 || !strings.Contains(errb.String(), "usage: codebench search") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	if code := runSearch(t.Context(), e, []string{"--system", "loinc", "chf"}); code == 0 || !strings.Contains(errb.String(), "loinc") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	if code := runSearch(t.Context(), e, []string{"--valid-on", "2025-13-01", "chf"}); code == 0 || !strings.Contains(errb.String(), "YYYY-MM-DD") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

func TestEvalMissingFile(t *testing.T) {
	t.Setenv("CODEBENCH_CACHE", t.TempDir())
	t.Setenv("CODEBENCH_DATA", t.TempDir())
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb}
	if code := runEval(t.Context(), e, []string{"--system", "nope"}); code == 0 || !strings.Contains(errb.String(), "nope") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

func TestSearchTypedCPTWithoutImport(t *testing.T) {
	testIndex(t)
	t.Setenv("CODEBENCH_CACHE", testCache())
	t.Setenv("CODEBENCH_DATA", t.TempDir())
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb}
	if code := runSearch(t.Context(), e, []string{"99213"}); code != 0 || !strings.Contains(out.String(), "99213    CPT descriptor not loaded") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
	out.Reset()
	if code := runSearch(t.Context(), e, []string{"colles", "fracture"}); code != 0 || !strings.Contains(out.String(), "S52.53") {
		t.Errorf("exit %d, stdout %q", code, out.String())
	}
}
