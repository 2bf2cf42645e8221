package sshload

import (
	"errors"
	"testing"
	"time"

	"github.com/hinshun/vt10x"
)

func TestCapacityFindsTheLargestPassingCount(t *testing.T) {
	for _, tc := range []struct{ start, limit, threshold, want int }{
		{50, 400, 137, 137 - 137/20}, // within 5% below the true threshold
		{50, 400, 30, 30 - 30/20},
		{10, 400, 10, 10},
		{50, 80, 1000, 80}, // the limit passes
		{50, 400, 0, 0},    // nothing passes
	} {
		var probes []int
		got, err := Capacity(tc.start, tc.limit, func(n int) (bool, error) {
			probes = append(probes, n)
			return n <= tc.threshold, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got > tc.threshold || got < tc.want {
			t.Errorf("start %d limit %d threshold %d: %d after probes %v, want %d..%d", tc.start, tc.limit, tc.threshold, got, probes, tc.want, tc.threshold)
		}
		if len(probes) > 12 {
			t.Errorf("threshold %d: %d probes %v", tc.threshold, len(probes), probes)
		}
		for _, p := range probes {
			if p < 1 || p > tc.limit {
				t.Errorf("probed %d outside 1..%d", p, tc.limit)
			}
		}
	}
	boom := errors.New("serve failed")
	if _, err := Capacity(50, 400, func(int) (bool, error) { return false, boom }); !errors.Is(err, boom) {
		t.Errorf("probe error: %v", err)
	}
}

func TestSummarizeNearestRank(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	s := Summarize(d)
	if s.N != 100 || s.P50 != 50*time.Millisecond || s.P99 != 99*time.Millisecond || s.Max != 100*time.Millisecond || s.Mean != 50500*time.Microsecond {
		t.Errorf("%+v", s)
	}
	if (Summarize(nil) != Summary{}) {
		t.Error("empty")
	}
}

// TestSearchInputShowsIsExact: the cursor tells "dia" from "dia " and a
// stale frame from the key's.
func TestSearchInputShowsIsExact(t *testing.T) {
	vt := vt10x.New(vt10x.WithSize(40, 3))
	draw := func(text string, cursorAt int) {
		vt.Write([]byte("\x1b[2J\x1b[2;1H│"))
		for i, r := range text {
			if i == cursorAt {
				vt.Write([]byte("\x1b[7m" + string(r) + "\x1b[27m"))
			} else {
				vt.Write([]byte(string(r)))
			}
		}
	}
	draw("/ words or a code", 2)
	in, ok := FindSearchInput(&Screen{vt: vt}, "words or a code")
	if !ok || in.X != 1 || in.Y != 1 {
		t.Fatalf("input at %+v %v", in, ok)
	}
	s := &Screen{vt: vt}
	if !in.Shows(s, "") || in.Shows(s, "w") {
		t.Error("empty input")
	}
	draw("/ dia  ", 5)
	if !in.Shows(s, "dia") || in.Shows(s, "dia ") || in.Shows(s, "di") {
		t.Error(`"dia" with the cursor after it`)
	}
	draw("/ dia  ", 6)
	if !in.Shows(s, "dia ") || in.Shows(s, "dia") {
		t.Error(`"dia " with the cursor after the space`)
	}
}

// TestScriptStatesFollowTheKeys: each key's expected input is what the
// keys so far would leave in an input, and the query ends typed in full.
func TestScriptStatesFollowTheKeys(t *testing.T) {
	for _, q := range []string{"chf", "type 2 diabetes", "e11.65", "~~~~"} {
		var in string
		var slips int
		keys := script(q)
		for i, k := range keys {
			switch k.key {
			case KeyBackspace:
				in = in[:len(in)-1]
				slips++
			case KeyCtrlU:
				if i != len(keys)-1 || !k.think {
					t.Errorf("%q: ctrl+u at %d of %d, think %v", q, i, len(keys), k.think)
				}
				if in != q {
					t.Errorf("%q: typed %q before clearing", q, in)
				}
				in = ""
			default:
				in += k.key
			}
			if in != k.state {
				t.Errorf("%q key %d %q: input %q, script expects %q", q, i, k.key, in, k.state)
			}
		}
		if want := map[bool]int{true: 1, false: 0}[len(q) >= 4]; slips != want {
			t.Errorf("%q: %d slips", q, slips)
		}
	}
}
