// Package dirqueue is the default billing queue: a directory that billing
// software watches. Each export becomes one file, <ID>-r<revision>.json,
// that appears complete or not at all; temporary files start with a dot
// and never end in .json, so a consumer that picks up *.json never sees a
// partial export.
//
// Publishing the same encounter revision again is a no-op, even after the
// consumer has moved the file away: a marker in .sent/ remembers every key
// published.
package dirqueue

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"codebench/encounter/phifile"
	"codebench/encounter/queue"
)

const (
	// SentDir holds one empty marker per published key.
	SentDir = ".sent"
	// tempPrefix starts every file being written.
	tempPrefix = ".tmp-"
	// staleTemp is how old a temporary file must be before Open deletes
	// it as the leftover of a crash (a live write takes milliseconds).
	staleTemp = 10 * time.Minute
	// MaxIDLength keeps <ID>-r<revision>.json under the common 255-byte
	// file-name limit.
	MaxIDLength = 200
	// FileMode: exports hold patient data; only the owner (the account
	// codebench and the billing service run as) reads them.
	FileMode fs.FileMode = phifile.FileMode
)

// Queue is a directory billing queue. Safe for concurrent use, and for
// several processes sharing the directory.
type Queue struct {
	dir string
}

var _ queue.Queue = (*Queue)(nil)

// Open uses dir as the billing queue, creating it if needed, and removes
// temporary files that crashed writers left behind. The directory is
// made 0700 (0600 files): a queue directory readable by others is
// tightened, and notice (optional) says so.
func Open(dir string, notice ...func(string)) (*Queue, error) {
	if dir == "" {
		return nil, errors.New("billing queue: empty directory name")
	}
	var say phifile.Notice
	if len(notice) > 0 {
		say = notice[0]
	}
	if err := phifile.MkdirAll(dir, say); err != nil {
		return nil, fmt.Errorf("billing queue: %w", err)
	}
	if err := phifile.MkdirAll(filepath.Join(dir, SentDir), say); err != nil {
		return nil, fmt.Errorf("billing queue: %w", err)
	}
	q := &Queue{dir: dir}
	q.removeStaleTemps(time.Now())
	return q, nil
}

// Dir is the queue directory.
func (q *Queue) Dir() string { return q.dir }

// Path is where the FHIR export with key is written.
func (q *Queue) Path(key string) string { return filepath.Join(q.dir, key+".json") }

// PathOf is where the export with key and content type is written.
func (q *Queue) PathOf(key, contentType string) string {
	return filepath.Join(q.dir, key+queue.Extension(contentType))
}

// Locate implements queue.Locator: the export's file.
func (q *Queue) Locate(m queue.Message) string { return q.PathOf(m.Key(), m.Type()) }

func (q *Queue) removeStaleTemps(now time.Time) {
	entries, err := os.ReadDir(q.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > staleTemp {
			os.Remove(filepath.Join(q.dir, e.Name()))
		}
	}
}

// IDError is an encounter id that cannot name a file in the queue.
type IDError struct {
	ID     string
	Reason string
}

func (e *IDError) Error() string {
	return fmt.Sprintf("encounter id %q %s; ids name files in the billing queue", e.ID, e.Reason)
}

// CheckID tells whether an encounter id can be used as a file name on
// every platform without escaping the queue directory or hiding the file.
func CheckID(id string) error {
	bad := func(reason string) error { return &IDError{ID: id, Reason: reason} }
	switch {
	case id == "":
		return bad("is empty")
	case len(id) > MaxIDLength:
		return bad(fmt.Sprintf("is longer than %d bytes", MaxIDLength))
	case !utf8.ValidString(id):
		return bad("is not valid UTF-8")
	case strings.ContainsAny(id, `/\`):
		return bad("contains a path separator")
	case strings.Contains(id, ".."):
		return bad(`contains ".."`)
	case id[0] == '.':
		return bad("starts with a dot")
	case strings.ContainsAny(id, `<>:"|?*`):
		return bad(`contains one of < > : " | ? *`)
	}
	for _, r := range id {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return bad(fmt.Sprintf("contains the control character %U", r))
		}
	}
	if strings.TrimSpace(id) != id {
		return bad("starts or ends with a space")
	}
	return nil
}

// CheckID reports an id this queue cannot publish, so that an exporter
// holding only a queue.Queue can refuse it before starting an export.
func (q *Queue) CheckID(id string) error { return CheckID(id) }

// Publish writes m as <ID>-r<revision>.json: to a temporary file in the
// directory, synced, then linked to its final name (a link, unlike a
// rename, never replaces a file a concurrent publisher just wrote) and the
// directory synced. A key published before is left alone.
func (q *Queue) Publish(ctx context.Context, m queue.Message) error {
	if err := CheckID(m.EncounterID); err != nil {
		return err
	}
	if m.Revision < 0 {
		return fmt.Errorf("billing queue: %s: negative revision %d", m.EncounterID, m.Revision)
	}
	switch m.Type() {
	case queue.ContentFHIR:
		if !json.Valid(m.Data) {
			return fmt.Errorf("billing queue: %s revision %d: the export is not valid JSON", m.EncounterID, m.Revision)
		}
	case queue.ContentX12:
		if !bytes.HasPrefix(m.Data, []byte("ISA")) {
			return fmt.Errorf("billing queue: %s revision %d: the export is not an X12 interchange (no ISA)", m.EncounterID, m.Revision)
		}
	default:
		return fmt.Errorf("billing queue: %s revision %d: unknown content type %q", m.EncounterID, m.Revision, m.ContentType)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	key := m.Key()
	final := q.PathOf(key, m.Type())
	marker := filepath.Join(q.dir, SentDir, key)
	if exists(marker) {
		return nil
	}
	if exists(final) {
		return q.mark(marker)
	}
	if err := q.writeNew(final, key, m.Data); err != nil {
		return fmt.Errorf("billing queue: %s: %w", key, err)
	}
	return q.mark(marker)
}

func (q *Queue) writeNew(final, key string, data []byte) error {
	tmp, err := os.CreateTemp(q.dir, tempPrefix+key+"-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name) // after the link, only the temporary name goes
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(FileMode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Link(name, final); err != nil && !errors.Is(err, fs.ErrExist) {
		return err // fs.ErrExist: a concurrent publisher of the same key won
	}
	if err := os.Remove(name); err != nil {
		return err
	}
	return syncDir(q.dir)
}

// mark records that key was published, so a consumer moving the file away
// does not make a retry publish it again.
func (q *Queue) mark(marker string) error {
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, FileMode)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("billing queue: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("billing queue: %w", err)
	}
	if err := syncDir(filepath.Dir(marker)); err != nil {
		return fmt.Errorf("billing queue: %w", err)
	}
	return nil
}

// Published tells whether key was published to the queue.
func (q *Queue) Published(key string) bool {
	return exists(filepath.Join(q.dir, SentDir, key)) || exists(q.Path(key)) || exists(q.PathOf(key, queue.ContentX12))
}

// Close releases nothing: every Publish is complete when it returns.
func (q *Queue) Close() error { return nil }

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// syncDir makes a directory's new entries durable. Windows cannot open a
// directory for syncing; NTFS journals new entries itself.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
