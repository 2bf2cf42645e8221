package demo

import (
	"slices"

	"codebench/codesets"
	"codebench/encounter"
)

// Answer is how a certified coder codes one demo encounter on the claim
// the workbench builds: the rendering practitioner's professional claim
// (CMS-1500 / 837P). Services that belong on another claim (the hospital's
// facility claim, a DME supplier's claim) are left off and named in Why.
type Answer struct {
	// Diagnoses are ICD-10-CM codes, dotted, in claim order (A first).
	Diagnoses []string
	// Lines are the service lines; Pointers are 1-based (1 = A) and the
	// first pointer is the line's primary diagnosis.
	Lines []encounter.ServiceLine
	// Why is the auditor's rationale: guideline, NCCI and payer points a
	// coder learning from the key should know.
	Why []string
}

func line(code string, mods []string, units int, ptrs ...int) encounter.ServiceLine {
	return encounter.ServiceLine{Code: code, Modifiers: mods, Units: units, Pointers: ptrs}
}

func mods(m ...string) []string { return m }

// drug adds the NDC of the drug a J-code line supplies (837P 2410), as the
// vial in the chart was labelled.
func drug(l encounter.ServiceLine, ndc, unit, quantity string) encounter.ServiceLine {
	code, ok := encounter.CanonicalNDC(ndc)
	if !ok {
		panic("demo: bad NDC " + ndc)
	}
	l.NDC = encounter.NDC{Code: code, Unit: unit, Quantity: encounter.Decimal(quantity)}
	return l
}

// answers was reviewed chart by chart against the notes as a coding
// auditor would: ICD-10-CM Official Guidelines, CPT E/M (2021+ MDM
// tables), the NCCI Policy Manual 2026 and the practitioner PTP/MUE
// tables, and Medicare CLIA and DMEPOS billing rules.
var answers = map[string]Answer{
	"enc-1001": {
		Diagnoses: []string{"E11.22", "I12.9", "N18.31", "Z79.4"},
		Lines: []encounter.ServiceLine{
			line("99214", nil, 1, 1, 2, 3, 4),
			line("83036", mods("QW"), 1, 1),
			line("36415", nil, 1, 3, 1),
		},
		Why: []string{
			"Diabetic CKD and hypertensive CKD both apply (guideline I.C.9.a.2): E11.22 and I12.9, each with the stage N18.31 their notes ask for; Z79.4 for the insulin (I.C.4.a.3).",
			"99214: chronic illness with progression (A1c above goal) and prescription drug management (insulin increased, empagliflozin started).",
			"The point-of-care HbA1c runs on a CLIA-waived analyzer: 83036-QW for Medicare. The metabolic panel goes to the reference laboratory, which bills it; the office bills the draw, 36415.",
		},
	},
	"enc-1002": {
		Diagnoses: []string{"S52.531A", "W01.0XXA", "Y92.480"},
		Lines: []encounter.ServiceLine{
			line("99283", mods("25"), 1, 1),
			line("29125", mods("RT"), 1, 1),
		},
		Why: []string{
			"The ED physician splinted and orthopedics does the definitive fracture care: NCCI Policy Manual ch. IV G.8 allows the E/M, the splint (29125, RT) and a supply code, not closed treatment (25600-57). At POS 23 the splint supply is the hospital's, so no Q4001-Q4051 on this claim.",
			"29125 has a 000 global and a PTP edit with 99283 (modifier indicator 1): the E/M, significant and separately identifiable (G.9), takes 25.",
			"99283: a closed, minimally angulated, neurovascularly intact fracture is an acute uncomplicated injury, and the drug given is over the counter; the discussion with orthopedics makes the data moderate, but two of three elements are low.",
			"External causes: the fall (W01.0XXA) and the sidewalk (Y92.480), never first-listed (I.C.20).",
		},
	},
	"enc-1003": {
		Diagnoses: []string{"O24.410", "Z3A.32"},
		Lines: []encounter.ServiceLine{
			line("99213", nil, 1, 1, 2),
			line("82962", nil, 1, 1),
		},
		Why: []string{
			"Gestational diabetes controlled by diet is O24.410; chapter 15 codes are sequenced first (I.C.15.a.1) and Z3A.32 gives the weeks of gestation.",
			"The fasting glucose is a fingerstick on a home-use meter: 82962, which needs no QW.",
		},
	},
	"enc-1004": {
		Diagnoses: []string{"Z38.00", "P59.9"},
		Lines: []encounter.ServiceLine{
			line("99462", nil, 1, 1, 2),
		},
		Why: []string{
			"During the birth stay the newborn's record lists Z38.00 first (I.C.16.a.2); physiologic jaundice indexes to P59.9, and the negative Coombs rules out ABO isoimmunization (P55.1).",
			"99462: subsequent care of a normal newborn; jaundice below the phototherapy threshold does not change that.",
		},
	},
	"enc-1005": {
		Diagnoses: []string{"D51.0"},
		Lines: []encounter.ServiceLine{
			line("96372", nil, 1, 1),
			drug(line("J3420", nil, 1, 1), "63323-0044-01", "ML", "1"),
		},
		Why: []string{
			"Pernicious anemia is D51.0. The nurse's injection under the physician's direct supervision is 96372 with the drug, J3420 (up to 1000 mcg): one unit. 99211 is not billed with 96372 (NCCI).",
		},
	},
	"enc-1006": {
		Diagnoses: []string{"J45.41", "Z77.22"},
		Lines: []encounter.ServiceLine{
			line("99284", nil, 1, 1, 2),
		},
		Why: []string{
			"Moderate persistent asthma with exacerbation is J45.41; J45 asks for Z77.22 for the secondhand smoke.",
			"On the ED physician's claim at POS 23 only the E/M: the nebulized albuterol (J7613), the dexamethasone (J1100), the treatments (94640) and the injection (96372) are the hospital's facility charges; 94640 and 96372 have no facility price for practitioners. With no procedure of its own, the E/M takes no 25.",
		},
	},
	"enc-1007": {
		Diagnoses: []string{"E11.621", "L97.412", "Z79.84"},
		Lines: []encounter.ServiceLine{
			line("99213", mods("25"), 1, 1, 3),
			line("11042", nil, 1, 2, 1),
		},
		Why: []string{
			"The ulcer is on the plantar midfoot: the index and the inclusion term at L97.4- give L97.412 (heel and midfoot), not L97.512 (other part of foot). E11.621 is listed first, as L97's code-first note asks, with Z79.84 for the oral drugs.",
			"Debridement into subcutaneous tissue, 3.4 sq cm: 11042. The diabetes management (metformin increased) is separately identifiable from the decision to debride, so 99213 takes 25 (PTP 11042/99213, indicator 1).",
		},
	},
	"enc-1008": {
		Diagnoses: []string{"Z00.00", "I10", "E78.5", "Z13.31"},
		Lines: []encounter.ServiceLine{
			line("G0439", nil, 1, 1, 2, 3),
			line("G0444", nil, 1, 4),
		},
		Why: []string{
			"A subsequent annual wellness visit 12 months after the last: G0439. The annual depression screen (PHQ-9, 8 minutes) is G0444, payable with G0439 (not with G0438), linked to Z13.31.",
		},
	},
	"enc-1009": {
		Diagnoses: []string{"R07.89", "I10", "F17.210"},
		Lines: []encounter.ServiceLine{
			line("99284", mods("25"), 1, 1, 2, 3),
			line("93010", nil, 1, 1),
			line("99406", nil, 1, 3),
		},
		Why: []string{
			"Atypical chest wall pain indexes to R07.89; the hypertension and the cigarette dependence (F17.210) are addressed.",
			"99284: an undiagnosed new problem with uncertain prognosis and moderate data (troponins, chest X-ray, CBC, metabolic panel; the ECG he bills is not counted). He interprets the ECG: 93010.",
			"Five minutes of cessation counselling is more than 3: 99406, with 25 on the E/M.",
		},
	},
	"enc-1010": {
		Diagnoses: []string{"N40.1", "R35.1", "R39.14", "R39.12"},
		Lines: []encounter.ServiceLine{
			line("99204", nil, 1, 1, 2, 3, 4),
			line("51798", nil, 1, 3, 1),
		},
		Why: []string{
			"N40.1 asks for its symptoms when specified: nocturia (R35.1), incomplete emptying (R39.14) and the weak stream of the history (R39.12).",
			"Medicare pays no consultation codes: a new-patient visit, 99204 (new problem, prescription drug management). The bladder scan is 51798, with no modifier: nothing bundles it.",
		},
	},
	"enc-1011": {
		Diagnoses: []string{"M17.0"},
		Lines: []encounter.ServiceLine{
			line("20610", mods("50"), 1, 1),
			drug(line("J3301", nil, 8, 1), "0003-0293-05", "ML", "2"),
		},
		Why: []string{
			"Both knees injected: 20610-50 on one line with one unit (Medicare bilateral rules). Triamcinolone acetonide 80 mg in all is J3301 (per 10 mg) × 8.",
		},
	},
	"enc-1012": {
		Diagnoses: []string{"J02.0"},
		Lines: []encounter.ServiceLine{
			line("99213", nil, 1, 1),
			line("87880", mods("QW"), 1, 1),
		},
		Why: []string{
			"Strep pharyngitis confirmed by the rapid test is J02.0; fever and headache are part of it.",
			"The rapid strep antigen test runs on a CLIA-waived kit: 87880-QW.",
		},
	},
	"enc-1013": {
		Diagnoses: []string{"G30.1", "F02.B0"},
		Lines: []encounter.ServiceLine{
			line("99214", nil, 1, 1, 2),
		},
		Why: []string{
			"Alzheimer's disease (G30.1) first, then the manifestation F02.B0 (moderate, without behavioral, psychotic or mood disturbance or anxiety), as F02's code-first note asks (I.A.13).",
		},
	},
	"enc-1014": {
		Diagnoses: []string{"E11.649", "Z79.4"},
		Lines: []encounter.ServiceLine{
			line("99214", nil, 1, 1, 2),
			line("82962", nil, 1, 1),
		},
		Why: []string{
			"Type 2 only: E10.649 and E11.649 are an Excludes1 pair and the note says type 2. Z79.4 for the insulin.",
			"99214: a chronic illness with a side effect of treatment (hypoglycemia) and prescription drug management (lispro reduced, CGM and glucagon prescribed).",
		},
	},
	"enc-1015": {
		Diagnoses: []string{"S93.491A", "W10.1XXA", "Y92.480", "Y93.02"},
		Lines: []encounter.ServiceLine{
			line("99203", nil, 1, 1),
			line("73610", mods("RT"), 1, 1),
		},
		Why: []string{
			"An ATFL sprain is a sprain of another ankle ligament: S93.491A. External causes: the fall from the curb (W10.1XXA), the sidewalk (Y92.480) and jogging (Y93.02).",
			"The ankle brace, L4350-RT, is DMEPOS: it goes on the DME supplier's claim to the DME MAC (practitioner MUE 0), not on this one.",
		},
	},
}

// Answers is the demo's answer key, by encounter id. The caller gets its
// own copy.
func Answers() map[string]Answer {
	out := make(map[string]Answer, len(answers))
	for id, a := range answers {
		c := Answer{Diagnoses: slices.Clone(a.Diagnoses), Why: slices.Clone(a.Why)}
		for _, l := range a.Lines {
			l.Modifiers = slices.Clone(l.Modifiers)
			l.Pointers = slices.Clone(l.Pointers)
			c.Lines = append(c.Lines, l)
		}
		out[id] = c
	}
	return out
}

// Code returns enc coded as the answer key says: its diagnoses (without
// evidence) and lines replaced; false when the key has no answer for it.
func Code(enc *encounter.Encounter) (*encounter.Encounter, bool) {
	a, ok := Answers()[enc.ID]
	if !ok {
		return nil, false
	}
	c := *enc
	c.Diagnoses = nil
	for _, d := range a.Diagnoses {
		c.Diagnoses = append(c.Diagnoses, encounter.Diagnosis{Code: codesets.Canonical(d)})
	}
	c.Lines = a.Lines
	c.Overrides = nil
	return &c, true
}
