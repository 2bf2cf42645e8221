//go:build unix

package safefile

import (
	"errors"
	"os"
	"syscall"
)

// openNoFollow opens path read-only without following a symbolic link in
// its last element (O_NOFOLLOW) and without blocking on a FIFO or device
// (O_NONBLOCK). errSymlink reports a link.
func openNoFollow(path string) (*os.File, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		switch {
		case err == syscall.EINTR:
			continue
		case errors.Is(err, syscall.ELOOP):
			return nil, errSymlink
		case err != nil:
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}

// TryLock takes an exclusive advisory lock (flock) on f without waiting;
// false when another open file description holds it (another process, or
// another open of the same file in this one).
func TryLock(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case err == syscall.EINTR:
			continue
		case err == syscall.EWOULDBLOCK:
			return false, nil
		}
		return false, err
	}
}

// Lock takes an exclusive advisory lock on f (a file or a directory),
// waiting for it.
func Lock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			return err
		}
	}
}

// Unlock releases a lock taken by TryLock or Lock.
func Unlock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
