// Package backend picks the GoMLX compute backend for every lemon command, test and notebook.
//
// Without GOMLX_BACKEND the pure-Go backend is used with a configuration that was measured not
// to deadlock on small machines ("go:parallelism=-1"); GoMLX's own default would try XLA and
// download its PJRT plugin. Set GOMLX_BACKEND to choose:
//
//	GOMLX_BACKEND=go            # pure Go (GoMLX default options)
//	GOMLX_BACKEND=xla:cpu       # XLA on CPU (needs the PJRT plugin installed)
//	GOMLX_BACKEND=xla:cuda      # XLA on NVIDIA GPUs
//
// The pure-Go backend is fast only when built with GOEXPERIMENT=simd (its AVX-512/AVX2 kernels)
// and, on CPUs where math.Exp's FMA path is penalised in such builds, run with
// GODEBUG=cpu.fma=off; New says so once, in one line, when either is missing.
//
// Usage:
//
//	b, err := backend.New()
//	if err != nil { … }
//	fmt.Println(backend.Describe(b))
package backend

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/gomlx/backends/default" // registers "go", and "xla" unless built with -tags noxla
)

// DefaultConfig is used when GOMLX_BACKEND is unset: the pure-Go backend with the
// parallelism setting that never hung in our measurements on 2-core machines.
const DefaultConfig = "go:parallelism=-1"

// Config returns the backend configuration that New will use.
func Config() string {
	if c := os.Getenv(compute.ConfigEnvVar); c != "" {
		return c
	}
	return DefaultConfig
}

var (
	shared    compute.Backend
	sharedErr error
	once      sync.Once
)

// New returns the process-wide backend chosen by Config. Creating backends is costly (XLA
// loads a plugin), so every caller shares one.
func New() (compute.Backend, error) {
	once.Do(func() {
		cfg := Config()
		shared, sharedErr = compute.NewWithConfig(cfg)
		if sharedErr != nil {
			sharedErr = fmt.Errorf("backend %q: %w (unset %s for the pure-Go backend)", cfg, sharedErr, compute.ConfigEnvVar)
			return
		}
		if strings.HasPrefix(shared.Name(), "go") || strings.HasPrefix(cfg, "go") {
			warnSlowPaths(os.Stderr)
		}
	})
	return shared, sharedErr
}

// MustNew is New for examples, notebooks and tests: it panics on error.
func MustNew() compute.Backend {
	b, err := New()
	if err != nil {
		panic(err)
	}
	return b
}

// Describe is a one-line description of b for logs.
func Describe(b compute.Backend) string {
	return fmt.Sprintf("%s (%s) [config %q]", b.Name(), b.Description(), Config())
}
