package study

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommittedViTReportReprintsWithoutData: the report-only path (Run with Only empty, what
// `examples/paper -report` calls) reprints the committed cpu-plateau ViT tables byte for byte
// from the committed runs alone, with no image data anywhere (DataDir points at an empty
// folder), as on a fresh clone.
func TestCommittedViTReportReprintsWithoutData(t *testing.T) {
	committed := filepath.Join("..", "..", ScaleDir("results", ViT, CPUPlateau))
	out := t.TempDir()
	n := 0
	err := filepath.WalkDir(committed, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if name := d.Name(); name != "log.csv" && name != "result.json" {
			return nil
		}
		rel, _ := filepath.Rel(committed, path)
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		if err := os.MkdirAll(filepath.Join(out, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(out, rel), raw, 0o644)
	})
	if err != nil || n < 10 {
		t.Fatalf("copied %d run files from %s: %v", n, committed, err)
	}
	s, err := Preset(ViT, CPUPlateau)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(nil, s, Options{Out: out, DataDir: t.TempDir(), Only: []string{}, Log: io.Discard}); err != nil {
		t.Fatalf("report-only run without data: %v", err)
	}
	for _, name := range []string{"results.md", "results.csv"} {
		want, err := os.ReadFile(filepath.Join(committed, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
			for i := range min(len(gl), len(wl)) {
				if gl[i] != wl[i] {
					t.Errorf("%s differs from the committed one at line %d:\n got  %s\n want %s", name, i+1, gl[i], wl[i])
					break
				}
			}
			if len(gl) != len(wl) {
				t.Errorf("%s: %d lines, the committed one %d", name, len(gl), len(wl))
			}
		}
	}
	// The negative control: a training request (Only nil) still needs the images.
	if _, err := Run(nil, s, Options{Out: out, DataDir: t.TempDir(), Only: []string{"scratch"}, Log: io.Discard}); err == nil || !strings.Contains(err.Error(), "fetch_data") {
		t.Errorf("training without the images: %v", err)
	}
}
