package encounter

// The rule registry. Each family of rules lives in its own file
// (rules_<family>.go): its rule ids, their RuleInfo (severity, whether an
// override may accept them, the source they rest on) and the check that
// reports them. Validate runs the families in the order listed here.

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

// family is one group of rules and the check that reports them. check
// reads the resolved claim (see resolve.go) and adds edits; it is nil for
// a family whose rules another step reports (overrides).
type family struct {
	name  string
	rules []RuleInfo
	check func(*validator)
}

// families lists every family in the order Validate runs them. Edits are
// sorted by severity and claim position afterwards, so the order here
// only decides ties on one target. It is filled by init: the checks
// reach ruleByID through validator.add, a cycle for package-level
// initialisation.
var families []family

func init() {
	families = []family{
		claimFamily,
		dosFamily,
		icdFamily,
		mceFamily,
		modifierFamily,
		ncciFamily,
		mueFamily,
		addOnFamily,
		pfsFamily,
		payerFamily,
		overrideFamily,
	}
	ruleByID = map[string]RuleInfo{}
	for _, f := range families {
		for _, r := range f.rules {
			if _, dup := ruleByID[r.ID]; dup {
				panic("encounter: rule " + r.ID + " registered twice")
			}
			ruleByID[r.ID] = r
			rules = append(rules, r)
		}
	}
}

// Citations shared by several families. The guidelines are the ICD-10-CM
// Official Guidelines for Coding and Reporting FY2026.
const (
	srcGuidelines = "ICD-10-CM Official Guidelines FY2026 "
	srcCMS1500    = "CMS-1500 (02/12) "
)

var (
	rules    []RuleInfo          // every rule, family by family
	ruleByID map[string]RuleInfo // rules by id
)

// Rules lists every rule Validate applies, family by family.
func Rules() []RuleInfo { return append([]RuleInfo(nil), rules...) }

// Rule finds a rule by id.
func Rule(id string) (RuleInfo, bool) {
	r, ok := ruleByID[id]
	return r, ok
}
