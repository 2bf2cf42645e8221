package codesets

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// Fuzz targets for the parsers of files from outside: the order file, its
// addenda and the HCPCS file. They must never panic, and what they accept
// must hold to the checks they promise.

func FuzzParseOrderFile(f *testing.F) {
	for _, name := range []string{"dataimport/testdata/icd10cm-order-2028-excerpt.txt", "dataimport/testdata/icd10cm-order-2025-excerpt.txt"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/3])
	}
	f.Add([]byte("00001 A00     0 Cholera                                                      Cholera\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := ParseOrderFile(bytes.NewReader(data), "fuzz.txt")
		if err != nil {
			if !strings.HasPrefix(err.Error(), `"fuzz.txt"`) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for i, e := range list {
			if seen[e.Code] || !ICD10CMShaped(e.Code) || e.Order != i+1 {
				t.Fatalf("accepted a bad entry %+v", e)
			}
			seen[e.Code] = true
			if i+1 < len(list) && e.Billable && strings.HasPrefix(list[i+1].Code, e.Code) {
				t.Fatalf("accepted a billable code with a code under it: %s", e.Code)
			}
		}
	})
}

func FuzzParseAddenda(f *testing.F) {
	data, err := os.ReadFile("dataimport/testdata/icd10cm-order-addenda-2025-excerpt.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("Add:         1 C7831   Secondary malignant neoplasm of larynx                       Secondary malignant neoplasm of larynx\r\n"))
	f.Add([]byte("Revise from: 1 Z2914   Encounter for prophylactic rabies immune globin              Encounter for prophylactic rabies immune globin\nRevise to:   1 Z2914   Encounter for prophylactic rabies immune globulin            Encounter for prophylactic rabies immune globulin\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseAddenda(bytes.NewReader(data), "fuzz.txt")
		if err != nil {
			return
		}
		for _, r := range a.Revised {
			if r.From.Code != r.To.Code {
				t.Fatalf("a revision of two codes: %+v", r)
			}
		}
	})
}

func FuzzParseHCPCS(f *testing.F) {
	data, err := os.ReadFile("dataimport/testdata/HCPC2026_JAN_ANWEB_excerpt.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("HCPC\tSEQNUM\tRECID\tLONG DESCRIPTION\tSHORT DESCRIPTION\tADD DT\tACT EFF DT\tTERM DT\tACTION CD\tBETOS\tCOV\nA0021\t0010\t3\tAmbulance\tAmb\t20000101\t\t\tN\tO1A\tC\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := ParseHCPCS(bytes.NewReader(data), "fuzz.txt")
		if err != nil {
			return
		}
		for _, r := range recs {
			if !hcpcsCode(r.Code, r.Modifier) || r.Long == "" || strings.ContainsAny(r.Long+r.Short, "\x1b\x00") {
				t.Fatalf("accepted %+v", r)
			}
		}
	})
}
