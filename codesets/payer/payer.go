// Package payer holds the payer edit tables a claim is checked against:
// NCCI procedure-to-procedure pairs (PTP), medically unlikely edits (MUE),
// add-on code edits, Physician Fee Schedule indicators (PFS) and the
// Medicare Code Editor lists (MCE). Every table carries its source,
// version and effective date, which the edits cite.
//
// The tables are embedded in a compact binary form (see codec.go and gen/)
// and decoded on first use, so opening the program costs nothing; newer
// official files are parsed by the Parse functions and stored with
// MarshalBinary, then loaded instead of the embedded ones (Tables.With).
// The package knows no other codebench package.
package payer

import (
	"fmt"
	"time"
)

// Kind names a table.
type Kind string

const (
	KindPTP   Kind = "ptp"   // NCCI procedure-to-procedure edits
	KindMUE   Kind = "mue"   // NCCI medically unlikely edits
	KindAddOn Kind = "addon" // NCCI add-on code edits
	KindPFS   Kind = "pfs"   // Physician Fee Schedule indicators (PPRRVU)
	KindMCE   Kind = "mce"   // Medicare Code Editor diagnosis lists
	// KindMCEPrincipal is the MCE unacceptable principal diagnosis list,
	// a table of its own because it comes from another MCE version.
	KindMCEPrincipal Kind = "mce-principal"
)

// Kinds lists every kind, in the order tables are described.
var Kinds = []Kind{KindPTP, KindMUE, KindAddOn, KindPFS, KindMCE, KindMCEPrincipal}

// Meta says what a table is and where it came from.
type Meta struct {
	Kind Kind `json:"kind"`
	// Source names the publication: "NCCI PTP practitioner".
	Source string `json:"source"`
	// Version is how the publisher names this release: "2024-07-01",
	// "v41.1", "RVU24C".
	Version string `json:"version"`
	// Effective is the first date of service the table applies to.
	Effective time.Time `json:"effective"`
	// File names the official file or files the table was made from, and
	// SHA256 their hash (of the files concatenated in that order).
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	// Rows counts the rows read from the file.
	Rows int `json:"rows"`
}

// Cite is how an edit names the table: "NCCI PTP practitioner 2024-07-01".
func (m Meta) Cite() string { return m.Source + " " + m.Version }

func (m Meta) validate() error {
	switch {
	case m.Source == "" || m.Version == "":
		return fmt.Errorf("table metadata lacks its source or version")
	case m.Effective.IsZero():
		return fmt.Errorf("table metadata lacks its effective date")
	}
	return nil
}

// Table is any of the tables.
type Table interface {
	Meta() Meta
	MarshalBinary() ([]byte, error)
}

// Quarter is the first day of the calendar quarter holding t: NCCI tables
// are published quarterly and apply from the quarter's first day.
func Quarter(t time.Time) time.Time {
	m := (int(t.Month())-1)/3*3 + 1
	return time.Date(t.Year(), time.Month(m), 1, 0, 0, 0, 0, time.UTC)
}

// Date is a day, stored compactly as days since 1969-12-31 (UTC); the
// zero Date means none (an edit not deleted, a date not given).
type Date uint32

// DateOf converts t (its calendar day) to a Date.
func DateOf(t time.Time) Date {
	if t.IsZero() {
		return 0
	}
	y, m, d := t.Date()
	days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(epoch).Hours() / 24
	if days < 0 {
		return 0
	}
	return Date(days) + 1
}

// Time is the day as midnight UTC; zero for the zero Date.
func (d Date) Time() time.Time {
	if d == 0 {
		return time.Time{}
	}
	return epoch.AddDate(0, 0, int(d)-1)
}

func (d Date) IsZero() bool { return d == 0 }

func (d Date) String() string {
	if d == 0 {
		return ""
	}
	return d.Time().Format(time.DateOnly)
}

var epoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// maxDay bounds stored dates (year 2200): a larger number is damage.
var maxDay = uint64(DateOf(time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)))
