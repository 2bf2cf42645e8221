// Package phifile keeps files holding patient data (the work store, logs,
// the billing queue and its spool, inbox files once imported, reason
// files) readable by their owner only: files 0600, directories 0700.
// What codebench creates it creates that way; what it finds looser at open
// it tightens, and says so.
package phifile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Modes of patient-data files and the directories holding them.
const (
	FileMode fs.FileMode = 0o600
	DirMode  fs.FileMode = 0o700
)

// Notice receives one line for each permission tightened; nil discards.
type Notice func(msg string)

func (n Notice) say(format string, a ...any) {
	if n != nil {
		n(fmt.Sprintf(format, a...))
	}
}

// MkdirAll creates dir and any missing parents 0700. An existing dir that
// group or others can use is tightened to 0700 (with a notice); existing
// parents are left alone (they may be shared, like /srv).
func MkdirAll(dir string, notice Notice) error {
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return err
	}
	return Tighten(dir, notice)
}

// Tighten takes group and other permissions off an existing file (to
// 0600 at most) or directory (0700 at most); a missing path is not an
// error. A symbolic link is refused, not followed.
func Tighten(path string, notice Notice) error {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("%s is a symbolic link; patient data must be in a real file or directory", path)
	}
	want := st.Mode().Perm() &^ 0o077
	if st.Mode().Perm() == want {
		return nil
	}
	if err := os.Chmod(path, want); err != nil {
		return fmt.Errorf("%s holds patient data and is readable by others (%04o); tightening it failed: %w", path, st.Mode().Perm(), err)
	}
	notice.say("%s held patient data readable by others (%04o); tightened to %04o", path, st.Mode().Perm(), want)
	return nil
}

// TightenAll tightens paths that exist (a store and its -wal and -shm
// files, say).
func TightenAll(notice Notice, paths ...string) error {
	for _, p := range paths {
		if err := Tighten(p, notice); err != nil {
			return err
		}
	}
	return nil
}

// OpenAppend opens a log file for appending, created 0600 in a 0700
// directory; an existing file is tightened.
func OpenAppend(path string, notice Notice) (*os.File, error) {
	if err := MkdirAll(filepath.Dir(path), notice); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, FileMode)
	if err != nil {
		return nil, err
	}
	if err := Tighten(path, notice); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
