package study

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommittedScales reads the committed results as notebook 03 does: one table row per
// scale, a chosen scale whose regime is known, the sweeps' notes; an empty results folder
// gives no report and no error.
func TestCommittedScales(t *testing.T) {
	const results = "../../results"
	scales := []Scale{CPU, CPULong, CPUPlateau}
	md, err := ScalesMarkdown(results, ViT, scales)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range scales {
		if !strings.Contains(md, "| "+sc.String()+" |") {
			t.Errorf("no row for %s in\n%s", sc, md)
		}
	}
	sc, rep, ok, err := ChooseScale(results, ViT, scales)
	if err != nil || !ok || rep == nil {
		t.Fatalf("ChooseScale: %v %v %v", sc, ok, err)
	}
	if _, known := rep.Regime(0); !known {
		t.Errorf("chose %s, whose regime is not known", sc)
	}
	for _, name := range []string{"growth", "source-budget"} {
		md, err := SweepMarkdown(results, name)
		if err != nil || !strings.Contains(md, "|") {
			t.Errorf("sweep %s: %v\n%s", name, err, md)
		}
	}
	if _, err := SweepMarkdown(results, "no-such-sweep"); err == nil {
		t.Error("an unknown sweep was accepted")
	}
	rep, _, err = LoadScale(t.TempDir(), ViT, CPUPlateau)
	if rep != nil || err != nil {
		t.Errorf("an empty results folder: %v, %v", rep, err)
	}
}

// TestScalesMarkdownSaysWhenNoLEMONRan: a scale with only its scratch runs and source says
// that no LEMON run has finished, not that none reached the reference (the committed
// cpu-plateau ViT study, which has LEMON runs that did not reach it, is the control).
func TestScalesMarkdownSaysWhenNoLEMONRan(t *testing.T) {
	committed := filepath.Join("..", "..", ScaleDir("results", ViT, CPUPlateau))
	results := t.TempDir()
	dst := ScaleDir(results, ViT, CPUPlateau)
	for _, run := range []string{"source", "runs/scratch_b1.00_x1_s1", "runs/scratch_b1.00_x1_s2", "runs/scratch_b1.00_x1_s3"} {
		if err := os.MkdirAll(filepath.Join(dst, run), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"log.csv", "result.json"} {
			raw, err := os.ReadFile(filepath.Join(committed, run, f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, run, f), raw, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		results, want string
	}{{results, "| no LEMON run finished yet |"}, {filepath.Join("..", "..", "results"), "| no budget reached by every seed |"}} {
		md, err := ScalesMarkdown(tc.results, ViT, []Scale{CPUPlateau})
		if err != nil || !strings.Contains(md, tc.want) {
			t.Errorf("%s: %v; want %q in\n%s", tc.results, err, tc.want, md)
		}
	}
}
