package codesets

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The ICD-10-CM order file (icd10cm_order_YYYY.txt, CDC/NCHS) lists every
// code, header or billable, in tabular order, one a line, fixed width
// (0-based byte offsets):
//
//	[0:5]   order number, zero-padded, 1, 2, 3, ...
//	[6:13]  code without a dot, left-justified
//	[14]    1 = valid for HIPAA transactions (billable), 0 = header
//	[16:76] short title, 60 characters
//	[77:]   long title
//
// ParseOrderFile reads it and checks the whole file before returning:
// layout, order numbers, code shapes, duplicates, that every header has a
// code under it and that every billable code is a leaf. The first problem
// found is the error, naming the file, line and field.

// OrderEntry is one line of an order file.
type OrderEntry struct {
	Line     int // line number in the file, from 1
	Order    int
	Code     string
	Billable bool
	Short    string
	Long     string
}

// Limits of an order file read from outside: the official files are about
// 15 MB, 100,000 lines of at most 400 bytes.
const (
	MaxOrderFileSize = 64 << 20
	maxOrderLine     = 1024
	maxOrderEntries  = 200_000
)

// FileError is a problem with one line of a file read from outside.
type FileError struct {
	File  string
	Line  int    // 0 when the problem is the file as a whole
	Field string // empty when the problem is the line as a whole
	Msg   string
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(strconv.Quote(e.File))
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, " field %s", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

func fileErr(file string, line int, field, format string, a ...any) *FileError {
	return &FileError{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, a...)}
}

// Quote shows an untrusted string safely in a message: quoted, with
// control characters escaped, cut to n bytes.
func Quote(s string, n int) string {
	if len(s) > n {
		s = s[:n] + "..."
	}
	return strconv.QuoteToASCII(s)
}

// ParseOrderFile reads and checks an ICD-10-CM order file.
func ParseOrderFile(r io.Reader, name string) ([]OrderEntry, error) {
	lines, err := readLines(r, name, MaxOrderFileSize, maxOrderLine)
	if err != nil {
		return nil, err
	}
	out := make([]OrderEntry, 0, min(len(lines), maxOrderEntries))
	seen := make(map[string]int, len(lines))
	for i, line := range lines {
		n := i + 1
		if line == "" {
			if i == len(lines)-1 {
				break
			}
			return nil, fileErr(name, n, "", "empty line inside the file")
		}
		if len(out) == maxOrderEntries {
			return nil, fileErr(name, n, "", "more than %d codes: not an ICD-10-CM order file", maxOrderEntries)
		}
		e, err := orderLine(line, name, n)
		if err != nil {
			return nil, err
		}
		if e.Order != len(out)+1 {
			return nil, fileErr(name, n, "order number", "%d, want %d (lines are numbered 1, 2, 3, ... without gaps)", e.Order, len(out)+1)
		}
		if prev, dup := seen[e.Code]; dup {
			return nil, fileErr(name, n, "code", "%s already on line %d", Dotted(ICD10CM, e.Code), prev)
		}
		seen[e.Code] = n
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, fileErr(name, 0, "", "no codes: not an ICD-10-CM order file")
	}
	if err := checkTree(out, name); err != nil {
		return nil, err
	}
	return out, nil
}

// orderLine reads one line of the order file.
func orderLine(line, name string, n int) (OrderEntry, error) {
	if len(line) < 78 {
		return OrderEntry{}, fileErr(name, n, "", "%d characters, want at least 78 (order number, code, flag, short and long titles in fixed columns): %s", len(line), Quote(line, 80))
	}
	e := OrderEntry{Line: n}
	num := line[0:5]
	if !isDigits(num) {
		return e, fileErr(name, n, "order number", "%s is not 5 digits", Quote(num, 10))
	}
	e.Order, _ = strconv.Atoi(num)
	if line[5] != ' ' || line[13] != ' ' || line[15] != ' ' || line[76] != ' ' {
		return e, fileErr(name, n, "", "columns misaligned (want blanks at columns 6, 14, 16 and 77): %s", Quote(line, 80))
	}
	e.Code = strings.TrimRight(line[6:13], " ")
	if !ICD10CMShaped(e.Code) {
		return e, fileErr(name, n, "code", "%s is not an ICD-10-CM code", Quote(line[6:13], 10))
	}
	var ok bool
	if e.Billable, ok = billableFlag(line[14]); !ok {
		return e, fileErr(name, n, "billable flag", "%s, want 0 (header) or 1 (billable)", Quote(line[14:15], 4))
	}
	e.Short = strings.TrimSpace(line[16:76])
	e.Long = strings.TrimSpace(line[77:])
	for _, f := range []struct{ name, v string }{{"short title", e.Short}, {"long title", e.Long}} {
		if f.v == "" {
			return e, fileErr(name, n, f.name, "empty for %s", Dotted(ICD10CM, e.Code))
		}
		if i := strings.IndexFunc(f.v, func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
			return e, fileErr(name, n, f.name, "control character at byte %d: %s", i, Quote(f.v, 80))
		}
	}
	return e, nil
}

// billableFlag reads the flag column: 1 billable, 0 header.
func billableFlag(b byte) (billable, ok bool) {
	return b == '1', b == '0' || b == '1'
}

// checkTree checks the hierarchy the order brings: codes follow their
// header, so a header is followed by a code that extends it and a
// billable code by one that does not.
func checkTree(list []OrderEntry, name string) error {
	for i, e := range list {
		next := ""
		if i+1 < len(list) {
			next = list[i+1].Code
		}
		extended := strings.HasPrefix(next, e.Code)
		switch {
		case e.Billable && extended:
			return fileErr(name, list[i+1].Line, "code", "%s is under %s, which is billable (flag 1): a billable code must be a leaf", Dotted(ICD10CM, next), Dotted(ICD10CM, e.Code))
		case !e.Billable && !extended:
			return fileErr(name, e.Line, "billable flag", "%s is a header (flag 0) with no code under it", Dotted(ICD10CM, e.Code))
		case len(e.Code) > 3 && !hasParent(list, i):
			return fileErr(name, e.Line, "code", "%s has no parent header before it (its category %s is missing or elsewhere)", Dotted(ICD10CM, e.Code), e.Code[:3])
		}
	}
	return nil
}

// hasParent tells whether a code of more than three characters comes
// after its parent: the nearest earlier code that is a prefix of it must
// exist and no code between may leave that family.
func hasParent(list []OrderEntry, i int) bool {
	c := list[i].Code
	for j := i - 1; j >= 0; j-- {
		p := list[j].Code
		if strings.HasPrefix(c, p) {
			return true
		}
		if !strings.HasPrefix(p, c[:3]) {
			return false
		}
	}
	return false
}

// readLines reads a text file of at most limit bytes into lines of at
// most maxLine bytes, without line ends (LF or CRLF). It refuses binary
// content and invalid UTF-8.
func readLines(r io.Reader, name string, limit int64, maxLine int) ([]string, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fileErr(name, 0, "", "%v", err)
	}
	if int64(len(data)) > limit {
		return nil, fileErr(name, 0, "", "larger than %d MB", limit>>20)
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, fileErr(name, 1+bytes.Count(data[:i], []byte("\n")), "", "NUL byte: a binary file, not text")
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if !utf8.ValidString(line) {
			return nil, fileErr(name, len(lines)+1, "", "not UTF-8 text")
		}
		lines = append(lines, line)
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return nil, fileErr(name, len(lines)+1, "", "line longer than %d bytes", maxLine)
		}
		return nil, fileErr(name, len(lines)+1, "", "%v", err)
	}
	return lines, nil
}

// Addenda are the changes an order addenda file lists from one release to
// the next, with the counts of its closing summary.
type Addenda struct {
	Added    []OrderEntry
	Deleted  []OrderEntry
	Revised  []Revision
	Summary  AddendaSummary
	HasTotal bool // the file closes with a summary of counts
}

// Revision is a title revised from one release to the next.
type Revision struct {
	From, To OrderEntry
}

// AddendaSummary holds the counts an addenda file closes with: headers
// and codes (billable) in the old and new order files.
type AddendaSummary struct {
	OldHeaders, NewHeaders int
	OldCodes, NewCodes     int
}

// ParseAddenda reads an order addenda file (icd10cm_order_addenda_YYYY.txt):
// lines "Add:", "Delete:", "Revise from:" and "Revise to:" in the order
// file's columns shifted by the label, then a summary of counts.
func ParseAddenda(r io.Reader, name string) (*Addenda, error) {
	lines, err := readLines(r, name, 16<<20, maxOrderLine)
	if err != nil {
		return nil, err
	}
	a := &Addenda{}
	var from *OrderEntry
	section := ""
	for i, line := range lines {
		n := i + 1
		label, _, ok := strings.Cut(line, ":")
		switch {
		case ok && (label == "Add" || label == "Delete" || label == "Revise from" || label == "Revise to"):
			// "Add:         1 C7831   Short... Long": the flag sits at
			// byte 13, the code at [15:22], the short title at [23:83]
			// and the long one from 84.
			e, err := addendaLine(line, name, n)
			if err != nil {
				return nil, err
			}
			switch label {
			case "Add":
				a.Added = append(a.Added, e)
			case "Delete":
				a.Deleted = append(a.Deleted, e)
			case "Revise from":
				from = &e
			case "Revise to":
				if from == nil || from.Code != e.Code {
					return nil, fileErr(name, n, "code", "\"Revise to\" %s does not follow a \"Revise from\" of the same code", Dotted(ICD10CM, e.Code))
				}
				a.Revised = append(a.Revised, Revision{From: *from, To: e})
				from = nil
			}
		case strings.TrimSpace(line) == "Headers" || strings.TrimSpace(line) == "Codes":
			section = strings.TrimSpace(line)
			a.HasTotal = true
		case section != "":
			f := strings.Fields(line)
			if len(f) >= 3 && isDigits(f[0]) && f[1]+" "+f[2] == map[string]string{"Headers": "headers in", "Codes": "codes in"}[section] {
				v, _ := strconv.Atoi(f[0])
				if section == "Headers" {
					if a.Summary.OldHeaders == 0 {
						a.Summary.OldHeaders = v
					} else {
						a.Summary.NewHeaders = v
					}
				} else {
					if a.Summary.OldCodes == 0 {
						a.Summary.OldCodes = v
					} else {
						a.Summary.NewCodes = v
					}
				}
			}
		case strings.TrimSpace(line) == "":
		default:
			return nil, fileErr(name, n, "", "not an addenda line (Add:, Delete:, Revise from:, Revise to: or the summary): %s", Quote(line, 60))
		}
	}
	if from != nil {
		return nil, fileErr(name, from.Line, "code", "\"Revise from\" %s has no \"Revise to\"", Dotted(ICD10CM, from.Code))
	}
	if a.HasTotal && (a.Summary.NewHeaders == 0 || a.Summary.NewCodes == 0) {
		return nil, fileErr(name, 0, "", "summary incomplete: want header and code counts of both order files")
	}
	return a, nil
}

func addendaLine(line, name string, n int) (OrderEntry, error) {
	if len(line) < 85 {
		return OrderEntry{}, fileErr(name, n, "", "%d characters, want at least 85: %s", len(line), Quote(line, 80))
	}
	e := OrderEntry{Line: n}
	var ok bool
	if e.Billable, ok = billableFlag(line[13]); !ok {
		return e, fileErr(name, n, "billable flag", "%s, want 0 (header) or 1 (billable)", Quote(line[13:14], 4))
	}
	e.Code = strings.TrimSpace(line[15:22])
	if !ICD10CMShaped(e.Code) {
		return e, fileErr(name, n, "code", "%s is not an ICD-10-CM code", Quote(line[15:22], 10))
	}
	e.Short = strings.TrimSpace(line[23:83])
	e.Long = strings.TrimSpace(line[84:])
	return e, nil
}

// Check holds an addenda file to the two order files it stands between:
// every change it lists must be the change between them, and its summary
// must count what the new file has.
func (a *Addenda) Check(old, new []OrderEntry, name string) error {
	oldBy := make(map[string]OrderEntry, len(old))
	for _, e := range old {
		oldBy[e.Code] = e
	}
	newBy := make(map[string]OrderEntry, len(new))
	headers, codes := 0, 0
	for _, e := range new {
		newBy[e.Code] = e
		if e.Billable {
			codes++
		} else {
			headers++
		}
	}
	if a.HasTotal && (a.Summary.NewHeaders != headers || a.Summary.NewCodes != codes) {
		return fileErr(name, 0, "summary", "says %d headers and %d codes, the order file has %d and %d", a.Summary.NewHeaders, a.Summary.NewCodes, headers, codes)
	}
	deleted := map[string]bool{}
	for _, d := range a.Deleted {
		o, ok := oldBy[d.Code]
		if !ok || o.Billable != d.Billable || o.Long != d.Long {
			return fileErr(name, d.Line, "code", "deletes %s, which the previous order file does not have as listed", Dotted(ICD10CM, d.Code))
		}
		deleted[d.Code] = true
	}
	for _, ad := range a.Added {
		e, ok := newBy[ad.Code]
		if !ok || e.Billable != ad.Billable || e.Long != ad.Long {
			return fileErr(name, ad.Line, "code", "adds %s, which the order file does not have as listed", Dotted(ICD10CM, ad.Code))
		}
		if _, had := oldBy[ad.Code]; had && !deleted[ad.Code] {
			return fileErr(name, ad.Line, "code", "adds %s, which the previous order file already has", Dotted(ICD10CM, ad.Code))
		}
	}
	revised := map[string]bool{}
	for _, rv := range a.Revised {
		o, okOld := oldBy[rv.From.Code]
		e, okNew := newBy[rv.To.Code]
		if !okOld || !okNew || o.Long != rv.From.Long || e.Long != rv.To.Long {
			return fileErr(name, rv.To.Line, "code", "revises %s, which the order files do not have as listed", Dotted(ICD10CM, rv.To.Code))
		}
		revised[rv.To.Code] = true
	}
	// And every change between the files is listed.
	added := map[string]bool{}
	for _, ad := range a.Added {
		added[ad.Code] = true
	}
	for _, e := range new {
		o, had := oldBy[e.Code]
		switch {
		case !had && !added[e.Code]:
			return fileErr(name, 0, "", "does not list %s, which the order file adds", Dotted(ICD10CM, e.Code))
		case had && (o.Billable != e.Billable || o.Long != e.Long || o.Short != e.Short) && !revised[e.Code] && !(deleted[e.Code] && added[e.Code]):
			return fileErr(name, 0, "", "does not list the change of %s between the order files", Dotted(ICD10CM, e.Code))
		}
	}
	for _, o := range old {
		if _, kept := newBy[o.Code]; !kept && !deleted[o.Code] {
			return fileErr(name, 0, "", "does not list %s, which the order file no longer has", Dotted(ICD10CM, o.Code))
		}
	}
	return nil
}
