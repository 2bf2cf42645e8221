package x12

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/encounter/demo"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var testEnvelope = Envelope{
	SenderQualifier: "ZZ", SenderID: "CODEBENCH01", ReceiverQualifier: "ZZ", ReceiverID: "CLEARHOUSE",
	Usage: "T", SubmitterName: "Lakeside Billing Office", SubmitterID: "CB0001", SubmitterContact: "Billing Desk",
	SubmitterPhone: "2175550100", ReceiverName: "Example Clearinghouse", ReceiverETIN: "CH0001",
}

var created = time.Date(2026, 11, 30, 14, 5, 9, 0, time.UTC)

// demoClaims builds the claim of every demo chart coded as the answer key
// says.
func demoClaims(t testing.TB) map[string]*encounter.Claim {
	t.Helper()
	set, err := codesets.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	encs, err := demo.Encounters()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*encounter.Claim{}
	for _, e := range encs {
		coded, _ := demo.Code(e)
		demo.FeeSchedule().Fill(coded)
		c, _, err := encounter.Export(coded, set, created)
		if err != nil {
			t.Fatalf("%s: %v", e.ID, err)
		}
		out[e.ID] = c
	}
	return out
}

// TestDemoChartsCheck: every demo chart renders as an 837P the checker
// accepts, and rendering it again gives the same bytes.
func TestDemoChartsCheck(t *testing.T) {
	for id, c := range demoClaims(t) {
		data, err := Render(c, testEnvelope, 17)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if err := Check(data); err != nil {
			t.Errorf("%s: %v\n%s", id, err, data)
		}
		again, _ := Render(c, testEnvelope, 17)
		if !bytes.Equal(again, data) {
			t.Errorf("%s: a second render differs", id)
		}
		if n, err := ControlOf(data); err != nil || n != 17 {
			t.Errorf("%s: control %d %v", id, n, err)
		}
	}
}

// TestGolden: three demo charts as whole interchanges: an office visit
// for a Medicare patient who is the subscriber (enc-1001), an ED visit
// for a fall, with the hospital as service facility and the accident
// dated (enc-1002), and a child on a parent's plan, so loop 2000C
// (enc-1012).
func TestGolden(t *testing.T) {
	claims := demoClaims(t)
	for i, id := range []string{"enc-1001", "enc-1002", "enc-1012"} {
		data, err := Render(claims[id], testEnvelope, 1000+i)
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(data); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		path := filepath.Join("testdata", id+".x12")
		if *update {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to write it)", err)
		}
		if !bytes.Equal(data, want) {
			t.Errorf("%s differs from %s:\n%s", id, path, data)
		}
	}
}

func render(t *testing.T, c *encounter.Claim) string {
	t.Helper()
	data, err := Render(c, testEnvelope, 5)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestClaimSegments(t *testing.T) {
	claims := demoClaims(t)
	c := *claims["enc-1012"]
	c.Frequency = encounter.FrequencyReplacement
	c.Resubmission = encounter.Resubmission{Frequency: "7", OriginalClaimNumber: "2026111500042", Reason: "units"}
	c.PriorAuth = "PA*99"
	c.Onset = encounter.Onset{AccidentDate: encounter.NewDate(2025, 11, 16), AccidentType: encounter.AccidentAuto, AccidentState: "IL"}
	c.Lines = append([]encounter.ClaimLine(nil), c.Lines...)
	c.Lines[0].NDC = encounter.NDC{Code: "00409379501", Unit: "ML", Quantity: "1.5"}
	c.Referring = encounter.Provider{NPI: "1679576722", Name: "José Núñez"}
	c.ReferringNm = encounter.SplitName("José Núñez")
	s := render(t, &c)
	for _, want := range []string{
		"CLM*enc-1012-r0*", "*11:B:7*Y*A*Y*Y**AA:::IL~", "DTP*439*D8*20251116~", "REF*F8*2026111500042~", "REF*G1*PA 99~",
		"HL*2*1*22*1~", "SBR*P**GRP-1180******CI~", "NM1*IL*1*DELGADO*RICARDO****MI*PBH55019873~", "HL*3*2*23*0~", "PAT*19~",
		"NM1*QC*1*DELGADO*SOFIA~", "NM1*DN*1*NUNEZ*JOSE****XX*1679576722~", "LIN**N4*00409379501~", "CTP****1.5*ML~",
		"NM1*82*1*OKAFOR*MARIA****XX*1453982617~", "PRV*PE*PXC*207Q00000X~", "HI*ABK:J020~",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("lacks %s\n%s", want, s)
		}
	}
	if err := Check([]byte(s)); err != nil {
		t.Error(err)
	}
	c.Frequency = encounter.FrequencyVoid
	if s := render(t, &c); !strings.Contains(s, ":B:8*") || Check([]byte(s)) != nil {
		t.Errorf("void:\n%s", s)
	}
}

// TestCheckFindsProblems: each broken interchange is refused, naming the
// segment and what is wrong.
func TestCheckFindsProblems(t *testing.T) {
	good := render(t, demoClaims(t)["enc-1002"])
	for _, tc := range []struct{ name, old, new, want string }{
		{"SE count", "SE*", "SE*9", "SE01"},
		{"IEA control", "IEA*1*000000005", "IEA*1*000000006", "IEA02"},
		{"GE control", "GE*1*5", "GE*1*6", "GE02"},
		{"ISA width", "*ZZ*CODEBENCH01    *", "*ZZ*CODEBENCH01   *", "ISA"},
		{"ISA date", "*261130*1405*", "*26113A*1405*", "ISA09"},
		{"no tax id", "REF*EI*365521873~\n", "", "REF"},
		{"pointer beyond HI", "*UN*1***1~", "*UN*1***4~", "SV107 pointer"},
		{"total", "CLM*enc-1002-r0*335*", "CLM*enc-1002-r0*335.01*", "CLM02"},
		{"replacement without F8", ":B:1*", ":B:7*", "REF*F8"},
		{"HL parent", "HL*2*1*22", "HL*2*3*22", "HL02"},
		{"no facility", "NM1*77*", "NM1*7X*", "2310C"},
		{"long name", "NM1*85*2*RIVERSIDE EMERGENCY PHYSICIANS", "NM1*85*2*" + strings.Repeat("X", 61), "NM103"},
		{"no service date", "DTP*472*D8*20251206~\n", "", "DTP*472"},
		{"segment after IEA", "IEA*1*000000005~\n", "IEA*1*000000005~\nNM1*X~\n", "after IEA"},
		{"no HI", "HI*ABK:S52531A*ABF:W010XXA*ABF:Y92480~\n", "", "want HI"},
	} {
		bad := strings.Replace(good, tc.old, tc.new, 1)
		if tc.name == "SE count" {
			i := strings.Index(good, "\nSE*") + 1
			j := strings.Index(good[i:], "*0001")
			bad = good[:i] + "SE*9" + good[i+j:]
		}
		if bad == good {
			t.Fatalf("%s: edit did not apply", tc.name)
		}
		err := Check([]byte(bad))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestEnvelopeCheck(t *testing.T) {
	e := testEnvelope
	e.SenderID = "WAY TOO LONG SENDER ID"
	e.Usage = "X"
	e.SubmitterPhone, e.SubmitterEmail = "", ""
	e.ReceiverName = "A*B"
	err := e.Check()
	for _, want := range []string{"sender_id", "usage", "submitter_phone", "delimiter"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("envelope error lacks %s: %v", want, err)
		}
	}
	if _, err := Render(demoClaims(t)["enc-1001"], e, 1); err == nil {
		t.Error("rendered with a bad envelope")
	}
	if _, err := Render(demoClaims(t)["enc-1001"], testEnvelope, MaxControl+1); err == nil {
		t.Error("control number out of range accepted")
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{"O'Sullivan": "O'SULLIVAN", "A*B:C~D^E": "A B C D E", "  José  Núñez ": "JOSE NUNEZ", "日本": "", "x\x1by": "X Y"} {
		if got := clean(in, 60); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzCheck: the parser and checker never panic on outside input, and an
// interchange that passes has the framing Parse promises.
func FuzzCheck(f *testing.F) {
	for _, c := range demoClaims(f) {
		data, _ := Render(c, testEnvelope, 3)
		f.Add(data)
		f.Add(bytes.ReplaceAll(data, []byte("~\n"), []byte("~")))
		break
	}
	f.Add([]byte("ISA*"))
	f.Add(append([]byte("ISA"), bytes.Repeat([]byte("*"), 110)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		ic, err := Parse(data)
		if err == nil && (len(ic.Segments) == 0 || ic.Segments[0].ID() != "ISA") {
			t.Fatal("parsed without an ISA first")
		}
		if err := Check(data); err == nil && ic == nil {
			t.Fatal("checked without parsing")
		}
	})
}
