//go:build unix

package loadtest

import (
	"fmt"
	"syscall"
)

// raiseFileLimit makes room for need open files: the soft limit goes up
// to the hard one if it is lower than need. It says so when even that is
// not enough (the run goes on, and connections may fail).
func raiseFileLimit(need uint64) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("open files limit: %w", err)
	}
	if uint64(lim.Cur) >= need {
		return nil
	}
	if uint64(lim.Cur) < uint64(lim.Max) {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return fmt.Errorf("raise the open files limit to %d: %w", lim.Max, err)
		}
	}
	if uint64(lim.Cur) < need {
		return fmt.Errorf("the run needs about %d open files and the limit is %d: raise it (ulimit -n)", need, lim.Cur)
	}
	return nil
}
