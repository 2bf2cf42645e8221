package codesets

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"codebench/internal/safefile"
)

// CPT descriptors are AMA copyright and never ship with codebench. A user
// with a licence imports their file once; it is kept, normalised, in the
// user's data directory.
//
// Accepted layouts, one code per line, UTF-8 (or ASCII):
//
//	CODE<TAB>DESCRIPTOR[<TAB>SHORT DESCRIPTOR]
//	CODE,DESCRIPTOR[,SHORT DESCRIPTOR]      (CSV: quote fields holding commas)
//
// The separator is the first tab or comma of the first data line. A first
// line whose code field is not a CPT code ("code", "HCPCS", ...) is a
// header and is skipped. CODE is five characters: four digits and a digit,
// F (Category II), T (Category III) or U (PLA). Blank lines are skipped.
// Anything else (an unknown code shape, an empty descriptor, a duplicate
// code, control characters, invalid UTF-8) is an error naming the line.

// MaxCPTFileSize bounds an imported file; the full AMA set is a few MB.
const MaxCPTFileSize = 64 << 20

// cptStoreName is the normalised import inside the data directory.
const cptStoreName = "cpt.tsv"

// DataDir is where codebench keeps the user's data (imported CPT):
// $CODEBENCH_DATA, else $XDG_DATA_HOME/codebench, else ~/.local/share/codebench.
func DataDir() (string, error) {
	if d := os.Getenv("CODEBENCH_DATA"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "codebench"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no data directory: set CODEBENCH_DATA (%w)", err)
	}
	return filepath.Join(home, ".local", "share", "codebench"), nil
}

// ParseCPT reads a CPT file in one of the accepted layouts. name is used in
// error messages.
func ParseCPT(r io.Reader, name string) ([]*Code, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxCPTFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > MaxCPTFileSize {
		return nil, fmt.Errorf("%s: larger than %d MB; is this a CPT descriptor file?", name, MaxCPTFileSize>>20)
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, fmt.Errorf("%s: binary file (NUL bytes); expected tab- or comma-separated text", name)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // BOM
	sep := byte(0)
	var out []*Code
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	lineNo, dataLines := 0, 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		dataLines++
		where := fmt.Sprintf("%s line %d", name, lineNo)
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("%s: invalid UTF-8", where)
		}
		if sep == 0 {
			tab, comma := strings.IndexByte(line, '\t'), strings.IndexByte(line, ',')
			switch {
			case tab >= 0 && (comma < 0 || tab < comma):
				sep = '\t'
			case comma >= 0:
				sep = ','
			default:
				return nil, fmt.Errorf("%s: no tab or comma between code and descriptor", where)
			}
		}
		fields, err := splitCPTLine(line, sep)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		code := strings.ToUpper(strings.TrimSpace(fields[0]))
		if _, _, isCPT := shape(code); !isCPT {
			if dataLines == 1 {
				continue // header
			}
			return nil, fmt.Errorf("%s: field code: %q is not a CPT code (4 digits then a digit, F, T or U)", where, fields[0])
		}
		if len(fields) < 2 || strings.TrimSpace(fields[1]) == "" {
			return nil, fmt.Errorf("%s: field descriptor: empty for %s", where, code)
		}
		c := &Code{System: CPT, Code: code, Billable: true, Long: strings.TrimSpace(fields[1])}
		if len(fields) > 2 {
			c.Short = strings.TrimSpace(fields[2])
		}
		if c.Short == "" {
			c.Short = c.Long
		}
		for _, f := range []struct{ name, v string }{{"descriptor", c.Long}, {"short descriptor", c.Short}} {
			if i := strings.IndexFunc(f.v, isControl); i >= 0 {
				return nil, fmt.Errorf("%s: field %s: control character %U at byte %d (terminal escape?)", where, f.name, []rune(f.v[i:])[0], i)
			}
		}
		if prev, dup := seen[code]; dup {
			return nil, fmt.Errorf("%s: field code: %s already given on line %d", where, code, prev)
		}
		seen[code] = lineNo
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s line %d: %w", name, lineNo+1, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no CPT codes found", name)
	}
	return out, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

func splitCPTLine(line string, sep byte) ([]string, error) {
	if sep == '\t' {
		return strings.Split(line, "\t"), nil
	}
	r := csv.NewReader(strings.NewReader(line))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	f, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("CSV: %w", err)
	}
	return f, nil
}

// ImportCPT parses a licensed CPT file and stores it, normalised, in
// dataDir, replacing an earlier import only once the new one is complete.
func ImportCPT(path, dataDir string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if st.IsDir() {
		return 0, fmt.Errorf("%s: is a directory, want a CPT file", path)
	}
	h := sha256.New()
	codes, err := ParseCPT(io.TeeReader(f, h), path)
	if err != nil {
		return 0, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# codebench CPT import\tfile=%s\tsha256=%s\timported=%s\n",
		filepath.Base(path), hex.EncodeToString(h.Sum(nil)), time.Now().UTC().Format(time.RFC3339))
	for _, c := range codes {
		fmt.Fprintf(&b, "%s\t%s\t%s\n", c.Code, c.Long, c.Short)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return 0, err
	}
	if err := writeFileAtomic(filepath.Join(dataDir, cptStoreName), []byte(b.String())); err != nil {
		return 0, err
	}
	return len(codes), nil
}

// writeFileAtomic writes through a temporary file, fsync and rename, so a
// crash leaves either the old file or the new one.
func writeFileAtomic(path string, data []byte) error { return safefile.WriteAtomic(path, data, 0o600) }

// ErrNoCPT means no CPT file has been imported into the data directory.
var ErrNoCPT = errors.New("no CPT file imported (codebench cpt import FILE)")

// LoadCPT reads the CPT import kept in dataDir.
func LoadCPT(dataDir string) (codes []*Code, source string, err error) {
	path := filepath.Join(dataDir, cptStoreName)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, "", ErrNoCPT
	}
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	head, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(head, "# codebench CPT import") {
		return nil, "", fmt.Errorf("%s: not a codebench CPT import; run codebench cpt import FILE again", path)
	}
	codes, err = ParseCPT(br, path)
	return codes, strings.TrimSpace(strings.TrimPrefix(head, "# codebench CPT import")), err
}

// WithCPT returns a set that shares s's code systems and adds the given CPT
// codes; s itself is unchanged.
func (s *Set) WithCPT(codes []*Code, source string) *Set {
	out := *s
	out.views = &views{m: map[*Release]*Set{}} // views of the new set carry the CPT codes
	out.cpt = make(map[string]*Code, len(codes))
	out.cptList = codes
	out.CPTSource = source
	for _, c := range codes {
		out.cpt[c.Code] = c
	}
	return &out
}

// Open returns the embedded code sets with what was imported into
// dataDir: the releases and tables of `codebench data import` (see
// WithImports) and the CPT file, seen from today.
func Open(dataDir string) (*Set, error) {
	s, err := Embedded()
	if err != nil {
		return nil, err
	}
	m, err := ReadManifest(dataDir)
	if err != nil {
		return nil, err
	}
	if s, err = s.WithImports(dataDir, m); err != nil {
		return nil, err
	}
	codes, src, err := LoadCPT(dataDir)
	if errors.Is(err, ErrNoCPT) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	return s.WithCPT(codes, src), nil
}
