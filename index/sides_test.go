package index

import "testing"

// Side words next to a part of the body pick the side; a query that gives
// none gets the unspecified side first.
func TestSideWordsPickTheSide(t *testing.T) {
	for _, tc := range []struct{ q, want string }{
		{"r knee oa", "M17.11"},
		{"l knee oa", "M17.12"},
		{"rt hip oa", "M16.11"},
		{"b/l knee oa", "M17.0"},
		{"bil knee oa", "M17.0"},
		{"b knees oa", "M17.0"},
		{"l ankle sprain", "S93.402A"},
		{"ankle sprain r", "S93.401A"},
		{"ankle sprain", "S93.409A"},
		{"r leg cellulitis", "L03.115"},
	} {
		res := find(t, tc.q, Options{})
		if len(res.Hits) == 0 || res.Hits[0].Code.Display() != tc.want {
			t.Errorf("%q: first %v, want %s", tc.q, first(codes(res.Hits), 5), tc.want)
		}
	}
}

// The letters are sides only where they can mean nothing else.
func TestSideWordsDoNotMisfire(t *testing.T) {
	for _, q := range []string{"r/o mi", "b12 deficiency", "hep b", "vitamin b deficiency", "l4 fracture", "o2 2 l", "group b strep"} {
		p := testIndex.parse(q)
		for _, c := range p.concepts {
			if c.side != noSide {
				t.Errorf("%q: %q read as a side", q, c.typed)
			}
		}
	}
	for _, tc := range []struct{ q, want string }{
		{"hep b chronic", "B18.1"},
		{"b12 deficiency anemia", "D51.9"},
	} {
		if r := rankOf(find(t, tc.q, Options{}).Hits, tc.want); r == 0 || r > 5 {
			t.Errorf("%q: %s at rank %d", tc.q, tc.want, r)
		}
	}
	// "r/o" is not searched: the finding's words are.
	if r := rankOf(find(t, "r/o pneumonia", Options{}).Hits, "J18.9"); r != 1 {
		t.Errorf("r/o pneumonia: J18.9 at %d", r)
	}
}

// NOS asks for the unspecified code of a family, NEC for its "other" code.
func TestNOSAndNEC(t *testing.T) {
	for _, tc := range []struct{ q, want string }{
		{"pneumonia NOS", "J18.9"},
		{"hyperlipidemia NEC", "E78.49"},
		{"depression NEC", "F32.89"},
		{"hyperlipidemia not elsewhere classified", "E78.49"},
	} {
		res := find(t, tc.q, Options{})
		if len(res.Hits) == 0 || res.Hits[0].Code.Display() != tc.want {
			t.Errorf("%q: first %v, want %s", tc.q, first(codes(res.Hits), 5), tc.want)
		}
	}
}

// Words a query denies ("without mention of alcohol", "no fever") are
// answered only by a title's negative qualifier, and a title that states
// them ranks lower; older wording's "mention of", "episode of care" and
// "not stated as ..." are read, not searched.
func TestDeniedWords(t *testing.T) {
	for _, tc := range []struct{ q, want string }{
		{"cirrhosis of liver without mention of alcohol", "K74.60"},
		{"asthma without mention of status asthmaticus", "J45.909"},
		{"diabetes type II not stated as uncontrolled", "E11.9"},
		{"severe sepsis without septic shock", "R65.20"},
		{"esophagitis without mention of bleeding", "K20.90"},
	} {
		res := find(t, tc.q, Options{})
		if len(res.Hits) == 0 || res.Hits[0].Code.Display() != tc.want {
			t.Errorf("%q: first %v, want %s", tc.q, first(codes(res.Hits), 5), tc.want)
		}
	}
	// The denial ends with the clause: "without ..., adding fever" still
	// asks for fever.
	p := testIndex.parse("stools liquid without blood, adding fever")
	for _, c := range p.concepts {
		if c.negated != (c.typed == "blood") {
			t.Errorf("%q negated %v", c.typed, c.negated)
		}
	}
	if got := clauseEnds("a b, c (d) e11.9 f. g"); len(got) != 7 || got[0] || !got[1] || !got[2] || !got[3] || got[4] || !got[5] || got[6] {
		t.Errorf("clauseEnds: %v", got)
	}
}

// "w" (with) ends what "w/o" denies.
func TestDenialEndsAtWith(t *testing.T) {
	p := testIndex.parse("dm2 w/o retinopathy w neuropathy")
	for _, c := range p.concepts {
		if c.negated != (c.typed == "retinopathy") {
			t.Errorf("%q negated %v", c.typed, c.negated)
		}
	}
}
