package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// codebench search --dos and codebench code --dos say which release
// answered.
func TestSearchAndCodeByDateOfService(t *testing.T) {
	testIndex(t)
	t.Setenv("CODEBENCH_CACHE", testCache())
	t.Setenv("CODEBENCH_DATA", t.TempDir())
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb}
	run := func(f func() int) string {
		t.Helper()
		out.Reset()
		errb.Reset()
		if code := f(); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		return out.String()
	}
	got := run(func() int { return runSearch(t.Context(), e, []string{"--dos", "2026-09-15", "I42.0"}) })
	if !strings.Contains(got, "ICD-10-CM FY2026 (DOS 2025-10-01 to 2026-09-30) answered for 2026-09-15") || strings.Contains(got, "I42.00") {
		t.Errorf("search --dos 2026-09-15:\n%s", got)
	}
	got = run(func() int { return runSearch(t.Context(), e, []string{"--dos", "2026-11-16", "--json", "I42.0"}) })
	var js searchJSON
	if err := json.Unmarshal([]byte(got), &js); err != nil || !strings.HasPrefix(js.Release, "ICD-10-CM FY2027") || len(js.Hits) != 4 {
		t.Errorf("search --json --dos 2026-11-16: %v\n%s", err, got)
	}
	got = run(func() int { return runSearch(t.Context(), e, []string{"--dos", "2026-09-15", "--all", "QA1.71"}) })
	if !strings.Contains(got, "QA1.71") || !strings.Contains(got, "not valid: not in ICD-10-CM FY2026; in FY2027") {
		t.Errorf("search --all:\n%s", got)
	}

	got = run(func() int { return runCode(t.Context(), e, []string{"--dos", "2026-11-16", "I42.0"}) })
	if !strings.Contains(got, "header") || !strings.Contains(got, "Release: ICD-10-CM FY2027 (dates of service 2026-10-01 to 2027-09-30)") || !strings.Contains(got, "I42.00") {
		t.Errorf("code --dos 2026-11-16 I42.0:\n%s", got)
	}
	got = run(func() int { return runCode(t.Context(), e, []string{"I42.0", "--dos", "2026-09-15"}) })
	if !strings.Contains(got, "billable") || !strings.Contains(got, "Release: ICD-10-CM FY2026") {
		t.Errorf("code --dos 2026-09-15 I42.0:\n%s", got)
	}
	got = run(func() int { return runCode(t.Context(), e, []string{"--dos", "2026-09-15", "QA1.71"}) })
	if !strings.Contains(got, "NOT VALID on 2026-09-15: QA1.71 is not valid on 2026-09-15: it is new in ICD-10-CM FY2027 (DOS from 2026-10-01)") || !strings.Contains(got, "Release: ICD-10-CM FY2027") {
		t.Errorf("code --dos 2026-09-15 QA1.71:\n%s", got)
	}
	errb.Reset()
	if code := runCode(t.Context(), e, []string{"--dos", "2026-02-30", "E11.9"}); code == 0 || !strings.Contains(errb.String(), "YYYY-MM-DD") {
		t.Errorf("bad --dos: exit %d, %s", code, errb.String())
	}
}
