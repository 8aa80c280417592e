package data

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEnsureWithoutFetching: present sets need nothing; missing or empty ones are named in a
// one-line error that says how to fetch them, and nothing is written.
func TestEnsureWithoutFetching(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, SubdirMNIST), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, SubdirMNIST, "x"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, SubdirSOTU), 0o755); err != nil { // empty: missing
		t.Fatal(err)
	}
	if err := Ensure(dir, false, nil, SubdirMNIST); err != nil {
		t.Errorf("a present set: %v", err)
	}
	err := Ensure(dir, false, nil, SubdirMNIST, SubdirSOTU, SubdirFashionMNIST)
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "sotu, fashion-mnist") ||
		!strings.Contains(err.Error(), FetchScript) || strings.Contains(err.Error(), "mnist,") {
		t.Errorf("missing sets: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, SubdirFashionMNIST)); !os.IsNotExist(err) {
		t.Errorf("a check without fetching wrote %s", SubdirFashionMNIST)
	}
}

// TestFetchOutsideTheRepository: Fetch from a folder with no go.mod above it fails with one
// line instead of running anything.
func TestFetchOutsideTheRepository(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := Fetch(t.TempDir(), nil); err == nil || !strings.Contains(err.Error(), "no go.mod") {
		t.Errorf("Fetch outside a checkout: %v", err)
	}
}
