//go:build unix

package expand

import (
	"syscall"
	"time"
)

// processCPU is the user+system CPU time of this process so far (0 where unavailable).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
