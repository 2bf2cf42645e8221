package payer

import (
	"fmt"
	"sort"
	"strings"
)

// PFS holds the Physician Fee Schedule payment policy indicators of the
// CMS relative value file (PPRRVU), one row per code and modifier (a
// blank modifier for the global service, 26 and TC for the components).
type PFS struct {
	meta Meta
	rows []PFSRow // sorted by code, then modifier
}

// PFSRow is one code's indicators. The fields keep CMS's one- or
// three-character values.
type PFSRow struct {
	Code     string
	Modifier string // "", "26", "TC", "53"
	// Status: A active, B bundled, C carrier priced, I not valid for
	// Medicare, R restricted, T injections, X statutory exclusion, ...
	Status byte
	// PCTC is the professional/technical component indicator, '0'-'9'.
	PCTC byte
	// Global is the global surgery period: 000, 010, 090, MMM, XXX, YYY,
	// ZZZ.
	Global string
	// MultProc, Bilateral, Assistant, CoSurgeon and Team are the
	// multiple-procedure, bilateral (modifier 50), assistant-at-surgery
	// (80, 81, 82), co-surgeon (62) and team-surgery (66) indicators,
	// '0'-'9'.
	MultProc, Bilateral, Assistant, CoSurgeon, Team byte
	// EndoBase is the endoscopic base code, if any.
	EndoBase string
	// FacilityNA and NonFacilityNA: CMS has no practice expense for the
	// service in that setting ("NA"); the service is not paid to
	// practitioners there.
	FacilityNA, NonFacilityNA bool
	// NotForMedicare: "+", the code's RVUs are not used for Medicare
	// payment.
	NotForMedicare bool
}

var globalPeriods = []string{"000", "010", "090", "MMM", "XXX", "YYY", "ZZZ"}

func (r PFSRow) check() error {
	switch {
	case !validProcedureCode(r.Code):
		return fmt.Errorf("%q is not a 5-character CPT or HCPCS code", r.Code)
	case len(r.Modifier) != 0 && len(r.Modifier) != 2:
		return fmt.Errorf("%s: modifier %q is not 2 characters", r.Code, r.Modifier)
	case r.Status < 'A' || r.Status > 'Z':
		return fmt.Errorf("%s: status %q is not a letter", r.Code, r.Status)
	case !isDigit(r.PCTC) || !isDigit(r.MultProc) || !isDigit(r.Bilateral) || !isDigit(r.Assistant) || !isDigit(r.CoSurgeon) || !isDigit(r.Team):
		return fmt.Errorf("%s: an indicator is not a digit", r.Code)
	case !contains(globalPeriods, r.Global):
		return fmt.Errorf("%s: global period %q is not one of %s", r.Code, r.Global, strings.Join(globalPeriods, ", "))
	case r.EndoBase != "" && !validProcedureCode(r.EndoBase):
		return fmt.Errorf("%s: endoscopic base %q is not a code", r.Code, r.EndoBase)
	}
	return nil
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// NewPFS builds the table; a code and modifier listed twice is an error.
func NewPFS(meta Meta, rows []PFSRow) (*PFS, error) {
	meta.Kind = KindPFS
	if err := meta.validate(); err != nil {
		return nil, err
	}
	meta.Rows = len(rows)
	t := &PFS{meta: meta, rows: append([]PFSRow(nil), rows...)}
	sort.SliceStable(t.rows, func(i, j int) bool { return pfsLess(t.rows[i], t.rows[j]) })
	for i, r := range t.rows {
		if err := r.check(); err != nil {
			return nil, err
		}
		if i > 0 && r.Code == t.rows[i-1].Code && r.Modifier == t.rows[i-1].Modifier {
			return nil, fmt.Errorf("%s%s is listed twice", r.Code, modSuffix(r.Modifier))
		}
	}
	return t, nil
}

func pfsLess(a, b PFSRow) bool {
	if a.Code != b.Code {
		return a.Code < b.Code
	}
	return a.Modifier < b.Modifier
}

func modSuffix(m string) string {
	if m == "" {
		return ""
	}
	return "-" + m
}

func (t *PFS) Meta() Meta { return t.meta }
func (t *PFS) Len() int   { return len(t.rows) }

// Lookup finds the row of a code with a modifier ("" for the code's
// global row).
func (t *PFS) Lookup(code, modifier string) (PFSRow, bool) {
	i := sort.Search(len(t.rows), func(k int) bool { return !pfsLess(t.rows[k], PFSRow{Code: code, Modifier: modifier}) })
	if i < len(t.rows) && t.rows[i].Code == code && t.rows[i].Modifier == modifier {
		return t.rows[i], true
	}
	return PFSRow{}, false
}

// Rows lists every row in code order.
func (t *PFS) Rows() []PFSRow { return append([]PFSRow(nil), t.rows...) }

// Payload: row count; per row: 5-byte code, modifier string, status,
// PCTC, 3-byte global period, multiple, bilateral, assistant, co-surgeon
// and team bytes, flags byte (1 facility NA, 2 non-facility NA, 4 not for
// Medicare), endoscopic base string.

const (
	pfsFacilityNA = 1 << iota
	pfsNonFacilityNA
	pfsNotForMedicare
)

func (t *PFS) MarshalBinary() ([]byte, error) {
	return seal(t.meta, func(e *encoder) {
		e.uvarint(uint64(len(t.rows)))
		for _, r := range t.rows {
			e.fixed(r.Code, 5)
			e.str(r.Modifier)
			e.byte(r.Status)
			e.byte(r.PCTC)
			e.fixed(r.Global, 3)
			for _, b := range []byte{r.MultProc, r.Bilateral, r.Assistant, r.CoSurgeon, r.Team} {
				e.byte(b)
			}
			var f byte
			if r.FacilityNA {
				f |= pfsFacilityNA
			}
			if r.NonFacilityNA {
				f |= pfsNonFacilityNA
			}
			if r.NotForMedicare {
				f |= pfsNotForMedicare
			}
			e.byte(f)
			e.str(r.EndoBase)
		}
	})
}

// LoadPFS decodes a PFS table from its binary form.
func LoadPFS(data []byte) (*PFS, error) {
	m, d, err := open(data, KindPFS)
	if err != nil {
		return nil, err
	}
	return decodePFS(m, d)
}

func decodePFS(m Meta, d *decoder) (*PFS, error) {
	t := &PFS{meta: m}
	n := d.count(1<<20, "row count")
	t.rows = make([]PFSRow, 0, min(n, (len(d.b)-d.off)/16))
	for i := 0; i < n && d.err == nil; i++ {
		r := PFSRow{Code: string(d.bytes(5)), Modifier: d.str(), Status: d.byte(), PCTC: d.byte(), Global: string(d.bytes(3))}
		r.MultProc, r.Bilateral, r.Assistant, r.CoSurgeon, r.Team = d.byte(), d.byte(), d.byte(), d.byte(), d.byte()
		f := d.byte()
		r.FacilityNA, r.NonFacilityNA, r.NotForMedicare = f&pfsFacilityNA != 0, f&pfsNonFacilityNA != 0, f&pfsNotForMedicare != 0
		r.EndoBase = d.str()
		if d.err != nil {
			break
		}
		if err := r.check(); err != nil || f > 7 || i > 0 && !pfsLess(t.rows[i-1], r) {
			d.fail("row %d (%q) malformed or out of order", i, r.Code)
			break
		}
		t.rows = append(t.rows, r)
	}
	if err := d.done(); err != nil {
		return nil, err
	}
	return t, nil
}
