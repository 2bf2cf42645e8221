package index

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"codebench/codesets"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// One document per code, whatever the releases that have it; its release
// fields say which.
func TestReleaseFields(t *testing.T) {
	count := func(code, field, value string) uint64 {
		t.Helper()
		c := query.NewTermQuery(code)
		c.SetField(fieldCode)
		v := query.NewTermQuery(value)
		v.SetField(field)
		res, err := testIndex.bi.SearchInContext(context.Background(), bleve.NewSearchRequest(query.NewConjunctionQuery([]query.Query{c, v})))
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	for _, tc := range []struct {
		code, field, value string
		want               uint64
	}{
		{"I420", fieldReleases, "FY2026", 1}, {"I420", fieldReleases, "FY2027", 1},
		{"I420", fieldBillableIn, "FY2026", 1}, {"I420", fieldBillableIn, "FY2027", 0},
		{"I4200", fieldReleases, "FY2026", 0}, {"I4200", fieldBillableIn, "FY2027", 1},
		{"QA171", fieldReleases, "FY2027", 1}, {"T528X1A", fieldReleases, "FY2027", 0},
		{"T528X1A", fieldBillableIn, "FY2026", 1}, {"J1885", fieldReleases, anyRelease, 1},
	} {
		if got := count(tc.code, tc.field, tc.value); got != tc.want {
			t.Errorf("%s %s:%s: %d documents, want %d", tc.code, tc.field, tc.value, got, tc.want)
		}
	}
	all := query.NewTermQuery("I420")
	all.SetField(fieldCode)
	if res, _ := testIndex.bi.Search(bleve.NewSearchRequest(all)); res.Total != 1 {
		t.Errorf("I42.0 has %d documents, want 1", res.Total)
	}
}

// A search answers for its date of service, with the release in force
// that day, and says which.
func TestSearchFollowsTheDateOfService(t *testing.T) {
	before, after := day("2026-09-15"), day("2026-11-16")
	res := find(t, "I42.0", Options{ValidOn: before, Limit: 20})
	if res.Release == nil || res.Release.Name != "FY2026" {
		t.Fatalf("release %v", res.Release)
	}
	if got := codes(res.Hits); len(got) != 1 || got[0] != "I42.0" || !res.Hits[0].Code.Billable {
		t.Errorf("I42.0 on %s: %v", before.Format(time.DateOnly), got)
	}
	res = find(t, "I42.0", Options{ValidOn: after, Limit: 20})
	if res.Release.Name != "FY2027" || strings.Join(codes(res.Hits), " ") != "I42.00 I42.01 I42.09 I42.0" {
		t.Errorf("I42.0 on %s (%s): %v", after.Format(time.DateOnly), res.Release.Name, codes(res.Hits))
	}
	// Words find the billable code of the date's release.
	if r := rankOf(find(t, "dilated cardiomyopathy", Options{ValidOn: before, BillableOnly: true}).Hits, "I42.0"); r != 1 {
		t.Errorf("dilated cardiomyopathy on %s: I42.0 at %d", before.Format(time.DateOnly), r)
	}
	hits := find(t, "dilated cardiomyopathy", Options{ValidOn: after, BillableOnly: true}).Hits
	if r := rankOf(hits, "I42.00"); r == 0 || r > 3 {
		t.Errorf("dilated cardiomyopathy on %s: I42.00 at %d in %v", after.Format(time.DateOnly), r, first(codes(hits), 5))
	}
	for _, h := range hits {
		if h.Code.Code == "I420" {
			t.Error("I42.0 is a header in FY2027")
		}
	}
	// A code prefix with a letter second, new in FY2027.
	if got := codes(find(t, "QA1.7", Options{ValidOn: after}).Hits); len(got) == 0 || got[0] != "QA1.71" {
		t.Errorf("QA1.7 on %s: %v", after.Format(time.DateOnly), got)
	}
	if got := codes(find(t, "QA1.7", Options{ValidOn: before}).Hits); len(got) != 0 {
		t.Errorf("QA1.7 on %s: %v, want none", before.Format(time.DateOnly), got)
	}
	// Shown dimmed instead, with the release that has it.
	res = find(t, "QA1.71", Options{ValidOn: before, ShowInvalid: true})
	if len(res.Hits) == 0 || res.Hits[0].Code.Code != "QA171" || !strings.Contains(res.Hits[0].NotValid, "not in ICD-10-CM FY2026; in FY2027") {
		t.Errorf("QA1.71 shown on %s: %+v", before.Format(time.DateOnly), res.Hits)
	}
	// A code FY2027 deleted.
	if r := rankOf(find(t, "T52.8X1A", Options{ValidOn: before}).Hits, "T52.8X1A"); r != 1 {
		t.Errorf("T52.8X1A on %s: rank %d", before.Format(time.DateOnly), r)
	}
	if r := rankOf(find(t, "T52.8X1A", Options{ValidOn: after}).Hits, "T52.8X1A"); r != 0 {
		t.Errorf("T52.8X1A on %s: rank %d", after.Format(time.DateOnly), r)
	}
	// Before every release: no ICD-10-CM code, HCPCS still by its dates.
	res = find(t, "diabetes", Options{ValidOn: day("2024-05-01"), Limit: 50})
	if res.Release != nil {
		t.Errorf("2024: release %v", res.Release)
	}
	for _, h := range res.Hits {
		if h.Code.System == codesets.ICD10CM {
			t.Errorf("2024: ICD-10-CM hit %s", h.Code.Code)
		}
	}
}
