package dataimport

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"codebench/codesets"
)

// A Kind is one kind of official file the import knows. Kinds register
// themselves in Kinds; the import gives each the files it matches, and
// keeps what Stage returns once every file of the import has passed.
type Kind interface {
	// Name names the kind in the manifest and for --kind ("icd10cm").
	Name() string
	// Describe says what the kind's files are, for messages and help.
	Describe() string
	// Match tells whether a file is of the kind, by its name and its
	// first bytes.
	Match(name string, head []byte) bool
	// Stage checks the whole of the kind's files in one import (all the
	// parts of a PTP release come together) and returns what to keep:
	// one Staged per release or table. It changes nothing.
	Stage(files []File, env *Env) ([]*Staged, error)
}

// Env is what a kind's Stage knows besides its files.
type Env struct {
	// Set is the code sets loaded before the import (embedded and
	// imported), to hold a new release against the one before it.
	Set *codesets.Set
	// Options are the command's: release name and dates when the file
	// names do not tell them.
	Options Options
}

// Staged is one release or table checked and ready to keep.
type Staged struct {
	// Record is filled by the kind: Kind, Name, Source, From, To,
	// Counts, Checks. The import sets the id, files, data file and
	// sha256.
	Record codesets.ImportRecord
	// Data is what codebench loads, written as Record.Data.
	Data     []byte
	DataName string
	Files    []File
}

// Kinds lists every kind the import knows, in the order files are
// matched against them.
var Kinds = []Kind{icdKind{}, hcpcsKind{}, ptpKind, mueKind, addonKind, pfsKind, mceKind}

// kindNamed finds a kind by name.
func kindNamed(name string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Name() == name {
			return k, true
		}
	}
	return nil, false
}

// firstLine is a file's first line, without its line end.
func firstLine(head []byte) string {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	return strings.TrimRight(string(head), "\r")
}

// gzipBytes compresses what an import keeps (the level gzip uses by
// default: the best one takes seconds more on a 130 MB PTP release for a
// few per cent).
func gzipBytes(data []byte) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.DefaultCompression)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

// ---- ICD-10-CM: order file, with its order addenda when given ----

type icdKind struct{}

func (icdKind) Name() string { return codesets.KindICD10CM }

func (icdKind) Describe() string {
	return "ICD-10-CM order file (icd10cm_order_YYYY.txt, annual or April update; CDC/NCHS), with its order addenda when given"
}

var orderLineRE = regexp.MustCompile(`^[0-9]{5} [A-Z][0-9A-Z]{2}[0-9A-Z ]{4} [01] `)

func (icdKind) Match(name string, head []byte) bool {
	line := firstLine(head)
	return orderLineRE.MatchString(line) || isAddenda(line)
}

// isAddenda tells an order addenda file by its first line: a change, or
// (when it lists none) its summary.
func isAddenda(line string) bool {
	return strings.HasPrefix(line, "Add:") || strings.HasPrefix(line, "Delete:") || strings.HasPrefix(line, "Revise from:") || line == "Headers"
}

var (
	yearRE  = regexp.MustCompile(`(20[0-9]{2})`)
	aprilRE = regexp.MustCompile(`(?i)april`)
)

// override puts the command's --release, --from and --to in place of
// what the file names told.
func (o Options) override(name string, from, to time.Time) (string, time.Time, time.Time) {
	if o.Release != "" {
		name = o.Release
	}
	if !o.From.IsZero() {
		from = o.From
	}
	if !o.To.IsZero() {
		to = o.To
	}
	return name, from, to
}

// icdRelease names a release from its file names, or from the options:
// an annual file of year Y is FY Y (1 October Y-1 to 30 September Y), an
// April update from 1 April Y.
func icdRelease(names []string, o Options) (name string, from, to time.Time, err error) {
	joined := strings.Join(names, " ")
	if m := yearRE.FindAllString(joined, -1); len(m) > 0 {
		y, _ := strconv.Atoi(m[len(m)-1])
		name = fmt.Sprintf("FY%d", y)
		from = time.Date(y-1, 10, 1, 0, 0, 0, 0, time.UTC)
		to = time.Date(y, 9, 30, 0, 0, 0, 0, time.UTC)
		if aprilRE.MatchString(joined) {
			name += " April 1 update"
			from = time.Date(y, 4, 1, 0, 0, 0, 0, time.UTC)
		}
	}
	name, from, to = o.override(name, from, to)
	if name == "" || from.IsZero() || to.IsZero() {
		return "", from, to, fmt.Errorf("cannot tell the release from the file name %s: give --release FY2028 --from 2027-10-01 --to 2028-09-30", codesets.Quote(joined, 120))
	}
	if to.Before(from) {
		return "", from, to, fmt.Errorf("release %s ends (%s) before it starts (%s)", name, to.Format(time.DateOnly), from.Format(time.DateOnly))
	}
	return name, from, to, nil
}

func (icdKind) Stage(files []File, env *Env) ([]*Staged, error) {
	var orders, addenda []File
	for _, f := range files {
		if isAddenda(firstLine(f.Data)) {
			addenda = append(addenda, f)
		} else {
			orders = append(orders, f)
		}
	}
	if len(orders) != 1 {
		return nil, fmt.Errorf("give one ICD-10-CM order file per import (got %d)", len(orders))
	}
	if len(addenda) > 1 {
		return nil, fmt.Errorf("give at most one order addenda file (got %d)", len(addenda))
	}
	order := orders[0]
	name, from, to, err := icdRelease([]string{order.Given, order.Member}, env.Options)
	if err != nil {
		return nil, err
	}
	for _, r := range env.Set.Releases() {
		if r.Name == name {
			origin := "embedded"
			if r.Imported {
				origin = "imported as " + strings.TrimPrefix(r.Source.Name, "import:")
			}
			return nil, fmt.Errorf("ICD-10-CM %s is already loaded (%s): remove that import first (codebench data remove ID) or name this one with --release", name, origin)
		}
	}
	list, err := codesets.ParseOrderFile(bytes.NewReader(order.Data), order.Name())
	if err != nil {
		return nil, err
	}
	checks := []string{"layout", "order numbers", "code shapes", "duplicates", "every header has codes under it", "every billable code is a leaf"}
	headers, billable := 0, 0
	for _, e := range list {
		if e.Billable {
			billable++
		} else {
			headers++
		}
	}
	used := []File{order}
	if len(addenda) == 1 {
		a, err := codesets.ParseAddenda(bytes.NewReader(addenda[0].Data), addenda[0].Name())
		if err != nil {
			return nil, err
		}
		// The release before is the one in force the day before this one
		// starts, when it is loaded; otherwise only the summary's counts
		// can be held to the file.
		if prev, ok := env.Set.ReleaseOn(from.AddDate(0, 0, -1)); ok {
			if err := a.Check(prev.Entries(), list, addenda[0].Name()); err != nil {
				return nil, err
			}
			checks = append(checks, "every change listed by the addenda against "+prev.Title())
		} else if a.HasTotal && (a.Summary.NewHeaders != headers || a.Summary.NewCodes != billable) {
			return nil, fmt.Errorf("%s: its summary says %d headers and %d codes, %s has %d and %d", codesets.Quote(addenda[0].Name(), 120), a.Summary.NewHeaders, a.Summary.NewCodes, codesets.Quote(order.Name(), 120), headers, billable)
		}
		if a.HasTotal {
			checks = append(checks, "totals of the addenda summary")
		}
		used = append(used, addenda[0])
	}
	st := &Staged{
		Record: codesets.ImportRecord{Kind: codesets.KindICD10CM, Name: name, Source: "ICD-10-CM order file (CDC/NCHS)",
			From: from.Format(time.DateOnly), To: to.Format(time.DateOnly),
			Counts: map[string]int{"order lines": len(list), "billable": billable, "headers": headers}, Checks: checks},
		Data: gzipBytes(order.Data), DataName: "order.txt.gz", Files: used,
	}
	return []*Staged{st}, nil
}

// ---- HCPCS Level II quarterly file ----

type hcpcsKind struct{}

func (hcpcsKind) Name() string { return codesets.KindHCPCS }

func (hcpcsKind) Describe() string {
	return "HCPCS Level II quarterly file (HCPCyyyy_MON_ANWEB: the fixed-width text CMS ships, or its spreadsheet saved as tab-separated text)"
}

var hcpcsLineRE = regexp.MustCompile(`^[ A-Z0-9]{5}[0-9]{5}[3478]`)

func (hcpcsKind) Match(name string, head []byte) bool {
	line := firstLine(head)
	return strings.HasPrefix(line, "HCPC\t") || hcpcsLineRE.MatchString(line) && len(line) >= 12
}

var quarterRE = regexp.MustCompile(`(?i)(20[0-9]{2})[_ -]?(jan|apr|jul|oct)`)

var quarterMonths = map[string]time.Month{"jan": time.January, "apr": time.April, "jul": time.July, "oct": time.October}

// hcpcsRelease names a quarterly file from its name (HCPC2026_JAN_ANWEB)
// or the options.
func hcpcsRelease(names []string, o Options) (name string, from, to time.Time, err error) {
	joined := strings.Join(names, " ")
	if m := quarterRE.FindStringSubmatch(joined); m != nil {
		y, _ := strconv.Atoi(m[1])
		mon := quarterMonths[strings.ToLower(m[2])]
		from = time.Date(y, mon, 1, 0, 0, 0, 0, time.UTC)
		to = from.AddDate(0, 3, -1)
		name = fmt.Sprintf("%d %s", y, mon)
	}
	name, from, to = o.override(name, from, to)
	if name == "" || from.IsZero() {
		return "", from, to, fmt.Errorf("cannot tell the quarter from the file name %s: give --release \"2026 January\" --from 2026-01-01", codesets.Quote(joined, 120))
	}
	if !to.IsZero() && to.Before(from) {
		return "", from, to, fmt.Errorf("%s ends before it starts", name)
	}
	return name, from, to, nil
}

func (hcpcsKind) Stage(files []File, env *Env) ([]*Staged, error) {
	var out []*Staged
	for _, f := range files {
		name, from, to, err := hcpcsRelease([]string{f.Given, f.Member}, env.Options)
		if err != nil {
			return nil, err
		}
		for _, r := range env.Set.HCPCSReleases() {
			if r.Name == name {
				return nil, fmt.Errorf("HCPCS Level II %s is already loaded: remove that import first (codebench data remove ID)", name)
			}
		}
		recs, err := codesets.ParseHCPCS(bytes.NewReader(f.Data), f.Name())
		if err != nil {
			return nil, err
		}
		codes, mods := 0, 0
		for _, r := range recs {
			if r.Modifier {
				mods++
			} else {
				codes++
			}
		}
		rec := codesets.ImportRecord{Kind: codesets.KindHCPCS, Name: name, Source: "HCPCS Level II alpha-numeric file (CMS)",
			From: from.Format(time.DateOnly), Counts: map[string]int{"codes": codes, "modifiers": mods},
			Checks: []string{"layout", "record ids and continuation lines", "code shapes", "duplicates", "dates (added before terminated)", "no control characters"}}
		if !to.IsZero() {
			rec.To = to.Format(time.DateOnly)
		}
		out = append(out, &Staged{Record: rec, Data: gzipBytes(f.Data), DataName: "hcpcs.txt.gz", Files: []File{f}})
	}
	return out, nil
}
