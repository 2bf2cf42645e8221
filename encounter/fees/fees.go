// Package fees is the practice's fee schedule: what it charges for each
// procedure code (and modifier, and payer), by date of service. A CSV file
// is validated as a whole on import, kept in the data directory with its
// version and SHA-256, and fills the charges of service lines.
package fees

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"codebench/encounter"
)

// Limits of an imported file.
const (
	MaxFileSize = 32 << 20
	MaxRows     = 500_000
	maxProblems = 20
)

// Fee is one row: the amount charged for a code (with a modifier, for a
// payer) on dates of service From through To.
type Fee struct {
	Code     string // CPT or HCPCS, upper case
	Modifier string // "" for the code without a modifier
	Payer    string // payer id; "" for every payer
	Amount   int64  // cents
	From, To encounter.Date
	Line     int // line of the CSV file
}

// Schedule is a validated fee schedule.
type Schedule struct {
	fees map[string][]Fee // by code
	rows int
}

// Rows is the number of fees.
func (s *Schedule) Rows() int { return s.rows }

// Problem is one thing wrong with a row.
type Problem struct {
	Line    int
	Field   string
	Message string
}

// ParseError lists what is wrong with a file.
type ParseError struct {
	File     string
	Problems []Problem
}

func (e *ParseError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s", e.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		if p.Field != "" {
			fmt.Fprintf(&b, ": field %s", p.Field)
		}
		fmt.Fprintf(&b, ": %s", p.Message)
	}
	return b.String()
}

var (
	codePattern     = regexp.MustCompile(`^[0-9A-Z][0-9]{3}[0-9A-Z]$`)
	modifierPattern = regexp.MustCompile(`^[0-9A-Z]{2}$`)
	payerPattern    = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z -]{0,49}$`)
	amountPattern   = regexp.MustCompile(`^[0-9]{1,9}(\.[0-9]{1,2})?$`)
)

// Columns of the CSV header; code, amount and effective_from are required.
var columns = []string{"code", "modifier", "amount", "effective_from", "effective_to", "payer"}

// Parse reads a fee schedule CSV: a header naming the columns (code,
// amount and effective_from required; modifier, effective_to and payer
// optional, in any order), then one fee per line. The whole file is
// checked before anything is accepted: every problem is reported with its
// line and field, up to 20. Two rows for the same code, modifier and payer
// whose dates overlap are an error: the fee on a date must be one.
func Parse(r io.Reader, name string) (*Schedule, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	fail := &ParseError{File: name}
	add := func(line int, field, format string, a ...any) {
		if len(fail.Problems) < maxProblems {
			fail.Problems = append(fail.Problems, Problem{line, field, fmt.Sprintf(format, a...)})
		}
	}
	switch {
	case len(data) > MaxFileSize:
		add(0, "", "larger than %d MiB", MaxFileSize>>20)
	case !utf8.Valid(data):
		add(0, "", "not UTF-8 text")
	case bytes.IndexByte(data, 0) >= 0:
		add(0, "", "binary data (a NUL byte)")
	}
	if len(fail.Problems) > 0 {
		return nil, fail
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			add(0, "", "empty file; want a header line (code,modifier,amount,effective_from,effective_to,payer)")
		} else {
			add(1, "", "%v", err)
		}
		return nil, fail
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		known := false
		for _, c := range columns {
			known = known || c == h
		}
		if !known {
			add(1, clip(h), "unknown column (known: %s)", strings.Join(columns, ", "))
			continue
		}
		if _, dup := col[h]; dup {
			add(1, h, "column given twice")
		}
		col[h] = i
	}
	for _, req := range []string{"code", "amount", "effective_from"} {
		if _, ok := col[req]; !ok {
			add(1, req, "required column missing from the header")
		}
	}
	if len(fail.Problems) > 0 {
		return nil, fail
	}
	s := &Schedule{fees: map[string][]Fee{}}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line, err = pe.Line, pe.Err
			}
			add(line, "", "%v", err)
			break
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if s.rows >= MaxRows {
			add(line, "", "more than %d fees", MaxRows)
			break
		}
		get := func(name string) string {
			i, ok := col[name]
			if !ok || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		if len(rec) > len(header) {
			add(line, "", "%d fields; the header has %d", len(rec), len(header))
			continue
		}
		f := Fee{Line: line, Code: strings.ToUpper(get("code")), Modifier: strings.ToUpper(get("modifier")), Payer: get("payer")}
		ok := true
		bad := func(field, format string, a ...any) { add(line, field, format, a...); ok = false }
		if !codePattern.MatchString(f.Code) {
			bad("code", "%q is not a CPT or HCPCS code (5 characters)", clip(f.Code))
		}
		if f.Modifier != "" && !modifierPattern.MatchString(f.Modifier) {
			bad("modifier", "%q is not a modifier (2 letters or digits)", clip(f.Modifier))
		}
		if f.Payer != "" && !payerPattern.MatchString(f.Payer) {
			bad("payer", "%q is not a payer id (letters, digits, spaces or '-')", clip(f.Payer))
		}
		amount := strings.TrimPrefix(get("amount"), "$")
		if !amountPattern.MatchString(amount) {
			bad("amount", "%q is not an amount in dollars (125 or 125.00)", clip(get("amount")))
		} else if f.Amount, err = encounter.ParseCents(amount); err != nil || f.Amount == 0 {
			bad("amount", "%q: a fee is more than 0", clip(amount))
		}
		if f.From, err = encounter.ParseDate(get("effective_from")); err != nil {
			bad("effective_from", "%q is not a date YYYY-MM-DD", clip(get("effective_from")))
		}
		if v := get("effective_to"); v != "" {
			if f.To, err = encounter.ParseDate(v); err != nil {
				bad("effective_to", "%q is not a date YYYY-MM-DD", clip(v))
			} else if !f.From.IsZero() && f.To.Before(f.From.Time) {
				bad("effective_to", "%s is before effective_from %s", f.To, f.From)
			}
		}
		if !ok {
			continue
		}
		s.fees[f.Code] = append(s.fees[f.Code], f)
		s.rows++
	}
	for _, list := range s.fees {
		sort.Slice(list, func(i, j int) bool { return list[i].Line < list[j].Line })
		for i := range list {
			for j := i + 1; j < len(list); j++ {
				a, b := list[i], list[j]
				if a.Modifier == b.Modifier && a.Payer == b.Payer && overlap(a, b) {
					add(b.Line, "effective_from", "%s%s%s overlaps line %d (%s to %s): one fee per code, modifier and payer on a date",
						b.Code, modText(b.Modifier), payerText(b.Payer), a.Line, a.From, toText(a.To))
				}
			}
		}
	}
	if len(fail.Problems) > 0 {
		sort.SliceStable(fail.Problems, func(i, j int) bool { return fail.Problems[i].Line < fail.Problems[j].Line })
		return nil, fail
	}
	if s.rows == 0 {
		return nil, &ParseError{File: name, Problems: []Problem{{Message: "no fees after the header"}}}
	}
	return s, nil
}

func overlap(a, b Fee) bool {
	aEnd, bEnd := a.To, b.To
	return (aEnd.IsZero() || !b.From.After(aEnd.Time)) && (bEnd.IsZero() || !a.From.After(bEnd.Time))
}

func modText(m string) string {
	if m == "" {
		return ""
	}
	return "-" + m
}

func payerText(p string) string {
	if p == "" {
		return ""
	}
	return " for payer " + p
}

func toText(d encounter.Date) string {
	if d.IsZero() {
		return "open"
	}
	return d.String()
}

func clip(s string) string {
	if utf8.RuneCountInString(s) > 30 {
		return string([]rune(s)[:30]) + "..."
	}
	return s
}

// Lookup finds the fee of a code on a date of service for a payer: a
// payer's own fee before the general one, and a row for one of the line's
// modifiers (in the line's order) before the code's row without modifier.
func (s *Schedule) Lookup(code string, modifiers []string, payer string, dos encounter.Date) (Fee, bool) {
	if s == nil {
		return Fee{}, false
	}
	var best Fee
	bestRank := -1
	for _, f := range s.fees[strings.ToUpper(code)] {
		if dos.Before(f.From.Time) || (!f.To.IsZero() && dos.After(f.To.Time)) {
			continue
		}
		if f.Payer != "" && f.Payer != payer {
			continue
		}
		rank := 0
		if f.Payer != "" {
			rank += 100
		}
		switch {
		case f.Modifier == "":
		default:
			pos := -1
			for i, m := range modifiers {
				if strings.EqualFold(m, f.Modifier) {
					pos = i
					break
				}
			}
			if pos < 0 {
				continue
			}
			rank += 50 - pos
		}
		if rank > bestRank {
			best, bestRank = f, rank
		}
	}
	return best, bestRank >= 0
}

// Filled is one line Fill charged.
type Filled struct {
	Line   int // 1-based
	Charge int64
	Fee    Fee
}

// Fill charges the lines of enc that have no charge (0) at the fee
// schedule's amount times their units, for the encounter's payer and first
// date of service; charged lines are left as the coder set them. It
// returns the lines it filled, and the codes it found no fee for.
func (s *Schedule) Fill(enc *encounter.Encounter) (filled []Filled, missing []string) {
	for i := range enc.Lines {
		l := &enc.Lines[i]
		if l.Charge != 0 || l.Units <= 0 {
			continue
		}
		f, ok := s.Lookup(l.Code, l.Modifiers, enc.Coverage.PayerID, enc.Service.From)
		if !ok {
			missing = append(missing, l.Code)
			continue
		}
		charge := f.Amount * int64(l.Units)
		if charge > encounter.MaxCharge {
			missing = append(missing, l.Code)
			continue
		}
		l.Charge = charge
		filled = append(filled, Filled{Line: i + 1, Charge: charge, Fee: f})
	}
	return filled, missing
}
