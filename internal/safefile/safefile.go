// Package safefile reads files from outside without following links or
// blocking on FIFOs and devices, and writes files so that a crash leaves
// the old content or the new, never a part.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// NotRegularError is a path that is a link, directory, FIFO or device.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s: not a regular file (%s)", e.Path, DescribeMode(e.Mode))
}

// TooLargeError is a file over the limit (Size -1: it grew while read).
type TooLargeError struct {
	Path      string
	Size, Max int64
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("%s: grew past the %d-byte limit while being read", e.Path, e.Max)
	}
	return fmt.Sprintf("%s: %d bytes, larger than the %d-byte limit", e.Path, e.Size, e.Max)
}

// errSymlink is what openNoFollow returns for a symbolic link.
var errSymlink = errors.New("a symbolic link")

// OpenRegular opens a regular file for reading without following a
// symbolic link or blocking on a FIFO or device: it opens with O_NOFOLLOW
// and O_NONBLOCK and checks the type on the open descriptor (fstat), so a
// link or FIFO swapped in between a check and the open is never read.
func OpenRegular(path string) (*os.File, fs.FileInfo, error) {
	f, err := openNoFollow(path)
	if errors.Is(err, errSymlink) {
		return nil, nil, &NotRegularError{Path: path, Mode: fs.ModeSymlink}
	}
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, &NotRegularError{Path: path, Mode: st.Mode()}
	}
	return f, st, nil
}

// ReadRegular reads a regular file of at most max bytes, opened by
// OpenRegular.
func ReadRegular(path string, max int64) ([]byte, error) {
	f, _, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadOpened(f, path, max)
}

// ReadOpened reads at most max bytes of an open regular file.
func ReadOpened(f *os.File, path string, max int64) ([]byte, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > max {
		return nil, &TooLargeError{Path: path, Size: st.Size(), Max: max}
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, &TooLargeError{Path: path, Size: -1, Max: max}
	}
	return data, nil
}

// DescribeMode names a file type in words.
func DescribeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return m.String()
}

// WriteAtomic writes data to path with mode perm through a temporary file
// in the same directory: written, synced, renamed over path, and the
// directory synced, so a crash leaves the old file or the new one.
func WriteAtomic(path string, data []byte, perm fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	err = tmp.Chmod(perm)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync() // best effort where directories cannot be synced
		d.Close()
	}
	return nil
}
