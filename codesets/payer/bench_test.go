package payer

import (
	"testing"
)

// BenchmarkDecode measures decoding each embedded table, what the first
// validation (or Warm) pays once per process.
func BenchmarkDecode(b *testing.B) {
	for _, k := range Kinds {
		data, err := EmbeddedData(k)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(string(k), func(b *testing.B) {
			b.ReportMetric(float64(len(data)), "embedded-bytes")
			for b.Loop() {
				if _, err := Load(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOpen measures what start-up pays: every table's metadata,
// read from its header, no rows decoded.
func BenchmarkOpen(b *testing.B) {
	var data [][]byte
	for _, k := range Kinds {
		d, err := EmbeddedData(k)
		if err != nil {
			b.Fatal(err)
		}
		data = append(data, d)
	}
	for b.Loop() {
		for _, d := range data {
			if _, err := ReadMeta(d); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkPTPPair: one pair lookup, the unit of the PTP edit.
func BenchmarkPTPPair(b *testing.B) {
	ptp := Embedded().PTP()
	for b.Loop() {
		ptp.Pair("43239", "43235", dos)
	}
}
