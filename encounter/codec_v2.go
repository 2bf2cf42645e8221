package encounter

import (
	"regexp"
	"slices"
	"strings"
)

// Readers of the fields codebench.encounter/v2 added.

// MaxCharge bounds a line charge in cents ($1 billion), far above any
// professional service, so totals never overflow.
const MaxCharge = 100_000_000_000

var (
	statePattern    = regexp.MustCompile(`^[A-Z]{2}$`)
	zipPattern      = regexp.MustCompile(`^([0-9]{5}|[0-9]{9})$`)
	taxonomyPattern = regexp.MustCompile(`^[0-9]{3}[0-9A-Z]{6}X$`)
	taxIDPattern    = regexp.MustCompile(`^([0-9]{9}|[0-9]{2}-[0-9]{7})$`)
	zipInputPattern = regexp.MustCompile(`^([0-9]{5}|[0-9]{9}|[0-9]{5}-[0-9]{4})$`)
	// refPattern: payer ids, member ids, group, prior authorisation and
	// claim numbers, as X12 identifiers (AN, 1-50) without the delimiters
	// an 837P uses.
	refPattern        = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z -]{0,49}$`)
	refPatternMessage = "1-50 letters, digits, spaces or '-', starting with a letter or digit"
	decimalPattern    = regexp.MustCompile(`^[0-9]{1,7}(\.[0-9]{1,3})?$`)
)

// provider roles: which fields each takes.
type providerRole int

const (
	roleRendering providerRole = iota
	roleBilling
	roleReferring
	roleFacility
)

func (r *reader) provider(path string, n *jnode, p *Provider, role providerRole) {
	npi := field{"npi", role == roleBilling, func(fp string, n *jnode) { p.NPI, _ = r.optMatch(fp, n, npiPattern, "a 10-digit NPI") }}
	name := field{"name", false, func(fp string, n *jnode) { p.Name, _ = r.str(fp, n, maxNameLen) }}
	if role == roleBilling || role == roleFacility {
		name = field{"name", true, func(fp string, n *jnode) { p.Name = r.nonBlank(fp, n, maxNameLen) }}
	}
	taxonomy := field{"taxonomy", false, func(fp string, n *jnode) {
		if s, ok := r.optMatch(fp, n, taxonomyPattern, "a NUCC taxonomy code (10 characters ending in X, e.g. 207Q00000X)"); ok {
			p.Taxonomy = s
		}
	}}
	taxID := field{"tax_id", false, func(fp string, n *jnode) {
		if s, ok := r.optMatch(fp, n, taxIDPattern, "an employer identification number (9 digits, or 12-3456789)"); ok {
			p.TaxID = strings.ReplaceAll(s, "-", "")
		}
	}}
	address := field{"address", role == roleBilling || role == roleFacility, func(fp string, n *jnode) { p.Address = r.address(fp, n) }}
	switch role {
	case roleRendering:
		r.objectV2(path, n, []field{npi, name}, []field{taxonomy})
	case roleBilling:
		r.object(path, n, []field{npi, name, taxonomy, taxID, address})
	case roleReferring:
		r.object(path, n, []field{npi, name})
	case roleFacility:
		r.object(path, n, []field{npi, name, address})
	}
}

func (r *reader) address(path string, n *jnode) Address {
	var a Address
	line := func(dst *string) func(string, *jnode) {
		return func(fp string, n *jnode) { *dst, _ = r.str(fp, n, 55) } // N301/N302: 55 characters
	}
	r.object(path, n, []field{
		{"line1", true, func(fp string, n *jnode) { a.Line1 = r.nonBlank(fp, n, 55) }},
		{"line2", false, line(&a.Line2)},
		{"city", true, func(fp string, n *jnode) { a.City = r.nonBlank(fp, n, 30) }}, // N401
		{"state", true, func(fp string, n *jnode) {
			a.State, _ = r.match(fp, n, statePattern, "a two-letter USPS state code in capitals")
		}},
		{"zip", true, func(fp string, n *jnode) {
			if s, ok := r.match(fp, n, zipInputPattern, "a ZIP code (5 digits, or ZIP+4 as 9 digits or 12345-6789)"); ok {
				a.Zip = strings.ReplaceAll(s, "-", "")
			}
		}},
	})
	return a
}

func (r *reader) coverage(path string, n *jnode, c *Coverage) {
	ref := func(dst *string) func(string, *jnode) {
		return func(fp string, n *jnode) { *dst, _ = r.optMatch(fp, n, refPattern, refPatternMessage) }
	}
	r.object(path, n, []field{
		{"payer_id", true, ref(&c.PayerID)},
		{"payer_name", true, func(fp string, n *jnode) { c.PayerName = r.nonBlank(fp, n, 60) }}, // NM103: 60
		{"payer_type", true, func(fp string, n *jnode) {
			if s, ok := r.str(fp, n, 20); ok {
				if !slices.Contains(PayerTypes, PayerType(s)) {
					r.fail(fp, n, "%q is not a payer type (%s)", s, joinStrings(PayerTypes))
					return
				}
				c.PayerType = PayerType(s)
			}
		}},
		{"member_id", false, ref(&c.MemberID)},
		{"group", false, ref(&c.Group)},
		{"relationship", false, func(fp string, n *jnode) {
			if s, ok := r.str(fp, n, 20); ok {
				if s != "" && !slices.Contains(Relationships, s) {
					r.fail(fp, n, "%q is not a relationship to the subscriber (%s)", s, strings.Join(Relationships, ", "))
					return
				}
				c.Relationship = s
			}
		}},
		{"subscriber", false, func(fp string, n *jnode) { c.Subscriber = r.person(fp, n) }},
	})
}

func (r *reader) person(path string, n *jnode) Person {
	var p Person
	r.object(path, n, []field{
		{"name", true, func(fp string, n *jnode) { p.Name = r.nonBlank(fp, n, maxNameLen) }},
		{"date_of_birth", false, func(fp string, n *jnode) { p.DateOfBirth, _ = r.date(fp, n) }},
		{"sex", false, func(fp string, n *jnode) { p.Sex = r.sex(fp, n) }},
		{"address", false, func(fp string, n *jnode) { p.Address = r.address(fp, n) }},
	})
	return p
}

// nonBlank reads a one-line string that must hold more than spaces.
func (r *reader) nonBlank(path string, n *jnode, max int) string {
	s, ok := r.str(path, n, max)
	if ok && strings.TrimSpace(s) == "" {
		r.fail(path, n, "empty; a value is required")
		return ""
	}
	return s
}

func (r *reader) sex(path string, n *jnode) string {
	s, ok := r.str(path, n, 1)
	if !ok {
		return ""
	}
	switch s {
	case "F", "M", "U", "":
		return s
	}
	r.fail(path, n, "%q is not F, M or U", s)
	return ""
}

func (r *reader) onset(path string, n *jnode, o *Onset) {
	r.object(path, n, []field{
		{"date", false, func(fp string, n *jnode) { o.Date, _ = r.date(fp, n) }},
		{"accident_date", false, func(fp string, n *jnode) { o.AccidentDate, _ = r.date(fp, n) }},
		{"accident_type", false, func(fp string, n *jnode) {
			if s, ok := r.str(fp, n, 20); ok {
				if s != "" && !slices.Contains(AccidentTypes, s) {
					r.fail(fp, n, "%q is not an accident type (%s)", s, strings.Join(AccidentTypes, ", "))
					return
				}
				o.AccidentType = s
			}
		}},
		{"accident_state", false, func(fp string, n *jnode) {
			o.AccidentState, _ = r.optMatch(fp, n, statePattern, "a two-letter USPS state code in capitals")
		}},
	})
}

func (r *reader) ndc(path string, n *jnode, d *NDC) {
	r.object(path, n, []field{
		{"code", true, func(fp string, n *jnode) {
			if s, ok := r.str(fp, n, 13); ok {
				code, good := CanonicalNDC(s)
				if !good {
					r.fail(fp, n, "%q is not an NDC (11 digits, or 10 with hyphens as 4-4-2, 5-3-2 or 5-4-1)", s)
					return
				}
				d.Code = code
			}
		}},
		{"unit", true, func(fp string, n *jnode) {
			if s, ok := r.str(fp, n, 2); ok {
				if !slices.Contains(NDCUnits, s) {
					r.fail(fp, n, "%q is not an NDC unit of measure (%s)", s, strings.Join(NDCUnits, ", "))
					return
				}
				d.Unit = s
			}
		}},
		{"quantity", true, func(fp string, n *jnode) {
			if n.kind != jNumber {
				r.fail(fp, n, "want a number, got %s", describe(n))
				return
			}
			s := n.num.String()
			if !decimalPattern.MatchString(s) || strings.Trim(s, "0.") == "" {
				r.fail(fp, n, "%s is not a quantity above 0 with at most 7 digits and 3 decimals", s)
				return
			}
			d.Quantity = Decimal(s)
		}},
	})
}

func (r *reader) resubmission(path string, n *jnode, rs *Resubmission) {
	r.object(path, n, []field{
		{"frequency", true, func(fp string, n *jnode) {
			if s, ok := r.str(fp, n, 1); ok {
				if s != FrequencyReplacement && s != FrequencyVoid {
					r.fail(fp, n, "%q is not a resubmission frequency (%s replacement, %s void)", s, FrequencyReplacement, FrequencyVoid)
					return
				}
				rs.Frequency = s
			}
		}},
		{"original_claim_number", true, func(fp string, n *jnode) {
			rs.OriginalClaimNumber, _ = r.match(fp, n, refPattern, refPatternMessage)
		}},
		{"predecessor", false, func(fp string, n *jnode) {
			rs.Predecessor, _ = r.optMatch(fp, n, keyPattern, "an export key such as \"enc-1001-r3\"")
		}},
		{"reason", true, func(fp string, n *jnode) {
			if s, ok := r.str(fp, n, 500); ok {
				if strings.TrimSpace(s) == "" {
					r.fail(fp, n, "empty; a replacement or void needs its reason")
				}
				rs.Reason = s
			}
		}},
	})
}

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}-r[0-9]{1,10}$`)

func joinStrings[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}

// ValidReference tells whether s can be a payer id, member id, group,
// prior authorisation or claim number: 1-50 letters, digits, spaces or
// '-', starting with a letter or digit (no X12 delimiter).
func ValidReference(s string) bool { return refPattern.MatchString(s) }
