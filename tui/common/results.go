package common

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"codebench/index"
)

// ResultCache answers a search that any session sharing it ran recently
// from memory: coders of one team search the same things (a diagnosis
// common in the clinic, a visit code), and a coder types back to a query
// already answered (a slip taken back, the search history). A search
// costs a few milliseconds of a core; a hit costs a map lookup. The index
// behind it is read-only, so an answer stays right as long as the cache
// lives; a new index (new code sets) gets a new cache. Failed or
// cancelled searches are not kept.
//
// Results are shared: a caller must not modify Hits.
type ResultCache struct {
	s Searcher

	mu      sync.Mutex
	entries map[resultKey]index.Result
	order   []resultKey // oldest first, for eviction
	max     int

	hits, misses atomic.Int64
}

// resultKey is a search: the query and every option (TestResultKeyCoversOptions
// fails when index.Options gains a field this does not carry).
type resultKey struct {
	query                               string
	systems                             string
	validOn                             int64
	billableOnly, showInvalid, modifier bool
	limit, offset                       int
}

func keyFor(q string, o index.Options) resultKey {
	var sys strings.Builder
	for _, s := range o.Systems {
		sys.WriteString(string(s))
		sys.WriteByte(0)
	}
	k := resultKey{query: q, systems: sys.String(), billableOnly: o.BillableOnly, showInvalid: o.ShowInvalid,
		modifier: o.Modifiers, limit: o.Limit, offset: o.Offset}
	if !o.ValidOn.IsZero() {
		k.validOn = o.ValidOn.UnixNano()
	}
	return k
}

// NewResultCache keeps the last entries searches of s.
func NewResultCache(s Searcher, entries int) *ResultCache {
	return &ResultCache{s: s, entries: map[resultKey]index.Result{}, max: max(entries, 1)}
}

// Search answers from memory when it can; Took is then the lookup's time.
func (c *ResultCache) Search(ctx context.Context, q string, o index.Options) (index.Result, error) {
	start := time.Now()
	k := keyFor(q, o)
	c.mu.Lock()
	r, ok := c.entries[k]
	c.mu.Unlock()
	if ok {
		c.hits.Add(1)
		r.Took = time.Since(start)
		return r, nil
	}
	c.misses.Add(1)
	r, err := c.s.Search(ctx, q, o)
	if err != nil {
		return r, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, dup := c.entries[k]; !dup {
		if len(c.order) >= c.max {
			delete(c.entries, c.order[0])
			c.order = c.order[1:]
		}
		c.entries[k] = r
		c.order = append(c.order, k)
	}
	return r, nil
}

// Stats are the searches answered from memory and those run.
func (c *ResultCache) Stats() (hits, misses int64) { return c.hits.Load(), c.misses.Load() }
