package index

import (
	"bufio"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"codebench/codesets"
)

// An evaluation set pairs queries with the codes a coder would accept.
// Two sources are read:
//
//   - TSV: QUERY<TAB>CODE[,CODE...][<TAB>KIND[<TAB>SOURCE]] per line, split
//     on tabs only; KIND names the kind of query (shorthand, older,
//     abbrev...) that figures are broken down by, SOURCE where the query
//     was taken from (further columns are ignored); a first line whose gold
//     field is not codes ("query<TAB>gold") is a header; blank lines and
//     lines starting with # are skipped. Any of the gold codes answers the
//     query.
//   - CodiEsp JSONL (gzipped or not): {"id", "text_en", "icd10cm_dx": [...]}
//     per line, a clinical case and every diagnosis coded for it. See
//     EvaluateCases for how a case is searched.
//
// A returned code is a hit for a gold code when it is that code or a
// billable code under it (gold "E11" is answered by "E11.9").

// EvalCase is one query of an evaluation set.
type EvalCase struct {
	ID    string   // line number or case id
	Query string   // the query, or the case text
	Gold  []string // canonical codes
	Kind  string   // kind of query, empty when the set gives none
	// Source says where the query comes from ("codiesp-dev:S0004-...",
	// "demo:enc-1001"), empty when written for the set.
	Source string
}

// maxEvalLine bounds a line of an evaluation file (a CodiEsp case is a few
// kB).
const maxEvalLine = 1 << 20

// ReadEvalTSV reads a TSV evaluation set. name is used in error messages.
func ReadEvalTSV(r io.Reader, name string) ([]EvalCase, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxEvalLine)
	var out []EvalCase
	lineNo := 0
	first := true
	for sc.Scan() {
		lineNo++
		line := strings.TrimRight(sc.Text(), "\r")
		if lineNo == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		where := fmt.Sprintf("%s line %d", name, lineNo)
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("%s: invalid UTF-8", where)
		}
		if strings.ContainsRune(line, 0) {
			return nil, fmt.Errorf("%s: binary data (NUL byte)", where)
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 2 {
			return nil, fmt.Errorf("%s: no tab between the query and the gold codes", where)
		}
		q := cols[0]
		codes, err := goldCodes(cols[1])
		wasFirst := first
		first = false
		if err != nil {
			if wasFirst {
				continue // a header line ("query<TAB>gold")
			}
			return nil, fmt.Errorf("%s: field gold: %w", where, err)
		}
		if strings.TrimSpace(q) == "" {
			return nil, fmt.Errorf("%s: field query: empty", where)
		}
		ec := EvalCase{ID: fmt.Sprint(lineNo), Query: q, Gold: codes}
		if len(cols) > 2 {
			ec.Kind = strings.TrimSpace(cols[2])
			if strings.IndexFunc(ec.Kind, notKindRune) >= 0 {
				return nil, fmt.Errorf("%s: field kind: %q is not a name (letters, digits, - and _)", where, ec.Kind)
			}
		}
		if len(cols) > 3 {
			ec.Source = strings.TrimSpace(cols[3])
		}
		out = append(out, ec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no queries", name)
	}
	return out, nil
}

// goldCodes reads comma-separated codes in any spelling.
func goldCodes(field string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(field, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		c := codesets.Canonical(f)
		if !codeShaped(c) || strings.ContainsAny(f, " \t") {
			return nil, fmt.Errorf("%q is not a code", f)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no gold codes")
	}
	return out, nil
}

// ReadCodiEsp reads a CodiEsp JSONL file, gzipped or not. name is used in
// error messages.
func ReadCodiEsp(r io.Reader, name string) ([]EvalCase, error) {
	br, done, err := codesets.MaybeGunzip(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer done()
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 64*1024), maxEvalLine)
	var out []EvalCase
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var rec struct {
			ID   string   `json:"id"`
			Text string   `json:"text_en"`
			Dx   []string `json:"icd10cm_dx"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, lineNo, err)
		}
		if rec.Text == "" {
			return nil, fmt.Errorf("%s line %d: field text_en: empty", name, lineNo)
		}
		gold, err := goldCodes(strings.Join(rec.Dx, ","))
		if err != nil {
			return nil, fmt.Errorf("%s line %d: field icd10cm_dx: %w", name, lineNo, err)
		}
		out = append(out, EvalCase{ID: rec.ID, Query: rec.Text, Gold: gold})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no cases", name)
	}
	return out, nil
}

func notKindRune(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
}

// The built-in evaluation sets, in testdata/.
//
//go:embed testdata/dev.tsv testdata/heldout.tsv testdata/holdout-r2.tsv testdata/qa.tsv
var evalFiles embed.FS

// EvalSet is a built-in evaluation set.
type EvalSet struct {
	Name  string // file name under index/testdata
	About string
	Cases []EvalCase
}

// builtinSets lists the built-in sets: the development set, which ranking
// is tuned on, and the hold-outs, which it never is.
var builtinSets = []struct{ file, about string }{
	{"dev.tsv", "development set: tuned on"},
	{"heldout.tsv", "round-one hold-out: not tuned on"},
	{"holdout-r2.tsv", "round-two hold-out, written before round-two tuning: never tuned on"},
	{"qa.tsv", "queries coders reported missing"},
}

// EvalSets reads the built-in sets.
func EvalSets() ([]EvalSet, error) {
	var out []EvalSet
	for _, b := range builtinSets {
		data, err := evalFiles.ReadFile("testdata/" + b.file)
		if err != nil {
			return nil, err
		}
		cases, err := ReadEvalTSV(strings.NewReader(string(data)), "index/testdata/"+b.file)
		if err != nil {
			return nil, err
		}
		out = append(out, EvalSet{Name: b.file, About: b.about, Cases: cases})
	}
	return out, nil
}

// DevSet returns the development set (testdata/dev.tsv): queries as coders
// type them with the codes they want. Tests hold the index to it and
// benchmarks draw their queries from it.
func DevSet() ([]EvalCase, error) {
	data, err := evalFiles.ReadFile("testdata/dev.tsv")
	if err != nil {
		return nil, err
	}
	return ReadEvalTSV(strings.NewReader(string(data)), "index/testdata/dev.tsv")
}
