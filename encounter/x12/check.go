package x12

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"codebench/encounter"
)

// CheckError lists what is wrong with an interchange's structure.
type CheckError struct {
	Problems []string
}

func (e *CheckError) Error() string {
	return "837P structure: " + strings.Join(e.Problems, "; ")
}

// Check parses data and checks it as an 837P 005010X222A1 interchange of
// the shape codebench writes: the envelope (ISA element widths, GS, ST/SE,
// GE, IEA with their counts and matching control numbers), the loops in
// order (1000A, 1000B, 2000A/2010AA, 2000B/2010BA/2010BB, 2000C/2010CA,
// 2300, 2310A-C, 2400, 2410) with their required segments, HL numbering
// and parents, element lengths and codes, diagnosis pointers, the claim
// total against its lines, and REF*F8 on a replacement or void.
func Check(data []byte) error {
	ic, err := Parse(data)
	if err != nil {
		return &CheckError{Problems: []string{err.Error()}}
	}
	c := &checker{ic: ic, segs: ic.Segments}
	c.run()
	if len(c.probs) > 0 {
		return &CheckError{Problems: c.probs}
	}
	return nil
}

type checker struct {
	ic    *Interchange
	segs  []Segment
	i     int
	probs []string
}

func (c *checker) fail(s *Segment, format string, a ...any) {
	if len(c.probs) >= 30 {
		return
	}
	where := "end of interchange"
	if s != nil {
		where = fmt.Sprintf("segment %d (%s)", s.Pos, s.ID())
	}
	c.probs = append(c.probs, where+": "+fmt.Sprintf(format, a...))
}

// peek is the current segment, nil at the end.
func (c *checker) peek() *Segment {
	if c.i < len(c.segs) {
		return &c.segs[c.i]
	}
	return nil
}

// is tells whether the current segment has id and, when given, element 1
// equal to q.
func (c *checker) is(id, q string) bool {
	s := c.peek()
	return s != nil && s.ID() == id && (q == "" || s.El(1) == q)
}

// need consumes the segment id (with qualifier q) or reports it missing.
func (c *checker) need(id, q, loop string) *Segment {
	if c.is(id, q) {
		s := c.peek()
		c.i++
		return s
	}
	want := id
	if q != "" {
		want += "*" + q
	}
	c.fail(c.peek(), "want %s (%s), required here", want, loop)
	return nil
}

// opt consumes the segment when it is next.
func (c *checker) opt(id, q string) *Segment {
	if c.is(id, q) {
		s := c.peek()
		c.i++
		return s
	}
	return nil
}

var (
	decimal      = regexp.MustCompile(`^-?[0-9]{1,15}(\.[0-9]{1,2})?$`)
	quantity     = regexp.MustCompile(`^[0-9]{1,10}(\.[0-9]{1,3})?$`)
	date8        = regexp.MustCompile(`^[0-9]{8}$`)
	dateRange    = regexp.MustCompile(`^[0-9]{8}-[0-9]{8}$`)
	groupControl = regexp.MustCompile(`^[0-9]{1,9}$`)
	isaDate      = regexp.MustCompile(`^[0-9]{6}$`)
	isaTime      = regexp.MustCompile(`^[0-9]{4}$`)
	nineDigits   = regexp.MustCompile(`^[0-9]{9}$`)
	npiDigits    = regexp.MustCompile(`^[0-9]{10}$`)
	stateCode    = regexp.MustCompile(`^[A-Z]{2}$`)
	zipCode      = regexp.MustCompile(`^([0-9]{5}|[0-9]{9})$`)
	icdNoDot     = regexp.MustCompile(`^[A-Z][0-9A-Z]{2,6}$`)
	ndc11        = regexp.MustCompile(`^[0-9]{11}$`)
)

// length checks element n of s against min and max characters
// (required when min > 0).
func (c *checker) length(s *Segment, n, min, max int) {
	if s == nil {
		return
	}
	v := s.El(n)
	if v == "" && min == 0 {
		return
	}
	if len(v) < min || len(v) > max {
		c.fail(s, "%s%02d %q has %d characters; want %d-%d", s.ID(), n, clip(v), len(v), min, max)
	}
}

func (c *checker) match(s *Segment, n int, re *regexp.Regexp, what string) {
	if s != nil && !re.MatchString(s.El(n)) {
		c.fail(s, "%s%02d %q is not %s", s.ID(), n, clip(s.El(n)), what)
	}
}

func (c *checker) oneOf(s *Segment, n int, allowed ...string) {
	if s == nil {
		return
	}
	for _, a := range allowed {
		if s.El(n) == a {
			return
		}
	}
	c.fail(s, "%s%02d %q is not one of %s", s.ID(), n, clip(s.El(n)), strings.Join(allowed, ", "))
}

func (c *checker) run() {
	isa := c.need("ISA", "", "interchange header")
	c.isa(isa)
	gs := c.need("GS", "", "functional group header")
	if gs != nil {
		c.oneOf(gs, 1, "HC")
		c.length(gs, 2, 2, 15)
		c.length(gs, 3, 2, 15)
		c.match(gs, 4, date8, "a date CCYYMMDD")
		c.match(gs, 6, groupControl, "a group control number (1-9 digits)")
		c.oneOf(gs, 7, "X")
		c.oneOf(gs, 8, Version)
	}
	transactions := 0
	for c.is("ST", "") {
		transactions++
		c.transaction()
	}
	if transactions == 0 {
		c.fail(c.peek(), "want ST, the functional group holds no transaction")
	}
	if ge := c.need("GE", "", "functional group trailer"); ge != nil {
		if ge.El(1) != strconv.Itoa(transactions) {
			c.fail(ge, "GE01 %q; the group holds %d transaction(s)", ge.El(1), transactions)
		}
		if gs != nil && ge.El(2) != gs.El(6) {
			c.fail(ge, "GE02 %q does not match GS06 %q", ge.El(2), gs.El(6))
		}
	}
	if iea := c.need("IEA", "", "interchange trailer"); iea != nil {
		if iea.El(1) != "1" {
			c.fail(iea, "IEA01 %q; the interchange holds 1 functional group", iea.El(1))
		}
		if isa != nil && iea.El(2) != isa.El(13) {
			c.fail(iea, "IEA02 %q does not match ISA13 %q", iea.El(2), isa.El(13))
		}
	}
	if s := c.peek(); s != nil {
		c.fail(s, "segment after IEA")
	}
}

func (c *checker) isa(s *Segment) {
	if s == nil {
		return
	}
	widths := []int{0, 2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1}
	for n := 1; n <= 16; n++ {
		if len(s.El(n)) != widths[n] {
			c.fail(s, "ISA%02d %q has %d characters; the ISA is fixed width (%d)", n, s.El(n), len(s.El(n)), widths[n])
		}
	}
	c.match(s, 9, isaDate, "a date YYMMDD")
	c.match(s, 10, isaTime, "a time HHMM")
	c.oneOf(s, 12, "00501")
	c.match(s, 13, nineDigits, "a 9-digit control number")
	c.oneOf(s, 14, "0", "1")
	c.oneOf(s, 15, "P", "T")
}

func (c *checker) transaction() {
	st := c.need("ST", "", "transaction set header")
	start := c.i - 1
	c.oneOf(st, 1, "837")
	c.length(st, 2, 4, 9)
	c.oneOf(st, 3, Version)
	if bht := c.need("BHT", "", "beginning of hierarchical transaction"); bht != nil {
		c.oneOf(bht, 1, "0019")
		c.oneOf(bht, 2, "00", "18")
		c.length(bht, 3, 1, 50)
		c.match(bht, 4, date8, "a date CCYYMMDD")
		c.oneOf(bht, 6, "CH", "RP", "31")
	}
	// 1000A submitter, 1000B receiver.
	if nm := c.need("NM1", "41", "1000A submitter name"); nm != nil {
		c.oneOf(nm, 2, "1", "2")
		c.length(nm, 3, 1, 60)
		c.oneOf(nm, 8, "46")
		c.length(nm, 9, 2, 80)
	}
	if per := c.need("PER", "IC", "1000A submitter contact"); per != nil {
		c.oneOf(per, 3, "TE", "EM", "FX")
	}
	if nm := c.need("NM1", "40", "1000B receiver name"); nm != nil {
		c.length(nm, 3, 1, 60)
		c.oneOf(nm, 8, "46")
		c.length(nm, 9, 2, 80)
	}
	hl := map[string]string{} // HL01 -> HL03
	c.hierarchy(hl)
	se := c.need("SE", "", "transaction set trailer")
	if se != nil {
		count := c.i - start
		if se.El(1) != strconv.Itoa(count) {
			c.fail(se, "SE01 %q; the transaction holds %d segments from ST to SE", se.El(1), count)
		}
		if st != nil && se.El(2) != st.El(2) {
			c.fail(se, "SE02 %q does not match ST02 %q", se.El(2), st.El(2))
		}
	}
}

// hl consumes an HL segment of the level wanted and checks its numbering.
func (c *checker) hl(seen map[string]string, level, parentLevel, loop string) *Segment {
	s := c.peek()
	if s == nil || s.ID() != "HL" || s.El(3) != level {
		c.fail(s, "want HL with level %s (%s)", level, loop)
		return nil
	}
	c.i++
	if want := strconv.Itoa(len(seen) + 1); s.El(1) != want {
		c.fail(s, "HL01 %q; hierarchical ids count up from 1, want %s", s.El(1), want)
	}
	if parentLevel == "" {
		if s.El(2) != "" {
			c.fail(s, "HL02 %q: the billing provider level has no parent", s.El(2))
		}
	} else if seen[s.El(2)] != parentLevel {
		c.fail(s, "HL02 %q names no level %s HL before it", s.El(2), parentLevel)
	}
	seen[s.El(1)] = level
	c.oneOf(s, 4, "0", "1")
	return s
}

func (c *checker) hierarchy(seen map[string]string) {
	// 2000A billing provider.
	a := c.hl(seen, "20", "", "2000A billing provider")
	if prv := c.opt("PRV", "BI"); prv != nil {
		c.oneOf(prv, 2, "PXC")
		c.length(prv, 3, 10, 10)
	}
	if nm := c.need("NM1", "85", "2010AA billing provider name"); nm != nil {
		c.length(nm, 3, 1, 60)
		c.oneOf(nm, 8, "XX")
		c.match(nm, 9, npiDigits, "a 10-digit NPI")
	}
	c.addressLoop("2010AA billing provider", true)
	if ref := c.need("REF", "", "2010AA billing provider tax id"); ref != nil {
		c.oneOf(ref, 1, "EI", "SY")
		c.match(ref, 2, nineDigits, "a 9-digit tax id")
	}
	// 2000B subscriber.
	b := c.hl(seen, "22", "20", "2000B subscriber")
	if a != nil && a.El(4) != "1" {
		c.fail(a, "HL04 %q: the billing provider has a subscriber below it (1)", a.El(4))
	}
	sbr := c.need("SBR", "", "2000B subscriber information")
	if sbr != nil {
		c.oneOf(sbr, 1, "P", "S", "T")
		if sbr.El(2) != "" {
			c.oneOf(sbr, 2, "18")
		}
		c.length(sbr, 3, 0, 50)
		c.oneOf(sbr, 9, "MB", "MC", "CI", "BL", "HM", "ZZ", "16", "17", "CH", "VA", "WC", "OF", "LM", "MA")
	}
	if nm := c.need("NM1", "IL", "2010BA subscriber name"); nm != nil {
		c.person(nm)
		c.oneOf(nm, 8, "MI")
		c.length(nm, 9, 2, 80)
	}
	self := sbr != nil && sbr.El(2) == "18"
	if c.is("N3", "") || self {
		c.addressLoop("2010BA subscriber address", false)
	}
	if c.is("DMG", "") || self {
		c.demographics("2010BA subscriber demographics")
	}
	if nm := c.need("NM1", "PR", "2010BB payer name"); nm != nil {
		c.length(nm, 3, 1, 60)
		c.oneOf(nm, 8, "PI", "XV")
		c.length(nm, 9, 2, 80)
	}
	// 2000C patient.
	if c.is("HL", "") {
		if self {
			c.fail(c.peek(), "a patient level (2000C) under a subscriber who is the patient (SBR02 18)")
		}
		if b != nil && b.El(4) != "1" {
			c.fail(b, "HL04 %q: a patient level follows (1)", b.El(4))
		}
		c.hl(seen, "23", "22", "2000C patient")
		if pat := c.need("PAT", "", "2000C patient information"); pat != nil {
			c.oneOf(pat, 1, "01", "19", "20", "21", "39", "40", "53", "G8")
		}
		if nm := c.need("NM1", "QC", "2010CA patient name"); nm != nil {
			c.person(nm)
		}
		c.addressLoop("2010CA patient address", false)
		c.demographics("2010CA patient demographics")
	} else {
		if !self && sbr != nil {
			c.fail(c.peek(), "want HL level 23 (2000C patient): the subscriber is not the patient")
		}
		if b != nil && b.El(4) != "0" {
			c.fail(b, "HL04 %q: no patient level follows (0)", b.El(4))
		}
	}
	c.claim()
}

func (c *checker) person(nm *Segment) {
	c.oneOf(nm, 2, "1")
	c.length(nm, 3, 1, 60)
	c.length(nm, 4, 0, 35)
	c.length(nm, 5, 0, 25)
	c.length(nm, 7, 0, 10)
}

func (c *checker) addressLoop(loop string, nineDigitZip bool) {
	if n3 := c.need("N3", "", loop); n3 != nil {
		c.length(n3, 1, 1, 55)
		c.length(n3, 2, 0, 55)
	}
	if n4 := c.need("N4", "", loop); n4 != nil {
		c.length(n4, 1, 2, 30)
		c.match(n4, 2, stateCode, "a two-letter state code")
		if nineDigitZip {
			c.match(n4, 3, nineDigits, "a 9-digit ZIP code")
		} else {
			c.match(n4, 3, zipCode, "a 5- or 9-digit ZIP code")
		}
	}
}

func (c *checker) demographics(loop string) {
	if dmg := c.need("DMG", "", loop); dmg != nil {
		c.oneOf(dmg, 1, "D8")
		c.match(dmg, 2, date8, "a date CCYYMMDD")
		c.oneOf(dmg, 3, "F", "M", "U")
	}
}

// claim checks loop 2300 and what follows it.
func (c *checker) claim() {
	clm := c.need("CLM", "", "2300 claim information")
	frequency, pos := "", ""
	var total int64
	if clm != nil {
		c.length(clm, 1, 1, 38)
		c.match(clm, 2, decimal, "a monetary amount")
		total, _ = encounter.ParseCents(clm.El(2))
		parts := c.ic.Components(clm.El(5))
		if len(parts) != 3 || len(parts[0]) != 2 || parts[1] != "B" {
			c.fail(clm, "CLM05 %q is not place of service:B:frequency", clm.El(5))
		} else {
			pos, frequency = parts[0], parts[2]
			if frequency != encounter.FrequencyOriginal && frequency != encounter.FrequencyReplacement && frequency != encounter.FrequencyVoid {
				c.fail(clm, "CLM05-3 %q is not a claim frequency (1, 7, 8)", frequency)
			}
		}
		c.oneOf(clm, 6, "Y", "N")
		c.oneOf(clm, 7, "A", "B", "C")
		c.oneOf(clm, 8, "Y", "N", "W")
		c.oneOf(clm, 9, "I", "Y")
		if v := clm.El(11); v != "" {
			cause := c.ic.Components(v)
			switch cause[0] {
			case "AA":
				if len(cause) < 4 || len(cause[3]) != 2 {
					c.fail(clm, "CLM11 %q: an auto accident (AA) needs the state in CLM11-4", v)
				}
			case "EM", "OA":
			default:
				c.fail(clm, "CLM11-1 %q is not a related cause (AA, EM, OA)", cause[0])
			}
		}
	}
	for c.is("DTP", "") {
		d := c.opt("DTP", "")
		c.oneOf(d, 1, "431", "439", "454", "304", "453", "438", "484", "455", "471", "314", "360", "361", "297", "296", "435", "096", "090", "091", "444", "050")
		c.oneOf(d, 2, "D8")
		c.match(d, 3, date8, "a date CCYYMMDD")
	}
	f8 := false
	for c.is("REF", "") {
		r := c.opt("REF", "")
		c.oneOf(r, 1, "F8", "G1", "9F", "X4", "EA", "D9", "P4", "1J")
		c.length(r, 2, 1, 50)
		f8 = f8 || r.El(1) == "F8"
	}
	if (frequency == encounter.FrequencyReplacement || frequency == encounter.FrequencyVoid) && !f8 {
		c.fail(clm, "frequency %s needs REF*F8 with the payer's original claim number", frequency)
	}
	if frequency == encounter.FrequencyOriginal && f8 {
		c.fail(clm, "REF*F8 on an original claim (frequency 1)")
	}
	ndx := 0
	if hi := c.need("HI", "", "2300 health care diagnosis codes"); hi != nil {
		ndx = len(hi.Elements) - 1
		if ndx < 1 || ndx > 12 {
			c.fail(hi, "%d diagnosis codes; 1-12", ndx)
		}
		for n := 1; n < len(hi.Elements); n++ {
			parts := c.ic.Components(hi.El(n))
			want := "ABF"
			if n == 1 {
				want = "ABK"
			}
			if len(parts) != 2 || parts[0] != want || !icdNoDot.MatchString(parts[1]) {
				c.fail(hi, "HI%02d %q is not %s:code (ICD-10-CM without the dot)", n, hi.El(n), want)
			}
		}
	}
	// 2310A referring, 2310B rendering, 2310C service facility.
	if nm := c.opt("NM1", "DN"); nm != nil {
		c.person(nm)
		c.oneOf(nm, 8, "XX")
		c.match(nm, 9, npiDigits, "a 10-digit NPI")
	}
	if nm := c.opt("NM1", "82"); nm != nil {
		c.oneOf(nm, 2, "1", "2")
		c.length(nm, 3, 1, 60)
		c.oneOf(nm, 8, "XX")
		c.match(nm, 9, npiDigits, "a 10-digit NPI")
		if prv := c.opt("PRV", "PE"); prv != nil {
			c.oneOf(prv, 2, "PXC")
			c.length(prv, 3, 10, 10)
		}
	}
	facility := false
	if nm := c.opt("NM1", "77"); nm != nil {
		facility = true
		c.oneOf(nm, 2, "2")
		c.length(nm, 3, 1, 60)
		c.addressLoop("2310C service facility", true)
	}
	if (pos == "21" || pos == "22" || pos == "23") && !facility {
		c.fail(clm, "place of service %s needs the service facility (2310C NM1*77)", pos)
	}
	// 2400 lines.
	var sum int64
	lines := 0
	for c.is("LX", "") {
		lines++
		lx := c.opt("LX", "")
		if lx.El(1) != strconv.Itoa(lines) {
			c.fail(lx, "LX01 %q; service lines count up from 1, want %d", lx.El(1), lines)
		}
		if sv := c.need("SV1", "", "2400 professional service"); sv != nil {
			proc := c.ic.Components(sv.El(1))
			if len(proc) < 2 || len(proc) > 6 || (proc[0] != "HC" && proc[0] != "ER" && proc[0] != "WK") || len(proc[1]) != 5 {
				c.fail(sv, "SV101 %q is not HC:code[:modifiers] (up to 4 modifiers)", sv.El(1))
			}
			for _, m := range proc[min(2, len(proc)):] {
				if len(m) != 2 {
					c.fail(sv, "SV101 modifier %q is not 2 characters", m)
				}
			}
			c.match(sv, 2, decimal, "a monetary amount")
			amt, _ := encounter.ParseCents(sv.El(2))
			sum += amt
			c.oneOf(sv, 3, "UN", "MJ")
			c.match(sv, 4, quantity, "a quantity")
			ptrs := c.ic.Components(sv.El(7))
			if sv.El(7) == "" || len(ptrs) > 4 {
				c.fail(sv, "SV107 %q: 1-4 diagnosis pointers", sv.El(7))
			}
			for _, p := range ptrs {
				n, err := strconv.Atoi(p)
				if err != nil || n < 1 || n > ndx {
					c.fail(sv, "SV107 pointer %q names no HI diagnosis (1-%d)", p, ndx)
				}
			}
		}
		if d := c.need("DTP", "472", "2400 service date"); d != nil {
			switch d.El(2) {
			case "D8":
				c.match(d, 3, date8, "a date CCYYMMDD")
			case "RD8":
				c.match(d, 3, dateRange, "a date range CCYYMMDD-CCYYMMDD")
			default:
				c.fail(d, "DTP02 %q is not D8 or RD8", d.El(2))
			}
		}
		if lin := c.opt("LIN", ""); lin != nil {
			c.oneOf(lin, 2, "N4")
			c.match(lin, 3, ndc11, "an 11-digit NDC")
			if ctp := c.need("CTP", "", "2410 drug quantity"); ctp != nil {
				c.match(ctp, 4, quantity, "a quantity")
				c.oneOf(ctp, 5, "F2", "GR", "ME", "ML", "UN")
			}
		}
	}
	if lines == 0 {
		c.fail(c.peek(), "want LX (2400): the claim has no service line")
	}
	if lines > 50 {
		c.fail(clm, "%d service lines; an 837P claim takes 50", lines)
	}
	if clm != nil && sum != total {
		c.fail(clm, "CLM02 %s is not the sum of the lines' SV102, %s", clm.El(2), encounter.Cents(sum))
	}
}
