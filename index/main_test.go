package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"codebench/codesets"
)

// testIndex is the full index, built once per test binary.
var testIndex *Index

// TestMain builds the full index once into a temporary directory (or reuses
// the one under $CODEBENCH_TEST_INDEX, for quicker runs while developing).
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	set, err := codesets.Embedded()
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
	ix, err := OpenOrBuild(context.Background(), set, filepath.Join(root, "cache"), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "build test index:", err)
		return 1
	}
	testIndex = ix
	defer ix.Close()
	return m.Run()
}
