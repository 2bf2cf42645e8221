package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"codebench/codesets"
)

// testIndex is the full index (ICD-10-CM, HCPCS and the invented CPT
// fixture), built once per test binary.
var (
	testIndex     *Index
	testBuildTime time.Duration
)

// TestMain builds the full index once into a temporary directory (or reuses
// the one under $CODEBENCH_TEST_INDEX, for quicker runs while developing).
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	set, err := testSet()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	root := os.Getenv("CODEBENCH_TEST_INDEX")
	if root == "" {
		tmp, err := os.MkdirTemp("", "codebench-index-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(tmp)
		root = tmp
	}
	start := time.Now()
	ix, err := OpenOrBuild(context.Background(), set, filepath.Join(root, "cache"), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "build test index:", err)
		return 1
	}
	testBuildTime = time.Since(start)
	// The lookups Open builds in the background read indexedCodes, which
	// the cache tests swap: let them finish first.
	<-ix.primed
	testIndex = ix
	defer ix.Close()
	return m.Run()
}

// testSet is the embedded code sets with the invented CPT fixture.
func testSet() (*codesets.Set, error) {
	set, err := codesets.Embedded()
	if err != nil {
		return nil, err
	}
	f, err := os.Open("../codesets/testdata/cpt_fixture.tsv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cpt, err := codesets.ParseCPT(f, "cpt_fixture.tsv")
	if err != nil {
		return nil, err
	}
	return set.WithCPT(cpt, "file=cpt_fixture.tsv (invented descriptors)"), nil
}
