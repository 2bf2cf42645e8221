package common

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"codebench/codesets"
	"codebench/index"
)

type countingSearcher struct {
	calls []string
	fail  error
}

func (s *countingSearcher) Search(_ context.Context, q string, o index.Options) (index.Result, error) {
	s.calls = append(s.calls, q)
	if s.fail != nil {
		return index.Result{}, s.fail
	}
	return index.Result{Hits: []index.Hit{{Why: q}}, Total: uint64(o.Limit), Took: time.Hour}, nil
}

func TestResultCacheAnswersRepeatedSearches(t *testing.T) {
	s := &countingSearcher{}
	c := NewResultCache(s, 3)
	ctx := context.Background()
	dos := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	o := index.Options{Limit: 50, ValidOn: dos}
	for range 3 {
		r, err := c.Search(ctx, "chf", o)
		if err != nil || len(r.Hits) != 1 || r.Hits[0].Why != "chf" || r.Total != 50 {
			t.Fatalf("%+v %v", r, err)
		}
	}
	if r, _ := c.Search(ctx, "chf", o); r.Took >= time.Hour {
		t.Errorf("a hit reports the original search's time: %v", r.Took)
	}
	if len(s.calls) != 1 {
		t.Fatalf("searches run: %q", s.calls)
	}
	// Every option tells searches apart.
	for _, other := range []index.Options{
		{Limit: 50, ValidOn: dos.AddDate(0, 0, 1)},
		{Limit: 20, ValidOn: dos},
		{Limit: 50, ValidOn: dos, Systems: []codesets.System{codesets.ICD10CM}},
		{Limit: 50, ValidOn: dos, ShowInvalid: true},
	} {
		before := len(s.calls)
		c.Search(ctx, "chf", other)
		if len(s.calls) != before+1 {
			t.Errorf("%+v answered from another search's result", other)
		}
	}
	if hits, misses := c.Stats(); hits != 3 || misses != 5 {
		t.Errorf("hits %d misses %d", hits, misses)
	}
	// The oldest searches make room.
	c.Search(ctx, "chf", o)
	if s.calls[len(s.calls)-1] != "chf" || len(s.calls) != 6 {
		t.Errorf("an evicted search was answered: %q", s.calls)
	}
	// Failures are not kept.
	s.fail = context.Canceled
	if _, err := c.Search(ctx, "copd", o); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	s.fail = nil
	if _, err := c.Search(ctx, "copd", o); err != nil || s.calls[len(s.calls)-1] != "copd" || len(s.calls) != 8 {
		t.Errorf("a failed search was kept: %q %v", s.calls, err)
	}
}

// TestResultKeyCoversOptions fails when index.Options gains a field the
// cache key does not carry: two searches differing only in it would share
// an answer.
func TestResultKeyCoversOptions(t *testing.T) {
	var fields []string
	for f := range reflect.TypeFor[index.Options]().Fields() {
		fields = append(fields, f.Name)
	}
	slices.Sort(fields)
	want := []string{"BillableOnly", "Limit", "Modifiers", "Offset", "ShowInvalid", "Systems", "ValidOn"}
	if !slices.Equal(fields, want) {
		t.Fatalf("index.Options has %v; resultKey carries %v: add the new options to resultKey and keyFor", fields, want)
	}
}
