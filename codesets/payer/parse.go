package payer

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Source is one official file to parse: its name (for messages and the
// table's metadata) and its content.
type Source struct {
	Name string
	R    io.Reader
}

// ParseError is one problem of a file, with the line and field.
type ParseError struct {
	File  string
	Line  int    // 1-based; 0 when the problem is the whole file
	Field string // the column, "" when the problem is the line
	Msg   string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ": line %d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %q", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Errors lists the problems found in a parse (at most maxErrors; the
// last one then says that more were left out). Nothing is built from a
// file with errors.
type Errors []*ParseError

const maxErrors = 20

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// problems collects the errors of one parse; reading stops at
// maxErrors, and the list then says so.
type problems struct {
	list Errors
}

func (p *problems) add(file string, line int, field, format string, a ...any) {
	if p.full() {
		return
	}
	p.list = append(p.list, &ParseError{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, a...)})
}

func (p *problems) full() bool { return len(p.list) >= maxErrors }

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	if p.full() {
		last := p.list[len(p.list)-1]
		return append(p.list, &ParseError{File: last.File, Msg: fmt.Sprintf("stopped reading after %d problems", maxErrors)})
	}
	return p.list
}

// ErrEmpty: a file held no data rows.
var ErrEmpty = errors.New("no data rows")

// maxLine bounds one line of an official file (the longest real ones
// are a few hundred bytes).
const maxLine = 64 << 10

// hashing reads every source through one SHA-256, in order, so the
// table's metadata names exactly the bytes it was made from.
type hashing struct {
	h     hash.Hash
	names []string
}

func newHashing() *hashing { return &hashing{h: sha256.New()} }

func (hs *hashing) wrap(s Source) io.Reader {
	hs.names = append(hs.names, s.Name)
	return io.TeeReader(s.R, hs.h)
}

// finish fills the metadata's file, hash and kind.
func (hs *hashing) finish(meta *Meta, kind Kind) {
	meta.Kind = kind
	meta.File = strings.Join(hs.names, ", ")
	meta.SHA256 = hex.EncodeToString(hs.h.Sum(nil))
}

// lines reads a text file line by line (LF or CRLF), with its line
// number. Lines that are not UTF-8 are read as Latin-1, the encoding of
// older CMS text files.
type lines struct {
	name string
	sc   *bufio.Scanner
	n    int
}

func newLines(name string, r io.Reader) *lines {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	return &lines{name: name, sc: sc}
}

func (l *lines) next() (string, bool) {
	if !l.sc.Scan() {
		return "", false
	}
	l.n++
	s := strings.TrimSuffix(l.sc.Text(), "\r")
	if l.n == 1 {
		s = strings.TrimPrefix(s, "\ufeff")
	}
	return toUTF8(s), true
}

func (l *lines) err(p *problems) {
	if err := l.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			p.add(l.name, l.n+1, "", "line longer than %d KB: not a text table", maxLine>>10)
			return
		}
		p.add(l.name, l.n+1, "", "read error: %v", err)
	}
}

func toUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	r := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		r[i] = rune(s[i])
	}
	return string(r)
}

// csvRecords reads a comma- (or tab-) separated file with quoting,
// yielding each record with its line number.
type csvRecords struct {
	name string
	r    *csv.Reader
	line int
}

func newCSV(name string, r io.Reader, comma rune) *csvRecords {
	cr := csv.NewReader(bufio.NewReaderSize(&lineLimit{r: r}, 64<<10))
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	return &csvRecords{name: name, r: cr}
}

// next returns the next record; ok is false at the end or on an error
// (reported to p).
func (c *csvRecords) next(p *problems) (rec []string, ok bool) {
	rec, err := c.r.Read()
	if err == io.EOF {
		return nil, false
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			p.add(c.name, pe.Line, "", "%v", pe.Err)
		} else {
			p.add(c.name, c.line+1, "", "%v", err)
		}
		return nil, false
	}
	c.line, _ = c.r.FieldPos(0)
	for i := range rec {
		rec[i] = toUTF8(rec[i])
	}
	if c.line == 1 && len(rec) > 0 {
		rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
	}
	return rec, true
}

// lineLimit refuses a line longer than maxLine, which encoding/csv would
// otherwise buffer whole (a file without newlines).
type lineLimit struct {
	r   io.Reader
	run int
}

func (l *lineLimit) Read(b []byte) (int, error) {
	n, err := l.r.Read(b)
	for _, c := range b[:n] {
		if c == '\n' {
			l.run = 0
		} else if l.run++; l.run > maxLine*4 {
			return 0, fmt.Errorf("a line longer than %d KB: not a text table", maxLine*4>>10)
		}
	}
	return n, err
}

// sniffComma guesses a delimited file's separator from its first bytes.
func sniffComma(head []byte) rune {
	if strings.Count(string(head), "\t") > strings.Count(string(head), ",") {
		return '\t'
	}
	return ','
}

// peek reads the first n bytes of r and returns them with a reader that
// still yields everything.
func peek(r io.Reader, n int) ([]byte, io.Reader, error) {
	br := bufio.NewReaderSize(r, max(n, 16))
	head, err := br.Peek(n)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, nil, err
	}
	return head, br, nil
}

// normalize turns a column heading into a key: lower case letters and
// digits only ("HCPCS/\nCPT Code" -> "hcpcscptcode").
func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// columns maps normalized headings to their index.
func columns(rec []string) map[string]int {
	m := make(map[string]int, len(rec))
	for i, h := range rec {
		if k := normalize(h); k != "" {
			if _, dup := m[k]; !dup {
				m[k] = i
			}
		}
	}
	return m
}

// find returns the index of the first of names present.
func find(cols map[string]int, names ...string) (int, bool) {
	for _, n := range names {
		if i, ok := cols[n]; ok {
			return i, true
		}
	}
	return -1, false
}

// field reads column i of a record ("" when the record is short).
func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// Field parsers. Each reports to p with the file, line and field name
// and returns ok=false on a bad value.

type at struct {
	p    *problems
	file string
	line int
}

func (a at) bad(fieldName, format string, args ...any) {
	a.p.add(a.file, a.line, fieldName, format, args...)
}

func (a at) procCode(fieldName, s string) (string, bool) {
	c := strings.ToUpper(s)
	if !validProcedureCode(c) {
		a.bad(fieldName, "want a 5-character CPT or HCPCS code, got %q", clip(s))
		return "", false
	}
	return c, true
}

// date reads YYYYMMDD, YYYY-MM-DD or MM/DD/YYYY. none lists the spellings
// of "no date" the field allows ("*", "", "99991231").
func (a at) date(fieldName, s string, none ...string) (Date, bool) {
	for _, n := range none {
		if s == n {
			return 0, true
		}
	}
	var t time.Time
	var err error
	switch {
	case len(s) == 8 && strings.Trim(s, "0123456789") == "":
		t, err = time.Parse("20060102", s)
	case len(s) == 10 && s[4] == '-':
		t, err = time.Parse(time.DateOnly, s)
	case len(s) == 10 && s[2] == '/':
		t, err = time.Parse("01/02/2006", s)
	default:
		err = errors.New("bad layout")
	}
	if err != nil {
		a.bad(fieldName, "want a date (YYYYMMDD, YYYY-MM-DD or MM/DD/YYYY), got %q", clip(s))
		return 0, false
	}
	if y := t.Year(); y == 9999 {
		return 0, true // CMS writes 9999-12-31 for "not deleted"
	} else if y < 1980 || y > 2199 {
		a.bad(fieldName, "date %s is out of range", s)
		return 0, false
	}
	return DateOf(t), true
}

func (a at) integer(fieldName, s string, lo, hi int) (int, bool) {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		a.bad(fieldName, "want a whole number from %d to %d, got %q", lo, hi, clip(s))
		return 0, false
	}
	return n, true
}

// text checks a free-text field (a rationale): printable, no control
// characters, at most 200 characters.
func (a at) text(fieldName, s string) (string, bool) {
	if utf8.RuneCountInString(s) > 200 {
		a.bad(fieldName, "longer than 200 characters")
		return "", false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
			a.bad(fieldName, "holds a control character (%U)", r)
			return "", false
		}
	}
	return s, true
}

// clip shortens an untrusted value quoted in a message.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	cut := 40
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// delimited opens a CSV or tab-separated source (the separator guessed
// from its first bytes) for a parser, reading it through the hash.
func delimited(src Source) (*hashing, *problems, *csvRecords, error) {
	hs := newHashing()
	head, r, err := peek(hs.wrap(src), 4096)
	if err != nil {
		return nil, nil, nil, Errors{{File: src.Name, Msg: "read error: " + err.Error()}}
	}
	return hs, &problems{}, newCSV(src.Name, r, sniffComma(head)), nil
}

// done ends a parse: a file without rows is not one of the kind, and a
// file with problems builds nothing; else the metadata gets the file
// names, hash and kind.
func (p *problems) done(hs *hashing, meta *Meta, kind Kind, file string, rows int, what string) error {
	if len(p.list) == 0 && rows == 0 {
		p.add(file, 0, "", "%v: not %s", ErrEmpty, what)
	}
	if err := p.err(); err != nil {
		return err
	}
	hs.finish(meta, kind)
	return nil
}
