//go:build !unix

package expand

import "time"

// processCPU is unavailable here.
func processCPU() time.Duration { return 0 }
