// Package prefs keeps a coder's favourite and recently used codes between
// sessions: one small JSON file per coder in a directory.
package prefs

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// MaxRecent is how many recently picked codes are kept.
const MaxRecent = 30

// MaxFavourites bounds the favourites list.
const MaxFavourites = 200

// Prefs are one coder's preferences. Codes are canonical ("E1165").
type Prefs struct {
	Favourites []string `json:"favourites"`
	Recent     []string `json:"recent"` // newest first
}

// Touch records code as the most recently used.
func (p *Prefs) Touch(code string) {
	p.Recent = slices.DeleteFunc(p.Recent, func(c string) bool { return c == code })
	p.Recent = append([]string{code}, p.Recent...)
	if len(p.Recent) > MaxRecent {
		p.Recent = p.Recent[:MaxRecent]
	}
}

// ToggleFavourite stars or unstars code and tells which; ok is false when
// the list is full.
func (p *Prefs) ToggleFavourite(code string) (starred, ok bool) {
	if i := slices.Index(p.Favourites, code); i >= 0 {
		p.Favourites = slices.Delete(p.Favourites, i, i+1)
		return false, true
	}
	if len(p.Favourites) >= MaxFavourites {
		return false, false
	}
	p.Favourites = append(p.Favourites, code)
	return true, true
}

// IsFavourite tells whether code is starred.
func (p *Prefs) IsFavourite(code string) bool { return slices.Contains(p.Favourites, code) }

// Clone copies p so it can be saved while the session changes it.
func (p Prefs) Clone() Prefs {
	return Prefs{Favourites: slices.Clone(p.Favourites), Recent: slices.Clone(p.Recent)}
}

// Store loads and saves preferences by coder id.
type Store interface {
	Load(coder string) (Prefs, error)
	Save(coder string, p Prefs) error
}

// Dir stores each coder's preferences as DIR/<coder>.json.
type Dir struct {
	Path string
	mu   sync.Mutex
}

// NewDir makes a Dir store; the directory is created on first save.
func NewDir(path string) *Dir { return &Dir{Path: path} }

func (d *Dir) file(coder string) (string, error) {
	if coder == "" || strings.ContainsAny(coder, `/\`) || coder == "." || coder == ".." || strings.ContainsRune(coder, 0) {
		return "", fmt.Errorf("prefs: coder id %q cannot name a file", coder)
	}
	return filepath.Join(d.Path, coder+".json"), nil
}

// Load reads a coder's preferences; a coder without a file has none.
func (d *Dir) Load(coder string) (Prefs, error) {
	name, err := d.file(coder)
	if err != nil {
		return Prefs{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return Prefs{}, nil
	}
	if err != nil {
		return Prefs{}, fmt.Errorf("prefs: %w", err)
	}
	var p Prefs
	if err := json.Unmarshal(b, &p); err != nil {
		return Prefs{}, fmt.Errorf("prefs: %s: %w", name, err)
	}
	return p, nil
}

// Save writes a coder's preferences atomically (temp file and rename).
func (d *Dir) Save(coder string, p Prefs) error {
	name, err := d.file(coder)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := os.MkdirAll(d.Path, 0o700); err != nil {
		return fmt.Errorf("prefs: %w", err)
	}
	tmp, err := os.CreateTemp(d.Path, ".prefs-*")
	if err != nil {
		return fmt.Errorf("prefs: %w", err)
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("prefs: writing %s: %w", name, errors.Join(werr, cerr))
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("prefs: %w", err)
	}
	return nil
}

// Memory keeps preferences in memory (tests, sessions without a data dir).
type Memory struct {
	mu sync.Mutex
	m  map[string]Prefs
}

// Load returns a copy of the coder's preferences.
func (m *Memory) Load(coder string) (Prefs, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.m[coder].Clone(), nil
}

// Save stores a copy of p.
func (m *Memory) Save(coder string, p Prefs) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]Prefs{}
	}
	m.m[coder] = p.Clone()
	return nil
}
