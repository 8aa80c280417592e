//go:build !(goexperiment.simd && amd64)

package backend

// vectorKernels is empty: GoMLX's vector kernels exist for amd64 builds with GOEXPERIMENT=simd.
func vectorKernels() string { return "" }

// simdBuild reports an amd64 build with GOEXPERIMENT=simd.
const simdBuild = false

// hasFMA is false: the penalty concerns amd64 builds with GOEXPERIMENT=simd.
func hasFMA() bool { return false }
