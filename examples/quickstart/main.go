// Command quickstart is the README's main job, in about three minutes on two cores: it gets
// MNIST through its Go module, trains a small ViT, expands it with LEMON to a model twice
// as deep and twice as wide, checks on real test images that the expanded model computes the
// same logits, then trains the expanded model with LEMON's recipe for half the budget of a
// same-size model trained from scratch, and prints and plots how much compute that saved.
//
// It is one seed at a short budget (it says so): the study (examples/paper, results/) is
// where the saving is measured over seeds, against every baseline.
//
//	GOEXPERIMENT=simd GODEBUG=cpu.fma=off go run ./examples/quickstart   # writes runs/quickstart/
//	go run ./examples/quickstart -steps 200 -out /tmp/qs                  # shorter
//
// Finished runs are cached in -out: running it again reuses them and only reprints.
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/ckpt"
	"github.com/golemon/golemon/lemon/data"
	"github.com/golemon/golemon/lemon/expand"
	"github.com/golemon/golemon/lemon/runner"
	"github.com/golemon/golemon/lemon/schedule"
	"github.com/golemon/golemon/lemon/study"
	"github.com/gomlx/compute"
)

// The pair: the expansion doubles depth and width (×7 parameters).
const (
	sourcePreset = "vit-cpu-2-64"
	targetPreset = "vit-cpu-4-128"
	valImages    = 1000 // evaluated on the first 1,000 MNIST test images (eight times per run)
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run() error {
	steps := flag.Int("steps", 400, "T: training steps of the source and of the from-scratch target; LEMON trains T/2")
	out := flag.String("out", "runs/quickstart", "output directory (finished runs in it are reused)")
	seed := flag.Uint64("seed", 1, "seed")
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (flags only; see -h)", flag.Args())
	}
	if *steps < 8 {
		return fmt.Errorf("-steps %d: want at least 8 (the runs evaluate every T/8 steps)", *steps)
	}

	dir, _ := data.DefaultDir() // "" outside the repository: MNIST then comes from its Go module
	train, test, err := runner.LoadImages(runner.MNIST, dir)
	if err != nil {
		return err
	}
	s, err := quickStudy(*steps, *seed)
	if err != nil {
		return err
	}
	b, err := backend.New()
	if err != nil {
		return err
	}
	fmt.Printf("LEMON quickstart on MNIST (%d training images, the first %d test images), backend %s\n",
		train.N, valImages, backend.Describe(b))
	fmt.Printf("source %s (%d parameters) → target %s (%d parameters); T = %d steps of batch %d\n",
		sourcePreset, s.Source.NumParams(), targetPreset, s.Target.NumParams(), s.Steps, s.Data.Batch)
	fmt.Println("1. train the source for T   2. expand it with LEMON and check the logits   3. train the expansion for T/2 with LEMON's recipe   4. train the target from scratch for T")

	imgs := &study.Images{Name: "mnist", Train: train, Val: test.Subset(valImages), Batch: s.Data.Batch}
	opts := study.Options{Out: *out, Data: imgs, Only: []string{study.SourceArm}}
	if _, err := study.Run(b, s, opts); err != nil {
		return err
	}
	if err := verify(b, s, *out, test, *seed); err != nil {
		return err
	}
	opts.Only = []string{"lemon"}
	if _, err := study.Run(b, s, opts); err != nil {
		return err
	}
	opts.Only = nil
	rep, err := study.Run(b, s, opts)
	if err != nil {
		return err
	}
	return summarize(rep, *out)
}

// quickStudy is the quickstart as a one-seed study: scratch at T, LEMON at T/2.
func quickStudy(steps int, seed uint64) (study.Study, error) {
	src, err := arch.Preset(sourcePreset)
	if err != nil {
		return study.Study{}, err
	}
	tgt, err := arch.Preset(targetPreset)
	if err != nil {
		return study.Study{}, err
	}
	s := study.Study{
		Task: study.ViT, Name: "quickstart", SourceName: sourcePreset, TargetName: targetPreset,
		Source: src, Target: tgt,
		Data:  study.DataSpec{Dataset: runner.MNIST, Batch: 64, ValExamples: valImages},
		Steps: steps, SourceSteps: steps, EvalEvery: max(1, steps/8),
		Schedule:    schedule.WarmupDecay{Peak: 2e-3, Warmup: max(1, steps/20), Floor: 2e-5, Decay: schedule.Cosine},
		WeightDecay: 0.05,
		Seeds:       []uint64{seed},
		Budgets:     []float64{0.5},
	}
	return s, s.Validate()
}

// verify expands the trained source with LEMON as the study does and compares the two
// models' logits on 256 real test images.
func verify(b compute.Backend, s study.Study, out string, test *data.ImageSet, seed uint64) error {
	src, err := ckpt.Load(runner.CheckpointDir(filepath.Join(out, "source")))
	if err != nil {
		return err
	}
	plan, err := expand.NewPlan(src.Config, expand.SpecOf(s.Target.Enc()), expand.LEMON, expand.Options{Seed: seed})
	if err != nil {
		return err
	}
	tgt, err := plan.Apply(src)
	if err != nil {
		return err
	}
	in, err := expand.ImageInputs(src.Config, test, 256)
	if err != nil {
		return err
	}
	diff, err := expand.Compare(b, src, tgt, in)
	srcCfg, tgtCfg := src.Config, tgt.Config
	if err != nil {
		return err
	}
	fmt.Printf("\nLEMON expansion %d → %d parameters (%d → %d blocks, width %d → %d); on 256 MNIST test images: %v\n\n",
		srcCfg.NumParams(), tgtCfg.NumParams(), srcCfg.Enc().Layers, tgtCfg.Enc().Layers, srcCfg.Enc().Width, tgtCfg.Enc().Width, diff)
	return nil
}

// summarize prints the curves' key points against FLOPs and the saving.
func summarize(rep *study.Report, out string) error {
	var scratch, lemon *study.Record
	for i := range rep.Records {
		switch r := &rep.Records[i]; r.Spec.Name() {
		case "scratch":
			scratch = r
		case "lemon":
			lemon = r
		}
	}
	if scratch == nil || lemon == nil || rep.Source == nil {
		return fmt.Errorf("%s lacks the source, scratch or LEMON run", out)
	}
	target := rep.Targets[0]
	fmt.Println("\nval accuracy against training FLOPs of the target (one seed, short budget: see results/ for seeds and baselines)")
	fmt.Printf("%-9s %12s %12s %12s %12s\n", "", "start", "T/4 FLOPs", "T/2 FLOPs", "T FLOPs")
	for _, r := range []*study.Record{scratch, lemon} {
		fmt.Printf("%-9s", r.Spec.Name())
		for _, f := range []float64{0, 0.25, 0.5, 1} {
			fmt.Printf(" %12s", at(r, f*scratch.Final.FLOPs))
		}
		fmt.Println()
	}
	sv := lemon.Savings[0]
	fmt.Printf("\nsource %s: %.2f%% after %d steps (%.3g FLOPs of its own)\n", sourcePreset, 100*rep.Source.ValMetric, rep.Source.Step, rep.SourceFLOPs)
	fmt.Printf("scratch %s: %.2f%% after T = %d steps (%.3g FLOPs): the reference\n", targetPreset, 100*target, scratch.Final.Step, scratch.Final.FLOPs)
	fmt.Printf("LEMON %s: %.2f%% after T/2 = %d steps (%.3g FLOPs)\n", targetPreset, 100*lemon.Final.ValMetric, lemon.Final.Step, lemon.Final.FLOPs)
	if rep.Source.ValMetric >= target {
		fmt.Printf("\nThe source alone already matches the scratch model (%.2f%% ≥ %.2f%%): at this budget the expansion starts past the reference,\n"+
			"so the saving below is trivially 100%% of LEMON's training. Train longer (-steps) for a saving that means something.\n",
			100*rep.Source.ValMetric, 100*target)
	}
	if sv.Reached {
		fmt.Printf("\nLEMON reached the scratch model's final accuracy at %.3g FLOPs: saving %.1f%% of its compute, %.1f%% counting the source's training too (one seed).\n",
			sv.ReachFLOPs, 100*sv.Excl, 100*sv.Incl)
	} else {
		fmt.Printf("\nLEMON did not reach the scratch model's final accuracy within T/2 (best %.2f%%): no saving at this budget and seed.\n", 100*sv.Best)
	}
	fmt.Printf("figure: %s; tables: %s\n", filepath.Join(out, study.CurvesFigure+".png"), filepath.Join(out, "results.md"))
	return nil
}

// at is a run's val accuracy at the given training FLOPs (linear between evaluations), or
// "—" past its end.
func at(r *study.Record, flops float64) string {
	rows := r.Rows()
	for i, row := range rows {
		if row.FLOPs >= flops {
			if i == 0 || row.FLOPs == flops {
				return fmt.Sprintf("%.2f%%", 100*row.ValMetric)
			}
			a := rows[i-1]
			t := (flops - a.FLOPs) / (row.FLOPs - a.FLOPs)
			return fmt.Sprintf("%.2f%%", 100*(a.ValMetric+t*(row.ValMetric-a.ValMetric)))
		}
	}
	if last := rows[len(rows)-1]; math.Abs(last.FLOPs-flops) <= 1e-9*flops {
		return fmt.Sprintf("%.2f%%", 100*last.ValMetric)
	}
	return "—"
}
