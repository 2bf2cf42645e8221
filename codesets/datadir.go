package codesets

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"codebench/codesets/payer"
)

// Imported releases. `codebench data import` (package dataimport) checks
// official files and keeps them in the data directory:
//
//	DATA/releases/manifest.json   what is imported (ImportRecord), written atomically
//	DATA/releases/<id>/source/... the files as given (zip or text), for provenance
//	DATA/releases/<id>/<data>     what codebench loads: the order file or HCPCS
//	                              file text (gzip), or a payer table's binary form
//
// Open loads them over the embedded data: an ICD-10-CM order file becomes
// a release of its own (sharing the unchanged categories of the release
// nearest before it), the newest HCPCS file replaces the HCPCS codes, and
// each payer table replaces the one of its kind. Removing an import (its
// manifest entry) brings back what was loaded before it.

// Import kinds of the code sets; the payer tables use payer.Kind names.
const (
	KindICD10CM = "icd10cm"
	KindHCPCS   = "hcpcs"
)

// ImportRecord is one import kept in the data directory.
type ImportRecord struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Name is the release's name: "FY2028", "FY2027 April 1 update",
	// "2026 January"; for payer tables, their version.
	Name string `json:"name"`
	// Source is how the publisher names the file set ("ICD-10-CM order
	// file (CDC/NCHS)", "NCCI PTP practitioner").
	Source string `json:"source"`
	// From and To are the dates of service it is published for
	// (YYYY-MM-DD; To empty when open-ended).
	From string `json:"from"`
	To   string `json:"to,omitempty"`
	// Files are the files given, each with its sha256.
	Files []ImportFile `json:"files"`
	// Data is the file in the import's directory that codebench loads,
	// with its sha256, checked at every load.
	Data       string         `json:"data"`
	DataSHA256 string         `json:"data_sha256"`
	Imported   time.Time      `json:"imported"`
	Counts     map[string]int `json:"counts,omitempty"`
	// Checks lists what the import checked the whole file for.
	Checks []string `json:"checks,omitempty"`
}

// ImportFile is a file given to an import.
type ImportFile struct {
	Name   string `json:"name"`
	Member string `json:"member,omitempty"` // the member read, for a zip
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// Effective is the first date of service of the import.
func (r ImportRecord) Effective() time.Time {
	t, _ := time.Parse(time.DateOnly, r.From)
	return t
}

// Through is the last date of service it is published for (zero: open).
func (r ImportRecord) Through() time.Time {
	t, _ := time.Parse(time.DateOnly, r.To)
	return t
}

// Manifest lists the imports of a data directory.
type Manifest struct {
	Format  int            `json:"format"`
	Imports []ImportRecord `json:"imports"`
}

const manifestFormat = 1

// ReleasesDir is where imports are kept in a data directory.
func ReleasesDir(dataDir string) string { return filepath.Join(dataDir, "releases") }

// ManifestPath is the manifest of a data directory.
func ManifestPath(dataDir string) string {
	return filepath.Join(ReleasesDir(dataDir), "manifest.json")
}

// ImportDir is the directory of one import.
func ImportDir(dataDir, id string) string { return filepath.Join(ReleasesDir(dataDir), id) }

// ReadManifest reads the manifest; a data directory without one has
// imported nothing.
func ReadManifest(dataDir string) (*Manifest, error) {
	path := ManifestPath(dataDir)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Manifest{Format: manifestFormat}, nil
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %v (the imports cannot be read; restore the file or remove the directory %s)", path, err, ReleasesDir(dataDir))
	}
	if m.Format != manifestFormat {
		return nil, fmt.Errorf("%s: format %d, this codebench reads %d", path, m.Format, manifestFormat)
	}
	for _, r := range m.Imports {
		if !validID(r.ID) || r.Data == "" || filepath.Base(r.Data) != r.Data {
			return nil, fmt.Errorf("%s: damaged entry %s", path, Quote(r.ID, 60))
		}
	}
	return &m, nil
}

// WriteManifest replaces the manifest atomically.
func WriteManifest(dataDir string, m *Manifest) error {
	m.Format = manifestFormat
	sort.SliceStable(m.Imports, func(i, j int) bool {
		if m.Imports[i].Kind != m.Imports[j].Kind {
			return m.Imports[i].Kind < m.Imports[j].Kind
		}
		return m.Imports[i].From < m.Imports[j].From
	})
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(ReleasesDir(dataDir), 0o755); err != nil {
		return err
	}
	return writeFileAtomic(ManifestPath(dataDir), append(data, '\n'))
}

// validID tells whether an import id is safe as a directory name.
func validID(id string) bool {
	if id == "" || len(id) > 100 || id[0] == '.' {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// ReadImportData reads an import's data file and checks its sha256.
func ReadImportData(dataDir string, r ImportRecord) ([]byte, error) {
	path := filepath.Join(ImportDir(dataDir, r.ID), r.Data)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w (codebench data remove %s)", r.ID, err, r.ID)
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != r.DataSHA256 {
		return nil, fmt.Errorf("import %s: %s does not match its sha256: damaged or changed since the import (codebench data remove %s, then import again)", r.ID, path, r.ID)
	}
	return data, nil
}

// gunzip reads gzip data of at most limit bytes.
func gunzip(data []byte, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("larger than %d MB", limit>>20)
	}
	return out, nil
}

// WithImports returns the code sets with the imports of the manifest
// loaded over s (s itself is unchanged), seen from today.
func (s *Set) WithImports(dataDir string, m *Manifest) (*Set, error) {
	if len(m.Imports) == 0 {
		return s, nil
	}
	out := *s
	out.views = &views{m: map[*Release]*Set{}}
	out.releases = append([]*Release(nil), s.releases...)
	out.hcpcsReleases = append([]*Release(nil), s.hcpcsReleases...)
	out.Sources = append([]Source(nil), s.Sources...)
	imports := append([]ImportRecord(nil), m.Imports...)
	sort.SliceStable(imports, func(i, j int) bool { return imports[i].From < imports[j].From })
	var payerData [][]byte
	for _, r := range imports {
		data, err := ReadImportData(dataDir, r)
		if err != nil {
			return nil, err
		}
		src := Source{Name: "import:" + r.ID, File: importFiles(r), Version: r.Name, SHA256: r.DataSHA256, What: r.Source + " (imported " + r.Imported.Format(time.DateOnly) + ")"}
		out.Sources = append(out.Sources, src)
		switch r.Kind {
		case KindICD10CM:
			text, err := gunzip(data, MaxOrderFileSize)
			if err != nil {
				return nil, fmt.Errorf("import %s: %v", r.ID, err)
			}
			rel, err := out.addICD(r, text, src)
			if err != nil {
				return nil, fmt.Errorf("import %s: %w", r.ID, err)
			}
			out.releases = append(out.releases, rel)
		case KindHCPCS:
			text, err := gunzip(data, MaxHCPCSFileSize)
			if err != nil {
				return nil, fmt.Errorf("import %s: %v", r.ID, err)
			}
			recs, err := ParseHCPCS(bytes.NewReader(text), r.Data)
			if err != nil {
				return nil, fmt.Errorf("import %s: %w", r.ID, err)
			}
			out.hcpcsReleases = append(out.hcpcsReleases, &Release{System: HCPCS, Name: r.Name, From: r.Effective(), To: r.Through(), Source: src, Imported: true, hcpcs: recs})
		default:
			payerData = append(payerData, data)
		}
	}
	sort.SliceStable(out.hcpcsReleases, func(i, j int) bool { return out.hcpcsReleases[i].From.Before(out.hcpcsReleases[j].From) })
	if newest := out.HCPCSRelease(); newest != nil && newest.Imported {
		codes, mods := hcpcsCodes(newest.hcpcs)
		out.hcpcs = make(map[string]*Code, len(codes))
		for _, c := range codes {
			out.hcpcs[c.Code] = c
		}
		out.hcpcsList, out.modifiers = codes, mods
	}
	if len(payerData) > 0 {
		t, err := out.Payer().WithData(payerData...)
		if err != nil {
			return nil, fmt.Errorf("imported payer tables: %w", err)
		}
		out.payer = t
	}
	return out.Today(), nil
}

func importFiles(r ImportRecord) string {
	var names []string
	for _, f := range r.Files {
		n := f.Name
		if f.Member != "" {
			n += ":" + f.Member
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

// addICD builds an imported ICD-10-CM release from its order file text:
// derived from the loaded release nearest before it, so that unchanged
// categories share their codes (or in full when its order of categories
// cannot be expressed as changes).
func (s *Set) addICD(r ImportRecord, text []byte, src Source) (*Release, error) {
	list, err := ParseOrderFile(bytes.NewReader(text), r.Data)
	if err != nil {
		return nil, err
	}
	rel := &Release{System: ICD10CM, Name: r.Name, From: r.Effective(), To: r.Through(), Source: src, Imported: true,
		codes: map[string]*Code{}, retired: map[string]string{}, added: map[string]bool{}}
	if rel.To.IsZero() || rel.To.Before(rel.From) {
		return nil, fmt.Errorf("release %s has no valid date range", r.Name)
	}
	var base *Release
	for _, b := range s.releases {
		if !b.From.After(rel.From) && (base == nil || b.From.After(base.From)) {
			base = b
		}
	}
	if base == nil && len(s.releases) > 0 {
		base = s.releases[0]
	}
	chapters := s.chapters()
	if base != nil {
		if d, ok := deltaFrom(base, list); ok {
			rel.base, rel.dirty = base, map[string]bool{}
			if err := derive(rel, d, s.blocks, chapters, false); err != nil {
				return nil, err
			}
			if base.excludes != nil && rel.From.After(base.From) {
				// The newest Excludes notes known stand until the release
				// brings its own.
				rel.excludes = base.excludes
				rel.excludesSource = base.ExcludesSource() + ", the newest available"
			}
			return rel, nil
		}
	}
	rel.codes = make(map[string]*Code, len(list))
	for _, e := range list {
		c := &Code{System: ICD10CM, Code: e.Code, Billable: e.Billable, Short: e.Short, Long: e.Long}
		if base != nil {
			if old, ok := base.lookup(e.Code); ok {
				c.attachFrom(old)
			}
		}
		rel.codes[c.Code] = c
		rel.list = append(rel.list, c)
	}
	link(rel.list, rel.codes, s.blocks, chapters)
	return rel, nil
}

// Payer is the payer edit tables in use: the embedded ones, with those
// imported into the data directory in their place.
func (s *Set) Payer() *payer.Tables {
	if s.payer != nil {
		return s.payer
	}
	return payer.Embedded()
}

// MaybeGunzip reads r decompressed when it starts as gzip data does, and
// as it is otherwise; done releases the decompressor.
func MaybeGunzip(r io.Reader) (br *bufio.Reader, done func(), err error) {
	br = bufio.NewReader(r)
	if head, err := br.Peek(2); err != nil || head[0] != 0x1f || head[1] != 0x8b {
		return br, func() {}, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, nil, err
	}
	return bufio.NewReader(zr), func() { zr.Close() }, nil
}
