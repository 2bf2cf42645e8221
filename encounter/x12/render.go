package x12

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"codebench/encounter"
)

// Delimiters of the interchanges codebench writes (ISA16 and ISA11 say
// which; the checker reads them from the ISA).
const (
	elementSep    = '*'
	componentSep  = ':'
	repetitionSep = '^'
	segmentTerm   = '~'
)

// Version is the implementation guide the 837P follows.
const Version = "005010X222A1"

// MaxControl is the largest interchange control number (ISA13, 9 digits).
const MaxControl = 999_999_999

// Render writes the claim as one 837P interchange: one functional group,
// one transaction, one billing provider, one subscriber and (when the
// patient is not the subscriber) one patient, one claim. control is the
// interchange control number (ISA13, also GS06), allocated once per
// export key so that rendering the same revision again gives the same
// bytes; every date and time in the envelope is the claim's creation time.
func Render(c *encounter.Claim, env Envelope, control int) ([]byte, error) {
	if err := env.Check(); err != nil {
		return nil, fmt.Errorf("837P envelope: %w", err)
	}
	if control < 1 || control > MaxControl {
		return nil, fmt.Errorf("837P: control number %d outside 1-%d", control, MaxControl)
	}
	if len(c.Diagnoses) == 0 || len(c.Diagnoses) > 12 || len(c.Lines) == 0 || len(c.Lines) > 50 {
		return nil, fmt.Errorf("837P: %d diagnoses and %d lines; a claim takes 1-12 and 1-50", len(c.Diagnoses), len(c.Lines))
	}
	w := &writer{compact: env.Compact}
	created := c.Created.UTC()
	appSender, appReceiver := env.ApplicationSender, env.ApplicationReceiver
	if appSender == "" {
		appSender = env.SenderID
	}
	if appReceiver == "" {
		appReceiver = env.ReceiverID
	}
	ctl := fmt.Sprintf("%09d", control)
	// ISA: fixed width; the element separator follows ISA, the component
	// separator is ISA16.
	w.seg("ISA", "00", pad("", 10), "00", pad("", 10),
		env.SenderQualifier, pad(env.SenderID, 15), env.ReceiverQualifier, pad(env.ReceiverID, 15),
		created.Format("060102"), created.Format("1504"), string(repetitionSep), "00501", ctl, "0", env.Usage, string(componentSep))
	w.seg("GS", "HC", appSender, appReceiver, created.Format("20060102"), created.Format("1504"), strconv.Itoa(control), "X", Version)
	w.st = len(w.segs)
	w.seg("ST", "837", "0001", Version)
	w.seg("BHT", "0019", "00", ident(c.Key, 50), created.Format("20060102"), created.Format("1504"), "CH")

	// 1000A submitter, 1000B receiver.
	w.seg("NM1", "41", "2", clean(env.SubmitterName, 60), "", "", "", "", "46", env.SubmitterID)
	per := []string{"IC", clean(env.SubmitterContact, 60)}
	if env.SubmitterPhone != "" {
		per = append(per, "TE", env.SubmitterPhone)
	}
	if env.SubmitterEmail != "" {
		per = append(per, "EM", env.SubmitterEmail)
	}
	w.seg("PER", per...)
	w.seg("NM1", "40", "2", clean(env.ReceiverName, 60), "", "", "", "", "46", env.ReceiverETIN)

	// 2000A billing provider.
	w.seg("HL", "1", "", "20", "1")
	if t := c.Billing.Taxonomy; t != "" {
		w.seg("PRV", "BI", "PXC", t)
	}
	w.seg("NM1", "85", "2", clean(c.Billing.Name, 60), "", "", "", "", "XX", c.Billing.NPI)
	w.address(c.Billing.Address)
	w.seg("REF", "EI", c.Billing.TaxID)

	// 2000B subscriber.
	self := c.Coverage.PatientIsSubscriber()
	child := "1"
	if self {
		child = "0"
	}
	w.seg("HL", "2", "1", "22", child)
	rel := ""
	if self {
		rel = "18"
	}
	w.seg("SBR", "P", rel, ident(c.Coverage.Group, 50), "", "", "", "", "", filingIndicator[c.Coverage.PayerType])
	if self {
		w.person("IL", c.PatientName, "MI", c.Coverage.MemberID)
		w.address(c.Patient.Address)
		w.demographics(c.Patient.DateOfBirth, c.Patient.Sex)
	} else {
		s := c.Coverage.Subscriber
		w.person("IL", c.Subscriber, "MI", c.Coverage.MemberID)
		w.address(s.Address)
		w.demographics(s.DateOfBirth, s.Sex)
	}
	w.seg("NM1", "PR", "2", clean(c.Coverage.PayerName, 60), "", "", "", "", "PI", ident(c.Coverage.PayerID, 80))

	// 2000C patient, when not the subscriber.
	if !self {
		w.seg("HL", "3", "2", "23", "0")
		w.seg("PAT", patientRelationship[c.Coverage.Relationship])
		w.person("QC", c.PatientName, "", "")
		w.address(c.Patient.Address)
		w.demographics(c.Patient.DateOfBirth, c.Patient.Sex)
	}

	w.claim(c)
	w.seg("SE", strconv.Itoa(len(w.segs)-w.st+1), "0001")
	w.seg("GE", "1", strconv.Itoa(control))
	w.seg("IEA", "1", ctl)
	return w.bytes(), nil
}

// filingIndicator is SBR09, the claim filing indicator code.
var filingIndicator = map[encounter.PayerType]string{
	encounter.PayerMedicare:   "MB",
	encounter.PayerMedicaid:   "MC",
	encounter.PayerCommercial: "CI",
	encounter.PayerOther:      "ZZ",
}

// patientRelationship is PAT01, the patient's relationship to the
// insured: 01 spouse, 19 child, G8 other relationship.
var patientRelationship = map[string]string{
	encounter.RelSpouse: "01",
	encounter.RelChild:  "19",
	encounter.RelOther:  "G8",
}

// relatedCauses is CLM11-1: AA auto accident, EM employment, OA other
// accident.
var relatedCauses = map[string]string{
	encounter.AccidentAuto:       "AA",
	encounter.AccidentEmployment: "EM",
	encounter.AccidentOther:      "OA",
}

func (w *writer) claim(c *encounter.Claim) {
	// 2300 claim.
	clm := []string{ident(c.Key, 38), amount(c.TotalCharge), "", "",
		c.POS + string(componentSep) + "B" + string(componentSep) + c.Frequency, "Y", "A", "Y", "Y"}
	if code, ok := relatedCauses[c.Onset.AccidentType]; ok {
		cause := code
		if code == "AA" {
			cause += string(componentSep) + string(componentSep) + string(componentSep) + c.Onset.AccidentState
		}
		clm = append(clm, "", cause)
	}
	w.seg("CLM", clm...)
	if !c.Onset.Date.IsZero() {
		w.seg("DTP", "431", "D8", c.Onset.Date.Format("20060102"))
	}
	if !c.Onset.AccidentDate.IsZero() {
		w.seg("DTP", "439", "D8", c.Onset.AccidentDate.Format("20060102"))
	}
	if c.Frequency != encounter.FrequencyOriginal {
		w.seg("REF", "F8", ident(c.Resubmission.OriginalClaimNumber, 50))
	}
	if c.PriorAuth != "" {
		w.seg("REF", "G1", ident(c.PriorAuth, 50))
	}
	hi := make([]string, len(c.Diagnoses))
	for i, d := range c.Diagnoses {
		q := "ABF"
		if i == 0 {
			q = "ABK"
		}
		hi[i] = q + string(componentSep) + d.Code
	}
	w.seg("HI", hi...)

	// 2310A referring, 2310B rendering, 2310C service facility.
	if !c.Referring.IsZero() {
		w.person("DN", c.ReferringNm, "XX", c.Referring.NPI)
	}
	w.person("82", c.RenderingNm, "XX", c.Rendering.NPI)
	if t := c.Rendering.Taxonomy; t != "" {
		w.seg("PRV", "PE", "PXC", t)
	}
	if f := c.Facility; !f.IsZero() {
		if f.NPI != "" {
			w.seg("NM1", "77", "2", clean(f.Name, 60), "", "", "", "", "XX", f.NPI)
		} else {
			w.seg("NM1", "77", "2", clean(f.Name, 60))
		}
		w.address(f.Address)
	}

	// 2400 lines.
	for i, l := range c.Lines {
		w.seg("LX", strconv.Itoa(i+1))
		proc := "HC" + string(componentSep) + l.Code
		for _, m := range l.Modifiers {
			proc += string(componentSep) + m.Code
		}
		ptrs := make([]string, len(l.Pointers))
		for j, p := range l.Pointers {
			ptrs[j] = strconv.Itoa(p)
		}
		w.seg("SV1", proc, amount(l.Charge), "UN", strconv.Itoa(l.Units), "", "", strings.Join(ptrs, string(componentSep)))
		if c.From.Equal(c.To.Time) {
			w.seg("DTP", "472", "D8", c.From.Format("20060102"))
		} else {
			w.seg("DTP", "472", "RD8", c.From.Format("20060102")+"-"+c.To.Format("20060102"))
		}
		if n := l.NDC; !n.IsZero() {
			w.seg("LIN", "", "N4", n.Code)
			w.seg("CTP", "", "", "", string(n.Quantity), n.Unit)
		}
	}
}

// amount writes cents as an X12 decimal: "125", "125.5", "0".
func amount(cents int64) string {
	s := encounter.Cents(cents).String()
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "" || s == "-" {
		return "0"
	}
	return s
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s[:n]
	}
	return s + strings.Repeat(" ", n-len(s))
}

// latin folds the accented Latin letters of names and addresses to the
// X12 character set.
var latin = strings.NewReplacer(
	"á", "a", "à", "a", "â", "a", "ä", "a", "ã", "a", "å", "a", "Á", "A", "À", "A", "Â", "A", "Ä", "A", "Ã", "A", "Å", "A",
	"é", "e", "è", "e", "ê", "e", "ë", "e", "É", "E", "È", "E", "Ê", "E", "Ë", "E",
	"í", "i", "ì", "i", "î", "i", "ï", "i", "Í", "I", "Ì", "I", "Î", "I", "Ï", "I",
	"ó", "o", "ò", "o", "ô", "o", "ö", "o", "õ", "o", "ø", "o", "Ó", "O", "Ò", "O", "Ô", "O", "Ö", "O", "Õ", "O", "Ø", "O",
	"ú", "u", "ù", "u", "û", "u", "ü", "u", "Ú", "U", "Ù", "U", "Û", "U", "Ü", "U",
	"ñ", "n", "Ñ", "N", "ç", "c", "Ç", "C", "ß", "ss", "æ", "ae", "Æ", "AE", "œ", "oe", "Œ", "OE", "ý", "y", "ÿ", "y", "Ý", "Y",
	"’", "'", "‘", "'", "–", "-", "—", "-",
)

// clean makes free text an X12 element value: accents folded, upper
// case, delimiters and anything outside printable ASCII turned into
// spaces, runs of spaces collapsed, cut to max characters.
func clean(s string, max int) string {
	s = latin.Replace(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		if r > unicode.MaxASCII || r < ' ' || r == 0x7f || r == elementSep || r == componentSep || r == repetitionSep || r == segmentTerm {
			r = ' '
		}
		if r == ' ' {
			if space || b.Len() == 0 {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	out := strings.TrimRight(b.String(), " ")
	if len(out) > max {
		out = strings.TrimRight(out[:max], " ")
	}
	return out
}

// ident makes an identifier an element value: like clean, but its case
// is kept, since payers match claim numbers and member ids exactly.
func ident(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		if r > unicode.MaxASCII || r < ' ' || r == 0x7f || r == elementSep || r == componentSep || r == repetitionSep || r == segmentTerm {
			r = ' '
		}
		b.WriteRune(r)
	}
	out := strings.TrimSpace(b.String())
	if len(out) > max {
		out = out[:max]
	}
	return out
}

// writer collects segments.
type writer struct {
	segs    []string
	st      int // index of ST
	compact bool
}

// seg adds a segment, dropping trailing empty elements (X12 forbids
// them).
func (w *writer) seg(id string, elems ...string) {
	for len(elems) > 0 && elems[len(elems)-1] == "" {
		elems = elems[:len(elems)-1]
	}
	w.segs = append(w.segs, id+string(elementSep)+strings.Join(elems, string(elementSep)))
}

func (w *writer) person(entity string, n encounter.PersonName, idQual, id string) {
	first, middle := "", ""
	if len(n.Given) > 0 {
		first = n.Given[0]
	}
	if len(n.Given) > 1 {
		middle = strings.Join(n.Given[1:], " ")
	}
	suffix := ""
	for _, s := range n.Suffix {
		switch strings.ToUpper(strings.TrimSuffix(s, ".")) {
		case "JR", "SR", "II", "III", "IV":
			suffix = s // NM107 is a generation suffix; credentials are not sent
		}
	}
	elems := []string{entity, "1", clean(n.Family, 60), clean(first, 35), clean(middle, 25), "", clean(suffix, 10)}
	if id != "" {
		elems = append(elems, idQual, ident(id, 80))
	}
	w.seg("NM1", elems...)
}

func (w *writer) address(a encounter.Address) {
	if a.IsZero() {
		return
	}
	w.seg("N3", clean(a.Line1, 55), clean(a.Line2, 55))
	w.seg("N4", clean(a.City, 30), a.State, a.Zip)
}

func (w *writer) demographics(dob encounter.Date, sex string) {
	if dob.IsZero() {
		return
	}
	if sex == "" {
		sex = "U"
	}
	w.seg("DMG", "D8", dob.Format("20060102"), sex)
}

func (w *writer) bytes() []byte {
	term := string(segmentTerm)
	if !w.compact {
		term += "\n"
	}
	return []byte(strings.Join(w.segs, term) + term)
}

// ControlOf reads the interchange control number (ISA13) of an
// interchange Render wrote.
func ControlOf(data []byte) (int, error) {
	ic, err := Parse(data)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(ic.Segments[0].Elements[13])
}
