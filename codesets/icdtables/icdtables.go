// Package icdtables holds the two tables of the ICD-10-CM Index a coder
// looks codes up in: the Table of Neoplasms (a row per site; columns
// malignant primary, secondary, carcinoma in situ, benign, uncertain and
// unspecified behavior) and the Table of Drugs and Chemicals (a row per
// substance; columns poisoning accidental, intentional self-harm,
// assault, undetermined, adverse effect and underdosing). They are made
// by gen/ from the CDC's April 1, 2026 (FY2026) XML files and embedded as
// data of their own. A cell names a code as the printed table does; what
// it is on a date of service is for the code sets of that date to say
// (see Cell.Code and Resolve).
package icdtables

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"codebench/codesets"
)

//go:generate go run ./gen -src ../../../shared/codesets -out data/tables.tsv.gz

// embedded is made by gen. One record per line, tab-separated:
//
//	table  kind title version source-file sha256 row-heading col1|...|col6
//	row    level title cell1 ... cell6 see
//
// Rows follow their table, in the printed order; a cell is "" where the
// table prints "--".
//
//go:embed data/tables.tsv.gz
var embedded []byte

// Kind names a table.
type Kind string

const (
	Neoplasm Kind = "neoplasm"
	Drug     Kind = "drug"
)

// Columns is the number of code columns of both tables.
const Columns = 6

// Table is one table of the Index.
type Table struct {
	Kind    Kind
	Title   string // "Table of Neoplasms"
	Version string // "2026 (April 1, 2026 update)"
	Source  string // the CDC file it was made from
	SHA256  string // of that file's content
	// RowHeading names the rows ("Neoplasm", "Substance"); Headings the
	// code columns, as the table prints them.
	RowHeading string
	Headings   [Columns]string
	Rows       []Row
}

// Row is one entry of a table: a main term (level 0) or a subterm under
// the entry above it of the level before.
type Row struct {
	Level int
	Title string // with its nonessential modifiers in parentheses
	// Path is the titles from the main term down, joined by ", " ("Neoplasm,
	// neoplastic, abdomen, abdominal, wall"), what a coder reads the row as.
	Path  string
	Cells [Columns]Cell
	// See is the cross-reference the entry gives instead of or besides
	// codes ("see Neoplasm, skin, abdomen"; "see also Anesthesia").
	See string
}

// Cell is one code cell as the table prints it: "C76.2", "C79.8-" (the
// code needs more characters), "T40.2X1" (a 7th character follows), or
// empty for "--".
type Cell string

// Empty tells whether the table gives no code in the cell.
func (c Cell) Empty() bool { return c == "" }

// Open tells whether the printed code ends in "-": it must be completed
// from the Tabular List.
func (c Cell) Open() bool { return strings.HasSuffix(string(c), "-") }

// Code is the cell's code in canonical spelling ("C798", "T402X1"), empty
// for an empty cell.
func (c Cell) Code() string {
	s := strings.TrimRight(string(c), "-")
	s = strings.TrimRight(s, ".")
	return codesets.Canonical(s)
}

// Resolve finds the cell's code in the code sets of a date of service
// (codesets.Set.On): the code itself, billable or a header to complete.
// ok is false when that release has no such code, as for T52.8X1 in
// FY2027, whose solvents were split by kind.
func (c Cell) Resolve(set *codesets.Set) (*codesets.Code, bool) {
	code := c.Code()
	if code == "" || set == nil {
		return nil, false
	}
	return set.LookupIn(codesets.ICD10CM, code)
}

// Tables are the two tables, parsed once from the embedded data.
type Tables struct {
	Neoplasm *Table
	Drug     *Table
}

// Get returns the table of a kind.
func (t *Tables) Get(k Kind) *Table {
	if k == Drug {
		return t.Drug
	}
	return t.Neoplasm
}

var (
	once   sync.Once
	loaded *Tables
	errLd  error
)

// Embedded returns the embedded tables, parsed once per process.
func Embedded() (*Tables, error) {
	once.Do(func() { loaded, errLd = Parse(bytes.NewReader(embedded), "icdtables/data/tables.tsv.gz") })
	return loaded, errLd
}

// Parse reads tables in the embedded format, gzipped or not. name is used
// in error messages.
func Parse(r io.Reader, name string) (*Tables, error) {
	br, done, err := codesets.MaybeGunzip(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer done()
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	out := &Tables{}
	var cur *Table
	var path []string
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		where := fmt.Sprintf("%s line %d", name, lineNo)
		switch f[0] {
		case "table":
			if len(f) != 8 {
				return nil, fmt.Errorf("%s: table: %d fields, want 8", where, len(f))
			}
			heads := strings.Split(f[7], "|")
			if len(heads) != Columns {
				return nil, fmt.Errorf("%s: table: %d column headings, want %d", where, len(heads), Columns)
			}
			cur = &Table{Kind: Kind(f[1]), Title: f[2], Version: f[3], Source: f[4], SHA256: f[5], RowHeading: f[6]}
			copy(cur.Headings[:], heads)
			switch cur.Kind {
			case Neoplasm:
				out.Neoplasm = cur
			case Drug:
				out.Drug = cur
			default:
				return nil, fmt.Errorf("%s: table: unknown kind %q", where, f[1])
			}
			path = path[:0]
		case "row":
			if cur == nil {
				return nil, fmt.Errorf("%s: row before any table", where)
			}
			if len(f) != 4+Columns {
				return nil, fmt.Errorf("%s: row: %d fields, want %d", where, len(f), 4+Columns)
			}
			level, err := strconv.Atoi(f[1])
			if err != nil || level < 0 || level > len(path) {
				return nil, fmt.Errorf("%s: row: level %q after a row of level %d", where, f[1], len(path)-1)
			}
			path = append(path[:level], f[2])
			row := Row{Level: level, Title: f[2], Path: strings.Join(path, ", "), See: f[3+Columns]}
			for i := 0; i < Columns; i++ {
				row.Cells[i] = Cell(f[3+i])
			}
			cur.Rows = append(cur.Rows, row)
		default:
			return nil, fmt.Errorf("%s: unknown record %q", where, f[0])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if out.Neoplasm == nil || out.Drug == nil {
		return nil, fmt.Errorf("%s: want both the neoplasm and the drug table", name)
	}
	return out, nil
}

// Filter lists the indexes of the rows whose path has every word of the
// query as the start of one of its words ("abd wall" finds "abdomen,
// abdominal, wall"), in table order; an empty query lists every row.
func (t *Table) Filter(query string) []int {
	words := strings.FieldsFunc(strings.ToLower(query), notWord)
	out := make([]int, 0, len(t.Rows))
	for i := range t.Rows {
		if matches(strings.ToLower(t.Rows[i].Path), words) {
			out = append(out, i)
		}
	}
	return out
}

func matches(path string, words []string) bool {
	pw := strings.FieldsFunc(path, notWord)
	for _, w := range words {
		found := false
		for _, p := range pw {
			if strings.HasPrefix(p, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func notWord(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
}
