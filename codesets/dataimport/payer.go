package dataimport

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"time"

	"codebench/codesets"
	"codebench/codesets/payer"
)

// The payer tables (NCCI PTP, MUE, add-on codes, PFS indicators, MCE
// lists) are parsed and checked by package payer; these kinds tell their
// files apart and give the parsers the table's source, version and
// effective date.

// payerKind is one payer table kind.
type payerKind struct {
	kind     payer.Kind
	source   string // the publication, as edits cite it
	describe string
	names    *regexp.Regexp // file names of the kind
	heads    []string       // words the first lines hold
	parse    func(meta payer.Meta, files []payer.Source) (payer.Table, error)
	parts    bool // several files make one table (the PTP part files)
}

var (
	ptpKind = &payerKind{kind: payer.KindPTP, source: "NCCI PTP practitioner", parts: true,
		describe: "NCCI procedure-to-procedure edits, practitioner (the tab-delimited part files ccipra-vNNNrN-f1..f4.txt, together)",
		names:    regexp.MustCompile(`(?i)ccipra|ptp`), heads: []string{"Column 1\tColumn 2", "column_1,column_2"},
		parse: func(m payer.Meta, fs []payer.Source) (payer.Table, error) { return payer.ParsePTP(m, fs...) }}
	mueKind = &payerKind{kind: payer.KindMUE, source: "NCCI MUE practitioner",
		describe: "NCCI medically unlikely edits, practitioner services (CSV)",
		names:    regexp.MustCompile(`(?i)mue`), heads: []string{"Practitioner Services MUE Values", "mue_units"},
		parse: func(m payer.Meta, fs []payer.Source) (payer.Table, error) { return payer.ParseMUE(m, fs[0]) }}
	addonKind = &payerKind{kind: payer.KindAddOn, source: "NCCI add-on code edits",
		describe: "NCCI add-on code edits (CSV or tab-separated)",
		names:    regexp.MustCompile(`(?i)aoc|add-?on`), heads: []string{"Add-on Code", "add_on_code"},
		parse: func(m payer.Meta, fs []payer.Source) (payer.Table, error) { return payer.ParseAddOn(m, fs[0]) }}
	pfsKind = &payerKind{kind: payer.KindPFS, source: "Medicare PFS indicators",
		describe: "Medicare Physician Fee Schedule relative value file (PPRRVU CSV; its descriptors are never read)",
		names:    regexp.MustCompile(`(?i)pprrvu|pfs`), heads: []string{"National Physician Fee Schedule", "hcpcs_code,mod,status"},
		parse: func(m payer.Meta, fs []payer.Source) (payer.Table, error) { return payer.ParsePFS(m, fs[0]) }}
	mceKind = &payerKind{kind: payer.KindMCE, source: "MCE",
		describe: "Medicare Code Editor age, sex and manifestation lists (CSV with icd_code and icd_conflict_rule, or the MCE simple edit list)",
		names:    regexp.MustCompile(`(?i)mce`), heads: []string{"icd_conflict_rule", "MCE_Version"},
		parse: func(m payer.Meta, fs []payer.Source) (payer.Table, error) {
			return payer.ParseMCE(m, fs[0], payer.MCEOptions{})
		}}
)

func (k *payerKind) Name() string     { return string(k.kind) }
func (k *payerKind) Describe() string { return k.describe }

// Match needs both a name and a heading of the kind: payer files are CSV
// or tab-separated text that only their headings tell apart.
func (k *payerKind) Match(name string, head []byte) bool {
	if !k.names.MatchString(name) {
		return false
	}
	text := string(head[:min(len(head), 4096)])
	for _, h := range k.heads {
		if strings.Contains(text, h) {
			return true
		}
	}
	return false
}

var dateInName = regexp.MustCompile(`(20[0-9]{2})[-_]?([01][0-9])[-_]?([0-3][0-9])`)

// payerMeta names the table: its effective date from --from or from a
// date in a file name (2026-10-01, 20261001), its version from --release
// or that date.
func (k *payerKind) payerMeta(files []File, o Options) (payer.Meta, error) {
	m := payer.Meta{Kind: k.kind, Source: k.source, Effective: o.From, Version: o.Release}
	if m.Effective.IsZero() {
		for _, f := range files {
			if d := dateInName.FindStringSubmatch(f.Base()); d != nil {
				if t, err := time.Parse("20060102", d[1]+d[2]+d[3]); err == nil {
					m.Effective = t
					break
				}
			}
		}
	}
	if m.Effective.IsZero() {
		return m, fmt.Errorf("%s: cannot tell the effective date from the file names: give --from DATE (the first day it applies to, e.g. the quarter's)", k.source)
	}
	if m.Version == "" {
		m.Version = m.Effective.Format(time.DateOnly)
	}
	return m, nil
}

func (k *payerKind) Stage(files []File, env *Env) ([]*Staged, error) {
	groups := [][]File{files}
	if !k.parts {
		groups = nil
		for _, f := range files {
			groups = append(groups, []File{f})
		}
	}
	var out []*Staged
	for _, g := range groups {
		meta, err := k.payerMeta(g, env.Options)
		if err != nil {
			return nil, err
		}
		srcs := make([]payer.Source, len(g))
		for i, f := range g {
			srcs[i] = payer.Source{Name: f.Name(), R: bytes.NewReader(f.Data)}
		}
		t, err := k.parse(meta, srcs)
		if err != nil {
			return nil, err
		}
		data, err := t.MarshalBinary()
		if err != nil {
			return nil, err
		}
		// What codebench loads must decode as the parser built it.
		if _, err := payer.Load(data); err != nil {
			return nil, fmt.Errorf("%s: the stored table does not read back: %v", k.source, err)
		}
		m := t.Meta()
		out = append(out, &Staged{
			Record: codesets.ImportRecord{Kind: string(k.kind), Name: m.Version, Source: m.Source,
				From: m.Effective.Format(time.DateOnly), Counts: map[string]int{"rows": m.Rows},
				Checks: []string{"layout", "codes", "dates", "duplicates", "values of every field", "no control characters"}},
			Data: data, DataName: string(k.kind) + ".cbt", Files: g,
		})
	}
	return out, nil
}
