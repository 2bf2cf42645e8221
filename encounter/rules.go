package encounter

// RuleInfo describes one rule of Validate.
type RuleInfo struct {
	// ID is the stable identifier carried by Edit.Rule and Override.Rule.
	ID string `json:"id"`
	// Severity is the rule's usual severity; a few rules report a lower
	// one in some cases (noted in Summary).
	Severity Severity `json:"severity"`
	// Overridable rules may be accepted by an Override with a reason;
	// overrides of any other rule are reported and ignored.
	Overridable bool   `json:"overridable"`
	Source      string `json:"source"`
	Summary     string `json:"summary"`
}

// Guideline citations. The guidelines are the ICD-10-CM Official
// Guidelines for Coding and Reporting FY2026; MCE is the Medicare Code
// Editor v37, whose lists the embedded code sets carry.
const (
	srcGuidelines = "ICD-10-CM Official Guidelines FY2026 "
	srcMCE        = "MCE v37 "
	srcCMS1500    = "CMS-1500 (02/12) "
)

// Rule ids.
const (
	RulePatientID        = "claim.patient-id"
	RulePatientDOB       = "claim.patient-dob"
	RulePatientSex       = "claim.patient-sex"
	RuleProviderNPI      = "claim.provider-npi"
	RuleDateOfService    = "claim.dos"
	RulePlaceOfService   = "claim.pos"
	RuleDiagnosisNeeded  = "claim.diagnosis-required"
	RuleLineNeeded       = "claim.line-required"
	RuleMaxDiagnoses     = "claim.max-diagnoses"
	RuleDuplicateDx      = "claim.duplicate-diagnosis"
	RuleOverride         = "claim.override"
	RuleCodeOnDate       = "code.date-of-service"
	RuleOutsideRelease   = "code.outside-release"
	RuleICDUnknown       = "icd.unknown"
	RuleBillable         = "icd.billable"
	RuleSeventh          = "icd.seventh-character"
	RuleExcludes1        = "icd.excludes1"
	RuleManifestation    = "icd.manifestation-first"
	RuleCodeFirst        = "icd.code-first"
	RuleCodeFirstOrder   = "icd.code-first-sequence"
	RuleUseAdditional    = "icd.use-additional"
	RuleExternalFirst    = "icd.external-cause-first"
	RuleEvidence         = "icd.evidence"
	RuleMCEAge           = "mce.age"
	RuleMCESex           = "mce.sex"
	RuleMCEUnchecked     = "mce.unchecked"
	RuleMCEPrincipal     = "mce.unacceptable-principal"
	RuleLineUnknown      = "line.unknown"
	RuleCPTDescriptor    = "line.cpt-descriptor"
	RuleUnits            = "line.units"
	RuleCharge           = "line.charge"
	RulePointerNeeded    = "line.pointer-required"
	RuleMaxPointers      = "line.max-pointers"
	RulePointerRange     = "line.pointer-range"
	RuleMaxModifiers     = "line.max-modifiers"
	RuleModifierUnknown  = "line.modifier-unknown"
	RuleModifierRepeated = "line.modifier-duplicate"
	RuleDuplicateLine    = "line.duplicate"
	Rule59WithX          = "line.59-with-x"
	RuleLeftRight        = "line.lt-rt"
	RuleBilateralSide    = "line.50-with-side"
)

var rules = []RuleInfo{
	{RulePatientID, Error, false, srcCMS1500 + "item 26; 837P 2300 CLM01", "the patient's id (account number) is missing"},
	{RulePatientDOB, Error, false, srcCMS1500 + "item 3; 837P 2010CA DMG02", "the patient's date of birth is missing or after the date of service"},
	{RulePatientSex, Error, false, srcCMS1500 + "item 3; 837P 2010CA DMG03", "the patient's sex is missing or not F, M or U"},
	{RuleProviderNPI, Error, false, srcCMS1500 + "item 24J; 837P 2310B NM109; 45 CFR 162.406 (NPI check digit)", "the rendering provider's NPI is missing, not 10 digits, or fails its check digit"},
	{RuleDateOfService, Error, false, srcCMS1500 + "item 24A; 837P 2400 DTP*472", "the date of service is missing, or the last date is before the first"},
	{RulePlaceOfService, Error, false, srcCMS1500 + "item 24B; CMS Place of Service Code Set", "the place of service is missing or malformed (error) or not an assigned CMS code (warning)"},
	{RuleDiagnosisNeeded, Error, false, srcCMS1500 + "item 21; 837P 2300 HI", "the claim has no diagnosis"},
	{RuleLineNeeded, Error, false, srcCMS1500 + "item 24; 837P loop 2400", "the claim has no service line"},
	{RuleMaxDiagnoses, Error, false, srcCMS1500 + "item 21 (A-L); 837P 2300 HI (12 codes)", "more than 12 diagnoses"},
	{RuleDuplicateDx, Error, false, srcCMS1500 + "item 21; " + srcGuidelines + "I.B.12", "the same diagnosis code is listed twice"},
	{RuleOverride, Warning, false, "codebench override policy (encounter/README.md)", "an override names a rule that cannot be overridden, has no reason (warning), or no longer matches any edit (info)"},
	{RuleCodeOnDate, Error, false, "45 CFR 162.1000-162.1002 (code set valid on the date of service); ICD-10-CM FY2026 addenda; HCPCS effective and termination dates", "a code is not valid on the date of service (new in FY2026 on an earlier date, deleted in FY2026 on a later one, HCPCS outside its effective dates)"},
	{RuleOutsideRelease, Warning, false, "ICD-10-CM FY2026 (2025-10-01 to 2026-09-30)", "the date of service lies outside the code-set releases loaded, so validity is unchecked"},
	{RuleICDUnknown, Error, false, "ICD-10-CM FY2026 Tabular List", "a diagnosis code is not an ICD-10-CM code (nearest codes, or the X-placeholder spelling, suggested)"},
	{RuleBillable, Error, false, srcGuidelines + "I.A.3, I.B.2, IV.F.2", "a diagnosis code is a category or subcategory header, not billable"},
	{RuleSeventh, Error, false, srcGuidelines + "I.A.4, I.A.5", "a code of a category with a 7th-character table lacks its 7th character"},
	{RuleExcludes1, Error, true, srcGuidelines + "I.A.12.a", "two diagnoses form an Excludes1 pair (a warning when the note qualifies the range, such as \"with .42\")"},
	{RuleManifestation, Error, false, srcGuidelines + "I.A.13; " + srcMCE + "edit 6 (manifestation code as principal diagnosis)", "a manifestation code (\"in diseases classified elsewhere\", MCE manifestation list) is first-listed"},
	{RuleCodeFirst, Warning, false, srcGuidelines + "I.A.13", "a manifestation code's underlying condition is not coded (info for codes whose \"code first\" note is not a manifestation convention)"},
	{RuleCodeFirstOrder, Error, true, srcGuidelines + "I.A.13", "an underlying condition named by a \"code first\" note is listed after the code (warning for codes that are not manifestations)"},
	{RuleUseAdditional, Info, false, srcGuidelines + "I.A.13", "a \"use additional code\" note names codes the claim does not have"},
	{RuleExternalFirst, Error, false, srcGuidelines + "I.C.20; " + srcMCE + "edit 2", "an external cause code (V00-Y99) is first-listed"},
	{RuleEvidence, Warning, false, "codebench evidence links (encounter/README.md)", "a diagnosis's evidence points at a missing note or outside its text"},
	{RuleMCEAge, Error, true, srcMCE + "edit 4 (age conflict)", "a diagnosis is for ages the patient is not (newborn 0, pediatric 0-17, maternity 12-55, adult 15-124)"},
	{RuleMCESex, Error, true, srcMCE + "edit 5 (sex conflict)", "a diagnosis is for the other sex"},
	{RuleMCEUnchecked, Warning, false, srcMCE + "edits 4-5", "age or sex edits cannot run: date of birth or sex unknown"},
	{RuleMCEPrincipal, Warning, true, srcMCE + "edit 9 (unacceptable principal diagnosis)", "a code the MCE does not accept as principal is first-listed on an inpatient claim"},
	{RuleLineUnknown, Error, false, "HCPCS Level II (CMS October 2025); AMA CPT", "a service line code is not a CPT or HCPCS code, or (with a CPT file imported) not in that file"},
	{RuleCPTDescriptor, Info, false, "AMA CPT (licensed file not imported)", "a CPT code is accepted by its number; its descriptor is not loaded"},
	{RuleUnits, Error, false, srcCMS1500 + "item 24G; 837P SV104", "units are not more than 0"},
	{RuleCharge, Error, false, srcCMS1500 + "item 24F; 837P SV102", "a charge is negative"},
	{RulePointerNeeded, Error, false, srcCMS1500 + "item 24E; 837P SV107", "a service line points at no diagnosis"},
	{RuleMaxPointers, Error, false, srcCMS1500 + "item 24E (up to 4); 837P SV107", "a service line has more than 4 diagnosis pointers"},
	{RulePointerRange, Error, false, srcCMS1500 + "item 24E (pointers A-L name item 21)", "a pointer names no diagnosis, or one twice"},
	{RuleMaxModifiers, Error, false, srcCMS1500 + "item 24D (4 modifiers); 837P SV101-3 to SV101-6", "more than 4 modifiers on a line"},
	{RuleModifierUnknown, Error, false, "HCPCS Level II modifiers (CMS October 2025); AMA CPT Appendix A", "a modifier is not a CPT or HCPCS modifier, or is terminated"},
	{RuleModifierRepeated, Error, false, srcCMS1500 + "item 24D", "the same modifier twice on a line"},
	{RuleDuplicateLine, Warning, true, "NCCI Policy Manual ch. I (repeat services: modifiers 76, 77, 91 or units)", "two lines have the same code and modifiers"},
	{Rule59WithX, Error, false, "CMS CR 8863 (MLN MM8863): X{E,P,S,U} modifiers; NCCI Policy Manual ch. I", "59 and an X{E,P,S,U} modifier on one line"},
	{RuleLeftRight, Error, false, "Medicare Claims Processing Manual ch. 12 §40.7 (bilateral procedures)", "LT and RT on one line: use 50 or two lines"},
	{RuleBilateralSide, Error, false, "Medicare Claims Processing Manual ch. 12 §40.7 (bilateral procedures)", "modifier 50 with LT or RT on one line"},
}

var ruleByID = func() map[string]RuleInfo {
	m := make(map[string]RuleInfo, len(rules))
	for _, r := range rules {
		m[r.ID] = r
	}
	return m
}()

// Rules lists every rule Validate applies, in the order of the claim.
func Rules() []RuleInfo { return append([]RuleInfo(nil), rules...) }

// Rule finds a rule by id.
func Rule(id string) (RuleInfo, bool) {
	r, ok := ruleByID[id]
	return r, ok
}
