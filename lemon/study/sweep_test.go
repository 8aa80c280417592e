package study

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/savings"
)

// TestSweepSharesScratchAndSource: two variants with one target and sources of different
// budgets share the scratch runs; two variants growing one source to different targets share
// the source. Every variant gets its own study folder and a row in sweep.md.
func TestSweepSharesScratchAndSource(t *testing.T) {
	base := tinyStudy()
	base.Budgets, base.Baselines, base.BaselineBudgets, base.LRScales, base.TruncatedBudgets, base.OptStateBudgets =
		[]float64{0.5}, nil, nil, nil, nil, nil
	base.Name = "g"
	wide, err := growthVariant(base, "width", 1, 16)
	if err != nil {
		t.Fatal(err)
	}
	both, err := growthVariant(base, "width and depth", 2, 16)
	if err != nil {
		t.Fatal(err)
	}
	early := both
	early.Study.SourceSteps, early.Study.Name, early.Series, early.X = 4, "early", "source budget", 0.5
	sw := Sweep{Name: "tiny", XLabel: "x", Variants: []Variant{wide, both, early}}
	if both.X <= wide.X || wide.X <= 1 {
		t.Errorf("growth factors %g (1×16) and %g (2×16): want 1 < wide < both", wide.X, both.X)
	}
	imgs := &Images{Name: "synthetic", Train: syntheticImages(64, 1), Val: syntheticImages(24, 2), Batch: 8}
	out := t.TempDir()
	var log bytes.Buffer
	rep, err := RunSweep(backend.MustNew(), sw, Options{Out: out, Data: imgs, Log: &log, StallTimeout: 2 * time.Minute})
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if n := strings.Count(log.String(), "source tiny-1-8: 8 steps"); n != 1 {
		t.Errorf("the 8-step source was trained %d times, want once:\n%s", n, log.String())
	}
	if n := strings.Count(log.String(), "source tiny-1-8: 4 steps"); n != 1 {
		t.Errorf("the 4-step source was trained %d times, want once", n)
	}
	if n := strings.Count(log.String(), "scratch_b1.00_x1_s1: done before, skipped"); n != 1 {
		t.Errorf("the shared target's scratch runs were skipped %d times, want once (for the second variant)", n)
	}
	for _, d := range []string{"g-vit-1-16/results.md", "g-vit-2-16/results.md", "early/results.md",
		"scratch-vit-2-16/runs/scratch_b1.00_x1_s2/result.json", "scratch-vit-1-16/runs/scratch_b1.00_x1_s1/result.json",
		"source-tiny-1-8-8steps/source/result.json", "source-tiny-1-8-4steps/source/result.json", "sweep.md"} {
		if _, err := os.Stat(filepath.Join(out, d)); err != nil {
			t.Errorf("missing %s: %v", d, err)
		}
	}
	if got := len(rep.Points()); got != 3 {
		t.Errorf("%d points, want 3", got)
	}
	// The wall time counts every record on disk once: the scratch runs the two 2×16 variants
	// share and each source once.
	var files int
	var secs float64
	err = filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.Name() != resultFile {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var rec struct {
			Rows []struct {
				WallS float64 `json:"wall_s"`
			}
		}
		if err := json.Unmarshal(raw, &rec); err != nil || len(rec.Rows) == 0 {
			return fmt.Errorf("%s: %v, %d rows", path, err, len(rec.Rows))
		}
		files, secs = files+1, secs+rec.Rows[len(rec.Rows)-1].WallS
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if gotS, gotN := rep.wall(); gotN != files || math.Abs(gotS-secs) > 1e-9*secs {
		t.Errorf("wall: %d runs, %.6f s; on disk %d records, %.6f s", gotN, gotS, files, secs)
	}
	md, _ := os.ReadFile(filepath.Join(out, "sweep.md"))
	if want := fmt.Sprintf("for the %d finished runs and sources", files); !strings.Contains(string(md), want) {
		t.Errorf("sweep.md lacks %q:\n%s", want, md)
	}
	for _, want := range []string{"| g-vit-1-16 | width |", "| g-vit-2-16 | width and depth |", "| early | source budget | 0.5 |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("sweep.md lacks %q:\n%s", want, md)
		}
	}
	// Report only: nothing retrained, the same summary.
	log.Reset()
	again, err := RunSweep(backend.MustNew(), sw, Options{Out: out, Data: imgs, Log: &log, Only: []string{}})
	if err != nil || strings.Contains(log.String(), "step ") || again.Markdown() != string(md) {
		t.Errorf("report-only rerun: err %v, retrained or changed:\n%s", err, log.String())
	}
	// LoadSweep (no backend, no data) reads the same reports.
	loaded, err := LoadSweep(sw, out)
	if err != nil || loaded.Markdown() != string(md) {
		t.Errorf("LoadSweep: err %v, or its sweep.md differs from RunSweep's", err)
	}
	// The final gap of the first variant, from the records on disk: LEMON at 0.5 T minus
	// scratch at T on the final val accuracy, its mean and Welch interval in sweep.md.
	finals := func(glob string) []float64 {
		paths, _ := filepath.Glob(filepath.Join(out, glob, resultFile))
		var xs []float64
		for _, path := range paths {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var rec struct {
				Rows []struct {
					ValMetric float64 `json:"val_metric"`
				}
			}
			if err := json.Unmarshal(raw, &rec); err != nil {
				t.Fatal(err)
			}
			xs = append(xs, rec.Rows[len(rec.Rows)-1].ValMetric)
		}
		return xs
	}
	lem, scr := finals(wide.Dir()+"/runs/lemon_b0.50_x1_s*"), finals(scratchDir(wide.Study)+"/runs/scratch_b1.00_x1_s*")
	if len(lem) != len(base.Seeds) || len(scr) != len(base.Seeds) {
		t.Fatalf("%d LEMON and %d scratch records on disk, want %d each", len(lem), len(scr), len(base.Seeds))
	}
	mean := func(xs []float64) float64 { return (xs[0] + xs[1]) / 2 }
	if len(base.Seeds) != 2 {
		t.Fatalf("the check below assumes 2 seeds, tinyStudy has %d", len(base.Seeds))
	}
	p0 := rep.Points()[0]
	if want := mean(lem) - mean(scr); !p0.Gapped || math.Abs(p0.Gap.Mean-want) > 1e-12 {
		t.Errorf("final gap %+v, want mean %g from the records", p0.Gap, want)
	}
	if want := "| 0.5T: " + fmtWelch(Accuracy, p0.Gap) + " |"; !strings.Contains(string(md), want) {
		t.Errorf("sweep.md lacks %q:\n%s", want, md)
	}
	for _, f := range []string{SweepFigure + "_excl_source.png", SweepFigure + "_incl_source.png", SweepGapFigure + ".png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing figure: %v", err)
		}
	}
	// A variant not trained yet, sharing the trained source: reported as not run, no results.md.
	deep, err := growthVariant(base, "depth", 3, 8)
	if err != nil {
		t.Fatal(err)
	}
	more := sw
	more.Variants = append(slices.Clone(sw.Variants), deep)
	rep, err = RunSweep(backend.MustNew(), more, Options{Out: out, Data: imgs, Log: &log, Only: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(rep.Points()); got != 3 || !strings.Contains(rep.Markdown(), "1 of 4 variants have no finished run yet") {
		t.Errorf("an untrained variant sharing the source: %d points, want 3:\n%s", got, rep.Markdown())
	}
	if _, err := os.Stat(filepath.Join(out, deep.Dir(), "results.md")); err == nil {
		t.Errorf("%s/results.md written for a variant with no run", deep.Dir())
	}
	// -variants: only the named variants train; the untrained one stays untrained, reported
	// as before; an unknown name is refused before anything runs.
	log.Reset()
	if _, err := RunSweep(backend.MustNew(), more, Options{Out: out, Data: imgs, Log: &log, Variants: []string{wide.Dir()}}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(log.String(), "step ") {
		t.Errorf("a variant outside -variants trained:\n%s", log.String())
	}
	if _, err := os.Stat(filepath.Join(out, deep.Dir(), "results.md")); err == nil {
		t.Errorf("%s trained though not selected", deep.Dir())
	}
	if _, err := RunSweep(backend.MustNew(), more, Options{Out: out, Data: imgs, Log: &log, Variants: []string{"nope"}}); err == nil ||
		!strings.Contains(err.Error(), `no variant "nope"`) || !strings.Contains(err.Error(), deep.Dir()) {
		t.Errorf("an unknown variant: %v", err)
	}
	// A variant whose LEMON runs have not all finished says so instead of "not reached".
	if strings.Contains(string(md), "LEMON runs finished") {
		t.Errorf("a finished sweep reports unfinished LEMON runs:\n%s", md)
	}
	lemonRuns, _ := filepath.Glob(filepath.Join(out, wide.Dir(), "runs", "lemon_*", "result.json"))
	if len(lemonRuns) == 0 {
		t.Fatal("no LEMON run of the first variant")
	}
	if err := os.Remove(lemonRuns[0]); err != nil {
		t.Fatal(err)
	}
	rep, err = RunSweep(backend.MustNew(), sw, Options{Out: out, Data: imgs, Log: &log, Only: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(" (%d of %d LEMON runs finished) |", len(lemonRuns)-1, len(lemonRuns)); !strings.Contains(rep.Markdown(), want) {
		t.Errorf("a variant with a LEMON run missing: want %q in\n%s", want, rep.Markdown())
	}
	bad := sw
	bad.Variants = []Variant{wide, wide}
	if _, err := RunSweep(backend.MustNew(), bad, Options{Out: out, Data: imgs}); err == nil || !strings.Contains(err.Error(), "two variants named") {
		t.Errorf("duplicate variant names: %v", err)
	}
	if _, err := SweepPreset("bigger"); err == nil {
		t.Error("an unknown sweep was accepted")
	}
	for _, name := range sweepNames {
		sw, err := SweepPreset(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var w bytes.Buffer
		if err := DryRunSweep(&w, sw); err != nil || !strings.Contains(w.String(), "sweep "+name+": ") {
			t.Errorf("%s dry run: %v\n%s", name, err, w.String())
		}
	}
}

// TestFmtWelch: the gap's verdict follows its interval, in points for accuracy and nats for
// loss; one seed has no interval and says so.
func TestFmtWelch(t *testing.T) {
	for _, tc := range []struct {
		m    Metric
		d    savings.Diff
		want string
	}{
		{Accuracy, savings.Diff{Mean: 0.004, Lo: -0.001, Hi: 0.009}, "+0.40 [-0.10, +0.90] pts (level: not separated)"},
		{Accuracy, savings.Diff{Mean: -0.007, Lo: -0.012, Hi: -0.002}, "-0.70 [-1.20, -0.20] pts (scratch better)"},
		{Loss, savings.Diff{Mean: 0.01, Lo: 0.005, Hi: 0.015}, "+0.0100 [+0.0050, +0.0150] nats (LEMON better)"},
		{Accuracy, savings.Diff{Mean: 0.01, Lo: math.NaN(), Hi: math.NaN()}, "+1.00 pts (no interval: one seed)"},
	} {
		if got := fmtWelch(tc.m, tc.d); got != tc.want {
			t.Errorf("fmtWelch(%v, %+v) = %q, want %q", tc.m, tc.d, got, tc.want)
		}
	}
}
