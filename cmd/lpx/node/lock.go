package node

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lockFile is the file in DataDir whose lock an embedded node holds while
// it is open; it holds the holder's process id, for the message.
const lockFile = "lpx.lock"

// ErrDataDirInUse: another process (a running lpx serve, or an offline
// command) holds the data directory's lock.
var ErrDataDirInUse = errors.New("node: the data directory is in use")

// LockDataDir takes the lock of an embedded node's data directory dir
// (which must exist): one process at a time may use the files of the
// journal, the event log and the snapshots. An embedded node takes it in
// Open, and so do the offline commands (lpx verify-journal, lpx projector
// rebuild), which therefore refuse to run beside a server on the same
// data. The lock is the operating system's (flock): a process that dies,
// even by kill -9, releases it. unlock releases it.
func LockDataDir(dir string) (unlock func() error, err error) {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("node: lock the data directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := io.ReadAll(io.LimitReader(f, 32))
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			who := "another process"
			if pid := strings.TrimSpace(string(holder)); pid != "" {
				who = "process " + pid
			}
			return nil, fmt.Errorf("%w: %s holds %s (a running lpx serve?); stop it first", ErrDataDirInUse, who, path)
		}
		return nil, fmt.Errorf("node: lock the data directory: %w", err)
	}
	// The holder's pid, for the message above; a failure here is harmless.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f.Close, nil // closing the file releases the lock
}
