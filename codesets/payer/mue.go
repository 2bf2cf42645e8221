package payer

import (
	"fmt"
	"sort"
)

// MUE is the NCCI medically unlikely edits table: the most units of a
// code a practitioner reports for one patient on one date of service.
type MUE struct {
	meta       Meta
	codes      []string // sorted
	value      []uint32
	mai        []uint8
	rationale  []uint16
	rationales []string
}

// MUERow is one code's edit.
type MUERow struct {
	Code string
	// Value is the most units allowed; 0 means the service is not payable
	// to practitioners (billed elsewhere, e.g. to the DME MAC).
	Value int
	// MAI is the MUE adjudication indicator: 1 per claim line, 2 per day
	// (absolute, policy), 3 per day (clinical; appealable).
	MAI       int
	Rationale string
}

const maxMUEValue = 1 << 24

// NewMUE builds the table; a code listed twice is an error.
func NewMUE(meta Meta, rows []MUERow) (*MUE, error) {
	meta.Kind = KindMUE
	if err := meta.validate(); err != nil {
		return nil, err
	}
	meta.Rows = len(rows)
	sorted := append([]MUERow(nil), rows...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Code < sorted[j].Code })
	t := &MUE{meta: meta}
	rats := map[string]int{}
	for i, r := range sorted {
		switch {
		case !validProcedureCode(r.Code):
			return nil, fmt.Errorf("%q is not a 5-character CPT or HCPCS code", r.Code)
		case i > 0 && r.Code == sorted[i-1].Code:
			return nil, fmt.Errorf("%s is listed twice", r.Code)
		case r.MAI < 1 || r.MAI > 3:
			return nil, fmt.Errorf("%s: adjudication indicator %d is not 1, 2 or 3", r.Code, r.MAI)
		case r.Value < 0 || r.Value > maxMUEValue:
			return nil, fmt.Errorf("%s: MUE value %d out of range", r.Code, r.Value)
		}
		ri, ok := rats[r.Rationale]
		if !ok {
			ri = len(t.rationales)
			rats[r.Rationale] = ri
			t.rationales = append(t.rationales, r.Rationale)
		}
		if ri >= 1<<16 {
			return nil, fmt.Errorf("too many distinct rationales")
		}
		t.codes = append(t.codes, r.Code)
		t.value = append(t.value, uint32(r.Value))
		t.mai = append(t.mai, uint8(r.MAI))
		t.rationale = append(t.rationale, uint16(ri))
	}
	return t, nil
}

func (t *MUE) Meta() Meta { return t.meta }
func (t *MUE) Len() int   { return len(t.codes) }

// Lookup finds a code's edit.
func (t *MUE) Lookup(code string) (MUERow, bool) {
	i := sort.SearchStrings(t.codes, code)
	if i == len(t.codes) || t.codes[i] != code {
		return MUERow{}, false
	}
	return t.at(i), true
}

func (t *MUE) at(i int) MUERow {
	return MUERow{Code: t.codes[i], Value: int(t.value[i]), MAI: int(t.mai[i]), Rationale: t.rationales[t.rationale[i]]}
}

// Rows lists every code's edit in code order.
func (t *MUE) Rows() []MUERow {
	out := make([]MUERow, len(t.codes))
	for i := range t.codes {
		out[i] = t.at(i)
	}
	return out
}

// Payload: rationales (count, strings); codes (count, then per code 5
// bytes, uvarint value, MAI byte, uvarint rationale index).

func (t *MUE) MarshalBinary() ([]byte, error) {
	return seal(t.meta, func(e *encoder) {
		e.uvarint(uint64(len(t.rationales)))
		for _, r := range t.rationales {
			e.str(r)
		}
		e.uvarint(uint64(len(t.codes)))
		for i, c := range t.codes {
			e.fixed(c, 5)
			e.uvarint(uint64(t.value[i]))
			e.byte(t.mai[i])
			e.uvarint(uint64(t.rationale[i]))
		}
	})
}

// LoadMUE decodes a MUE table from its binary form.
func LoadMUE(data []byte) (*MUE, error) {
	m, d, err := open(data, KindMUE)
	if err != nil {
		return nil, err
	}
	return decodeMUE(m, d)
}

func decodeMUE(m Meta, d *decoder) (*MUE, error) {
	t := &MUE{meta: m}
	nr := d.count(1<<16, "rationale count")
	for i := 0; i < nr && d.err == nil; i++ {
		t.rationales = append(t.rationales, d.str())
	}
	n := d.count(1<<20, "code count")
	for i := 0; i < n && d.err == nil; i++ {
		c := string(d.bytes(5))
		v, mai, r := d.uvarint(), d.byte(), d.uvarint()
		switch {
		case d.err != nil:
		case !validProcedureCode(c) || i > 0 && c <= t.codes[i-1]:
			d.fail("code %q out of order or malformed", c)
		case v > maxMUEValue || mai < 1 || mai > 3 || r >= uint64(nr):
			d.fail("%s: bad value, indicator or rationale", c)
		}
		t.codes = append(t.codes, c)
		t.value = append(t.value, uint32(v))
		t.mai = append(t.mai, mai)
		t.rationale = append(t.rationale, uint16(r))
	}
	if err := d.done(); err != nil {
		return nil, err
	}
	t.meta.Rows = len(t.codes)
	return t, nil
}
