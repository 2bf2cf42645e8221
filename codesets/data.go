package codesets

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"
)

//go:generate go run ./gen -src ../../shared/codesets -out data/codesets.tsv.gz

// embedded is made by gen from the official files. One record per line,
// fields separated by tabs, the first field naming the record:
//
//	meta    key value
//	src     name file version sha256 description
//	icd     code billable(0|1) short(empty when equal to long) long
//	icdnew  code                 billable only from FY2026 (1 Oct 2025)
//	icdold  code title           billable in FY2025, no longer in FY2026
//	blk     id first last title  tabular chapter ("ch4") or section ("E08-E13")
//	note    code-or-block kind text
//	x7      code-or-block char meaning
//	term    code source text     Alphabetic Index entry (drug, neoplasm, eindex)
//	hcpcs   code kind(code|modifier) long short added effective terminated action betos coverage
//	mce     edit code
//
//go:embed data/codesets.tsv.gz
var embedded []byte

// ICD-10-CM FY2026 covers dates of service from 1 Oct 2025 to 30 Sep 2026.
var (
	icdEffective  = date(2025, 10, 1)
	icdTerminated = date(2026, 9, 30)
	// icdPrevious is the first day of FY2025, the release before the data.
	icdPrevious = date(2024, 10, 1)
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// parseDate reads CMS's YYYYMMDD; empty gives the zero time.
func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse("20060102", s)
}

// loadEmbedded parses the embedded data into a new Set.
func loadEmbedded() (*Set, error) {
	zr, err := gzip.NewReader(bytes.NewReader(embedded))
	if err != nil {
		return nil, fmt.Errorf("embedded code sets: %w", err)
	}
	// The gzip trailer holds the uncompressed size: read into one buffer
	// rather than growing one (this halves the load time).
	size := binary.LittleEndian.Uint32(embedded[len(embedded)-4:])
	var b strings.Builder
	b.Grow(int(size))
	if _, err := io.Copy(&b, zr); err != nil {
		return nil, fmt.Errorf("embedded code sets: %w", err)
	}
	return parse(b.String())
}

func parse(data string) (*Set, error) {
	s := newSet()
	// Notes and tables may name blocks, which are kept apart from codes.
	blocks := map[string]*Block{}
	lineNo := 0
	var fields [12]string
	for len(data) > 0 {
		line := data
		if i := strings.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = ""
		}
		lineNo++
		f := splitTabs(line, fields[:0])
		if err := s.record(f, blocks); err != nil {
			return nil, fmt.Errorf("embedded code sets line %d (%s): %w", lineNo, f[0], err)
		}
	}
	s.link(blocks)
	return s, nil
}

// splitTabs splits a line into dst without allocating a slice per line.
func splitTabs(line string, dst []string) []string {
	for {
		i := strings.IndexByte(line, '\t')
		if i < 0 {
			return append(dst, line)
		}
		dst = append(dst, line[:i])
		line = line[i+1:]
	}
}

func need(f []string, n int) error {
	if len(f) < n {
		return fmt.Errorf("%d fields, want %d", len(f), n)
	}
	return nil
}

func (s *Set) record(f []string, blocks map[string]*Block) error {
	switch f[0] {
	case "meta":
		if err := need(f, 3); err != nil {
			return err
		}
		s.Meta[f[1]] = f[2]
	case "src":
		if err := need(f, 6); err != nil {
			return err
		}
		s.Sources = append(s.Sources, Source{Name: f[1], File: f[2], Version: f[3], SHA256: f[4], What: f[5]})
	case "icd":
		if err := need(f, 5); err != nil {
			return err
		}
		c := &Code{System: ICD10CM, Code: f[1], Billable: f[2] == "1", Short: f[3], Long: f[4], Terminated: icdTerminated}
		if c.Short == "" {
			c.Short = c.Long
		}
		s.icd[c.Code] = c
		s.icdList = append(s.icdList, c)
	case "icdnew":
		if err := need(f, 2); err != nil {
			return err
		}
		c, ok := s.icd[f[1]]
		if !ok {
			return fmt.Errorf("unknown code %s", f[1])
		}
		c.Effective = icdEffective
	case "icdold":
		if err := need(f, 3); err != nil {
			return err
		}
		s.retired[f[1]] = &Code{System: ICD10CM, Code: f[1], Billable: true, Short: f[2], Long: f[2], Terminated: icdEffective.AddDate(0, 0, -1)}
	case "blk":
		if err := need(f, 5); err != nil {
			return err
		}
		b := &Block{ID: f[1], First: f[2], Last: f[3], Title: f[4]}
		blocks[b.ID] = b
		s.blocks = append(s.blocks, b)
	case "note":
		if err := need(f, 4); err != nil {
			return err
		}
		n := Note{Kind: NoteKind(f[2]), Text: f[3], From: f[1]}
		if b, ok := blocks[f[1]]; ok {
			b.notes = append(b.notes, n)
		} else if c, ok := s.icd[f[1]]; ok {
			c.notes = append(c.notes, n)
		} // else: a FY2023 code gone by FY2026; its notes have nothing to attach to.
	case "x7":
		if err := need(f, 4); err != nil {
			return err
		}
		if len(f[2]) != 1 {
			return fmt.Errorf("7th character %q", f[2])
		}
		if c, ok := s.icd[f[1]]; ok {
			c.seventh = append(c.seventh, Seventh{Char: f[2][0], Meaning: f[3]})
		}
	case "term":
		if err := need(f, 4); err != nil {
			return err
		}
		if c, ok := s.icd[f[1]]; ok {
			c.terms = append(c.terms, IndexTerm{Source: f[2], Text: f[3]})
		} else {
			s.unmatchedTerms++
		}
	case "hcpcs":
		if err := need(f, 11); err != nil {
			return err
		}
		c := &Code{System: HCPCS, Code: f[1], Billable: true, Modifier: f[2] == "modifier", Long: f[3], Short: f[4],
			ActionCode: f[8], BETOS: f[9], Coverage: f[10]}
		// A code is valid from the date CMS added it; the action effective
		// date is that of its latest change (for a terminated code, the day
		// after termination), so it only stands in when the added date is
		// missing.
		var err error
		if c.Effective, err = parseDate(f[5]); err != nil {
			return fmt.Errorf("%s added date: %w", c.Code, err)
		}
		if c.Effective.IsZero() {
			if c.Effective, err = parseDate(f[6]); err != nil {
				return fmt.Errorf("%s action effective date: %w", c.Code, err)
			}
		}
		if c.Terminated, err = parseDate(f[7]); err != nil {
			return fmt.Errorf("%s termination date: %w", c.Code, err)
		}
		if c.Modifier {
			s.modifiers[c.Code] = c
		} else {
			s.hcpcs[c.Code] = c
			s.hcpcsList = append(s.hcpcsList, c)
		}
	case "mce":
		if err := need(f, 3); err != nil {
			return err
		}
		if c, ok := s.icd[f[2]]; ok {
			c.mce = append(c.mce, MCEEdit(f[1]))
		}
	default:
		return fmt.Errorf("unknown record kind")
	}
	return nil
}

// link builds the hierarchy: parents, children and blocks. The ICD-10-CM
// parent of a code is its longest proper prefix that is a code.
func (s *Set) link(blocks map[string]*Block) {
	var chapters []*Block
	for _, b := range s.blocks {
		if strings.HasPrefix(b.ID, "ch") {
			chapters = append(chapters, b)
		}
	}
	for _, b := range s.blocks {
		if strings.HasPrefix(b.ID, "ch") {
			continue
		}
		for _, ch := range chapters {
			if ch.Contains(b.First) {
				b.Parent = ch
				break
			}
		}
	}
	for _, c := range s.icdList {
		for n := len(c.Code) - 1; n >= 3; n-- {
			if p, ok := s.icd[c.Code[:n]]; ok {
				c.parent = p
				p.children = append(p.children, c)
				break
			}
		}
		if c.parent == nil {
			c.block = s.blockOf(c.Code, chapters)
		}
	}
}

// blockOf finds the innermost block (section, else chapter) of a category.
func (s *Set) blockOf(category string, chapters []*Block) *Block {
	var found *Block
	for _, b := range s.blocks {
		if !strings.HasPrefix(b.ID, "ch") && b.Contains(category) {
			return b
		}
	}
	for _, ch := range chapters {
		if ch.Contains(category) {
			found = ch
		}
	}
	return found
}
