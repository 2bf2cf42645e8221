package payer

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// The binary form of a table, gzip-compressed:
//
//	magic    "CBPAYER\x00"
//	version  uvarint (formatVersion)
//	kind     string (uvarint length, bytes)
//	meta     string holding Meta as JSON
//	payload  the table's own layout (see each table's encode)
//	crc      4 bytes, little-endian CRC-32 (IEEE) of everything before
//
// Imported tables are stored in this form, and embedded ones are too, so
// one decoder, which trusts nothing it reads, serves both.

const (
	magic = "CBPAYER\x00"
	// formatVersion 2: the PTP pairs in columns.
	formatVersion = 2
	// maxTableSize bounds a decompressed table: the PTP table, the
	// largest, is about 12 MB.
	maxTableSize = 256 << 20
	maxString    = 1 << 16
)

// encoder builds the uncompressed form.
type encoder struct{ buf bytes.Buffer }

func (e *encoder) uvarint(v uint64) {
	var b [binary.MaxVarintLen64]byte
	e.buf.Write(b[:binary.PutUvarint(b[:], v)])
}

func (e *encoder) byte(b byte) { e.buf.WriteByte(b) }

func (e *encoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.buf.WriteString(s)
}

// fixed writes s padded or cut to n bytes (codes of a known width).
func (e *encoder) fixed(s string, n int) {
	b := make([]byte, n)
	copy(b, s)
	e.buf.Write(b)
}

func (e *encoder) date(t Date) { e.uvarint(uint64(t)) }

// seal wraps a payload with the header and checksum and compresses it.
func seal(m Meta, payload func(*encoder)) ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	meta, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	e := &encoder{}
	e.buf.WriteString(magic)
	e.uvarint(formatVersion)
	e.str(string(m.Kind))
	e.str(string(meta))
	payload(e)
	var crc [4]byte
	binary.LittleEndian.PutUint32(crc[:], crc32.ChecksumIEEE(e.buf.Bytes()))
	e.buf.Write(crc[:])
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if _, err := zw.Write(e.buf.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// ErrDamaged wraps every decoding error: the data is not a table this
// version can read.
var ErrDamaged = errors.New("payer table damaged or not a codebench payer table")

// decoder reads a payload, remembering the first error; every read
// checks its bounds, so damaged or hostile input cannot panic.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) fail(format string, a ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: at byte %d: %s", ErrDamaged, d.off, fmt.Sprintf(format, a...))
	}
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail("bad number")
		return 0
	}
	d.off += n
	return v
}

// count reads a length that must not exceed max.
func (d *decoder) count(max int, what string) int {
	v := d.uvarint()
	if v > uint64(max) {
		d.fail("%s %d exceeds %d", what, v, max)
		return 0
	}
	return int(v)
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.b) {
		d.fail("truncated")
		return 0
	}
	d.off++
	return d.b[d.off-1]
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b)-d.off {
		d.fail("truncated")
		return nil
	}
	d.off += n
	return d.b[d.off-n : d.off]
}

func (d *decoder) str() string { return string(d.bytes(d.count(maxString, "string length"))) }

func (d *decoder) date() Date {
	v := d.uvarint()
	if v > maxDay {
		d.fail("date out of range")
		return 0
	}
	return Date(v)
}

// open decompresses and checks a table's binary form and returns its
// metadata and a decoder positioned at the payload. want "" accepts any
// kind.
func open(data []byte, want Kind) (Meta, *decoder, error) {
	if len(data) > maxTableSize {
		return Meta{}, nil, fmt.Errorf("%w: larger than %d MB", ErrDamaged, maxTableSize>>20)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return Meta{}, nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, maxTableSize+1))
	if err != nil {
		return Meta{}, nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	if len(raw) > maxTableSize {
		return Meta{}, nil, fmt.Errorf("%w: larger than %d MB", ErrDamaged, maxTableSize>>20)
	}
	if len(raw) < len(magic)+4 || string(raw[:len(magic)]) != magic {
		return Meta{}, nil, fmt.Errorf("%w: no codebench payer table header", ErrDamaged)
	}
	body, sum := raw[:len(raw)-4], raw[len(raw)-4:]
	if crc32.ChecksumIEEE(body) != binary.LittleEndian.Uint32(sum) {
		return Meta{}, nil, fmt.Errorf("%w: checksum mismatch", ErrDamaged)
	}
	d := &decoder{b: body, off: len(magic)}
	if v := d.uvarint(); d.err == nil && v != formatVersion {
		return Meta{}, nil, fmt.Errorf("%w: format version %d, this program reads %d", ErrDamaged, v, formatVersion)
	}
	kind := Kind(d.str())
	metaJSON := d.bytes(d.count(maxString, "metadata length"))
	if d.err != nil {
		return Meta{}, nil, d.err
	}
	if want != "" && kind != want {
		return Meta{}, nil, fmt.Errorf("%w: a %q table, want %q", ErrDamaged, kind, want)
	}
	var m Meta
	if err := json.Unmarshal(metaJSON, &m); err != nil {
		return Meta{}, nil, fmt.Errorf("%w: metadata: %v", ErrDamaged, err)
	}
	if m.Kind != kind {
		return Meta{}, nil, fmt.Errorf("%w: metadata names a %q table in a %q one", ErrDamaged, m.Kind, kind)
	}
	if err := m.validate(); err != nil {
		return Meta{}, nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	return m, d, nil
}

// done checks that the payload was read to its end.
func (d *decoder) done() error {
	if d.err == nil && d.off != len(d.b) {
		d.fail("%d bytes left after the table", len(d.b)-d.off)
	}
	return d.err
}

// Load decodes a table of any kind from its binary form.
func Load(data []byte) (Table, error) {
	m, d, err := open(data, "")
	if err != nil {
		return nil, err
	}
	switch m.Kind {
	case KindPTP:
		return decodePTP(m, d)
	case KindMUE:
		return decodeMUE(m, d)
	case KindAddOn:
		return decodeAddOn(m, d)
	case KindPFS:
		return decodePFS(m, d)
	case KindMCE, KindMCEPrincipal:
		return decodeMCE(m, d)
	}
	return nil, fmt.Errorf("%w: unknown table kind %q", ErrDamaged, m.Kind)
}

// ReadMeta reads a table's metadata without decoding its rows (and
// without checking them: Load does).
func ReadMeta(data []byte) (Meta, error) { return readHeader(data) }
