package ckpt

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// FuzzLoad: no corruption of one file of a checkpoint (config.json, meta.json, or a file of
// the GoMLX weights) makes Load panic; what it accepts passes CheckVariables and CheckFinite.
// Its seeds (each file intact, truncated and emptied) run with go test.
func FuzzLoad(f *testing.F) {
	dir, _ := saved(f)
	var files []string
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	originals := make([][]byte, len(files))
	for i, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		originals[i] = b
		f.Add(uint8(i), b)
		f.Add(uint8(i), b[:len(b)/2])
		f.Add(uint8(i), []byte{})
	}
	f.Fuzz(func(t *testing.T, which uint8, content []byte) {
		i := int(which) % len(files)
		if err := os.WriteFile(files[i], content, 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(files[i], originals[i], 0o644)
		ld1, err := Load(dir)
		got, store := ld1.Config, ld1.Store
		if err != nil {
			return
		}
		if err := CheckVariables(got, store); err != nil {
			t.Fatalf("Load accepted a checkpoint that fails CheckVariables: %v", err)
		}
		if err := CheckFinite(got, store); err != nil {
			t.Fatalf("Load accepted non-finite weights: %v", err)
		}
	})
}
