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

// TestCommittedSweepsReprint: LoadSweepResults (what notebook 03 calls) reads the committed
// growth and source-budget sweeps without a backend or data and reprints their sweep.md byte
// for byte; a sweep folder that does not exist is nil, not an error.
func TestCommittedSweepsReprint(t *testing.T) {
	results := filepath.Join("..", "..", "results")
	for _, name := range sweepNames {
		want, err := os.ReadFile(filepath.Join(results, "sweeps", name, "sweep.md"))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := LoadSweepResults(results, name)
		if err != nil || rep == nil {
			t.Fatalf("%s: %v (report %v)", name, err, rep)
		}
		if got := rep.Markdown(); got != string(want) {
			t.Errorf("%s: sweep.md reprinted differently:\n%s\nwant\n%s", name, got, want)
		}
		if figs, err := rep.Figures(); err != nil || len(figs) != 3 {
			t.Errorf("%s: %d figures (%v), want the two savings and the final gap", name, len(figs), err)
		}
	}
	if rep, err := LoadSweepResults(t.TempDir(), "growth"); rep != nil || err != nil {
		t.Errorf("a results folder without the sweep: %v, %v; want nil, nil", rep, err)
	}
}
