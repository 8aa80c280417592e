//go:build goexperiment.simd && amd64

package backend

import "simd/archsimd"

// vectorKernels names the vector kernels GoMLX's pure-Go backend uses in this build on this CPU.
func vectorKernels() string {
	switch {
	case archsimd.X86.AVX512():
		return "AVX-512"
	case archsimd.X86.AVX2():
		return "AVX2"
	default:
		return ""
	}
}

// simdBuild reports a build with GOEXPERIMENT=simd.
const simdBuild = true

// hasFMA reports a CPU with FMA, the path of math.Exp that pays the penalty.
func hasFMA() bool { return archsimd.X86.FMA() }
