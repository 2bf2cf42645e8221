package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"codebench/codesets"
)

// genReleases writes the ICD-10-CM releases: the first in full ("icd"
// records), each later one as the categories it changes ("rcat" and
// "rcode"), with the codes its addenda add and delete and its own
// Excludes notes. Every order file is checked whole by
// codesets.ParseOrderFile and held to its addenda. It returns every code
// of every release.
func genReleases(srcDir string, w *writer, tab *tabular) ([]string, error) {
	var all []string
	seen := map[string]bool{}
	byName := map[string][]codesets.OrderEntry{}
	for _, rel := range releases {
		src := sourceNamed(rel.source)
		list, err := readOrder(srcDir, src.rel)
		if err != nil {
			return nil, err
		}
		byName[rel.name] = list
		w.rec("rel", rel.system, rel.name, rel.from, rel.to, rel.base, rel.source)
		var old []codesets.OrderEntry
		if rel.base != "-" {
			old = byName[rel.base]
		}
		if old == nil {
			for _, e := range list {
				short := e.Short
				if short == e.Long {
					short = ""
				}
				w.rec("icd", e.Code, billFlag(e.Billable), short, e.Long)
			}
		} else if err := genDelta(w, old, list); err != nil {
			return nil, fmt.Errorf("%s: %w", rel.name, err)
		}
		if err := genAddenda(srcDir, w, sourceNamed(rel.addenda).rel, old, list); err != nil {
			return nil, err
		}
		for _, x := range excludesOf[rel.name] {
			if err := genExcludes(srcDir, w, sourceNamed(x), tab); err != nil {
				return nil, err
			}
		}
		for _, e := range list {
			if !seen[e.Code] {
				seen[e.Code] = true
				all = append(all, e.Code)
			}
		}
	}
	return all, nil
}

func billFlag(billable bool) string {
	if billable {
		return "1"
	}
	return "0"
}

func readOrder(srcDir, rel string) ([]codesets.OrderEntry, error) {
	r, err := open(srcDir, rel)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return codesets.ParseOrderFile(r, rel)
}

// genAddenda checks a release's addenda against its order file (and the
// previous order file when there is one) and writes what it says:
// icdnew, code (billable only from this release);
// icdold, code, title (billable in the release before, not in this one).
// For the first release the previous order file is not at hand: its
// changes and summary are checked against the new file alone.
func genAddenda(srcDir string, w *writer, rel string, old, list []codesets.OrderEntry) error {
	f, err := os.Open(srcDir + "/" + rel)
	if err != nil {
		return err
	}
	defer f.Close()
	a, err := codesets.ParseAddenda(f, rel)
	if err != nil {
		return err
	}
	if old != nil {
		if err := a.Check(old, list, rel); err != nil {
			return err
		}
	} else {
		headers, codes := 0, 0
		for _, e := range list {
			if e.Billable {
				codes++
			} else {
				headers++
			}
		}
		if a.Summary.NewHeaders != headers || a.Summary.NewCodes != codes {
			return fmt.Errorf("%s: summary says %d headers and %d codes, the order file has %d and %d", rel, a.Summary.NewHeaders, a.Summary.NewCodes, headers, codes)
		}
	}
	added := map[string]codesets.OrderEntry{}
	for _, e := range a.Added {
		added[e.Code] = e
	}
	deleted := map[string]codesets.OrderEntry{}
	for _, e := range a.Deleted {
		deleted[e.Code] = e
	}
	for _, e := range a.Added {
		d, isDel := deleted[e.Code]
		if e.Billable && (!isDel || !d.Billable) {
			w.rec("icdnew", e.Code)
		}
	}
	for _, d := range a.Deleted {
		ad, isAdd := added[d.Code]
		if d.Billable && (!isAdd || !ad.Billable) {
			w.rec("icdold", d.Code, d.Long)
		}
	}
	return nil
}

// genDelta writes the categories that differ between two order files, in
// the new file's order: "rcat category after", then each of its codes as
// "rcode code flag short long", the flag "=" for a code unchanged. It
// checks that the categories it leaves out keep their order, so that the
// loader rebuilds the new file's order exactly.
func genDelta(w *writer, old, list []codesets.OrderEntry) error {
	oldRuns, oldOrder := runs(old)
	newRuns, newOrder := runs(list)
	same := func(a, b []codesets.OrderEntry) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i].Code != b[i].Code || a[i].Billable != b[i].Billable || a[i].Short != b[i].Short || a[i].Long != b[i].Long {
				return false
			}
		}
		return true
	}
	dirty := map[string]bool{}
	for cat, run := range newRuns {
		if !same(run, oldRuns[cat]) {
			dirty[cat] = true
		}
	}
	for cat := range oldRuns {
		if _, kept := newRuns[cat]; !kept {
			dirty[cat] = true
		}
	}
	// The loader keeps the clean categories in the base's order.
	var oldClean, newClean []string
	for _, c := range oldOrder {
		if !dirty[c] {
			oldClean = append(oldClean, c)
		}
	}
	for _, c := range newOrder {
		if !dirty[c] {
			newClean = append(newClean, c)
		}
	}
	if strings.Join(oldClean, " ") != strings.Join(newClean, " ") {
		return fmt.Errorf("unchanged categories moved between the releases")
	}
	oldBy := map[string]codesets.OrderEntry{}
	for _, e := range old {
		oldBy[e.Code] = e
	}
	prev := ""
	for _, cat := range newOrder {
		if dirty[cat] {
			w.rec("rcat", cat, prev)
			for _, e := range newRuns[cat] {
				if o, ok := oldBy[e.Code]; ok && o.Billable == e.Billable && o.Short == e.Short && o.Long == e.Long {
					w.rec("rcode", e.Code, "=", "", "")
					continue
				}
				short := e.Short
				if short == e.Long {
					short = ""
				}
				w.rec("rcode", e.Code, billFlag(e.Billable), short, e.Long)
			}
		}
		prev = cat
	}
	for _, cat := range oldOrder {
		if _, kept := newRuns[cat]; !kept {
			w.rec("rcat", cat, "") // dropped: no codes
		}
	}
	return nil
}

// runs groups an order file by category.
func runs(list []codesets.OrderEntry) (map[string][]codesets.OrderEntry, []string) {
	out := map[string][]codesets.OrderEntry{}
	var order []string
	for i := 0; i < len(list); {
		cat := list[i].Code[:3]
		j := i + 1
		for j < len(list) && strings.HasPrefix(list[j].Code, cat) {
			j++
		}
		out[cat] = list[i:j]
		order = append(order, cat)
		i = j
	}
	return out, order
}

// genExcludes writes a release's own Excludes notes:
// xsrc, text (where they come from), then
// xnote, code or block id, kind, text, references.
// Rows are "chapter,code,codeTitle,noteType,noteText,referencedCodes,
// referencedCategories"; code is a dotted code, "Block A15-A19" or
// "Chapter 1". Exact duplicate rows are dropped. A row without parsed
// references keeps them empty: codesets reads its text instead.
func genExcludes(srcDir string, w *writer, src source, tab *tabular) error {
	r, err := open(srcDir, src.rel)
	if err != nil {
		return err
	}
	defer r.Close()
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 7
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", src.rel, err)
	}
	if strings.Join(head, ",") != "chapter,code,codeTitle,noteType,noteText,referencedCodes,referencedCategories" {
		return fmt.Errorf("%s: unexpected header %q", src.rel, head)
	}
	if w.n["xsrc"] == 0 {
		w.rec("xsrc", "ICD-10-CM FY2027 Tabular List (Excludes1 and Excludes2 notes)")
	}
	seen := map[string]bool{}
	rows, dups, noRefs := 0, 0, 0
	for line := 2; ; line++ {
		f, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", src.rel, err)
		}
		rows++
		key := strings.Join(f, "\x00")
		if seen[key] {
			dups++
			continue
		}
		seen[key] = true
		id, err := excludesTarget(f[1], tab)
		if err != nil {
			return fmt.Errorf("%s line %d: %w", src.rel, line, err)
		}
		kind := f[3]
		if kind != "excludes1" && kind != "excludes2" {
			return fmt.Errorf("%s line %d: note type %q", src.rel, line, kind)
		}
		refs, err := refList(f[5])
		if err != nil {
			return fmt.Errorf("%s line %d: %w", src.rel, line, err)
		}
		if refs == "" {
			noRefs++
		}
		w.rec("xnote", id, kind, f[4], refs)
	}
	fmt.Fprintf(os.Stderr, "%s: %d rows, %d exact duplicates dropped, %d without parsed references (read from their text)\n", src.rel, rows, dups, noRefs)
	return nil
}

// excludesSections lists the sections the Excludes sources name.
func excludesSections(srcDir string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, names := range excludesOf {
		for _, name := range names {
			r, err := open(srcDir, sourceNamed(name).rel)
			if err != nil {
				return nil, err
			}
			rows, err := csv.NewReader(r).ReadAll()
			r.Close()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			for _, f := range rows {
				if len(f) > 1 && strings.HasPrefix(f[1], "Block ") && !seen[f[1]] {
					seen[f[1]] = true
					out = append(out, strings.TrimPrefix(f[1], "Block "))
				}
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// excludesTarget turns the code column into a code or block id.
func excludesTarget(s string, tab *tabular) (string, error) {
	switch {
	case strings.HasPrefix(s, "Chapter "):
		id := "ch" + strings.TrimPrefix(s, "Chapter ")
		if !tab.blocks[id] {
			return "", fmt.Errorf("no chapter %q in the Tabular", s)
		}
		return id, nil
	case strings.HasPrefix(s, "Block "):
		id := strings.TrimPrefix(s, "Block ")
		if !tab.blocks[id] {
			return "", fmt.Errorf("no section %q in the Tabular", s)
		}
		return id, nil
	}
	code := codesets.Canonical(s)
	if !codesets.ICD10CMShaped(code) {
		return "", fmt.Errorf("code %q", s)
	}
	return code, nil
}

// refList turns "E08.-;O24.4-;O10-O11;L99.9--L99.9-" into canonical
// references joined by ";": "E08;O244;O10-O11;L999-L999". A range's
// dash is the one followed by a letter.
func refList(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	var out []string
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		from, to := part, ""
		for i := 1; i < len(part)-1; i++ {
			if part[i] == '-' && part[i+1] >= 'A' && part[i+1] <= 'Z' {
				from, to = part[:i], part[i+1:]
				break
			}
		}
		f, t := codesets.Canonical(from), codesets.Canonical(to)
		if !codesets.ICD10CMPrefixShaped(f) || len(f) < 3 || to != "" && (!codesets.ICD10CMPrefixShaped(t) || len(t) < 3) {
			return "", fmt.Errorf("reference %q", part)
		}
		if t != "" {
			f += "-" + t
		}
		out = append(out, f)
	}
	return strings.Join(out, ";"), nil
}

// genNewer writes "newer" for each code the Tabular predates.
func genNewer(w *writer, codes []string, tab *tabular) {
	for _, c := range codes {
		if !tab.covers(c) {
			w.rec("newer", c)
		}
	}
}
