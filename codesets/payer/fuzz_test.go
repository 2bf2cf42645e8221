package payer

import (
	"bytes"
	"os"
	"testing"
)

// The fuzz targets feed the parsers and the binary decoder hostile
// input: they must refuse it with an error, never panic, and what they
// accept must survive a round trip through the binary form.

func seed(f *testing.F, names ...string) {
	for _, n := range names {
		data, err := os.ReadFile("testdata/" + n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func checkRoundTrip(t *testing.T, tab Table) {
	data, err := tab.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(data); err != nil {
		t.Fatalf("accepted table does not load again: %v", err)
	}
}

func FuzzParsePTP(f *testing.F) {
	seed(f, "ccipra-excerpt-f1.txt", "ccipra-excerpt-f2.txt")
	f.Add([]byte("\"column_1\",\"column_2\",\"deletion_date\",\"modifier_indicator\",\"rationale\"\n\"43239\",\"43235\",\"9999-12-31\",0,\"x\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if tab, err := ParsePTP(meta("p"), Source{"f", bytes.NewReader(data)}); err == nil {
			checkRoundTrip(t, tab)
		}
	})
}

func FuzzParseMUE(f *testing.F) {
	seed(f, "mue-excerpt.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		if tab, err := ParseMUE(meta("m"), Source{"f", bytes.NewReader(data)}); err == nil {
			checkRoundTrip(t, tab)
		}
	})
}

func FuzzParseAddOn(f *testing.F) {
	seed(f, "aoc-excerpt.txt")
	f.Fuzz(func(t *testing.T, data []byte) {
		if tab, err := ParseAddOn(meta("a"), Source{"f", bytes.NewReader(data)}); err == nil {
			checkRoundTrip(t, tab)
		}
	})
}

func FuzzParsePFS(f *testing.F) {
	seed(f, "pprrvu-excerpt.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		if tab, err := ParsePFS(meta("f"), Source{"f", bytes.NewReader(data)}); err == nil {
			checkRoundTrip(t, tab)
		}
	})
}

func FuzzParseMCE(f *testing.F) {
	seed(f, "mce-excerpt.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		if tab, err := ParseMCE(meta("c"), Source{"f", bytes.NewReader(data)}, MCEOptions{Universe: []string{"O80", "N400"}}); err == nil {
			checkRoundTrip(t, tab)
		}
	})
}

// FuzzLoad feeds the binary decoder damaged tables (stored imports are
// files on disk, which can be damaged or replaced).
func FuzzLoad(f *testing.F) {
	for _, k := range []Kind{KindMUE, KindAddOn, KindMCE} {
		data, err := EmbeddedData(k)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	ptp, err := ParsePTP(meta("p"), open2(f, "ccipra-excerpt-f1.txt"))
	if err != nil {
		f.Fatal(err)
	}
	data, _ := ptp.MarshalBinary()
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := Load(data)
		if err != nil {
			return
		}
		if _, err := ReadMeta(data); err != nil {
			t.Fatalf("loads but its header does not read: %v", err)
		}
		checkRoundTrip(t, tab)
	})
}
