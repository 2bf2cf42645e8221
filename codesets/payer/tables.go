package payer

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

//go:generate go run ./gen -src ../../../shared/codesets -out data

// The embedded tables, one binary form per kind (see gen/).
//
//go:embed data/*.cbt
var embedded embed.FS

// Tables is the set of payer tables a validator uses. Each table is
// decoded on first use (the PTP table takes tens of milliseconds), or in
// the background after Warm; the methods are safe for concurrent use.
type Tables struct {
	ptp       *lazy[*PTP]
	mue       *lazy[*MUE]
	addon     *lazy[*AddOn]
	pfs       *lazy[*PFS]
	mce       *lazy[*MCE]
	principal *lazy[*MCE]
}

type lazy[T Table] struct {
	once sync.Once
	v    T
	err  error
	load func() (T, error)
	// fallback, for an imported table, is the one it replaced: used when
	// the import cannot be decoded (a file damaged since it was imported),
	// so a damaged file costs its rows, never a session.
	fallback *lazy[T]
	fellBack bool

	metaOnce sync.Once
	m        Meta
	metaErr  error
	readMeta func() (Meta, error)
}

// meta reads the table's metadata once. An imported table is decoded
// first, so that the metadata is that of the rows in use (the replaced
// table's when the import fell back).
func (l *lazy[T]) meta() (Meta, error) {
	if l.fallback != nil {
		return l.get().Meta(), nil
	}
	l.metaOnce.Do(func() { l.m, l.metaErr = l.readMeta() })
	return l.m, l.metaErr
}

func (l *lazy[T]) get() T {
	l.once.Do(func() {
		l.v, l.err = l.load()
		if l.err != nil && l.fallback != nil {
			l.v, l.fellBack = l.fallback.get(), true
		}
	})
	if l.err != nil && !l.fellBack {
		// Embedded data is part of the program and tested.
		panic(fmt.Sprintf("payer: %v", l.err))
	}
	return l.v
}

// problem says why an imported table is not in use ("" when it is, or is
// not decoded yet).
func (l *lazy[T]) problem() string {
	if l.fellBack {
		return l.err.Error()
	}
	return ""
}

func loaded[T Table](v T) *lazy[T] {
	l := &lazy[T]{v: v}
	l.once.Do(func() {})
	l.readMeta = func() (Meta, error) { return v.Meta(), nil }
	return l
}

func embeddedLazy[T Table](kind Kind, decode func([]byte) (T, error)) *lazy[T] {
	name := "data/" + string(kind) + ".cbt"
	return &lazy[T]{
		load: func() (T, error) {
			data, err := embedded.ReadFile(name)
			if err != nil {
				var zero T
				return zero, err
			}
			return decode(data)
		},
		readMeta: func() (Meta, error) {
			data, err := embedded.ReadFile(name)
			if err != nil {
				return Meta{}, err
			}
			return readHeader(data)
		},
	}
}

var (
	embeddedOnce sync.Once
	embeddedSet  *Tables
)

// Embedded returns the tables built into the program. They are decoded
// on first use; call Warm to decode them in the background.
func Embedded() *Tables {
	embeddedOnce.Do(func() {
		embeddedSet = &Tables{
			ptp:       embeddedLazy(KindPTP, LoadPTP),
			mue:       embeddedLazy(KindMUE, LoadMUE),
			addon:     embeddedLazy(KindAddOn, LoadAddOn),
			pfs:       embeddedLazy(KindPFS, LoadPFS),
			mce:       embeddedLazy(KindMCE, LoadMCE),
			principal: embeddedLazy(KindMCEPrincipal, LoadMCE),
		}
	})
	return embeddedSet
}

// EmbeddedData returns the binary form of an embedded table (for
// `codebench data status` and tests).
func EmbeddedData(kind Kind) ([]byte, error) {
	return embedded.ReadFile("data/" + string(kind) + ".cbt")
}

// Warm decodes every table in the background, largest first, and
// returns at once. done, when not nil, is closed when all are decoded.
func (t *Tables) Warm(done chan<- struct{}) {
	go func() {
		t.PTP()
		t.MUE()
		t.PFS()
		t.AddOn()
		t.MCE()
		t.MCEPrincipal()
		if done != nil {
			close(done)
		}
	}()
}

func (t *Tables) PTP() *PTP          { return t.ptp.get() }
func (t *Tables) MUE() *MUE          { return t.mue.get() }
func (t *Tables) AddOn() *AddOn      { return t.addon.get() }
func (t *Tables) PFS() *PFS          { return t.pfs.get() }
func (t *Tables) MCE() *MCE          { return t.mce.get() }
func (t *Tables) MCEPrincipal() *MCE { return t.principal.get() }

// Meta describes the table of a kind without decoding its rows.
func (t *Tables) Meta(kind Kind) (Meta, error) {
	switch kind {
	case KindPTP:
		return t.ptp.meta()
	case KindMUE:
		return t.mue.meta()
	case KindAddOn:
		return t.addon.meta()
	case KindPFS:
		return t.pfs.meta()
	case KindMCE:
		return t.mce.meta()
	case KindMCEPrincipal:
		return t.principal.meta()
	}
	return Meta{}, fmt.Errorf("unknown payer table kind %q", kind)
}

// Metas describes every table, in Kinds order.
func (t *Tables) Metas() ([]Meta, error) {
	out := make([]Meta, 0, len(Kinds))
	for _, k := range Kinds {
		m, err := t.Meta(k)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// With returns a copy of t in which the given tables (an imported
// quarter, say) replace the ones of their kind.
func (t *Tables) With(tables ...Table) (*Tables, error) {
	c := *t
	for _, x := range tables {
		switch v := x.(type) {
		case *PTP:
			c.ptp = loaded(v)
		case *MUE:
			c.mue = loaded(v)
		case *AddOn:
			c.addon = loaded(v)
		case *PFS:
			c.pfs = loaded(v)
		case *MCE:
			if v.Meta().Kind == KindMCEPrincipal {
				c.principal = loaded(v)
			} else {
				c.mce = loaded(v)
			}
		default:
			return nil, fmt.Errorf("payer: unknown table type %T", x)
		}
	}
	return &c, nil
}

// WithData is With for tables in their binary form, as MarshalBinary
// wrote them (an import kept in the data directory): each header is read
// now, the rows are decoded on first use, so opening costs nothing. The
// data must already have been decoded once (the import does).
func (t *Tables) WithData(data ...[]byte) (*Tables, error) {
	c := *t
	for _, d := range data {
		m, err := readHeader(d)
		if err != nil {
			return nil, err
		}
		switch m.Kind {
		case KindPTP:
			c.ptp = dataLazy(d, LoadPTP, c.ptp)
		case KindMUE:
			c.mue = dataLazy(d, LoadMUE, c.mue)
		case KindAddOn:
			c.addon = dataLazy(d, LoadAddOn, c.addon)
		case KindPFS:
			c.pfs = dataLazy(d, LoadPFS, c.pfs)
		case KindMCE:
			c.mce = dataLazy(d, LoadMCE, c.mce)
		case KindMCEPrincipal:
			c.principal = dataLazy(d, LoadMCE, c.principal)
		default:
			return nil, fmt.Errorf("payer: unknown table kind %q", m.Kind)
		}
	}
	return &c, nil
}

func dataLazy[T Table](data []byte, decode func([]byte) (T, error), replaced *lazy[T]) *lazy[T] {
	return &lazy[T]{
		load:     func() (T, error) { return decode(data) },
		readMeta: func() (Meta, error) { return readHeader(data) },
		fallback: replaced,
	}
}

// Problems lists the imported tables that could not be decoded, and are
// replaced by the tables they were to replace (`codebench data status`
// shows them). Only tables already decoded are known.
func (t *Tables) Problems() []string {
	var out []string
	for _, p := range []struct {
		kind Kind
		msg  string
	}{{KindPTP, t.ptp.problem()}, {KindMUE, t.mue.problem()}, {KindAddOn, t.addon.problem()}, {KindPFS, t.pfs.problem()}, {KindMCE, t.mce.problem()}, {KindMCEPrincipal, t.principal.problem()}} {
		if p.msg != "" {
			out = append(out, string(p.kind)+": "+p.msg)
		}
	}
	return out
}

// readHeader reads a binary form's metadata from its first bytes only.
func readHeader(data []byte) (Meta, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return Meta{}, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	head := make([]byte, 8192)
	n, err := io.ReadFull(zr, head)
	if err != nil && err != io.ErrUnexpectedEOF {
		return Meta{}, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	head = head[:n]
	if len(head) < len(magic) || string(head[:len(magic)]) != magic {
		return Meta{}, fmt.Errorf("%w: no codebench payer table header", ErrDamaged)
	}
	d := &decoder{b: head, off: len(magic)}
	if v := d.uvarint(); d.err == nil && v != formatVersion {
		return Meta{}, fmt.Errorf("%w: format version %d", ErrDamaged, v)
	}
	kind := Kind(d.str())
	raw := d.bytes(d.count(maxString, "metadata length"))
	if d.err != nil {
		return Meta{}, d.err
	}
	var m Meta
	if err := json.Unmarshal(raw, &m); err != nil || m.Kind != kind {
		return Meta{}, fmt.Errorf("%w: metadata unreadable", ErrDamaged)
	}
	return m, m.validate()
}
