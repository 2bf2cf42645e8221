package encounter

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"codebench/encounter/phifile"
	"codebench/internal/safefile"
	"codebench/termsafe"
)

// The inbox is a directory other systems drop encounter files into:
// *.json (the codebench.encounter/v1 format), *.txt and *.md (one note, see
// DecodeNote). Producers should write a file under another name (or
// extension) and rename it into place, so a half-written file is never
// read. Import moves every file it handles:
//
//	inbox/imported/NAME             stored in the work store
//	inbox/rejected/NAME             refused, with NAME.reason.txt saying why
//
// A file is moved only after the store has it, so a crash at any moment
// loses nothing: the next import picks up whatever is still in the inbox.
// A marker (imported/.NAME.pending, holding the file's SHA-256) is written
// before the store is asked; if an import dies after storing but before
// moving, the next run finds the marker, sees the store already has the id
// and moves the file to imported/ instead of reporting a duplicate.

// Names of the inbox's subdirectories.
const (
	ImportedDir = "imported"
	RejectedDir = "rejected"
)

// ErrDuplicate is what an Inbox's Add returns (wrapped) when the id is
// already stored, unless Inbox.Duplicate says otherwise.
var ErrDuplicate = errors.New("an encounter with this id is already stored")

// Inbox imports the files of one inbox directory.
type Inbox struct {
	Dir string
	// Add stores a decoded encounter. It is called before the file is
	// moved; an error other than a duplicate stops the import and leaves
	// the file in the inbox for the next run.
	Add func(*Encounter) error
	// Duplicate tells whether an Add error means the id is already
	// stored (a store's ErrExists). Default: errors.Is(err, ErrDuplicate).
	Duplicate func(error) bool
	// Notice hears of permissions tightened on imported/ and rejected/.
	Notice func(msg string)

	moves *os.File // the lock serialising moves (Import sets it)
}

// Report says what an import did with each file.
type Report struct {
	Imported []Imported
	Rejected []Rejected
	// Skipped lists entries left alone: other extensions, hidden files,
	// directories.
	Skipped []string
	// Concurrent lists files another import of the same inbox was
	// handling; that import reports them.
	Concurrent []string
}

// Imported is a file now in the store.
type Imported struct {
	File string // the inbox file name
	ID   string
	// Recovered is set when the store already had the encounter from an
	// interrupted earlier import of the same file.
	Recovered bool
}

// Rejected is a file moved to rejected/.
type Rejected struct {
	File   string
	Reason error
	// Duplicate is set when the file was readable but its id was already
	// stored (from another file); the stored encounter is unchanged.
	Duplicate bool
	// MovedTo is the path under the inbox (rejected/NAME, renamed
	// NAME.1.json etc. when the name was taken).
	MovedTo string
}

// ImportInbox imports every encounter file in dir, handing each to add
// (the work store) before moving it to dir/imported; bad files go to
// dir/rejected with a reason file. add reports a stored id by returning an
// error wrapping ErrDuplicate.
func ImportInbox(dir string, add func(*Encounter) error) (Report, error) {
	return Inbox{Dir: dir, Add: add}.Import()
}

// DecodeFile reads an inbox file by its extension: .json with Decode,
// .txt and .md with DecodeNote.
func DecodeFile(data []byte, name string) (*Encounter, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return Decode(data, name)
	case ".txt", ".md":
		return DecodeNote(data, name)
	}
	return nil, fileError(name, "not an encounter file; want .json, .txt or .md")
}

// IsEncounterFile tells whether the inbox handles a file name.
func IsEncounterFile(name string) bool {
	if strings.HasPrefix(name, ".") {
		return false
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json", ".txt", ".md":
		return !strings.HasSuffix(strings.ToLower(name), ".reason.txt")
	}
	return false
}

// ReadFile reads a file of at most MaxFileSize bytes without following a
// symbolic link or blocking on a FIFO or device: the file is opened with
// O_NOFOLLOW and O_NONBLOCK and checked through the open descriptor, so
// nothing swapped in between a check and the open is read.
func ReadFile(path string) ([]byte, error) {
	f, err := openEntry(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOpened(f, path)
}

// openEntry opens an inbox entry (safefile.OpenRegular) and words its
// refusal for a coder.
func openEntry(path string) (*os.File, error) {
	f, _, err := safefile.OpenRegular(path)
	var notRegular *safefile.NotRegularError
	if errors.As(err, &notRegular) {
		return nil, fmt.Errorf("%s: not a regular file (%s); want an encounter file", path, safefile.DescribeMode(notRegular.Mode))
	}
	return f, err
}

// readOpened reads an opened entry up to MaxFileSize.
func readOpened(f *os.File, path string) ([]byte, error) {
	data, err := safefile.ReadOpened(f, path, MaxFileSize)
	var tooLarge *safefile.TooLargeError
	switch {
	case errors.As(err, &tooLarge) && tooLarge.Size < 0:
		return nil, fmt.Errorf("%s: file grew past the %d MB limit while being read", path, MaxFileSize>>20)
	case errors.As(err, &tooLarge):
		return nil, fmt.Errorf("%s: file is %d bytes, larger than the %d MB limit for one encounter", path, tooLarge.Size, MaxFileSize>>20)
	}
	return data, err
}

// Import handles every encounter file in the inbox, in name order. It
// returns an error (with the report so far) when the inbox cannot be read
// or a file cannot be moved, or when Add fails for a reason other than a
// duplicate; files not yet handled stay in the inbox.
//
// Several imports of one inbox may run at once (processes, or goroutines
// with their own Inbox): each file is claimed by an exclusive lock on the
// open file for the whole of its import, so exactly one import stores and
// moves it, and the others skip it (Report.Concurrent). Moves into
// imported/ and rejected/ are serialised by a lock on the imported/
// directory, so two imports never pick the same free name.
func (in Inbox) Import() (Report, error) {
	var rep Report
	if in.Add == nil {
		return rep, errors.New("inbox: no Add function")
	}
	dup := in.Duplicate
	if dup == nil {
		dup = func(err error) bool { return errors.Is(err, ErrDuplicate) }
	}
	entries, err := os.ReadDir(in.Dir)
	if err != nil {
		return rep, fmt.Errorf("inbox: %w", err)
	}
	for _, d := range []string{ImportedDir, RejectedDir} {
		if err := phifile.MkdirAll(filepath.Join(in.Dir, d), in.Notice); err != nil {
			return rep, fmt.Errorf("inbox: %w", err)
		}
	}
	// The move lock is a lock on the imported/ directory itself (no
	// lock file to clutter it).
	moves, err := os.Open(filepath.Join(in.Dir, ImportedDir))
	if err != nil {
		return rep, fmt.Errorf("inbox: %w", err)
	}
	defer moves.Close()
	in.moves = moves
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		name := e.Name()
		if !IsEncounterFile(name) || e.IsDir() && (name == ImportedDir || name == RejectedDir) {
			if name != ImportedDir && name != RejectedDir {
				rep.Skipped = append(rep.Skipped, name)
			}
			continue
		}
		if err := in.importFile(name, dup, &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func (in Inbox) importFile(name string, dup func(error) bool, rep *Report) error {
	path := filepath.Join(in.Dir, name)
	f, err := openEntry(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // taken by a concurrent import
	}
	if err != nil {
		return in.reject(name, nil, fileError(name, trimPathPrefix(err.Error(), path)), false, rep)
	}
	defer f.Close()
	mine, err := safefile.TryLock(f)
	if err != nil {
		return fmt.Errorf("inbox: locking %s: %w", termsafe.Text(name), err)
	}
	if !mine || !stillThere(path, f) {
		// Another import holds it, or finished with it between our
		// listing and our lock.
		rep.Concurrent = append(rep.Concurrent, name)
		return nil
	}
	data, err := readOpened(f, path)
	if err != nil {
		return in.reject(name, f, fileError(name, trimPathPrefix(err.Error(), path)), false, rep)
	}
	enc, err := DecodeFile(data, name)
	if err != nil {
		return in.reject(name, f, err, false, rep)
	}

	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	marker := filepath.Join(in.Dir, ImportedDir, "."+name+".pending")
	// A marker left behind belongs to an import that died: a live one
	// would still hold the lock on this file.
	prior, _ := os.ReadFile(marker)
	resumed := strings.TrimSpace(string(prior)) == hash
	if err := writeFileSync(marker, []byte(hash+"\n")); err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	addErr := in.Add(enc)
	if testCrashAfterAdd != nil {
		testCrashAfterAdd(name)
	}
	switch {
	case addErr == nil || resumed && dup(addErr):
		if _, err := in.move(name, f, ImportedDir); err != nil {
			return err
		}
		os.Remove(marker)
		rep.Imported = append(rep.Imported, Imported{File: name, ID: enc.ID, Recovered: addErr != nil})
		return nil
	case dup(addErr):
		os.Remove(marker)
		reason := fileError(name, fmt.Sprintf("field id: encounter %q is already in the work store (imported from another file); the stored encounter is unchanged; give this file a new id to import it", enc.ID))
		return in.reject(name, f, reason, true, rep)
	default:
		os.Remove(marker)
		return fmt.Errorf("inbox: storing %s (left in the inbox): %w", termsafe.Text(name), addErr)
	}
}

// stillThere tells whether path still names the open file f.
func stillThere(path string, f *os.File) bool {
	now, err := os.Lstat(path)
	if err != nil {
		return false
	}
	held, err := f.Stat()
	return err == nil && os.SameFile(now, held)
}

// testCrashAfterAdd lets the crash test stop an import between storing an
// encounter and moving its file.
var testCrashAfterAdd func(name string)

func trimPathPrefix(msg, path string) string { return strings.TrimPrefix(msg, path+": ") }

// reject writes the reason next to where the file goes, then moves the
// file (f is the claimed file, nil for an entry that could not be opened).
// Every name and message from the file is escaped in the reason file.
func (in Inbox) reject(name string, f *os.File, reason error, duplicate bool, rep *Report) error {
	dest, err := in.moveLocked(name, f, RejectedDir, func(dest string) error {
		lines := strings.Split(reason.Error(), "\n")
		for i, l := range lines {
			lines[i] = termsafe.Escape(l)
		}
		text := fmt.Sprintf("%s was rejected and moved to %s/%s.\n\n%s\n", termsafe.Text(name), RejectedDir, termsafe.Text(dest), strings.Join(lines, "\n"))
		return writeFileSync(filepath.Join(in.Dir, RejectedDir, dest+".reason.txt"), []byte(text))
	})
	if err != nil || dest == "" {
		return err
	}
	rep.Rejected = append(rep.Rejected, Rejected{File: name, Reason: reason, Duplicate: duplicate, MovedTo: filepath.Join(RejectedDir, dest)})
	return nil
}

func (in Inbox) move(name string, f *os.File, sub string) (string, error) {
	dest, err := in.moveLocked(name, f, sub, nil)
	if err != nil || dest == "" {
		return "", err
	}
	return filepath.Join(sub, dest), nil
}

// moveLocked moves an inbox entry into sub under a free name, holding the
// inbox's move lock so that concurrent imports never pick the same name;
// before runs first (the reason file). It returns "" when the entry was
// gone (moved by another import). A moved file is made 0600.
func (in Inbox) moveLocked(name string, f *os.File, sub string, before func(dest string) error) (string, error) {
	if in.moves != nil {
		if err := safefile.Lock(in.moves); err != nil {
			return "", fmt.Errorf("inbox: %w", err)
		}
		defer safefile.Unlock(in.moves)
	}
	from := filepath.Join(in.Dir, name)
	if f != nil && !stillThere(from, f) || f == nil && !exists(from) {
		return "", nil
	}
	dest, err := freeName(filepath.Join(in.Dir, sub), name)
	if err != nil {
		return "", err
	}
	if before != nil {
		if err := before(dest); err != nil {
			return "", fmt.Errorf("inbox: %w", err)
		}
	}
	if f != nil {
		f.Chmod(phifile.FileMode) // it holds patient data, and is ours now
	}
	if err := renameSync(from, filepath.Join(in.Dir, sub, dest)); err != nil {
		return "", fmt.Errorf("inbox: %w", err)
	}
	return dest, nil
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// freeName finds a name not yet used in dir: NAME, else NAME.1.EXT, ...
func freeName(dir, name string) (string, error) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 0; i < 10000; i++ {
		cand := name
		if i > 0 {
			cand = fmt.Sprintf("%s.%d%s", stem, i, ext)
		}
		if _, err := os.Lstat(filepath.Join(dir, cand)); errors.Is(err, fs.ErrNotExist) {
			return cand, nil
		}
	}
	return "", fmt.Errorf("inbox: no free name for %s in %s", name, dir)
}

// writeFileSync writes a file atomically (temporary name, fsync, rename).
func writeFileSync(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return renameSync(tmp.Name(), path)
}

// renameSync renames and syncs the directories involved, so the move
// survives a power cut.
func renameSync(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return err
	}
	syncDir(filepath.Dir(to))
	if filepath.Dir(from) != filepath.Dir(to) {
		syncDir(filepath.Dir(from))
	}
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
