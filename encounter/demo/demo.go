// Package demo is the built-in demo inbox: fifteen invented encounters
// (office, emergency department, inpatient newborn; fractures, diabetes
// with complications, pregnancy, HCPCS drugs and supplies) that the
// workbench opens when run without data. Most are uncoded; a few are
// partially coded with deliberate mistakes so the edits pane has
// something to show. Patients, providers and NPIs are invented (the NPIs
// pass the check digit and belong to no one on record).
package demo

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"

	"codebench/encounter"
)

//go:embed inbox
var files embed.FS

// Inbox is the demo inbox: encounter JSON, Markdown and text files at the
// root of the returned file system.
func Inbox() fs.FS {
	sub, err := fs.Sub(files, "inbox")
	if err != nil {
		panic(err) // the embedded directory exists; see the go:embed line
	}
	return sub
}

// Names lists the demo files in name order.
func Names() []string {
	entries, _ := fs.ReadDir(Inbox(), ".")
	var out []string
	for _, e := range entries {
		if encounter.IsEncounterFile(e.Name()) {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// WriteInbox copies the demo files into dir (created if needed), ready for
// encounter.ImportInbox. Files already there, or already imported or
// rejected by an earlier import, are left alone, so calling it at every
// start never duplicates or overwrites anything.
func WriteInbox(dir string) (written int, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	for _, name := range Names() {
		if exists(filepath.Join(dir, name)) || exists(filepath.Join(dir, encounter.ImportedDir, name)) || exists(filepath.Join(dir, encounter.RejectedDir, name)) {
			continue
		}
		data, err := fs.ReadFile(Inbox(), name)
		if err != nil {
			return written, err
		}
		// Write under a hidden name and rename, as inbox producers must.
		tmp := filepath.Join(dir, "."+name+".tmp")
		if err := os.WriteFile(tmp, data, 0o644); err != nil {
			return written, err
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			return written, err
		}
		written++
	}
	return written, nil
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return !errors.Is(err, fs.ErrNotExist)
}

// Encounters decodes every demo file, in name order.
func Encounters() ([]*encounter.Encounter, error) {
	var out []*encounter.Encounter
	for _, name := range Names() {
		data, err := fs.ReadFile(Inbox(), name)
		if err != nil {
			return nil, err
		}
		enc, err := encounter.DecodeFile(data, path.Join("demo", name))
		if err != nil {
			return nil, fmt.Errorf("demo inbox: %w", err)
		}
		out = append(out, enc)
	}
	return out, nil
}
