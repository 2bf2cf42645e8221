package storetest

import (
	"fmt"
	"sync"
	"testing"

	"codebench/encounter/store"
)

// testControlNumbers: an export key keeps its interchange control number;
// new keys get the next numbers, distinct across handles and goroutines.
func testControlNumbers(t *testing.T, b Backend) {
	r := newRig(t, b)
	cn, ok := r.s.(store.ControlNumbers)
	if !ok {
		t.Fatalf("%T allocates no X12 control numbers (store.ControlNumbers)", r.s)
	}
	a1, err := cn.ControlNumber(ctx, "enc-1-r0")
	if err != nil {
		t.Fatal(err)
	}
	b1, _ := cn.ControlNumber(ctx, "enc-2-r0")
	a2, _ := cn.ControlNumber(ctx, "enc-1-r0")
	if a1 < 1 || a1 > store.MaxControlNumber || b1 == a1 || a2 != a1 {
		t.Fatalf("numbers %d %d %d: a key keeps its number, another key gets another", a1, b1, a2)
	}
	if _, err := cn.ControlNumber(ctx, ""); err == nil {
		t.Fatal("empty key accepted")
	}
	other := r.open().(store.ControlNumbers)
	if again, err := other.ControlNumber(ctx, "enc-2-r0"); err != nil || again != b1 {
		t.Fatalf("another handle: %d %v, want %d", again, err, b1)
	}
	var mu sync.Mutex
	seen := map[int]string{a1: "enc-1-r0", b1: "enc-2-r0"}
	var wg sync.WaitGroup
	for g := range 4 {
		h := cn
		if g%2 == 1 {
			h = other
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				key := fmt.Sprintf("enc-%d-%d-r0", g, i)
				n, err := h.ControlNumber(ctx, key)
				mu.Lock()
				if err != nil {
					t.Errorf("%s: %v", key, err)
				} else if prev, dup := seen[n]; dup {
					t.Errorf("%s and %s share control number %d", key, prev, n)
				}
				seen[n] = key
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}
