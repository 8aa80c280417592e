package backend

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
)

// TestWarnSlowPaths: the build without vector kernels, or a SIMD build run without
// GODEBUG=cpu.fma=off, says so in one line each, once; the fast path says nothing.
func TestWarnSlowPaths(t *testing.T) {
	var want []string
	switch {
	case !simdBuild && isAMD64():
		want = append(want, "built without GOEXPERIMENT=simd")
	case simdBuild && vectorKernels() == "":
		want = append(want, "neither AVX-512 nor AVX2")
	}
	fmaWarned := simdBuild && hasFMA() && !strings.Contains(os.Getenv("GODEBUG"), "cpu.fma=off")
	if fmaWarned {
		want = append(want, "GODEBUG=cpu.fma=off is not set")
	}
	var buf bytes.Buffer
	warnOnce = sync.Once{}
	warnSlowPaths(&buf)
	warnSlowPaths(&buf) // once per process
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if buf.Len() == 0 {
		lines = nil
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines %q, want %d (%q)", len(lines), buf.String(), len(want), want)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], "lemon: ") || !strings.Contains(lines[i], w) {
			t.Errorf("line %d: %q, want one naming %q", i, lines[i], w)
		}
	}
	t.Logf("%s; %d line(s)", BuildDescription(), len(lines))
}
