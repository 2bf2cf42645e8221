package codesets

import (
	"codebench/codesets/payer"
	"fmt"
	"io"
	"strings"
	"time"
)

// Detail is everything known about one code, flattened for display and
// JSON (codebench code, the TUI detail pane).
type Detail struct {
	System            System `json:"system"`
	Code              string `json:"code"`
	Display           string `json:"display"`
	Billable          bool   `json:"billable"`
	Short             string `json:"short_title,omitempty"`
	Long              string `json:"long_title,omitempty"`
	DescriptorMissing bool   `json:"descriptor_missing,omitempty"`
	Modifier          bool   `json:"modifier,omitempty"`
	Release           string `json:"release"`
	// NotValidOn says why the code is not valid on the date asked for,
	// when the detail is that of another release.
	NotValidOn   string `json:"not_valid_on,omitempty"`
	ReleaseRange string `json:"release_dates,omitempty"`
	Effective    string `json:"effective,omitempty"`
	Terminated   string `json:"terminated,omitempty"`
	// TitleBefore is the title in the release before, when this release
	// revised it; TitleBeforeRelease names that release.
	TitleBefore        string        `json:"title_before,omitempty"`
	TitleBeforeRelease string        `json:"title_before_release,omitempty"`
	NotesSource        string        `json:"notes_source,omitempty"`
	Path               []PathStep    `json:"hierarchy,omitempty"`
	Children           []PathStep    `json:"children,omitempty"`
	Notes              []Note        `json:"notes,omitempty"`
	Seventh            []SeventhJSON `json:"seventh_characters,omitempty"`
	SeventhFrom        string        `json:"seventh_characters_from,omitempty"`
	IndexTerms         []IndexTerm   `json:"index_terms,omitempty"`
	// MCE names the Medicare Code Editor lists naming the code
	// ("maternity", "female"), and MCESource the lists' version, saying
	// when the code is newer than them and takes its category's lists.
	MCE       []string `json:"mce_edits,omitempty"`
	MCESource string   `json:"mce_source,omitempty"`
	// Manifestation: never first-listed (Code.Manifestation), and why.
	Manifestation    bool         `json:"manifestation,omitempty"`
	ManifestationWhy string       `json:"manifestation_why,omitempty"`
	HCPCS            *HCPCSDetail `json:"hcpcs,omitempty"`
	// PFS holds the code's Medicare fee-schedule indicators (global days
	// for 24, 25, 57, 58, 78 and 79; the modifiers its policy allows).
	PFS *PFSDetail `json:"pfs,omitempty"`
}

// PathStep is one code or block on the way from the chapter to the code.
type PathStep struct {
	Code     string `json:"code"`
	Title    string `json:"title"`
	Billable bool   `json:"billable,omitempty"`
}

// SeventhJSON is a 7th character for JSON (a byte would print as a number).
type SeventhJSON struct {
	Char    string `json:"char"`
	Meaning string `json:"meaning"`
}

// PFSDetail is a CPT or HCPCS code's Medicare Physician Fee Schedule
// payment policy indicators (codesets/payer), each as CMS writes it.
type PFSDetail struct {
	Status     string `json:"status"`      // A active, B bundled, I not valid for Medicare, ...
	GlobalDays string `json:"global_days"` // 000, 010, 090, MMM, XXX, YYY, ZZZ
	PCTC       string `json:"pc_tc"`       // 26/TC
	MultProc   string `json:"multiple_procedure"`
	Bilateral  string `json:"bilateral"`  // 50
	Assistant  string `json:"assistant"`  // 80, 81, 82
	CoSurgeon  string `json:"co_surgeon"` // 62
	Team       string `json:"team"`       // 66
	FacilityNA bool   `json:"facility_na,omitempty"`
	Source     string `json:"source"`
}

// GlobalMeaning says what a global surgery period means for the E/M and
// postoperative modifiers.
func (p *PFSDetail) GlobalMeaning() string {
	switch p.GlobalDays {
	case "000":
		return "0-day global: E/M the same day needs 25 if significant and separate"
	case "010":
		return "10-day global: E/M the same day needs 25; visits for 10 days after are included (24 for unrelated)"
	case "090":
		return "90-day global: the decision visit the day before or of surgery takes 57; 90 days after are included (24, 58, 78, 79)"
	case "MMM":
		return "maternity: the usual global period does not apply"
	case "XXX":
		return "global concept does not apply"
	case "YYY":
		return "the contractor sets the global period"
	case "ZZZ":
		return "add-on: within the global period of its primary"
	}
	return ""
}

// HCPCSDetail holds the CMS fields of a HCPCS Level II code.
type HCPCSDetail struct {
	ActionCode string `json:"action_code,omitempty"`
	BETOS      string `json:"betos,omitempty"`
	Coverage   string `json:"coverage,omitempty"`
}

// Detail describes c as the view's release has it.
func (s *Set) Detail(c *Code) Detail {
	d := Detail{
		System: c.System, Code: c.Code, Display: c.Display(), Billable: c.Billable,
		Short: c.Short, Long: c.Long, DescriptorMissing: c.DescriptorMissing, Modifier: c.Modifier,
		IndexTerms: c.IndexTerms(),
	}
	d.Manifestation, d.ManifestationWhy = s.Manifestation(c)
	if flags, origin := s.MCE(c); flags != 0 {
		d.MCE = flags.Names()
		d.MCESource = s.Payer().MCE().Meta().Cite()
		if flags.Has(payer.MCEUnacceptablePrincipal) {
			d.MCESource += "; unacceptable principal list " + s.Payer().MCEPrincipal().Meta().Cite()
		}
		if origin == payer.ByCategory {
			d.MCESource += " (the lists predate the code: every " + c.Code[:3] + " code they name is on them)"
		}
	}
	switch c.System {
	case ICD10CM:
		d.Notes = s.Notes(c)
		d.NotesSource = s.NotesSource(c)
		if s.rel != nil {
			d.Release, d.ReleaseRange = s.rel.Title(), s.rel.Range()
			if prev := s.previous(s.rel); prev != nil {
				if b, ok := prev.lookup(c.Code); ok && b != c && b.Long != c.Long {
					d.TitleBefore, d.TitleBeforeRelease = b.Long, prev.Title()
				}
			}
		}
	case HCPCS:
		d.Release = "HCPCS Level II " + s.sourceVersion("hcpcs")
		if r := s.HCPCSRelease(); r != nil {
			d.Release = "HCPCS Level II " + r.Name
		}
		d.HCPCS = &HCPCSDetail{ActionCode: c.ActionCode, BETOS: c.BETOS, Coverage: c.Coverage}
	case CPT:
		d.Release = "CPT (user import)"
		if c.DescriptorMissing {
			d.Release = "CPT (descriptor not loaded: codebench cpt import FILE)"
		}
	}
	if c.System == HCPCS || c.System == CPT {
		t := s.Payer().PFS()
		if r, ok := t.Lookup(c.Code, ""); ok {
			d.PFS = &PFSDetail{Status: string(r.Status), GlobalDays: r.Global, PCTC: string(r.PCTC), MultProc: string(r.MultProc),
				Bilateral: string(r.Bilateral), Assistant: string(r.Assistant), CoSurgeon: string(r.CoSurgeon), Team: string(r.Team),
				FacilityNA: r.FacilityNA, Source: t.Meta().Cite()}
		}
	}
	if !c.Effective.IsZero() {
		d.Effective = c.Effective.Format(time.DateOnly)
	}
	if !c.Terminated.IsZero() {
		d.Terminated = c.Terminated.Format(time.DateOnly)
	}
	if c.System == ICD10CM {
		root := c
		var up []PathStep
		for x := c.parent; x != nil; x = x.parent {
			up = append([]PathStep{{Code: x.Display(), Title: x.Long, Billable: x.Billable}}, up...)
			root = x
		}
		for b := root.block; b != nil; b = b.Parent {
			up = append([]PathStep{{Code: b.ID, Title: b.Title}}, up...)
		}
		d.Path = up
		for _, ch := range c.children {
			d.Children = append(d.Children, PathStep{Code: ch.Display(), Title: ch.Long, Billable: ch.Billable})
		}
		table, from := c.SeventhChars()
		for _, t := range table {
			d.Seventh = append(d.Seventh, SeventhJSON{Char: string(t.Char), Meaning: t.Meaning})
		}
		if from != "" {
			d.SeventhFrom = Dotted(ICD10CM, from)
		}
	}
	return d
}

func (s *Set) sourceVersion(name string) string {
	for _, src := range s.Sources {
		if src.Name == name {
			return src.Version
		}
	}
	return ""
}

// WriteText prints the detail as plain text for a terminal or a pipe.
func (d Detail) WriteText(w io.Writer) {
	kind := "billable"
	if !d.Billable {
		kind = "header (not billable)"
	}
	if d.Modifier {
		kind = "modifier"
	}
	fmt.Fprintf(w, "%s  %s  %s\n", d.Display, d.System, kind)
	if d.NotValidOn != "" {
		fmt.Fprintf(w, "NOT VALID on %s\n", d.NotValidOn)
	}
	title := d.Long
	if d.DescriptorMissing {
		title = "(descriptor not loaded: import your licensed CPT file with codebench cpt import FILE)"
	}
	fmt.Fprintf(w, "%s\n", title)
	if d.Short != "" && d.Short != d.Long {
		fmt.Fprintf(w, "Short: %s\n", d.Short)
	}
	if d.ReleaseRange != "" {
		fmt.Fprintf(w, "Release: %s (dates of service %s)\n", d.Release, d.ReleaseRange)
	} else {
		fmt.Fprintf(w, "Release: %s\n", d.Release)
	}
	if d.TitleBefore != "" {
		fmt.Fprintf(w, "Title revised: in %s it was %q\n", d.TitleBeforeRelease, d.TitleBefore)
	}
	if d.Effective != "" || d.Terminated != "" {
		fmt.Fprintf(w, "Valid: from %s to %s\n", orDash(d.Effective), orDash(d.Terminated))
	}
	if p := d.PFS; p != nil {
		fmt.Fprintf(w, "Fee schedule (%s): status %s, global %s (%s); PC/TC %s, multiple procedure %s, bilateral %s, assistant %s, co-surgeon %s, team %s",
			p.Source, p.Status, p.GlobalDays, p.GlobalMeaning(), p.PCTC, p.MultProc, p.Bilateral, p.Assistant, p.CoSurgeon, p.Team)
		if p.FacilityNA {
			fmt.Fprint(w, "; no facility price (not paid to practitioners at POS 21-23)")
		}
		fmt.Fprintln(w)
	}
	if d.HCPCS != nil {
		fmt.Fprintf(w, "CMS: action %s, BETOS %s, coverage %s\n", orDash(d.HCPCS.ActionCode), orDash(d.HCPCS.BETOS), orDash(d.HCPCS.Coverage))
	}
	if d.Manifestation {
		fmt.Fprintln(w, "Manifestation code: never first-listed; code the underlying condition first.")
	}
	if len(d.Path) > 0 {
		fmt.Fprintln(w, "\nHierarchy:")
		for i, p := range d.Path {
			fmt.Fprintf(w, "%s%s %s\n", strings.Repeat("  ", i+1), p.Code, p.Title)
		}
	}
	if len(d.Children) > 0 {
		fmt.Fprintln(w, "\nCodes under it:")
		for _, c := range d.Children {
			mark := " "
			if c.Billable {
				mark = "*"
			}
			fmt.Fprintf(w, "  %s %-8s %s\n", mark, c.Code, c.Title)
		}
		fmt.Fprintln(w, "  (* billable)")
	}
	if len(d.Notes) > 0 {
		fmt.Fprintln(w, "\nNotes:")
		if d.NotesSource != "" {
			fmt.Fprintf(w, "  (source: %s)\n", d.NotesSource)
		}
		last := ""
		for _, n := range d.Notes {
			head := n.Kind.Label() + " (at " + fromLabel(n.From) + ")"
			if head != last {
				fmt.Fprintf(w, "  %s:\n", head)
				last = head
			}
			fmt.Fprintf(w, "    %s\n", n.Text)
		}
	}
	if len(d.Seventh) > 0 {
		fmt.Fprintf(w, "\n7th characters (table at %s):\n", d.SeventhFrom)
		for _, t := range d.Seventh {
			fmt.Fprintf(w, "  %s  %s\n", t.Char, t.Meaning)
		}
	}
	if len(d.IndexTerms) > 0 {
		fmt.Fprintln(w, "\nIndex terms:")
		for _, t := range d.IndexTerms {
			fmt.Fprintf(w, "  [%s] %s\n", t.Source, t.Text)
		}
	}
	if len(d.MCE) > 0 {
		fmt.Fprintf(w, "\nMedicare Code Editor lists: %s (%s)\n", strings.Join(d.MCE, ", "), d.MCESource)
	}

}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// fromLabel shows where a note was declared: a code dotted, a block as is.
func fromLabel(from string) string {
	if strings.HasPrefix(from, "ch") {
		return "chapter " + from[2:]
	}
	if strings.Contains(from, "-") {
		return "section " + from
	}
	return Dotted(ICD10CM, from)
}
