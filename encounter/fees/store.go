package fees

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"codebench/internal/safefile"
)

// Dir is the fee schedule's directory in the data directory.
const Dir = "fees"

const (
	scheduleFile = "schedule.csv"
	metaFile     = "schedule.json"
)

// Meta describes the imported schedule.
type Meta struct {
	Version    string    `json:"version"`
	SHA256     string    `json:"sha256"`
	Rows       int       `json:"rows"`
	Source     string    `json:"source"` // the imported file's name
	ImportedAt time.Time `json:"imported_at"`
}

var versionPattern = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z ._-]{0,63}$`)

// ErrNone is returned by Load when no fee schedule was imported.
var ErrNone = errors.New("no fee schedule imported (codebench fees import FILE)")

// Import validates the CSV data as a whole and, only if every row is good,
// keeps it in dataDir/fees with its version and SHA-256, replacing the
// schedule imported before. Files are 0600 in a 0700 directory; each is
// written to a temporary name, synced and renamed, so a crash leaves the
// old schedule or the new one.
func Import(dataDir, source string, data []byte, version string, now time.Time) (Meta, error) {
	if !versionPattern.MatchString(version) {
		return Meta{}, fmt.Errorf("version %q: want 1-64 letters, digits, spaces, '.', '_' or '-'", version)
	}
	s, err := Parse(bytes.NewReader(data), filepath.Base(source))
	if err != nil {
		return Meta{}, err
	}
	sum := sha256.Sum256(data)
	m := Meta{Version: version, SHA256: hex.EncodeToString(sum[:]), Rows: s.Rows(), Source: filepath.Base(source), ImportedAt: now.UTC()}
	dir := filepath.Join(dataDir, Dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Meta{}, err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return Meta{}, err
	}
	meta, _ := json.MarshalIndent(m, "", "  ")
	// The schedule first, its description last: Load checks one against
	// the other, so a crash between the two is found, not trusted.
	if err := safefile.WriteAtomic(filepath.Join(dir, scheduleFile), data, 0o600); err != nil {
		return Meta{}, err
	}
	if err := safefile.WriteAtomic(filepath.Join(dir, metaFile), append(meta, '\n'), 0o600); err != nil {
		return Meta{}, err
	}
	return m, nil
}

// Load reads the schedule kept in dataDir, refusing one whose bytes do
// not match the SHA-256 recorded at import.
func Load(dataDir string) (*Schedule, Meta, error) {
	dir := filepath.Join(dataDir, Dir)
	raw, err := os.ReadFile(filepath.Join(dir, metaFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Meta{}, ErrNone
	}
	if err != nil {
		return nil, Meta{}, err
	}
	var m Meta
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, Meta{}, fmt.Errorf("fee schedule %s: %w", filepath.Join(dir, metaFile), err)
	}
	data, err := os.ReadFile(filepath.Join(dir, scheduleFile))
	if err != nil {
		return nil, m, fmt.Errorf("fee schedule: %w", err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != m.SHA256 {
		return nil, m, fmt.Errorf("fee schedule %s does not match the SHA-256 recorded when version %q was imported; import it again", filepath.Join(dir, scheduleFile), m.Version)
	}
	s, err := Parse(bytes.NewReader(data), filepath.Join(dir, scheduleFile))
	if err != nil {
		return nil, m, err
	}
	return s, m, nil
}

// ReadFile reads a fee schedule file: a regular file (no link, FIFO or
// device is opened) of at most MaxFileSize bytes.
func ReadFile(path string) ([]byte, error) { return safefile.ReadRegular(path, MaxFileSize) }
