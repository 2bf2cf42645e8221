package encounter

// ValidNPI tells whether s is a National Provider Identifier: ten digits
// whose last is the Luhn check digit of the first nine prefixed by 80840
// (the ISO card-issuer prefix for US health applications), as 45 CFR
// 162.406 and the CMS NPI check-digit specification define it.
func ValidNPI(s string) bool {
	if len(s) != 10 {
		return false
	}
	for i := 0; i < 10; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	digits := "80840" + s[:9]
	sum := 0
	// Luhn: double every second digit from the right of the payload,
	// starting with the rightmost (the check digit is not part of it).
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if (len(digits)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	check := (10 - sum%10) % 10
	return int(s[9]-'0') == check
}

// PlaceOfService names a CMS place-of-service code; ok is false for codes
// CMS has not assigned (Place of Service Code Set, as of 2025).
func PlaceOfService(code string) (name string, ok bool) {
	name, ok = placesOfService[code]
	return name, ok
}

// Inpatient places of service, where the MCE's principal-diagnosis edits
// apply.
func inpatientPOS(code string) bool { return code == "21" || code == "51" || code == "61" }

var placesOfService = map[string]string{
	"01": "Pharmacy", "02": "Telehealth provided other than in patient's home", "03": "School",
	"04": "Homeless shelter", "05": "Indian Health Service free-standing facility",
	"06": "Indian Health Service provider-based facility", "07": "Tribal 638 free-standing facility",
	"08": "Tribal 638 provider-based facility", "09": "Prison/correctional facility",
	"10": "Telehealth provided in patient's home", "11": "Office", "12": "Home",
	"13": "Assisted living facility", "14": "Group home", "15": "Mobile unit",
	"16": "Temporary lodging", "17": "Walk-in retail health clinic", "18": "Place of employment/worksite",
	"19": "Off campus-outpatient hospital", "20": "Urgent care facility", "21": "Inpatient hospital",
	"22": "On campus-outpatient hospital", "23": "Emergency room-hospital", "24": "Ambulatory surgical center",
	"25": "Birthing center", "26": "Military treatment facility", "27": "Outreach site/street",
	"31": "Skilled nursing facility", "32": "Nursing facility", "33": "Custodial care facility",
	"34": "Hospice", "41": "Ambulance-land", "42": "Ambulance-air or water",
	"49": "Independent clinic", "50": "Federally qualified health center",
	"51": "Inpatient psychiatric facility", "52": "Psychiatric facility-partial hospitalization",
	"53": "Community mental health center", "54": "Intermediate care facility/individuals with intellectual disabilities",
	"55": "Residential substance abuse treatment facility", "56": "Psychiatric residential treatment center",
	"57": "Non-residential substance abuse treatment facility", "58": "Non-residential opioid treatment facility",
	"60": "Mass immunization center", "61": "Comprehensive inpatient rehabilitation facility",
	"62": "Comprehensive outpatient rehabilitation facility", "65": "End-stage renal disease treatment facility",
	"66": "Programs of All-Inclusive Care for the Elderly (PACE) center",
	"71": "Public health clinic", "72": "Rural health clinic", "81": "Independent laboratory",
	"99": "Other place of service",
}
