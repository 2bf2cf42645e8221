package payer

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"time"
)

// PTP is the NCCI procedure-to-procedure table: pairs of codes not
// reported together by one practitioner for one patient on one date of
// service, unless a modifier indicator allows it.
//
// In memory the pairs are grouped by their column-1 code and sorted by
// the column-2 code's index in the table's code list, so a lookup is a
// map access and a binary search in a short run: 1.67M pairs cost about
// 4 bytes each.
type PTP struct {
	meta       Meta
	codes      []string          // every code of the table, sorted
	index      map[string]uint16 // code -> its index in codes
	start      []uint32          // pairs of column-1 code i are col2[start[i]:start[i+1]]
	col2       []uint16
	attr       []uint8  // indicator code (bits 0-1) | deleted (bit 2)
	rationale  []uint8  // index into rationales
	deletedAt  []uint32 // pair indexes with a deletion date, sorted
	deletedDay []Date   // their deletion dates
	effective  []Date   // per pair, when the file gave effective dates; else nil
	rationales []string
}

// PTPRow is one row of a PTP file.
type PTPRow struct {
	Column1, Column2 string
	// Indicator is the modifier indicator: 0 (no modifier bypasses the
	// edit), 1 (an NCCI PTP-associated modifier may) or 9 (not applicable).
	Indicator int
	Rationale string
	// Effective is the first date of service the pair applies to (zero
	// when the file does not say, or the pair predates 1996); Deleted the
	// last one (zero while the pair is active).
	Effective, Deleted Date
}

// PTPEdit is a pair found for a date of service.
type PTPEdit = PTPRow

const (
	attrIndicator = 0x03
	attrDeleted   = 0x04
)

func indicatorCode(ind int) (uint8, bool) {
	switch ind {
	case 0:
		return 0, true
	case 1:
		return 1, true
	case 9:
		return 2, true
	}
	return 0, false
}

var indicators = [3]int{0, 1, 9}

// NewPTP builds the table from rows (any order). Rows must hold valid
// codes and indicators; the parsers check them with file and line.
func NewPTP(meta Meta, rows []PTPRow) (*PTP, error) {
	b := newPTPBuilder()
	for i, r := range rows {
		if err := b.add(r); err != nil {
			return nil, fmt.Errorf("row %d: %w", i+1, err)
		}
	}
	return b.build(meta)
}

// ptpBuilder collects rows compactly (20 bytes each), so a parser can
// feed it 1.67M rows without holding them as strings.
type ptpBuilder struct {
	codeIdx      map[string]int32
	codes        []string
	ratIdx       map[string]uint8
	rationales   []string
	ents         []ptpEnt
	hasEffective bool
}

type ptpEnt struct {
	c1, c2   int32 // indexes into builder codes (insertion order)
	attr     uint8
	rat      uint8
	eff, del Date
}

func newPTPBuilder() *ptpBuilder {
	return &ptpBuilder{codeIdx: map[string]int32{}, ratIdx: map[string]uint8{}}
}

func (b *ptpBuilder) code(c string) (int32, error) {
	if i, ok := b.codeIdx[c]; ok {
		return i, nil
	}
	if !validProcedureCode(c) {
		return 0, fmt.Errorf("%q is not a 5-character CPT or HCPCS code", c)
	}
	if len(b.codes) >= 1<<16 {
		return 0, fmt.Errorf("more than 65536 distinct codes")
	}
	i := int32(len(b.codes))
	b.codeIdx[c] = i
	b.codes = append(b.codes, c)
	return i, nil
}

func (b *ptpBuilder) add(r PTPRow) error {
	c1, err := b.code(r.Column1)
	if err != nil {
		return err
	}
	c2, err := b.code(r.Column2)
	if err != nil {
		return err
	}
	ind, ok := indicatorCode(r.Indicator)
	if !ok {
		return fmt.Errorf("modifier indicator %d is not 0, 1 or 9", r.Indicator)
	}
	rat, ok := b.ratIdx[r.Rationale]
	if !ok {
		if len(b.rationales) >= 255 {
			return fmt.Errorf("more than 255 distinct rationales")
		}
		rat = uint8(len(b.rationales))
		b.ratIdx[r.Rationale] = rat
		b.rationales = append(b.rationales, r.Rationale)
	}
	if !r.Deleted.IsZero() {
		ind |= attrDeleted
	}
	if !r.Effective.IsZero() {
		b.hasEffective = true
	}
	b.ents = append(b.ents, ptpEnt{c1, c2, ind, rat, r.Effective, r.Deleted})
	return nil
}

func (b *ptpBuilder) build(meta Meta) (*PTP, error) {
	meta.Kind = KindPTP
	if err := meta.validate(); err != nil {
		return nil, err
	}
	meta.Rows = len(b.ents)
	t := &PTP{meta: meta, codes: append([]string(nil), b.codes...), rationales: b.rationales}
	sort.Strings(t.codes)
	t.buildIndex()
	remap := make([]uint16, len(b.codes))
	for i, c := range b.codes {
		remap[i] = t.index[c]
	}
	ents := b.ents
	for i := range ents {
		ents[i].c1, ents[i].c2 = int32(remap[ents[i].c1]), int32(remap[ents[i].c2])
	}
	slices.SortStableFunc(ents, func(x, y ptpEnt) int {
		if x.c1 != y.c1 {
			return int(x.c1 - y.c1)
		}
		return int(x.c2 - y.c2)
	})
	t.start = make([]uint32, len(t.codes)+1)
	t.col2 = make([]uint16, len(ents))
	t.attr = make([]uint8, len(ents))
	t.rationale = make([]uint8, len(ents))
	if b.hasEffective {
		t.effective = make([]Date, len(ents))
	}
	for i, e := range ents {
		t.start[e.c1+1] = uint32(i + 1)
		t.col2[i], t.attr[i], t.rationale[i] = uint16(e.c2), e.attr, e.rat
		if !e.del.IsZero() {
			t.deletedAt = append(t.deletedAt, uint32(i))
			t.deletedDay = append(t.deletedDay, e.del)
		}
		if b.hasEffective {
			t.effective[i] = e.eff
		}
	}
	for i := 1; i < len(t.start); i++ {
		t.start[i] = max(t.start[i], t.start[i-1])
	}
	return t, nil
}

func (t *PTP) buildIndex() {
	t.index = make(map[string]uint16, len(t.codes))
	for i, c := range t.codes {
		t.index[c] = uint16(i)
	}
}

// Meta describes the table.
func (t *PTP) Meta() Meta { return t.meta }

// Len is the number of pairs.
func (t *PTP) Len() int { return len(t.col2) }

// Index gives a code's index in the table, for PairAt; ok is false for a
// code in no pair.
func (t *PTP) Index(code string) (idx int, ok bool) {
	i, ok := t.index[code]
	return int(i), ok
}

// Pair finds the edit with column-1 code col1 and column-2 code col2
// that applies on date of service dos: effective on or before it, and
// not deleted before it.
func (t *PTP) Pair(col1, col2 string, dos time.Time) (PTPEdit, bool) {
	a, ok1 := t.index[col1]
	b, ok2 := t.index[col2]
	if !ok1 || !ok2 {
		return PTPEdit{}, false
	}
	return t.PairAt(int(a), int(b), DateOf(dos))
}

// PairAt is Pair for codes given by their Index.
func (t *PTP) PairAt(col1, col2 int, dos Date) (PTPEdit, bool) {
	if col1 < 0 || col1 >= len(t.codes) || col2 < 0 || col2 >= len(t.codes) {
		return PTPEdit{}, false
	}
	lo, hi := int(t.start[col1]), int(t.start[col1+1])
	// The first pair of the run whose column-2 index is not below col2:
	// a binary search written out, the hot loop of the PTP edit.
	want := uint16(col2)
	i, j := lo, hi
	for i < j {
		h := int(uint(i+j) >> 1)
		if t.col2[h] < want {
			i = h + 1
		} else {
			j = h
		}
	}
	i -= lo
	best, found := -1, false
	var bestDeleted Date
	// A pair may appear twice (an edit deleted and replaced by one with
	// another indicator): the one in force on dos is the row that still
	// applies and was deleted soonest after it.
	for k := lo + i; k < hi && t.col2[k] == uint16(col2); k++ {
		if t.effective != nil && !t.effective[k].IsZero() && t.effective[k] > dos {
			continue
		}
		del := t.deletedOn(k)
		if !del.IsZero() && del < dos {
			continue
		}
		if !found || (!del.IsZero() && (bestDeleted.IsZero() || del < bestDeleted)) {
			best, bestDeleted, found = k, del, true
		}
	}
	if !found {
		return PTPEdit{}, false
	}
	return t.row(col1, best), true
}

func (t *PTP) deletedOn(k int) Date {
	if t.attr[k]&attrDeleted == 0 {
		return 0
	}
	j, ok := slices.BinarySearch(t.deletedAt, uint32(k))
	if !ok {
		return 0
	}
	return t.deletedDay[j]
}

func (t *PTP) row(col1, k int) PTPRow {
	r := PTPRow{
		Column1:   t.codes[col1],
		Column2:   t.codes[t.col2[k]],
		Indicator: indicators[t.attr[k]&attrIndicator],
		Rationale: t.rationales[t.rationale[k]],
		Deleted:   t.deletedOn(k),
	}
	if t.effective != nil {
		r.Effective = t.effective[k]
	}
	return r
}

// Rows lists every row, column-1 code by column-1 code (for export and
// tests).
func (t *PTP) Rows() []PTPRow {
	out := make([]PTPRow, 0, len(t.col2))
	for c := range t.codes {
		for k := t.start[c]; k < t.start[c+1]; k++ {
			out = append(out, t.row(c, int(k)))
		}
	}
	return out
}

// Payload layout:
//
//	rationales  count, then each string
//	flags       uvarint: bit 0 = effective dates present; bit 1 = the
//	            columnar layout below (always set)
//	codes       count, then 5 bytes each, strictly increasing
//	counts      per code, uvarint count of its pairs (column-1 order)
//	column 2    per pair, 2 bytes little-endian: the column-2 index minus
//	            the previous pair's of the same code (the first: itself)
//	attr        per pair, 1 byte: indicator code | deleted bit
//	rationale   per pair, 1 byte: index into rationales
//	deleted     count, then per deleted pair the uvarint distance from
//	            the previous deleted pair's index, and its uvarint date
//	effective   with flag bit 0, per pair 2 bytes little-endian: the date
//
// Columns decode with a few passes over flat bytes (tens of milliseconds
// for 1.67M pairs, most of it gunzip) and compress well.

const (
	ptpFlagEffective = 1 << iota
	ptpFlagColumnar
)

// MarshalBinary encodes the table in its binary form.
func (t *PTP) MarshalBinary() ([]byte, error) {
	for _, d := range t.effective {
		if d > 0xffff {
			return nil, fmt.Errorf("effective date %s beyond the layout's range", d)
		}
	}
	return seal(t.meta, func(e *encoder) {
		e.uvarint(uint64(len(t.rationales)))
		for _, r := range t.rationales {
			e.str(r)
		}
		flags := uint64(ptpFlagColumnar)
		if t.effective != nil {
			flags |= ptpFlagEffective
		}
		e.uvarint(flags)
		e.uvarint(uint64(len(t.codes)))
		for _, c := range t.codes {
			e.fixed(c, 5)
		}
		for c := range t.codes {
			e.uvarint(uint64(t.start[c+1] - t.start[c]))
		}
		col := make([]byte, 2*len(t.col2))
		for c := range t.codes {
			prev := uint16(0)
			for k := t.start[c]; k < t.start[c+1]; k++ {
				binary.LittleEndian.PutUint16(col[2*k:], t.col2[k]-prev)
				prev = t.col2[k]
			}
		}
		e.buf.Write(col)
		e.buf.Write(t.attr)
		e.buf.Write(t.rationale)
		e.uvarint(uint64(len(t.deletedAt)))
		prev := uint32(0)
		for i, k := range t.deletedAt {
			e.uvarint(uint64(k - prev))
			prev = k
			e.date(t.deletedDay[i])
		}
		if t.effective != nil {
			eff := make([]byte, 2*len(t.effective))
			for k, d := range t.effective {
				binary.LittleEndian.PutUint16(eff[2*k:], uint16(d))
			}
			e.buf.Write(eff)
		}
	})
}

// LoadPTP decodes a PTP table from its binary form.
func LoadPTP(data []byte) (*PTP, error) {
	m, d, err := open(data, KindPTP)
	if err != nil {
		return nil, err
	}
	return decodePTP(m, d)
}

const maxPairs = 1 << 25

func decodePTP(m Meta, d *decoder) (*PTP, error) {
	t := &PTP{meta: m}
	nr := d.count(255, "rationale count")
	for i := 0; i < nr && d.err == nil; i++ {
		t.rationales = append(t.rationales, d.str())
	}
	flags := d.uvarint()
	if flags > ptpFlagEffective|ptpFlagColumnar {
		d.fail("unknown flags %#x", flags)
	}
	n := d.count(1<<16, "code count")
	t.codes = make([]string, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		c := string(d.bytes(5))
		if d.err == nil && (!validProcedureCode(c) || i > 0 && c <= t.codes[i-1]) {
			d.fail("code %d %q out of order or malformed", i, c)
		}
		t.codes = append(t.codes, c)
	}
	if d.err != nil {
		return nil, d.err
	}
	if flags&ptpFlagColumnar == 0 {
		d.fail("not the columnar layout")
		return nil, d.err
	}
	return t.decodeColumns(d, nr, flags&ptpFlagEffective != 0)
}

// decodeColumns reads the columnar layout, checking every index, order
// and date.
func (t *PTP) decodeColumns(d *decoder, nr int, hasEffective bool) (*PTP, error) {
	n := len(t.codes)
	t.start = make([]uint32, n+1)
	total := 0
	for c := 0; c < n && d.err == nil; c++ {
		total += d.count(maxPairs-total, "pair count")
		t.start[c+1] = uint32(total)
	}
	col := d.bytes(2 * total)
	attr := d.bytes(total)
	rat := d.bytes(total)
	if d.err != nil {
		return nil, d.err
	}
	t.col2 = make([]uint16, total)
	for c := 0; c < n; c++ {
		v := uint32(0)
		for k := t.start[c]; k < t.start[c+1]; k++ {
			v += uint32(binary.LittleEndian.Uint16(col[2*k:]))
			if v >= uint32(n) {
				d.fail("pair %d: column-2 index %d out of range", k, v)
				return nil, d.err
			}
			t.col2[k] = uint16(v)
		}
	}
	deletedBits := 0
	for k, a := range attr {
		if a&^(attrIndicator|attrDeleted) != 0 || a&attrIndicator > 2 || int(rat[k]) >= nr {
			d.fail("pair %d: bad attribute or rationale", k)
			return nil, d.err
		}
		if a&attrDeleted != 0 {
			deletedBits++
		}
	}
	t.attr = append([]uint8(nil), attr...)
	t.rationale = append([]uint8(nil), rat...)
	nd := d.count(total, "deleted count")
	if nd != deletedBits {
		d.fail("%d deleted pairs listed, %d marked", nd, deletedBits)
	}
	t.deletedAt, t.deletedDay = make([]uint32, 0, nd), make([]Date, 0, nd)
	k := uint64(0)
	for i := 0; i < nd && d.err == nil; i++ {
		k += d.uvarint()
		day := d.date()
		if d.err == nil && (k >= uint64(total) || t.attr[k]&attrDeleted == 0 || i > 0 && uint32(k) <= t.deletedAt[i-1] || day.IsZero()) {
			d.fail("deleted pair %d out of order, unmarked or without a date", k)
		}
		t.deletedAt = append(t.deletedAt, uint32(k))
		t.deletedDay = append(t.deletedDay, day)
	}
	if hasEffective {
		eff := d.bytes(2 * total)
		if d.err == nil {
			t.effective = make([]Date, total)
			for k := range t.effective {
				t.effective[k] = Date(binary.LittleEndian.Uint16(eff[2*k:]))
			}
		}
	}
	if err := d.done(); err != nil {
		return nil, err
	}
	t.meta.Rows = total
	t.buildIndex()
	return t, nil
}

// validProcedureCode: a CPT or HCPCS code is 5 characters of A-Z and 0-9.
func validProcedureCode(c string) bool {
	return len(c) == 5 && upperAlnum(c)
}

func upperAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; !(b >= '0' && b <= '9' || b >= 'A' && b <= 'Z') {
			return false
		}
	}
	return true
}
