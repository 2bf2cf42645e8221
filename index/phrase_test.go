package index

import "testing"

// A phrase selected in a note leaves out its narrative words and the
// numbers that qualify nothing, and Bleve searches at most maxSearched of
// its words; the others still rank.
func TestLongPhraseIsPruned(t *testing.T) {
	q := "A 67-year-old male patient presented with a history of hypertension and hiatal hernia in medical treatment, BP 142/84, who came to the clinic for self-limiting monosymptomatic hematuria"
	p := testIndex.parse(q)
	if !p.phrase {
		t.Fatal("not read as a phrase")
	}
	for _, c := range p.concepts {
		switch c.typed {
		case "patient", "presented", "67-year-old", "142/84":
			t.Errorf("%q searched", c.typed)
		}
	}
	res := find(t, q, Options{})
	if r := rankOf(res.Hits, "R31.9"); r == 0 || r > 10 {
		t.Errorf("hematuria: R31.9 at %d in %v", r, first(codes(res.Hits), 10))
	}
	p = testIndex.parse(q)
	if err := testIndex.prepare(t.Context(), &p); err != nil {
		t.Fatal(err)
	}
	pruneConcepts(&p)
	if n := p.required(); n > maxSearched {
		t.Errorf("%d words searched, want at most %d", n, maxSearched)
	}
	// A short query is not a phrase: its numbers stay.
	if p := testIndex.parse("ckd stage 3"); p.phrase || len(p.concepts) != 3 {
		t.Errorf("ckd stage 3: %+v", p.concepts)
	}
}
