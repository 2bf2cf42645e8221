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
//	rel     system name from to base source   a release (dates YYYYMMDD; base "-" or the
//	                                          release it derives from); records up to the
//	                                          next rel belong to it
//	icd     code billable(0|1) short(empty when equal to long) long
//	icdnew  code                 billable only from this release (its addenda)
//	icdold  code title           billable in the release before, not in this one
//	rcat    category after       a category a derived release changes, placed after
//	                             the category "after" ("" first); its codes follow
//	rcode   code billable(0|1|=) short long   ("=": as in the base release)
//	xsrc    text                 where the release's own Excludes notes come from
//	xnote   code-or-block kind text refs     an Excludes note of the release; refs
//	                             are canonical codes and ranges joined by ";"
//	                             (empty: parse the text)
//	blk     id first last title  tabular chapter ("ch4") or section ("E08-E13")
//	note    code-or-block kind text
//	x7      code-or-block char meaning
//	newer   code                 a code the FY2023 Tabular (the notes' source) predates
//	term    code source text     Alphabetic Index entry (drug, neoplasm, eindex)
//	hcpcs   code kind(code|modifier) long short added effective terminated action betos coverage
//
//go:embed data/codesets.tsv.gz
var embedded []byte

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

// loader holds what parse has read so far.
type loader struct {
	s       *Set
	blocks  map[string]*Block
	rel     *Release            // the release being read
	derived map[*Release]*delta // changes of derived releases, applied once all is read
	cat     *catChange          // the category being read (rcode records)
	newer   []string
}

func parse(data string) (*Set, error) {
	ld := &loader{s: newSet(), blocks: map[string]*Block{}, derived: map[*Release]*delta{}}
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
		if err := ld.record(f); err != nil {
			return nil, fmt.Errorf("embedded code sets line %d (%s): %w", lineNo, f[0], err)
		}
	}
	return ld.finish()
}

// finish links the hierarchy of the full releases, builds the derived
// ones on them and marks the codes the notes' source predates.
func (ld *loader) finish() (*Set, error) {
	s := ld.s
	chapters := s.chapters()
	for _, r := range s.releases {
		if r.base == nil {
			link(r.list, r.codes, s.blocks, chapters)
		}
	}
	for _, r := range s.releases {
		if d := ld.derived[r]; d != nil {
			if err := derive(r, d, s.blocks, chapters, true); err != nil {
				return nil, fmt.Errorf("embedded code sets: %s: %w", r.Title(), err)
			}
		}
	}
	for _, code := range ld.newer {
		for _, r := range s.releases {
			if c, ok := r.lookup(code); ok {
				c.notesPredate = true
			}
		}
	}
	if len(s.releases) == 0 {
		return nil, fmt.Errorf("embedded code sets: no ICD-10-CM release")
	}
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

// icdRelease is the ICD-10-CM release being read, or an error.
func (ld *loader) icdRelease() (*Release, error) {
	if ld.rel == nil || ld.rel.System != ICD10CM {
		return nil, fmt.Errorf("outside an ICD-10-CM release")
	}
	return ld.rel, nil
}

func (ld *loader) record(f []string) error {
	s := ld.s
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
	case "rel":
		return ld.release(f)
	case "icd":
		r, err := ld.icdRelease()
		if err := need(f, 5); err != nil {
			return err
		}
		if err != nil || r.base != nil {
			return fmt.Errorf("icd record outside a full ICD-10-CM release")
		}
		c := &Code{System: ICD10CM, Code: f[1], Billable: f[2] == "1", Short: f[3], Long: f[4]}
		if c.Short == "" {
			c.Short = c.Long
		}
		r.codes[c.Code] = c
		r.list = append(r.list, c)
	case "icdnew":
		r, err := ld.icdRelease()
		if err != nil {
			return err
		}
		if err := need(f, 2); err != nil {
			return err
		}
		r.added[f[1]] = true
		if c, ok := r.codes[f[1]]; ok && r.base == nil {
			c.Effective = r.From
		}
	case "icdold":
		r, err := ld.icdRelease()
		if err != nil {
			return err
		}
		if err := need(f, 3); err != nil {
			return err
		}
		r.retired[f[1]] = f[2]
	case "rcat":
		r, err := ld.icdRelease()
		if err != nil || r.base == nil {
			return fmt.Errorf("rcat outside a derived ICD-10-CM release")
		}
		if err := need(f, 3); err != nil {
			return err
		}
		d := ld.derived[r]
		d.cats = append(d.cats, catChange{cat: f[1], after: f[2]})
		ld.cat = &d.cats[len(d.cats)-1]
	case "rcode":
		if ld.cat == nil {
			return fmt.Errorf("rcode before rcat")
		}
		if err := need(f, 5); err != nil {
			return err
		}
		e := entry{code: f[1], same: f[2] == "=", billable: f[2] == "1", short: f[3], long: f[4]}
		if e.short == "" {
			e.short = e.long
		}
		ld.cat.codes = append(ld.cat.codes, e)
	case "xsrc":
		r, err := ld.icdRelease()
		if err != nil {
			return err
		}
		if err := need(f, 2); err != nil {
			return err
		}
		r.excludesSource = f[1]
		if r.excludes == nil {
			r.excludes = map[string][]Note{}
		}
	case "xnote":
		r, err := ld.icdRelease()
		if err != nil || r.excludes == nil {
			return fmt.Errorf("xnote outside a release with xsrc")
		}
		if err := need(f, 5); err != nil {
			return err
		}
		n := Note{Kind: NoteKind(f[2]), Text: f[3], From: f[1]}
		if f[4] != "" {
			n.refs = parseRefList(f[4])
			n.hasRefs = true
		}
		r.excludes[f[1]] = append(r.excludes[f[1]], n)
	case "blk":
		if err := need(f, 5); err != nil {
			return err
		}
		b := &Block{ID: f[1], First: f[2], Last: f[3], Title: f[4]}
		ld.blocks[b.ID] = b
		s.blocks = append(s.blocks, b)
	case "note":
		if err := need(f, 4); err != nil {
			return err
		}
		n := Note{Kind: NoteKind(f[2]), Text: f[3], From: f[1]}
		if b, ok := ld.blocks[f[1]]; ok {
			b.notes = append(b.notes, n)
		} else if c, ok := ld.baseCode(f[1]); ok {
			c.notes = append(c.notes, n)
		} // else: a FY2023 code gone since; its notes have nothing to attach to.
	case "x7":
		if err := need(f, 4); err != nil {
			return err
		}
		if len(f[2]) != 1 {
			return fmt.Errorf("7th character %q", f[2])
		}
		if c, ok := ld.baseCode(f[1]); ok {
			c.seventh = append(c.seventh, Seventh{Char: f[2][0], Meaning: f[3]})
		}
	case "newer":
		if err := need(f, 2); err != nil {
			return err
		}
		ld.newer = append(ld.newer, f[1])
	case "term":
		if err := need(f, 4); err != nil {
			return err
		}
		if c, ok := ld.baseCode(f[1]); ok {
			c.terms = append(c.terms, IndexTerm{Source: f[2], Text: f[3]})
		} else {
			s.unmatchedTerms++
		}
	case "hcpcs":
		return ld.hcpcs(f)
	default:
		return fmt.Errorf("unknown record kind")
	}
	return nil
}

// baseCode finds a code of the first full ICD-10-CM release, which the
// tabular notes and index terms attach to; derived releases
// copy them to their own versions of the code.
func (ld *loader) baseCode(code string) (*Code, bool) {
	for _, r := range ld.s.releases {
		if r.base == nil {
			c, ok := r.codes[code]
			return c, ok
		}
	}
	return nil, false
}

// release starts a release: rel system name from to base source.
func (ld *loader) release(f []string) error {
	if err := need(f, 7); err != nil {
		return err
	}
	from, err := parseDate(f[3])
	if err != nil {
		return fmt.Errorf("from: %w", err)
	}
	to, err := parseDate(f[4])
	if err != nil {
		return fmt.Errorf("to: %w", err)
	}
	r := &Release{System: System(f[1]), Name: f[2], From: from, To: to}
	for _, src := range ld.s.Sources {
		if src.Name == f[6] {
			r.Source = src
		}
	}
	if r.Source.Name == "" {
		return fmt.Errorf("release %s names no known source %q", f[2], f[6])
	}
	ld.rel, ld.cat = r, nil
	switch r.System {
	case ICD10CM:
		r.codes = map[string]*Code{}
		r.retired = map[string]string{}
		r.added = map[string]bool{}
		if f[5] != "-" {
			for _, b := range ld.s.releases {
				if b.Name == f[5] {
					r.base = b
				}
			}
			if r.base == nil {
				return fmt.Errorf("release %s derives from %q, which is not loaded before it", f[2], f[5])
			}
			r.dirty = map[string]bool{}
			ld.derived[r] = &delta{}
		} else {
			r.codes = make(map[string]*Code, 100_000)
		}
		ld.s.releases = append(ld.s.releases, r)
	case HCPCS:
		ld.s.hcpcsReleases = append(ld.s.hcpcsReleases, r)
	default:
		return fmt.Errorf("unknown code system %q", f[1])
	}
	return nil
}

// hcpcs reads: hcpcs code kind long short added effective terminated
// action betos coverage.
func (ld *loader) hcpcs(f []string) error {
	s := ld.s
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
	return nil
}

// chapters lists the tabular chapters, and links each section to its
// chapter.
func (s *Set) chapters() []*Block {
	var chapters []*Block
	for _, b := range s.blocks {
		if strings.HasPrefix(b.ID, "ch") {
			chapters = append(chapters, b)
		}
	}
	for _, b := range s.blocks {
		if strings.HasPrefix(b.ID, "ch") || b.Parent != nil {
			continue
		}
		for _, ch := range chapters {
			if ch.Contains(b.First) {
				b.Parent = ch
				break
			}
		}
	}
	return chapters
}

// link builds the hierarchy of codes: parents, children and the block of
// each category. The ICD-10-CM parent of a code is its longest proper
// prefix that is a code.
func link(list []*Code, codes map[string]*Code, blocks, chapters []*Block) {
	linkCodes(list, codes, blocks, chapters, nil)
}

// linkCodes links codes in tabular order; prev is the category before
// the first, for a category the Tabular lacks (see blockOf).
func linkCodes(list []*Code, codes map[string]*Code, blocks, chapters []*Block, prev *Code) {
	for _, c := range list {
		for n := len(c.Code) - 1; n >= 3; n-- {
			if p, ok := codes[c.Code[:n]]; ok {
				c.parent = p
				p.children = append(p.children, c)
				break
			}
		}
		if c.parent == nil {
			c.block = blockOf(c.Code, blocks, chapters, prev)
			prev = c
		}
	}
}

// blockOf finds the innermost block of a category: the section whose
// range holds it, else the chapter. A category outside every range (one
// newer than the FY2023 Tabular with a letter second, such as QA1) is in
// the chapter of the category before it in tabular order.
func blockOf(category string, blocks, chapters []*Block, prev *Code) *Block {
	for _, b := range blocks {
		if !strings.HasPrefix(b.ID, "ch") && b.Contains(category) {
			return b
		}
	}
	for _, ch := range chapters {
		if ch.Contains(category) {
			return ch
		}
	}
	if prev != nil && prev.block != nil {
		b := prev.block
		for b.Parent != nil {
			b = b.Parent
		}
		return b
	}
	return nil
}
