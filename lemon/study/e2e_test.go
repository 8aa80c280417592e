package study

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golemon/golemon/lemon/arch/vit"
	"github.com/golemon/golemon/lemon/runner"
	"github.com/golemon/golemon/plotting"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/data"
	"github.com/golemon/golemon/lemon/expand"
	"github.com/golemon/golemon/lemon/schedule"
)

// tinyViT is a ViT on 8×8 images with 4×4 patches.
func tinyViT(layers, width, heads int) arch.Config {
	v := vit.Config{
		Encoder: arch.Encoder{Layers: layers, Width: width, Heads: heads, HeadDim: 4, MLPDim: 2 * width,
			Norm: arch.PreLN, LayerNormEps: 1e-6, DType: "float32"},
		ImageSize: 8, Channels: 1, PatchSize: 4, NumClasses: 3,
	}
	return vit.New(v)
}

// syntheticImages makes n 8×8 images whose class is the quadrant holding a bright square.
func syntheticImages(n int, seed uint64) *data.ImageSet {
	set := &data.ImageSet{N: n, Height: 8, Width: 8, Channels: 1, NumClasses: 3,
		Pixels: make([]float32, n*64), Labels: make([]int32, n)}
	s := seed
	next := func() uint64 { s = s*6364136223846793005 + 1442695040888963407; return s }
	for i := range n {
		c := int32(next()>>33) % 3
		set.Labels[i] = c
		for y := range 4 {
			for x := range 4 {
				set.Pixels[i*64+(y+4*int(c%2))*8+x+4*int(c/2)] = 1
			}
		}
		for j := range 64 {
			set.Pixels[i*64+j] += float32(next()>>40) / float32(1<<24) * 0.5
		}
	}
	return set
}

// tinyStudy: 1→2 blocks, width 8→16, a few steps per run, two seeds.
func tinyStudy() Study {
	return Study{
		Task: ViT, Name: "tiny", SourceName: "tiny-1-8", TargetName: "tiny-2-16",
		Source: tinyViT(1, 8, 2), Target: tinyViT(2, 16, 4),
		Data:  DataSpec{Dataset: "synthetic", Batch: 8},
		Steps: 8, SourceSteps: 8, EvalEvery: 4,
		Schedule:    schedule.WarmupDecay{Peak: 3e-3, Warmup: 2, Floor: 3e-5, Decay: schedule.Cosine},
		WeightDecay: 0.05,
		Seeds:       []uint64{1, 2},
		Budgets:     []float64{0.5},
		Baselines:   []expand.Method{expand.FPI, expand.HyperClone}, BaselineBudgets: []float64{0.5},
		HyperCloneNoise: 0.002,
		LRScales:        []float64{2}, SweepBudget: 0.5,
		TruncatedBudgets: []float64{0.5},
		OptStateBudgets:  []float64{0.5},
	}
}

// TestStudyEndToEnd runs a whole tiny matrix on synthetic images, then runs it again and
// checks that every finished run is skipped and the results are rewritten unchanged.
func TestStudyEndToEnd(t *testing.T) {
	s := tinyStudy()
	imgs := &Images{Name: "synthetic", Train: syntheticImages(64, 1), Val: syntheticImages(24, 2), Batch: 8}
	out := t.TempDir()
	var log bytes.Buffer
	opts := Options{Out: out, Data: imgs, Log: &log, StallTimeout: 2 * time.Minute}
	rep, err := Run(backend.MustNew(), s, opts)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	runs := s.Runs()
	if len(rep.Records) != len(runs) {
		t.Fatalf("%d records for %d runs", len(rep.Records), len(runs))
	}
	csv, err := os.ReadFile(filepath.Join(out, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(csv)), "\n"); len(lines) != 1+len(runs) || lines[0] != CSVHeader {
		t.Errorf("results.csv has %d lines (want header + %d):\n%s", len(lines), len(runs), csv)
	}
	for _, f := range []string{"results.md", CurvesFigure + ".png", SchedulesFigure + ".png", "source/log.csv", "runs/" + runs[0].ID() + "/log.csv"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing output: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "runs", runs[0].ID(), "ckpt")); !os.IsNotExist(err) {
		t.Errorf("a finished run's checkpoint should be removed (stat: %v)", err)
	}
	checkLossless(t, rep)
	checkOptState(t, rep)
	loaded, err := Load(s, Options{Out: out}) // no data: a ViT report needs none
	if err != nil {
		t.Fatal(err)
	}
	if loaded.CSV() != rep.CSV() {
		t.Errorf("Load's report differs from Run's:\n%s\nvs\n%s", loaded.CSV(), rep.CSV())
	}
	if figs, err := loaded.Figures(); err != nil || len(figs) < 3 {
		t.Errorf("Load's report has %d figures (%v)", len(figs), err)
	}
	if _, ok, err := loaded.Figure(PerplexityFigure); ok || err != nil {
		t.Errorf("an image study draws a perplexity figure (%v)", err)
	}
	if _, err := Load(s, Options{Out: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no finished runs") {
		t.Errorf("Load of an empty folder: %v", err)
	}

	log.Reset()
	again, err := Run(backend.MustNew(), s, opts)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(log.String(), "done before, skipped"); n != len(runs) || strings.Contains(log.String(), "step ") {
		t.Errorf("second run: %d of %d runs skipped, log:\n%s", n, len(runs), log.String())
	}
	if again.CSV() != string(csv) {
		t.Errorf("results changed on a cached re-run:\n%s\nvs\n%s", again.CSV(), csv)
	}

	other := s
	other.Steps = 10
	if _, err := Run(backend.MustNew(), other, opts); err == nil || !strings.Contains(err.Error(), "other settings") {
		t.Errorf("a directory of other settings should be refused, got %v", err)
	}
}

// checkOptState: LEMON with the source's optimizer state starts where fresh-state LEMON
// starts (the same function) but trains differently; equal curves would mean the state was
// dropped.
func checkOptState(t *testing.T, rep *Report) {
	t.Helper()
	find := func(optState bool) *Record {
		for i, r := range rep.Records {
			if isLEMON(r.Spec) != optState && r.Spec.OptState == optState && r.Spec.Method == expand.LEMON &&
				!r.Spec.Truncated && r.Spec.LRScale == 1 && r.Spec.Budget == 0.5 && r.Spec.Seed == 1 {
				return &rep.Records[i]
			}
		}
		return nil
	}
	fresh, carried := find(false), find(true)
	if fresh == nil || carried == nil {
		t.Fatalf("want a lemon and a lemon-optstate run at 0.5T, seed 1")
	}
	if carried.Spec.Name() != "lemon-optstate" {
		t.Errorf("arm name %q", carried.Spec.Name())
	}
	if carried.Initial.ValLoss != fresh.Initial.ValLoss {
		t.Errorf("optstate starts at %.6f, fresh at %.6f: the expanded weights must be the same", carried.Initial.ValLoss, fresh.Initial.ValLoss)
	}
	if carried.Final.ValLoss == fresh.Final.ValLoss {
		t.Errorf("optstate and fresh state end at the same val loss %.6f: the state was not carried", carried.Final.ValLoss)
	}
}

// checkLossless: exact expansions start, at step 0, where the source ended.
func checkLossless(t *testing.T, rep *Report) {
	t.Helper()
	if rep.Source == nil {
		t.Fatal("no source evaluation in the report")
	}
	if !strings.Contains(rep.Markdown(), "**Lossless check**") {
		t.Error("a report with expanded runs lacks the lossless table")
	}
	for _, r := range rep.Records {
		if r.Spec.Scratch || r.Exactness != expand.Exact.String() {
			continue
		}
		if d := math.Abs(r.Initial.ValLoss - rep.Source.ValLoss); d > LosslessTol || r.Initial.ValMetric != rep.Source.ValMetric {
			t.Errorf("%s starts at val loss %.6f, acc %.4f; the source ended at %.6f, %.4f", r.Spec.ID(),
				r.Initial.ValLoss, r.Initial.ValMetric, rep.Source.ValLoss, rep.Source.ValMetric)
		}
	}
}

// TestOnlyTrainsTheNamedArms: -only scratch trains no source; an empty list trains nothing
// and, with no finished run to report, is an error that writes nothing.
func TestOnlyTrainsTheNamedArms(t *testing.T) {
	s := tinyStudy()
	s.Seeds, s.Budgets, s.Baselines, s.LRScales, s.TruncatedBudgets = []uint64{1}, nil, nil, nil, nil
	imgs := &Images{Name: "synthetic", Train: syntheticImages(64, 1), Val: syntheticImages(24, 2), Batch: 8}
	out := t.TempDir()
	var log bytes.Buffer
	_, err := Run(backend.MustNew(), s, Options{Out: out, Data: imgs, Log: &log, Only: []string{}})
	if err == nil || !strings.Contains(err.Error(), "no finished runs") || strings.Contains(log.String(), "step ") {
		t.Fatalf("Only = [] on an empty folder: err %v, log:\n%s", err, log.String())
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a report of nothing wrote %d entries", len(entries))
	}
	if _, err := Run(backend.MustNew(), s, Options{Out: out, Data: imgs, Log: &log, Only: []string{"lemon"}}); err == nil {
		t.Error("an arm the study lacks was accepted")
	}
	if _, err := Run(backend.MustNew(), s, Options{Out: out, Data: imgs, Log: &log, Only: []string{"scratch"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "source")); !os.IsNotExist(err) {
		t.Errorf("scratch-only training trained the source (stat: %v)", err)
	}
	log.Reset()
	rep, err := Run(backend.MustNew(), s, Options{Out: out, Data: imgs, Log: &log, Only: []string{SourceArm}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Source == nil || len(rep.Records) != 1 || !strings.Contains(log.String(), "source tiny-1-8") {
		t.Errorf("Only = [source]: source %v, %d records (the scratch run from before), log:\n%s", rep.Source, len(rep.Records), log.String())
	}
	if strings.Contains(log.String(), "_b") && !strings.Contains(log.String(), "done before") {
		t.Errorf("Only = [source] trained a target run:\n%s", log.String())
	}
	if md := rep.Markdown(); strings.Contains(md, "Lossless check") {
		t.Errorf("a report with the source and no expanded run prints a lossless table:\n%s", md)
	}
}

// TestShardsAndParallelMatchOneProcess: the matrix trained as two shards into one folder, one
// of them two runs at a time, gives every run the same evaluation log (wall times aside) as one
// sequential process; bad shard and parallel settings are refused.
func TestShardsAndParallelMatchOneProcess(t *testing.T) {
	s := tinyStudy()
	s.Seeds, s.LRScales, s.TruncatedBudgets = []uint64{1}, nil, nil
	imgs := &Images{Name: "synthetic", Train: syntheticImages(64, 1), Val: syntheticImages(24, 2), Batch: 8}
	var log bytes.Buffer
	one, split := t.TempDir(), t.TempDir()
	want, err := Run(backend.MustNew(), s, Options{Out: one, Data: imgs, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	for shard, par := range []int{1, 2} {
		if _, err := Run(backend.MustNew(), s, Options{Out: split, Data: imgs, Log: &log, Shard: shard, Shards: 2, Parallel: par}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Run(backend.MustNew(), s, Options{Out: split, Data: imgs, Log: &log, Only: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Records) != len(want.Records) || len(want.Records) < 4 {
		t.Fatalf("%d records from the shards, %d from one process", len(got.Records), len(want.Records))
	}
	noWall := func(rows []runner.Row) []runner.Row {
		out := slices.Clone(rows)
		for i := range out {
			out[i].WallS = 0
			if math.IsNaN(out[i].TrainLoss) { // NaN ≠ NaN for DeepEqual
				out[i].TrainLoss = -1
			}
		}
		return out
	}
	for i, w := range want.Records {
		g := got.Records[i]
		if g.Spec.ID() != w.Spec.ID() || !reflect.DeepEqual(noWall(g.rows), noWall(w.rows)) {
			t.Errorf("%s: the sharded run logged %v, the sequential one %v", w.Spec.ID(), g.rows, w.rows)
		}
	}
	for _, bad := range []Options{{Shard: 2, Shards: 2}, {Shard: -1, Shards: 2}, {Shards: -1}, {Parallel: -3}} {
		bad.Out, bad.Data, bad.Log = t.TempDir(), imgs, &log
		if _, err := Run(backend.MustNew(), s, bad); err == nil {
			t.Errorf("options %+v accepted", bad)
		}
	}
}

// TestMissingSourceCheckpointIsRebuilt: committed results carry the source's record but not
// its checkpoint; an expanded run trains the source again, checks it against the record and
// goes on; a record the rebuilt source does not match is refused and the record is kept.
func TestMissingSourceCheckpointIsRebuilt(t *testing.T) {
	s := tinyStudy()
	s.Seeds, s.Budgets, s.Baselines, s.LRScales, s.TruncatedBudgets, s.OptStateBudgets = []uint64{1}, []float64{0.5}, nil, nil, nil, nil
	imgs := &Images{Name: "synthetic", Train: syntheticImages(64, 1), Val: syntheticImages(24, 2), Batch: 8}
	out := t.TempDir()
	var log bytes.Buffer
	if _, err := Run(backend.MustNew(), s, Options{Out: out, Data: imgs, Log: &log, Only: []string{SourceArm}}); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(out, "source")
	recPath := filepath.Join(src, resultFile)
	committed, err := os.ReadFile(recPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(runner.CheckpointDir(src)); err != nil {
		t.Fatal(err)
	}
	log.Reset()
	rep, err := Run(backend.MustNew(), s, Options{Out: out, Data: imgs, Log: &log, Only: []string{"lemon"}})
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if len(rep.Records) != 1 || !strings.Contains(log.String(), "rebuilt") {
		t.Errorf("%d records, log:\n%s", len(rep.Records), log.String())
	}
	if _, err := os.Stat(filepath.Join(runner.CheckpointDir(src), "config.json")); err != nil {
		t.Errorf("rebuilt checkpoint not in place: %v", err)
	}
	if _, err := os.Stat(filepath.Join(src, rebuildSourceDir)); !os.IsNotExist(err) {
		t.Errorf("rebuild folder left behind (stat: %v)", err)
	}
	if now, _ := os.ReadFile(recPath); !bytes.Equal(now, committed) {
		t.Error("rebuilding the source rewrote its record")
	}

	// Negative control: a record whose final loss the rebuilt source cannot reproduce.
	if err := os.RemoveAll(runner.CheckpointDir(src)); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(out, "runs", "lemon_b0.50_x1_s1")); err != nil {
		t.Fatal(err)
	}
	var rec record
	if err := json.Unmarshal(committed, &rec); err != nil {
		t.Fatal(err)
	}
	rec.Rows[len(rec.Rows)-1].ValLoss += 1e-3
	if err := writeRecord(src, rec); err != nil {
		t.Fatal(err)
	}
	tampered, _ := os.ReadFile(recPath)
	_, err = Run(backend.MustNew(), s, Options{Out: out, Data: imgs, Log: &log, Only: []string{"lemon"}})
	if err == nil || !strings.Contains(err.Error(), "another source") {
		t.Fatalf("a source that does not match its record was used: %v", err)
	}
	if now, _ := os.ReadFile(recPath); !bytes.Equal(now, tampered) {
		t.Error("a refused rebuild changed the record")
	}
}

// TestOnRunSeesEveryRun: OnRun is called once per trained run (the source as "source") with
// its steps, and the hook it returns gets that run's evaluation rows.
func TestOnRunSeesEveryRun(t *testing.T) {
	s := tinyStudy()
	s.Seeds, s.Baselines, s.LRScales, s.TruncatedBudgets, s.OptStateBudgets = []uint64{1}, nil, nil, nil, nil
	imgs := &Images{Name: "synthetic", Train: syntheticImages(64, 1), Val: syntheticImages(24, 2), Batch: 8}
	steps, rows := map[string]int{}, map[string]int{}
	opts := Options{Out: t.TempDir(), Data: imgs, Log: &bytes.Buffer{}, OnRun: func(run string, n int) func(runner.Row) {
		steps[run] = n
		return func(runner.Row) { rows[run]++ }
	}}
	if _, err := Run(backend.MustNew(), s, opts); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{SourceArm: 8, "scratch_b1.00_x1_s1": 8, "lemon_b0.50_x1_s1": 4}
	if !reflect.DeepEqual(steps, want) {
		t.Errorf("OnRun saw %v, want %v", steps, want)
	}
	for run, n := range want {
		if wantRows := n/s.EvalEvery + 1; rows[run] != wantRows {
			t.Errorf("%s: %d rows, want %d", run, rows[run], wantRows)
		}
	}
}

// TestExpSeries: the perplexity figure's series is e^ of the loss series, band included.
func TestExpSeries(t *testing.T) {
	s := expSeries(plotting.Series{Name: "a", X: []float64{1, 2}, Y: []float64{0, math.Log(7)}, Lo: []float64{-1, 1}, Hi: []float64{1, 2}})
	want := [][]float64{{1, 7}, {math.Exp(-1), math.E}, {math.E, math.Exp(2)}}
	for i, got := range [][]float64{s.Y, s.Lo, s.Hi} {
		for j := range got {
			if math.Abs(got[j]-want[i][j]) > 1e-12 {
				t.Errorf("series %d[%d] = %g, want %g", i, j, got[j], want[i][j])
			}
		}
	}
	if s.X[1] != 2 || s.Name != "a" {
		t.Errorf("x or name changed: %+v", s)
	}
	if n := expSeries(plotting.Series{Y: []float64{0}}); n.Lo != nil {
		t.Errorf("a series without band gained one: %+v", n)
	}
}
