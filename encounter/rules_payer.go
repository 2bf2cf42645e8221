package encounter

import (
	"fmt"
	"regexp"
	"strings"
)

// What a payer needs besides the coding: the coverage and subscriber, the
// billing provider, the service facility, the dates of an injury, the
// drug detail of a drug line (837P 005010X222A1 and the CMS-1500).

const (
	RuleCoverage        = "payer.coverage"
	RuleMemberID        = "payer.member-id"
	RuleSubscriber      = "payer.subscriber"
	RuleBillingProvider = "payer.billing-provider"
	RuleServiceFacility = "payer.service-facility"
	RuleReferring       = "payer.referring-provider"
	RuleInjuryDate      = "payer.injury-date"
	RuleAccident        = "payer.accident"
	RuleNDC             = "payer.ndc"
	RulePatientAddress  = "payer.patient-address"
	RulePatientName     = "payer.patient-name"
)

// src837P cites the implementation guide every 837P rule rests on.
const src837P = "ASC X12N 837P 005010X222A1 "

var payerFamily = family{
	name: "payer",
	rules: []RuleInfo{
		{RuleCoverage, Error, false, srcCMS1500 + "items 1, 11; " + src837P + "2000B SBR, 2010BB NM1*PR", "no payer: the claim names no coverage (payer id, name and type)"},
		{RuleMemberID, Error, false, srcCMS1500 + "item 1a; " + src837P + "2010BA NM109", "the subscriber's member id is missing"},
		{RulePatientName, Error, false, srcCMS1500 + "item 2; " + src837P + "2010BA/2010CA NM103", "the patient's name is missing"},
		{RulePatientAddress, Error, false, srcCMS1500 + "item 5; " + src837P + "2010BA/2010CA N3, N4", "the patient's address is missing"},
		{RuleSubscriber, Error, false, srcCMS1500 + "items 4, 6, 7, 11a; " + src837P + "2000C PAT01, 2010BA NM1/DMG", "the patient is not the subscriber and the subscriber's name, date of birth or sex is missing (a warning when a subscriber is given for a self relationship)"},
		{RuleBillingProvider, Error, false, srcCMS1500 + "items 25, 33; " + src837P + "2010AA NM1, N3, N4, REF*EI", "the billing provider's NPI (with its check digit), name, street address with a 9-digit ZIP, or tax id is missing or malformed"},
		{RuleServiceFacility, Error, false, srcCMS1500 + "item 32; " + src837P + "2310C", "a hospital place of service (21, 22, 23) without the service facility, or a facility without a 9-digit ZIP or with a bad NPI"},
		{RuleReferring, Error, false, srcCMS1500 + "item 17; " + src837P + "2310A NM109", "a referring provider without a valid NPI"},
		{RuleInjuryDate, Error, true, srcCMS1500 + "items 10, 14; " + src837P + "2300 DTP*431, DTP*439", "an injury code (S00-T34, T66-T79) without an onset or accident date"},
		{RuleAccident, Error, false, srcCMS1500 + "item 10; " + src837P + "2300 CLM11, DTP*439", "an accident without its type or date, an auto accident without its state, or an onset or accident date after the date of service"},
		{RuleNDC, Warning, false, "Deficit Reduction Act of 2005 s. 6002 (Medicaid NDC for physician-administered drugs); " + src837P + "2410 LIN03", "a J-code drug line without its NDC: an error for Medicaid, a warning for other payers, whose rules vary"},
	},
	check: (*validator).payer,
}

// hospitalPOS are the places of service whose claims need the facility
// (837P 2310C is required when the service was not at the billing
// provider's address; these are never the practice's).
var hospitalPOS = map[string]bool{"21": true, "22": true, "23": true}

var poBoxPattern = regexp.MustCompile(`(?i)\bP\.?\s*O\.?\s*BOX\b|\bPOST OFFICE BOX\b`)

func (v *validator) payer() {
	v.coverage()
	v.billingProvider()
	v.facilityAndReferring()
	v.injuryDates()
	v.drugLines()
}

func (v *validator) coverage() {
	if strings.TrimSpace(v.enc.Patient.Name) == "" {
		v.add(RulePatientName, Error, "claim", nil, "the patient's name is missing")
	}
	c := v.enc.Coverage
	if c.PayerID == "" || c.PayerName == "" || c.PayerType == "" {
		v.add(RuleCoverage, Error, "claim", nil, "no payer: add the coverage (payer id, payer name, payer type) from the patient's insurance card")
		return
	}
	if v.enc.Patient.Address.IsZero() {
		v.add(RulePatientAddress, Error, "claim", nil, "the patient's address is missing (street, city, state, ZIP)")
	}
	if c.MemberID == "" {
		v.add(RuleMemberID, Error, "claim", nil, "member id missing for %s: copy it from the insurance card", c.PayerName)
	}
	s := c.Subscriber
	if c.PatientIsSubscriber() {
		if !s.IsZero() {
			v.add(RuleSubscriber, Warning, "claim", nil, "a subscriber is given, but the relationship is self: the patient is the subscriber and the subscriber given is not sent")
		}
		return
	}
	var missing []string
	if strings.TrimSpace(s.Name) == "" {
		missing = append(missing, "name")
	}
	if s.DateOfBirth.IsZero() {
		missing = append(missing, "date of birth")
	}
	if s.Sex == "" {
		missing = append(missing, "sex")
	}
	if len(missing) > 0 {
		v.add(RuleSubscriber, Error, "claim", nil, "the patient is the subscriber's %s: the subscriber's %s missing", c.Relationship, strings.Join(missing, ", "))
	}
}

func (v *validator) billingProvider() {
	b := v.enc.BillingProvider
	if b.IsZero() {
		v.add(RuleBillingProvider, Error, "claim", nil, "billing provider missing: the practice's NPI, name, address and tax id")
		return
	}
	var probs []string
	if msg := npiProblem(b.NPI); msg != "" {
		probs = append(probs, "NPI "+msg)
	}
	if strings.TrimSpace(b.Name) == "" {
		probs = append(probs, "name missing")
	}
	if b.TaxID == "" {
		probs = append(probs, "tax id (EIN) missing")
	}
	probs = append(probs, addressProblems(b.Address, true)...)
	if len(probs) > 0 {
		v.add(RuleBillingProvider, Error, "claim", nil, "billing provider: %s", strings.Join(probs, "; "))
	}
}

// addressProblems lists what a provider address lacks for the 837P: a
// street address (no post office box where the service or billing
// happens) and, for billing and facility addresses, a 9-digit ZIP.
func addressProblems(a Address, noPOBox bool) []string {
	if a.IsZero() {
		return []string{"address missing"}
	}
	var probs []string
	if msg := a.problem(); msg != "" {
		probs = append(probs, "address: "+msg)
	}
	if len(a.Zip) == 5 {
		probs = append(probs, fmt.Sprintf("ZIP %s needs its 4-digit extension (ZIP+4)", a.Zip))
	}
	if noPOBox && (poBoxPattern.MatchString(a.Line1) || poBoxPattern.MatchString(a.Line2)) {
		probs = append(probs, "a post office box is not a street address (send it as the pay-to address)")
	}
	return probs
}

func npiProblem(npi string) string {
	switch {
	case npi == "":
		return "missing"
	case !ValidNPI(npi):
		return fmt.Sprintf("%s fails its check digit", npi)
	}
	return ""
}

func (v *validator) facilityAndReferring() {
	e := v.enc
	f := e.ServiceFacility
	switch {
	case f.IsZero() && hospitalPOS[e.PlaceOfService]:
		name, _ := PlaceOfService(e.PlaceOfService)
		v.add(RuleServiceFacility, Error, "claim", nil, "place of service %s (%s) needs the service facility: the hospital's name, address and NPI", e.PlaceOfService, strings.ToLower(name))
	case !f.IsZero():
		var probs []string
		if f.NPI != "" && !ValidNPI(f.NPI) {
			probs = append(probs, "NPI "+npiProblem(f.NPI))
		}
		if strings.TrimSpace(f.Name) == "" {
			probs = append(probs, "name missing")
		}
		probs = append(probs, addressProblems(f.Address, true)...)
		if len(probs) > 0 {
			v.add(RuleServiceFacility, Error, "claim", nil, "service facility: %s", strings.Join(probs, "; "))
		}
	}
	if r := e.ReferringProvider; !r.IsZero() {
		if msg := npiProblem(r.NPI); msg != "" {
			v.add(RuleReferring, Error, "claim", nil, "referring provider %q: NPI %s", r.Name, msg)
		}
	}
}

// injuryCode tells whether an ICD-10-CM code is an injury or another
// effect of an external cause whose date payers ask for: S00-T34
// (injuries, burns, frostbite) and T66-T79 (other effects of external
// causes, complications of trauma). Poisonings, adverse effects and
// complications of care (T36-T65, T80-T88) are not.
func injuryCode(code string) bool {
	if len(code) < 3 {
		return false
	}
	if code[0] == 'S' {
		return true
	}
	if code[0] != 'T' || code[1] < '0' || code[1] > '9' || code[2] < '0' || code[2] > '9' {
		return false
	}
	n := int(code[1]-'0')*10 + int(code[2]-'0')
	return n <= 34 || n >= 66 && n <= 79
}

func (v *validator) injuryDates() {
	e := v.enc
	o := e.Onset
	from := e.Service.From
	if o.AccidentType != "" && o.AccidentDate.IsZero() {
		v.add(RuleAccident, Error, "claim", nil, "an accident (%s) needs its date", o.AccidentType)
	}
	if o.AccidentType == "" && !o.AccidentDate.IsZero() {
		v.add(RuleAccident, Error, "claim", nil, "accident date %s without the accident's type (auto, employment, other)", o.AccidentDate)
	}
	if o.AccidentType == AccidentAuto && o.AccidentState == "" {
		v.add(RuleAccident, Error, "claim", nil, "an auto accident needs the state where it happened")
	}
	for _, d := range []struct {
		what string
		date Date
	}{{"onset date", o.Date}, {"accident date", o.AccidentDate}} {
		if !d.date.IsZero() && !from.IsZero() && d.date.After(from.Time) {
			v.add(RuleAccident, Error, "claim", nil, "%s %s is after the date of service %s", d.what, d.date, from)
		}
	}
	if !o.Date.IsZero() || !o.AccidentDate.IsZero() {
		return
	}
	for i, d := range v.dxs {
		if injuryCode(d.code) {
			v.add(RuleInjuryDate, Error, dxTarget(i), []string{d.code}, "%s is an injury: give the date of the injury (onset) or of the accident that caused it", icdDisplay(d.code))
			return // one edit: the date is the claim's
		}
	}
}

// drugLines: a J-code (drugs administered other than oral method,
// chemotherapy, immunosuppressive and inhalation drugs) needs the NDC of
// the drug given: Medicaid by law, other payers by contract.
func (v *validator) drugLines() {
	payerType := v.enc.Coverage.PayerType
	for i, l := range v.enc.Lines {
		target, code := lineTarget(i), v.lines[i].code
		if !strings.HasPrefix(code, "J") || !l.NDC.IsZero() {
			continue
		}
		if payerType == PayerMedicaid {
			v.add(RuleNDC, Error, target, []string{code}, "line %d: %s is a drug; Medicaid requires the NDC of the drug given, with unit and quantity", i+1, code)
		} else {
			v.add(RuleNDC, Warning, target, []string{code}, "line %d: %s is a drug without its NDC; many payers deny drug lines without one (add NDC, unit and quantity)", i+1, code)
		}
	}
}
