package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codebench/encounter"
	"codebench/encounter/enctest"
	"codebench/encounter/store/sqlite"
)

func exportClaim(id string) *encounter.Encounter {
	dos := encounter.NewDate(2026, 3, 2)
	return enctest.WithParties(&encounter.Encounter{
		ID:             id,
		Patient:        encounter.Patient{ID: "P-" + id, Name: "Ada Example", DateOfBirth: encounter.NewDate(1961, 5, 2), Sex: "F"},
		Provider:       encounter.Provider{NPI: "1234567893", Name: "Dr. Grey"},
		Service:        encounter.DateRange{From: dos, To: dos},
		PlaceOfService: "11",
		Notes:          []encounter.Note{{ID: "n1", Title: "Progress note", Text: "Type 2 diabetes with hyperglycemia; hypertension."}},
		Diagnoses:      []encounter.Diagnosis{{Code: "E1165"}, {Code: "I10"}},
		Lines:          []encounter.ServiceLine{{Code: "99213", Units: 1, Pointers: []int{1, 2}, Charge: 12500}},
	})
}

// exportEnv is a data directory holding a work store with the given
// encounters.
func exportEnv(t *testing.T, encs ...*encounter.Encounter) (data string) {
	t.Helper()
	data = t.TempDir()
	t.Setenv("CODEBENCH_DATA", data)
	t.Setenv("CODEBENCH_QUEUE", "")
	st, err := sqlite.Open(filepath.Join(data, DefaultStoreFile))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, e := range encs {
		if err := st.Add(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	return data
}

func TestExportCommand(t *testing.T) {
	bad := exportClaim("ENC-BAD")
	bad.Diagnoses[0].Code = "E11" // a category header
	data := exportEnv(t, exportClaim("ENC-1"), bad)
	queueDir := filepath.Join(data, DefaultQueueDir)

	code, out, errOut := runCmd(t, "export", "ENC-1", "--coder", "alice")
	if code != 0 {
		t.Fatalf("export: %d\n%s%s", code, out, errOut)
	}
	file := filepath.Join(queueDir, "ENC-1-r0.json")
	if !strings.Contains(out, "ENC-1 revision 0 exported: "+file) {
		t.Fatalf("output: %q", out)
	}
	first, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}

	code, out, _ = runCmd(t, "export", "--coder", "bob", "ENC-1")
	if code != 0 || !strings.Contains(out, "already exported") {
		t.Fatalf("second export: %d %q", code, out)
	}
	if again, _ := os.ReadFile(file); !bytes.Equal(first, again) {
		t.Fatal("re-export rewrote the file")
	}

	code, out, _ = runCmd(t, "export", "ENC-BAD")
	if code != 1 || !strings.Contains(out, "not exported: 1 error edit") || !strings.Contains(out, "icd.billable") {
		t.Fatalf("refused export: %d %q", code, out)
	}
	if _, err := os.Stat(filepath.Join(queueDir, "ENC-BAD-r0.json")); !os.IsNotExist(err) {
		t.Fatal("refused export reached the queue")
	}

	if code, _, errOut := runCmd(t, "export", "enc-1"); code != 2 || !strings.Contains(errOut, `did you mean ENC-1?`) {
		t.Fatalf("id in the wrong case: %d %q", code, errOut)
	}

	code, out, _ = runCmd(t, "export", "--json", "ENC-BAD")
	var rep exportReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 || rep.Result != "refused" || len(rep.Edits) == 0 {
		t.Fatalf("--json refused: %d %v %+v", code, err, rep)
	}
	code, out, _ = runCmd(t, "export", "--json", "ENC-1")
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || rep.Result != "already-exported" || rep.Path != file || rep.Key != "ENC-1-r0" {
		t.Fatalf("--json: %d %v %+v", code, err, rep)
	}

	for _, args := range [][]string{
		{"export"},
		{"export", "a", "b"},
		{"export", "--nope", "ENC-1"},
		{"export", "ENC-404"},
		{"export", "--store", filepath.Join(data, "missing.db"), "ENC-1"},
		{"export", "--queue", "ftp://example/q", "ENC-1"},
	} {
		if code, _, errOut := runCmd(t, args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

// An export run later, with another queue in its environment, says where
// the export went as recorded when it was made, and creates nothing.
func TestExportSaysWhereTheExportWent(t *testing.T) {
	data := exportEnv(t, exportClaim("ENC-7"))
	other := filepath.Join(t.TempDir(), "workbench-queue")
	if code, out, errOut := runCmd(t, "export", "--queue", "dir:"+other, "ENC-7"); code != 0 || !strings.Contains(out, filepath.Join(other, "ENC-7-r0.json")) {
		t.Fatalf("%d %q %q", code, out, errOut)
	}
	code, out, errOut := runCmd(t, "export", "ENC-7")
	want := "ENC-7 revision 0 was already exported as ENC-7-r0 to " + filepath.Join(other, "ENC-7-r0.json")
	if code != 0 || !strings.Contains(out, want) {
		t.Fatalf("second run: %d %q %q, want %q", code, out, errOut, want)
	}
	if _, err := os.Stat(filepath.Join(data, DefaultQueueDir)); !os.IsNotExist(err) {
		t.Fatalf("the second run created its own queue directory: %v", err)
	}
	code, out, _ = runCmd(t, "export", "--json", "ENC-7")
	var rep exportReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || rep.Location != filepath.Join(other, "ENC-7-r0.json") || rep.Result != "already-exported" {
		t.Fatalf("--json: %d %v %+v", code, err, rep)
	}
}

func TestExportCommandQueueAndLease(t *testing.T) {
	data := exportEnv(t, exportClaim("ENC-2"), exportClaim("ENC-3"))
	other := filepath.Join(t.TempDir(), "q")
	if code, out, errOut := runCmd(t, "export", "--queue", "dir:"+other, "ENC-2"); code != 0 {
		t.Fatalf("%d %s %s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(other, "ENC-2-r0.json")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CODEBENCH_QUEUE", filepath.Join(t.TempDir(), "envq"))
	if code, _, errOut := runCmd(t, "export", "ENC-3"); code != 0 {
		t.Fatal(errOut)
	}
	if _, err := os.Stat(filepath.Join(os.Getenv("CODEBENCH_QUEUE"), "ENC-3-r0.json")); err != nil {
		t.Fatal("$CODEBENCH_QUEUE not used:", err)
	}

	// A coder at work on the encounter keeps scripts off it.
	st, err := sqlite.Open(filepath.Join(data, DefaultStoreFile))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Add(context.Background(), exportClaim("ENC-4")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Lease(context.Background(), "ENC-4", "carol", time.Hour); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCmd(t, "export", "--coder", "script", "ENC-4")
	if code != 2 || !strings.Contains(errOut, "carol") {
		t.Fatalf("leased: %d %q", code, errOut)
	}
	// Carol's own script is another session: refused too, unless it
	// takes the encounter over explicitly; another coder never can.
	if code, _, errOut := runCmd(t, "export", "--coder", "carol", "ENC-4"); code != 2 || !strings.Contains(errOut, "carol holds it") {
		t.Fatalf("carol's script while her session holds it: %d %q", code, errOut)
	}
	if code, _, errOut := runCmd(t, "export", "--coder", "script", "--take-over", "ENC-4"); code != 2 || !strings.Contains(errOut, "carol") {
		t.Fatalf("take-over by another coder: %d %q", code, errOut)
	}
	if code, out, errOut := runCmd(t, "export", "--coder", "carol", "--take-over", "ENC-4"); code != 0 || !strings.Contains(out, "ENC-4 revision 0 exported") {
		t.Fatalf("carol takes over: %d %q %q", code, out, errOut)
	}
}

func TestParseFlagsAnywhere(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
		x    bool
	}{
		{[]string{"A", "-x"}, "A", true},
		{[]string{"-x", "A", "B"}, "A B", true},
		{[]string{"A", "--", "-x"}, "A -x", false},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		x := fs.Bool("x", false, "")
		got, err := parseFlagsAnywhere(fs, c.args)
		if err != nil || strings.Join(got, " ") != c.want || *x != c.x {
			t.Errorf("%v: %v %v x=%v", c.args, got, err, *x)
		}
	}
}

// TestExportCountsSameDayEncounters: the export validates as the edits
// pane does, with the patient's other encounters in the store that day:
// 93010 in one and 93000 in the other are an NCCI PTP pair.
func TestExportCountsSameDayEncounters(t *testing.T) {
	a, b := exportClaim("ENC-A"), exportClaim("ENC-B")
	for _, e := range []*encounter.Encounter{a, b} {
		e.Coverage.PayerType = encounter.PayerMedicare
		e.Patient = a.Patient
	}
	a.Lines[0].Code, b.Lines[0].Code = "93010", "93000"
	exportEnv(t, a, b)
	code, out, _ := runCmd(t, "export", "ENC-A")
	if code != 1 || !strings.Contains(out, "ncci.ptp") || !strings.Contains(out, `"ENC-B"`) {
		t.Fatalf("export with a same-day pair: exit %d\n%s", code, out)
	}
}
