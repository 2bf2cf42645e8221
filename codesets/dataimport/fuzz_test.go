package dataimport

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
)

// FuzzUnzip: whatever bytes arrive as a zip, reading it never panics,
// never returns a member past the limits, and refuses workbooks and
// nested zips.
func FuzzUnzip(f *testing.F) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("icd10cm-order-2028.txt")
	w.Write([]byte("00001 A00     0 Cholera                                                      Cholera\r\n"))
	w, _ = zw.Create("__MACOSX/._x")
	w.Write([]byte("junk"))
	zw.Close()
	f.Add(b.Bytes())
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Add([]byte("PK\x03\x04 not a zip"))
	f.Fuzz(func(t *testing.T, data []byte) {
		files, err := unzip(File{Given: "fuzz.zip", Data: data, Raw: data})
		if err != nil {
			return
		}
		total := 0
		for _, m := range files {
			total += len(m.Data)
			if len(m.Data) > maxMemberBytes || isZip(m.Data) || strings.HasPrefix(m.Member, "__MACOSX/") {
				t.Fatalf("accepted member %q of %d bytes", m.Member, len(m.Data))
			}
		}
		if total > maxTotalBytes {
			t.Fatalf("accepted %d bytes", total)
		}
	})
}

// FuzzClassifyAndStage: any text given as a file is told apart and
// checked without panicking; nothing is written.
func FuzzClassifyAndStage(f *testing.F) {
	f.Add("icd10cm-order-2028.txt", []byte("00001 A00     0 Cholera                                                      Cholera\r\n00002 A000    1 Cholera due to Vibrio cholerae 01, biovar cholerae           Cholera due\r\n"))
	f.Add("HCPC2026_JAN_ANWEB.txt", []byte("A2036001003Cohealyx collagen dermal matrix, per square centimeter"))
	f.Add("mue.csv", []byte("HCPCS/CPT Code,Practitioner Services MUE Values\n99213,2\n"))
	set := testSet(f)
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		if strings.ContainsAny(name, "/\\\x00") || name == "" {
			return
		}
		byKind, _, err := classify([]File{{Given: name, Data: data, Raw: data}}, "")
		if err != nil {
			return
		}
		env := &Env{Set: set, Options: Options{From: day("2026-10-01")}}
		for _, k := range Kinds {
			if fs := byKind[k.Name()]; len(fs) > 0 {
				k.Stage(fs, env)
			}
		}
	})
}
