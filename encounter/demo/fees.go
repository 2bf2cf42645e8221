package demo

import (
	"bytes"
	_ "embed"

	"codebench/encounter/fees"
)

// feesCSV is the demo practice's fee schedule: invented amounts for every
// code of the answer key, and lower office-visit fees for Medicare (payer
// 06102), as a practice with a payer-specific schedule keeps them.
//
//go:embed fees.csv
var feesCSV []byte

// FeeScheduleVersion names the demo fee schedule.
const FeeScheduleVersion = "demo-2025"

// FeeScheduleCSV is the demo fee schedule file, for codebench fees import.
func FeeScheduleCSV() []byte { return append([]byte(nil), feesCSV...) }

// FeeSchedule is the demo fee schedule, parsed.
func FeeSchedule() *fees.Schedule {
	s, err := fees.Parse(bytes.NewReader(feesCSV), "demo/fees.csv")
	if err != nil {
		panic(err) // embedded and tested
	}
	return s
}
