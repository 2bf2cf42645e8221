//go:build !unix

package safefile

import (
	"fmt"
	"os"
)

// openNoFollow, where O_NOFOLLOW is missing: refuse a link Lstat sees,
// then check that the opened file is the one Lstat saw.
func openNoFollow(path string) (*os.File, error) {
	before, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if before.Mode()&os.ModeSymlink != 0 {
		return nil, errSymlink
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	after, err := f.Stat()
	if err != nil || !os.SameFile(before, after) {
		f.Close()
		return nil, fmt.Errorf("%s: the file changed while being opened", path)
	}
	return f, nil
}

// Platforms without flock: locks always succeed; run one import per
// inbox there.
func TryLock(*os.File) (bool, error) { return true, nil }

func Lock(*os.File) error { return nil }

func Unlock(*os.File) error { return nil }
