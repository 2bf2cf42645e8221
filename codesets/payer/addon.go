package payer

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// AddOn is the NCCI add-on code edits table: add-on codes and the
// primary codes they are reported with.
type AddOn struct {
	meta    Meta
	codes   []string // add-on codes, sorted
	typ     []uint8  // edit type of each add-on code
	start   []uint32 // primaries of add-on i are prim[start[i]:start[i+1]]
	prim    []string // primary codes, sorted within each add-on
	primEff []Date
	primDel []Date
}

// AddOnRow is one row of the add-on file: an add-on code and one of its
// primaries.
type AddOnRow struct {
	AddOn string
	// Primary is "" for a row naming no specific primary (CMS writes
	// CCCCC).
	Primary string
	// Type is the edit type: 1 (reported only with a listed primary), 2
	// (CMS lists no primaries; the payer decides), 3 (the listed primaries
	// are examples; others may qualify).
	Type int
	// Effective and Deleted bound the dates of service the pairing
	// applies to (zero when not given / not deleted).
	Effective, Deleted Date
}

// AddOnEdit is what the table says of an add-on code on a date of
// service.
type AddOnEdit struct {
	Code      string
	Type      int
	Primaries []string // primaries in force on the date, sorted
}

// NoPrimary is how CMS writes "no specific primary code".
const NoPrimary = "CCCCC"

// NewAddOn builds the table. All rows of one add-on code must share its
// edit type.
func NewAddOn(meta Meta, rows []AddOnRow) (*AddOn, error) {
	meta.Kind = KindAddOn
	if err := meta.validate(); err != nil {
		return nil, err
	}
	meta.Rows = len(rows)
	sorted := append([]AddOnRow(nil), rows...)
	for i := range sorted {
		if sorted[i].Primary == NoPrimary {
			sorted[i].Primary = ""
		}
	}
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].AddOn != sorted[j].AddOn {
			return sorted[i].AddOn < sorted[j].AddOn
		}
		return sorted[i].Primary < sorted[j].Primary
	})
	t := &AddOn{meta: meta, start: []uint32{0}}
	for i, r := range sorted {
		switch {
		case !validProcedureCode(r.AddOn):
			return nil, fmt.Errorf("add-on code %q is not a 5-character CPT or HCPCS code", r.AddOn)
		case r.Primary != "" && !validProcedureCode(r.Primary):
			return nil, fmt.Errorf("%s: primary code %q is not a 5-character CPT or HCPCS code", r.AddOn, r.Primary)
		case r.Type < 1 || r.Type > 3:
			return nil, fmt.Errorf("%s: edit type %d is not 1, 2 or 3", r.AddOn, r.Type)
		}
		if i == 0 || r.AddOn != sorted[i-1].AddOn {
			t.codes = append(t.codes, r.AddOn)
			t.typ = append(t.typ, uint8(r.Type))
			t.start = append(t.start, uint32(len(t.prim)))
		} else if int(t.typ[len(t.typ)-1]) != r.Type {
			return nil, fmt.Errorf("%s: rows give edit types %d and %d", r.AddOn, t.typ[len(t.typ)-1], r.Type)
		}
		if r.Primary != "" {
			t.prim = append(t.prim, r.Primary)
			t.primEff = append(t.primEff, r.Effective)
			t.primDel = append(t.primDel, r.Deleted)
		}
		t.start[len(t.start)-1] = uint32(len(t.prim))
	}
	return t, nil
}

func (t *AddOn) Meta() Meta { return t.meta }
func (t *AddOn) Len() int   { return len(t.codes) }

// Lookup tells whether code is an add-on code and which primaries it
// takes on date of service dos (the zero time: all).
func (t *AddOn) Lookup(code string, dos time.Time) (AddOnEdit, bool) {
	i, ok := slices.BinarySearch(t.codes, code)
	if !ok {
		return AddOnEdit{}, false
	}
	day := DateOf(dos)
	e := AddOnEdit{Code: code, Type: int(t.typ[i])}
	for k := t.start[i]; k < t.start[i+1]; k++ {
		if day != 0 && (t.primEff[k] != 0 && t.primEff[k] > day || t.primDel[k] != 0 && t.primDel[k] < day) {
			continue
		}
		e.Primaries = append(e.Primaries, t.prim[k])
	}
	return e, true
}

// Payload: add-on count; per add-on: 5 bytes, type byte, primary count,
// then per primary 5 bytes, uvarint effective and deletion dates (0 =
// none).

func (t *AddOn) MarshalBinary() ([]byte, error) {
	return seal(t.meta, func(e *encoder) {
		e.uvarint(uint64(len(t.codes)))
		for i, c := range t.codes {
			e.fixed(c, 5)
			e.byte(t.typ[i])
			e.uvarint(uint64(t.start[i+1] - t.start[i]))
			for k := t.start[i]; k < t.start[i+1]; k++ {
				e.fixed(t.prim[k], 5)
				e.date(t.primEff[k])
				e.date(t.primDel[k])
			}
		}
	})
}

// LoadAddOn decodes an add-on table from its binary form.
func LoadAddOn(data []byte) (*AddOn, error) {
	m, d, err := open(data, KindAddOn)
	if err != nil {
		return nil, err
	}
	return decodeAddOn(m, d)
}

func decodeAddOn(m Meta, d *decoder) (*AddOn, error) {
	t := &AddOn{meta: m, start: []uint32{0}}
	n := d.count(1<<20, "add-on count")
	for i := 0; i < n && d.err == nil; i++ {
		c := string(d.bytes(5))
		typ := d.byte()
		if d.err == nil && (!validProcedureCode(c) || i > 0 && c <= t.codes[i-1] || typ < 1 || typ > 3) {
			d.fail("add-on %q out of order, malformed or of unknown type", c)
		}
		np := d.count(1<<20, "primary count")
		for k := 0; k < np && d.err == nil; k++ {
			p := string(d.bytes(5))
			if d.err == nil && !validProcedureCode(p) {
				d.fail("primary %q malformed", p)
			}
			t.prim = append(t.prim, p)
			t.primEff = append(t.primEff, d.date())
			t.primDel = append(t.primDel, d.date())
		}
		t.codes = append(t.codes, c)
		t.typ = append(t.typ, typ)
		t.start = append(t.start, uint32(len(t.prim)))
	}
	if err := d.done(); err != nil {
		return nil, err
	}
	return t, nil
}
