// Package dataimport loads official code-set and payer files into the data
// directory without a new build: `codebench data import FILE...`.
//
// An import reads the files given (text, or the zip CMS and CDC publish),
// tells their kind (Kinds: ICD-10-CM order file and addenda, HCPCS Level
// II quarterly file, NCCI PTP part files, MUE, add-on, PFS and MCE lists),
// checks every file whole, and only when all pass keeps them, versioned
// with their sha256, beside a manifest (codesets.ReadManifest). It then
// loads the whole data directory as codebench will before it writes the
// manifest: a file that cannot be loaded is refused and nothing changes.
// Remove takes an import out again, which brings back what was loaded
// before it. Status lists what is loaded and what is out of date.
package dataimport

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"

	"codebench/codesets"
)

// Options are the command's choices.
type Options struct {
	// Kind forces the kind of every file (see Kinds); empty tells it from
	// each file's name and first lines.
	Kind string
	// Release, From and To name the release and its dates of service when
	// the file names do not tell them (--release, --from, --to); for payer
	// tables, the version and effective date.
	Release  string
	From, To time.Time
	// Now stamps the import; nil is time.Now.
	Now func() time.Time
}

// Result is what an import kept.
type Result struct {
	Imported []codesets.ImportRecord
	// Skipped are members of a zip that are no file to import (a
	// readme, a PDF), named for the report.
	Skipped []string
}

// Import checks the files and keeps them in dataDir. set is the code
// sets loaded now (codesets.Open(dataDir)). On any error nothing in
// dataDir changes.
func Import(dataDir string, set *codesets.Set, paths []string, opt Options) (*Result, error) {
	if len(paths) == 0 {
		return nil, errors.New("no file given")
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	files, err := readInputs(paths)
	if err != nil {
		return nil, err
	}
	byKind, skipped, err := classify(files, opt.Kind)
	if err != nil {
		return nil, err
	}
	env := &Env{Set: set, Options: opt}
	var staged []*Staged
	for _, k := range Kinds {
		fs := byKind[k.Name()]
		if len(fs) == 0 {
			continue
		}
		st, err := k.Stage(fs, env)
		if err != nil {
			return nil, err
		}
		staged = append(staged, st...)
	}
	if len(staged) == 0 {
		return nil, errors.New("nothing to import")
	}
	res := &Result{Skipped: skipped}
	err = withLock(dataDir, func() error {
		recs, err := commit(dataDir, set, staged, opt.Now())
		res.Imported = recs
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// classify gives each file its kind. A file given directly must be of a
// kind; a zip member of none is skipped (a readme), but a zip must hold
// at least one file to import.
func classify(files []File, force string) (map[string][]File, []string, error) {
	out := map[string][]File{}
	var skipped []string
	if force != "" {
		k, ok := kindNamed(force)
		if !ok {
			return nil, nil, fmt.Errorf("--kind %s: want one of %s", codesets.Quote(force, 40), kindNames())
		}
		out[k.Name()] = files
		return out, nil, nil
	}
	for _, f := range files {
		head := f.Data[:min(len(f.Data), 8192)]
		var kind Kind
		for _, k := range Kinds {
			if k.Match(f.Base(), head) {
				kind = k
				break
			}
		}
		switch {
		case kind != nil:
			out[kind.Name()] = append(out[kind.Name()], f)
		case f.Member != "":
			skipped = append(skipped, f.Name())
		default:
			return nil, nil, fmt.Errorf("%s is no file codebench imports (%s); if it is one, name its kind with --kind", codesets.Quote(f.Name(), 200), kindNames())
		}
	}
	if len(out) == 0 {
		return nil, nil, fmt.Errorf("no file to import among %s", strings.Join(skipped, ", "))
	}
	return out, skipped, nil
}

func kindNames() string {
	var names []string
	for _, k := range Kinds {
		names = append(names, k.Name())
	}
	return strings.Join(names, ", ")
}

var unsafeID = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// newID names an import: kind, release and the first hex digits of its
// data's sha256, "icd10cm-FY2028-38981fb2".
func newID(kind, name, sum string) string {
	id := kind + "-" + strings.Trim(unsafeID.ReplaceAllString(name, "-"), "-")
	if len(id) > 80 {
		id = id[:80]
	}
	return id + "-" + sum[:8]
}

// commit keeps the staged imports: each in a directory of its own, moved
// into place, then the data directory is loaded whole with them, and only
// then is the manifest replaced. A failure removes what it moved.
func commit(dataDir string, set *codesets.Set, staged []*Staged, now time.Time) ([]codesets.ImportRecord, error) {
	m, err := codesets.ReadManifest(dataDir)
	if err != nil {
		return nil, err
	}
	root := codesets.ReleasesDir(dataDir)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	removeStale(root, m)
	var recs []codesets.ImportRecord
	var placed []string
	fail := func(err error) ([]codesets.ImportRecord, error) {
		for _, dir := range placed {
			os.RemoveAll(dir)
		}
		return nil, err
	}
	for _, st := range staged {
		sum := sha256.Sum256(st.Data)
		rec := st.Record
		rec.DataSHA256 = hex.EncodeToString(sum[:])
		rec.ID = newID(rec.Kind, rec.Name, rec.DataSHA256)
		rec.Data = st.DataName
		rec.Imported = now.UTC().Truncate(time.Second)
		for _, f := range st.Files {
			rec.Files = append(rec.Files, f.record())
		}
		for _, old := range m.Imports {
			if old.DataSHA256 == rec.DataSHA256 {
				return fail(fmt.Errorf("%s is already imported as %s", importFiles(rec), old.ID))
			}
			if old.Kind == rec.Kind && old.Name == rec.Name {
				return fail(fmt.Errorf("%s %s is already imported as %s: remove it first (codebench data remove %s)", rec.Kind, rec.Name, old.ID, old.ID))
			}
		}
		dir, err := stage(root, rec, st)
		if err != nil {
			return fail(err)
		}
		final := codesets.ImportDir(dataDir, rec.ID)
		if err := os.Rename(dir, final); err != nil {
			os.RemoveAll(filepath.Dir(dir))
			return fail(fmt.Errorf("keeping import %s: %w", rec.ID, err))
		}
		os.Remove(filepath.Dir(dir))
		placed = append(placed, final)
		recs = append(recs, rec)
	}
	next := &codesets.Manifest{Imports: append(append([]codesets.ImportRecord(nil), m.Imports...), recs...)}
	// Load everything as codebench will before the manifest names it.
	base, err := codesets.Embedded()
	if err != nil {
		return fail(err)
	}
	if _, err := base.WithImports(dataDir, next); err != nil {
		return fail(fmt.Errorf("the import does not load: %w", err))
	}
	if err := codesets.WriteManifest(dataDir, next); err != nil {
		return fail(err)
	}
	return recs, nil
}

func importFiles(r codesets.ImportRecord) string {
	var names []string
	for _, f := range r.Files {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

// stage writes one import into a scratch directory under root: the files
// as given, in source/ (text gzipped), and the data codebench loads.
func stage(root string, rec codesets.ImportRecord, st *Staged) (string, error) {
	var rnd [6]byte
	rand.Read(rnd[:])
	scratch := filepath.Join(root, ".staging-"+hex.EncodeToString(rnd[:]))
	dir := filepath.Join(scratch, rec.ID)
	if err := os.MkdirAll(filepath.Join(dir, "source"), 0o755); err != nil {
		return "", err
	}
	fail := func(err error) (string, error) {
		os.RemoveAll(scratch)
		return "", err
	}
	written := map[string]bool{}
	for _, f := range st.Files {
		name := filepath.Base(f.Given)
		if written[name] {
			continue // members of one zip: the zip once
		}
		written[name] = true
		// Text is kept gzip-compressed (a PTP release is 130 MB of text);
		// the sha256 recorded is the file's as given.
		data := f.Raw
		if !isZip(data) && !bytes.HasPrefix(data, []byte("\x1f\x8b")) {
			data, name = gzipBytes(data), name+".gz"
		}
		if err := writeSynced(filepath.Join(dir, "source", name), data); err != nil {
			return fail(err)
		}
	}
	if err := writeSynced(filepath.Join(dir, rec.Data), st.Data); err != nil {
		return fail(err)
	}
	return dir, nil
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// removeStale deletes, under the lock, scratch directories of imports
// that died, and import directories the manifest does not name (an
// import that died after moving its directory into place).
func removeStale(root string, m *codesets.Manifest) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	named := map[string]bool{}
	for _, r := range m.Imports {
		named[r.ID] = true
	}
	for _, e := range entries {
		if e.IsDir() && !named[e.Name()] {
			os.RemoveAll(filepath.Join(root, e.Name()))
		}
	}
}

// Remove takes an import out of dataDir: its manifest entry first (what
// was loaded before it comes back at the next load), then its files.
func Remove(dataDir, id string) (codesets.ImportRecord, error) {
	var removed codesets.ImportRecord
	err := withLock(dataDir, func() error {
		m, err := codesets.ReadManifest(dataDir)
		if err != nil {
			return err
		}
		var keep []codesets.ImportRecord
		var ids []string
		for _, r := range m.Imports {
			if r.ID == id {
				removed = r
				continue
			}
			keep = append(keep, r)
			ids = append(ids, r.ID)
		}
		if removed.ID == "" {
			sort.Strings(ids)
			if len(ids) == 0 {
				return fmt.Errorf("no import %s: nothing is imported (the embedded releases cannot be removed)", codesets.Quote(id, 100))
			}
			return fmt.Errorf("no import %s; imported: %s (the embedded releases cannot be removed)", codesets.Quote(id, 100), strings.Join(ids, ", "))
		}
		m.Imports = keep
		if err := codesets.WriteManifest(dataDir, m); err != nil {
			return err
		}
		return os.RemoveAll(codesets.ImportDir(dataDir, removed.ID))
	})
	return removed, err
}

// withLock runs fn holding the data directory's import lock, so that two
// imports (or an import and a remove) never interleave.
func withLock(dataDir string, fn func() error) error {
	root := codesets.ReleasesDir(dataDir)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(root, ".lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("locking %s: %w", root, err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return fn()
}
