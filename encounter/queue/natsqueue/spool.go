package natsqueue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"codebench/encounter/phifile"
	"codebench/encounter/queue"
)

// The spool is a directory:
//
//	lock          held (flock) while a process changes anything below
//	state.json    next sequence number and the delivery counters
//	pending/      one file per waiting export, named by its 20-digit
//	              enqueue sequence so a sorted listing is the send order
//	rejected/     exports JetStream refused for good (too large), kept
//	              with a .reason file for a human to look at
//	tmp/          files being written; renamed into pending/ once synced
//
// A spool file is a JSON header line followed by the export bytes; the
// header carries the length and a CRC-32C so a damaged file is detected
// instead of being forwarded.
type spool struct {
	dir  string
	mu   sync.Mutex // serialises this process; lockFile serialises processes
	lock *os.File
}

// spoolEntry is one export waiting in the spool.
type spoolEntry struct {
	Version     int       `json:"v"`
	Seq         uint64    `json:"seq"`
	EncounterID string    `json:"encounter_id"`
	Revision    int       `json:"revision"`
	Enqueued    time.Time `json:"enqueued"`
	Size        int       `json:"size"`
	CRC32C      uint32    `json:"crc32c"`
	// ContentType of Data; empty in entries spooled before 837P output
	// (FHIR JSON).
	ContentType string `json:"content_type,omitempty"`
	Data        []byte `json:"-"`
	name        string
}

func (e spoolEntry) message() queue.Message {
	return queue.Message{EncounterID: e.EncounterID, Revision: e.Revision, Data: e.Data, ContentType: e.ContentType}
}

// spoolState is state.json. Counters only grow; every process adds its
// own deltas under the lock.
type spoolState struct {
	NextSeq     uint64    `json:"next_seq"`
	Spooled     int64     `json:"spooled"`
	Delivered   int64     `json:"delivered"`
	Forwarded   int64     `json:"forwarded"`
	Duplicates  int64     `json:"duplicates"`
	Rejected    int64     `json:"rejected"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	// LastDeliveredAt is the time of the last JetStream acknowledgement.
	LastDeliveredAt time.Time `json:"last_delivered_at,omitzero"`
	// MaxMessage is the largest export the server and stream accepted
	// when last seen, so exports too large are refused while it is down
	// instead of being spooled only to be rejected later.
	MaxMessage int64 `json:"max_message,omitempty"`
}

const (
	spoolFileExt    = ".msg"
	spoolNameDigits = 20
	// maxSpoolFile bounds what is read back: NATS' hard payload limit is
	// 64 MB, plus the header line.
	maxSpoolFile = 64<<20 + 4096
)

var (
	crcTable = crc32.MakeTable(crc32.Castagnoli)
	// errGone: another process forwarded the entry first.
	errGone = errors.New("spool entry already gone")
)

// openSpool creates the directory layout if needed, clears files left
// half-written by a crash, and makes sure new sequence numbers sort after
// everything already waiting.
func openSpool(dir string, notice func(string)) (*spool, error) {
	// Spooled exports hold patient data: 0700 directories, tightened if
	// found looser.
	for _, d := range []string{dir, filepath.Join(dir, "pending"), filepath.Join(dir, "rejected"), filepath.Join(dir, "tmp")} {
		if err := phifile.MkdirAll(d, notice); err != nil {
			return nil, fmt.Errorf("spool: %w", err)
		}
	}
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	s := &spool{dir: dir, lock: f}
	if err := s.acquire(); err != nil {
		f.Close()
		return nil, err
	}
	defer s.release()
	// Files in tmp/ were never acknowledged to a caller: Publish returns
	// only after the rename into pending/ is synced.
	if tmps, err := os.ReadDir(filepath.Join(dir, "tmp")); err == nil {
		for _, t := range tmps {
			os.Remove(filepath.Join(dir, "tmp", t.Name()))
		}
	}
	st, err := s.readState()
	if err != nil {
		f.Close()
		return nil, err
	}
	names, err := s.pendingNames()
	if err != nil {
		f.Close()
		return nil, err
	}
	// state.json is not fsynced on every change; after a machine crash the
	// pending files are the truth for the next sequence number.
	if n := len(names); n > 0 {
		if last, ok := seqOf(names[n-1]); ok && last >= st.NextSeq {
			st.NextSeq = last + 1
			if err := s.writeState(st); err != nil {
				f.Close()
				return nil, err
			}
		}
	}
	return s, nil
}

func (s *spool) close() error { return s.lock.Close() }

// acquire takes the in-process mutex and the cross-process file lock.
func (s *spool) acquire() error {
	s.mu.Lock()
	if err := lockFile(s.lock); err != nil {
		s.mu.Unlock()
		return fmt.Errorf("spool %s: lock: %w", s.dir, err)
	}
	return nil
}

func (s *spool) release() {
	unlockFile(s.lock)
	s.mu.Unlock()
}

func (s *spool) pendingDir() string { return filepath.Join(s.dir, "pending") }

// isEmpty reads at most one directory entry (under the lock).
func (s *spool) isEmpty() (bool, error) {
	d, err := os.Open(s.pendingDir())
	if err != nil {
		return false, fmt.Errorf("spool: %w", err)
	}
	defer d.Close()
	for {
		names, err := d.Readdirnames(16)
		for _, n := range names {
			if strings.HasSuffix(n, spoolFileExt) {
				return false, nil
			}
		}
		if err == io.EOF {
			return true, nil
		}
		if err != nil {
			return false, fmt.Errorf("spool: %w", err)
		}
	}
}

// pendingNames lists the waiting files in send order.
func (s *spool) pendingNames() ([]string, error) {
	return listMsgs(s.pendingDir())
}

func listMsgs(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	var names []string
	for _, e := range ents {
		if _, ok := seqOf(e.Name()); ok {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names) // fixed-width numbers: lexical order is numeric order
	return names, nil
}

func seqName(seq uint64) string { return fmt.Sprintf("%0*d%s", spoolNameDigits, seq, spoolFileExt) }

func seqOf(name string) (uint64, bool) {
	digits, ok := strings.CutSuffix(name, spoolFileExt)
	if !ok || len(digits) != spoolNameDigits {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	return n, err == nil
}

// enqueue writes m durably (under the lock): the file is synced, renamed
// into pending/ and the directory synced before enqueue returns.
func (s *spool) enqueue(m queue.Message, now time.Time) (spoolEntry, error) {
	return s.enqueueAt(m, now, 0)
}

// enqueueAt uses sequence number seq, or state.json's next one if it is 0
// or lower.
func (s *spool) enqueueAt(m queue.Message, now time.Time, seq uint64) (spoolEntry, error) {
	st, err := s.readState()
	if err != nil {
		return spoolEntry{}, err
	}
	seq = max(seq, st.NextSeq, 1)
	e := spoolEntry{
		Version: 1, Seq: seq, EncounterID: m.EncounterID, Revision: m.Revision,
		Enqueued: now.UTC(), Size: len(m.Data), CRC32C: crc32.Checksum(m.Data, crcTable), Data: m.Data, ContentType: m.ContentType,
	}
	head, err := json.Marshal(e)
	if err != nil {
		return spoolEntry{}, fmt.Errorf("spool: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "enqueue-*")
	if err != nil {
		return spoolEntry{}, fmt.Errorf("spool: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(append(head, '\n'))
	if err == nil {
		_, err = tmp.Write(m.Data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return spoolEntry{}, fmt.Errorf("spool: write %s: %w", tmp.Name(), err)
	}
	// A hard link never replaces an existing file, unlike rename: should
	// state.json be stale, the number is taken again after the last file.
	e.name = seqName(e.Seq)
	err = os.Link(tmp.Name(), filepath.Join(s.pendingDir(), e.name))
	if errors.Is(err, fs.ErrExist) {
		names, lerr := s.pendingNames()
		if lerr != nil {
			return spoolEntry{}, lerr
		}
		if len(names) == 0 {
			return spoolEntry{}, fmt.Errorf("spool: %s exists but is not listed", e.name)
		}
		if last, ok := seqOf(names[len(names)-1]); ok && last >= e.Seq {
			e.Seq = last + 1
		} else {
			e.Seq++
		}
		// The header names the sequence: rewrite the file for the new one.
		return s.enqueueAt(m, now, e.Seq)
	}
	if err != nil {
		return spoolEntry{}, fmt.Errorf("spool: %w", err)
	}
	if err := syncDir(s.pendingDir()); err != nil {
		os.Remove(filepath.Join(s.pendingDir(), e.name))
		return spoolEntry{}, fmt.Errorf("spool: sync %s: %w", s.pendingDir(), err)
	}
	st.NextSeq = e.Seq + 1
	st.Spooled++
	// The export is safely spooled even if state.json cannot be written:
	// sequence numbers are repaired from the file names above and in
	// openSpool, and the counters are informational.
	_ = s.writeState(st)
	return e, nil
}

// read loads a pending entry and verifies it.
func (s *spool) read(name string) (spoolEntry, error) {
	path := filepath.Join(s.pendingDir(), name)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return spoolEntry{}, errGone
	}
	if err != nil {
		return spoolEntry{}, fmt.Errorf("spool: %w", err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxSpoolFile+1))
	if err != nil {
		return spoolEntry{}, fmt.Errorf("spool: read %s: %w", path, err)
	}
	return decodeEntry(name, raw)
}

func decodeEntry(name string, raw []byte) (spoolEntry, error) {
	if len(raw) > maxSpoolFile {
		return spoolEntry{}, fmt.Errorf("spool file %s: larger than NATS' 64 MB limit", name)
	}
	head, data, ok := bytes.Cut(raw, []byte{'\n'})
	if !ok {
		return spoolEntry{}, fmt.Errorf("spool file %s: no header line", name)
	}
	var e spoolEntry
	if err := json.Unmarshal(head, &e); err != nil {
		return spoolEntry{}, fmt.Errorf("spool file %s: header: %v", name, err)
	}
	if e.Version != 1 {
		return spoolEntry{}, fmt.Errorf("spool file %s: unknown version %d", name, e.Version)
	}
	if seq, _ := seqOf(name); seq != e.Seq {
		return spoolEntry{}, fmt.Errorf("spool file %s: header says sequence %d", name, e.Seq)
	}
	if e.EncounterID == "" {
		return spoolEntry{}, fmt.Errorf("spool file %s: header: encounter_id is empty", name)
	}
	if len(data) != e.Size {
		return spoolEntry{}, fmt.Errorf("spool file %s: %d bytes of export, header says %d", name, len(data), e.Size)
	}
	if crc32.Checksum(data, crcTable) != e.CRC32C {
		return spoolEntry{}, fmt.Errorf("spool file %s: checksum mismatch (damaged file)", name)
	}
	e.Data = data
	e.name = name
	return e, nil
}

// remove deletes a forwarded entry (under the lock). The directory is not
// synced: if the removal is lost in a crash the export is sent again and
// JetStream drops it as a duplicate.
func (s *spool) remove(name string) error {
	err := os.Remove(filepath.Join(s.pendingDir(), name))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("spool: %w", err)
	}
	return nil
}

// reject moves an entry JetStream will never accept (or a damaged file)
// to rejected/ with the reason next to it, so the queue behind it moves on
// and nothing is deleted.
func (s *spool) reject(name, reason string) error {
	dst := filepath.Join(s.dir, "rejected", name)
	if err := os.Rename(filepath.Join(s.pendingDir(), name), dst); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	why := fmt.Sprintf("%s\n%s\n", time.Now().UTC().Format(time.RFC3339), reason)
	if err := os.WriteFile(dst+".reason", []byte(why), 0o600); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	return syncDir(filepath.Join(s.dir, "rejected"))
}

func (s *spool) statePath() string { return filepath.Join(s.dir, "state.json") }

func (s *spool) readState() (spoolState, error) {
	return readStateFile(s.statePath())
}

func readStateFile(path string) (spoolState, error) {
	var st spoolState
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("spool: %w", err)
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return st, fmt.Errorf("spool: %s: %v", path, err)
	}
	return st, nil
}

// writeState replaces state.json atomically (temp file and rename).
func (s *spool) writeState(st spoolState) error {
	raw, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	tmp := filepath.Join(s.dir, "tmp", "state.json")
	if err := os.WriteFile(tmp, append(raw, '\n'), 0o600); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if err := os.Rename(tmp, s.statePath()); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	return nil
}

// syncDir makes renames and links in dir durable. Windows cannot sync a
// directory; NTFS journals the metadata change itself.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
