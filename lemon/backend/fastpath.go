package backend

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
)

// noSIMDSlowdown is how much slower a training step ran without GoMLX's vector kernels:
// vit-cpu-4-128 and bert-cpu-4-128 at batch 64 on a 2-core AVX-512 machine, both builds in one
// session (README, Speed: go test ./lemon/runner -run '^$' -bench TrainStep with and without
// GOEXPERIMENT=simd).
const noSIMDSlowdown = "2.3–2.9×"

// BuildDescription says which kernels this build of the pure-Go backend runs, for logs.
func BuildDescription() string {
	if k := vectorKernels(); k != "" {
		return "vector kernels: " + k + " (GOEXPERIMENT=simd)"
	}
	if simdBuild {
		return "vector kernels: none (this CPU has neither AVX-512 nor AVX2)"
	}
	return "vector kernels: none (built without GOEXPERIMENT=simd)"
}

func isAMD64() bool { return runtime.GOARCH == "amd64" }

// Threads is the number of CPU threads the pure-Go backend uses (go:parallelism=-1 uses all).
func Threads() int { return runtime.GOMAXPROCS(0) }

var warnOnce sync.Once

// warnSlowPaths prints, once per process, one line to w for each known slow path of this
// build of the pure-Go backend: no vector kernels, and math.Exp's penalised FMA path.
//
// The penalty: in GOEXPERIMENT=simd builds, math.Exp's FMA code (VEX) mixed with the legacy
// SSE code Go emits runs about 100× slower per call on some CPUs once AVX-512 code has left
// the upper register halves dirty (seen on a 2-core Xeon with AVX-512: 200–800 ns per call
// against 7). GODEBUG=cpu.fma=off sends math.Exp down its SSE path; GoMLX's AVX-512 kernels
// do not look at that flag. The exact per-call cost depends on which threads ran vector code,
// so it is not measured here, only pointed out.
func warnSlowPaths(w io.Writer) {
	warnOnce.Do(func() {
		switch {
		case !simdBuild && isAMD64():
			fmt.Fprintf(w, "lemon: built without GOEXPERIMENT=simd: GoMLX's pure-Go backend runs without its vector kernels, training %s slower (README: Speed)\n", noSIMDSlowdown)
		case simdBuild && vectorKernels() == "":
			fmt.Fprintln(w, "lemon: this CPU has neither AVX-512 nor AVX2: GoMLX's pure-Go backend runs its scalar kernels")
		}
		if simdBuild && hasFMA() && !strings.Contains(os.Getenv("GODEBUG"), "cpu.fma=off") {
			fmt.Fprintln(w, "lemon: GODEBUG=cpu.fma=off is not set: in GOEXPERIMENT=simd builds math.Exp's FMA path can pay an AVX-SSE transition penalty (~100× per call, BERT steps 2× slower on a Xeon); set it (README: Speed)")
		}
	})
}
