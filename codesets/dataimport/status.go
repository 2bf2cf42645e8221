package dataimport

import (
	"fmt"
	"io"
	"strings"
	"time"

	"codebench/codesets"
)

// Entry is one release or table loaded, for `codebench data status`.
type Entry struct {
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Origin  string `json:"origin"` // "embedded" or the import's id
	Source  string `json:"source"`
	File    string `json:"file"`
	SHA256  string `json:"sha256"`
	From    string `json:"from"`
	To      string `json:"to,omitempty"`
	InForce bool   `json:"in_force_today"`
	// Note says how it is used: "in force today", "replaced by ...".
	Note string `json:"note,omitempty"`
}

// Report is what `codebench data status` prints.
type Report struct {
	Today    string   `json:"today"`
	DataDir  string   `json:"data_dir"`
	Entries  []Entry  `json:"releases"`
	Warnings []string `json:"warnings"`
}

// Status lists every release and table set has loaded, which applies
// today, and what is out of date.
func Status(dataDir string, set *codesets.Set, today time.Time) (*Report, error) {
	rep := &Report{Today: today.Format(time.DateOnly), DataDir: dataDir, Warnings: set.Stale(today)}
	origin := func(src codesets.Source) string {
		if id, ok := strings.CutPrefix(src.Name, "import:"); ok {
			return id
		}
		return "embedded"
	}
	inForce, _ := set.ReleaseOn(today)
	for _, r := range set.Releases() {
		e := Entry{Kind: codesets.KindICD10CM, Name: r.Title(), Origin: origin(r.Source), Source: r.Source.What, File: r.Source.File,
			SHA256: r.Source.SHA256, From: r.From.Format(time.DateOnly), To: r.To.Format(time.DateOnly), InForce: r == inForce}
		switch {
		case e.InForce:
			e.Note = "in force today"
		case today.After(r.To):
			e.Note = "for earlier dates of service"
		case today.Before(r.From):
			e.Note = "for later dates of service"
		default:
			e.Note = "replaced by " + inForce.Title() + " from " + inForce.From.Format(time.DateOnly)
		}
		rep.Entries = append(rep.Entries, e)
	}
	newest := set.HCPCSRelease()
	for _, r := range set.HCPCSReleases() {
		e := Entry{Kind: codesets.KindHCPCS, Name: "HCPCS Level II " + r.Name, Origin: origin(r.Source), Source: r.Source.What, File: r.Source.File,
			SHA256: r.Source.SHA256, From: r.From.Format(time.DateOnly), InForce: r == newest}
		if !r.To.IsZero() {
			e.To = r.To.Format(time.DateOnly)
		}
		e.Note = "replaced by " + newest.Name
		if r == newest {
			e.Note = "in use (its codes carry their own dates)"
		}
		rep.Entries = append(rep.Entries, e)
	}
	metas, err := set.Payer().Metas()
	if err != nil {
		return nil, err
	}
	m, err := codesets.ReadManifest(dataDir)
	if err != nil {
		return nil, err
	}
	for _, meta := range metas {
		e := Entry{Kind: string(meta.Kind), Name: meta.Cite(), Origin: "embedded", Source: meta.Source, File: meta.File, SHA256: meta.SHA256,
			From: meta.Effective.Format(time.DateOnly), InForce: !today.Before(meta.Effective), Note: "in use"}
		for _, r := range m.Imports {
			if r.Kind == string(meta.Kind) && r.Name == meta.Version && r.From == e.From {
				e.Origin = r.ID
			}
		}
		rep.Entries = append(rep.Entries, e)
	}
	// Metas decoded the imported payer tables: one that failed (damaged
	// since its import) is replaced by the table it was to replace.
	for _, p := range set.Payer().Problems() {
		rep.Warnings = append(rep.Warnings, "an imported payer table cannot be read and the one before it is in use: "+p)
	}
	if set.CPTSource != "" {
		rep.Entries = append(rep.Entries, Entry{Kind: "cpt", Name: "CPT (user import)", Origin: "cpt import", Source: set.CPTSource, Note: "descriptors by licence"})
	}
	return rep, nil
}

// WriteText prints the report for a terminal or a pipe.
func (r *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "Data directory %s, today %s\n\n", r.DataDir, r.Today)
	for _, e := range r.Entries {
		mark := " "
		if e.InForce {
			mark = "*"
		}
		dates := e.From
		if e.To != "" {
			dates += " to " + e.To
		} else {
			dates += " on"
		}
		fmt.Fprintf(w, "%s %-34s %-26s %s\n", mark, e.Name, dates, e.Note)
		fmt.Fprintf(w, "    %s: %s\n", e.Origin, e.Source)
		if e.File != "" || e.SHA256 != "" {
			fmt.Fprintf(w, "    file %s sha256 %s\n", e.File, e.SHA256)
		}
	}
	fmt.Fprintln(w, "\n(* in force or in use today)")
	if len(r.Warnings) == 0 {
		fmt.Fprintln(w, "Nothing out of date.")
		return
	}
	fmt.Fprintln(w, "\nWarnings:")
	for _, x := range r.Warnings {
		fmt.Fprintf(w, "  ! %s\n", x)
	}
}
