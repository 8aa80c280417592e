package hf

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad: no corruption of an upstream checkpoint's config.json or model.safetensors
// makes Load panic, and what it accepts is a valid model with finite weights. Its seeds (each
// file intact, truncated and emptied) run with go test.
func FuzzLoad(f *testing.F) {
	src := filepath.Join("testdata", "bert-mlm")
	files := []string{ConfigFile, WeightsFile}
	originals := make([][]byte, len(files))
	for i, name := range files {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			f.Fatalf("fixture missing (python3 scripts/hf_torch.py fixtures --out lemon/hf/testdata): %v", err)
		}
		originals[i] = b
		f.Add(uint8(i), b)
		f.Add(uint8(i), b[:len(b)/2])
		f.Add(uint8(i), b[:9])
		f.Add(uint8(i), []byte{})
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, which uint8, content []byte) {
		i := int(which) % len(files)
		for j, name := range files {
			data := originals[j]
			if j == i {
				data = content
			}
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		im, err := Load(dir, LoadOptions{})
		if err != nil {
			return
		}
		if err := im.Check(); err != nil {
			t.Fatalf("Load accepted an invalid model: %v", err)
		}
	})
}
