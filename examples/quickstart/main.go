// Command quickstart is the README's main job: it gets MNIST through its Go module, trains a
// tiny ViT for a few minutes on the default backend, prints and saves its learning curve, then
// expands it with LEMON to a model twice as deep and wide and checks on real test images that
// the expanded model computes the same logits.
//
//	GOEXPERIMENT=simd GODEBUG=cpu.fma=off go run ./examples/quickstart   # writes runs/quickstart/{log.csv,ckpt/}
//	go run ./examples/quickstart -steps 300   # shorter
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/data"
	"github.com/golemon/golemon/lemon/expand"
	"github.com/golemon/golemon/lemon/runner"
	"github.com/golemon/golemon/lemon/schedule"
	"github.com/golemon/golemon/plotting"
	"github.com/gomlx/gomlx/ml/model"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run() error {
	steps := flag.Int("steps", 2000, "training steps (about 0.07 s each on 2 idle cores, on the fast path)")
	out := flag.String("out", "runs/quickstart", "output directory")
	seed := flag.Uint64("seed", 1, "seed")
	progress := flag.Bool("progress", true, "show a progress bar")
	flag.Parse()

	dir, _ := data.DefaultDir() // "" outside the repository: MNIST then comes from its Go module
	train, test, err := runner.LoadImages(runner.MNIST, dir)
	if err != nil {
		return err
	}
	cfg, err := arch.ViTPreset("vit-cpu-2-64")
	if err != nil {
		return err
	}
	task, err := runner.NewImageTask("vit-cpu-2-64/mnist", cfg, train, test, 64, *seed)
	if err != nil {
		return err
	}
	store, err := arch.Init(task.Config(), *seed)
	if err != nil {
		return err
	}
	b, err := backend.New()
	if err != nil {
		return err
	}
	sched := schedule.WarmupCosine{Peak: 3e-3, Warmup: *steps / 20, Total: *steps, Floor: 3e-5}
	fmt.Printf("ViT %s (%d parameters) on MNIST (%d train / %d test), backend %s\nschedule %s\n",
		"vit-cpu-2-64", task.Config().NumParams(), train.N, test.N, backend.Describe(b), sched)
	res, err := runner.Run(b, task, store, runner.Options{Steps: *steps, EvalEvery: max(1, *steps/4),
		Schedule: sched, WeightDecay: 0.05, OutDir: *out, Progress: *progress})
	if err != nil {
		return err
	}
	fmt.Println("\nlearning curve (" + runner.LogPath(*out) + "):")
	fmt.Println(runner.CSVHeader)
	for _, row := range res.Rows {
		fmt.Println(row.CSV())
	}
	f := res.Final()
	fmt.Printf("\nMNIST test accuracy %.2f%% after %d steps (%.0f s); checkpoint in %s\n",
		100*f.ValMetric, f.Step, f.WallS, runner.CheckpointDir(*out))
	if err := saveCurve(*out); err != nil {
		return err
	}
	return expandAndVerify(task.Config(), res.Store, test, *out, *seed)
}

// expandAndVerify expands the trained ViT to vit-cpu-4-128 (2× depth, 2× width) with LEMON
// and checks on real test images that the target computes the source's logits.
func expandAndVerify(src arch.Config, store *model.Store, test *data.ImageSet, out string, seed uint64) error {
	target, err := arch.Preset("vit-cpu-4-128")
	if err != nil {
		return err
	}
	plan, err := expand.NewPlan(src, expand.SpecOf(target.Enc()), expand.LEMON, expand.Options{Seed: seed})
	if err != nil {
		return err
	}
	tgtStore, tgtCfg, err := plan.Apply(store)
	if err != nil {
		return err
	}
	in, err := expand.ImageInputs(*src.ViT, test, 256)
	if err != nil {
		return err
	}
	diff, err := expand.Compare(src, store, tgtCfg, tgtStore, in)
	if err != nil {
		return err
	}
	fmt.Printf("\nLEMON expansion %d → %d parameters (%d → %d blocks, width %d → %d)\n",
		src.NumParams(), tgtCfg.NumParams(), src.Enc().Layers, tgtCfg.Enc().Layers, src.Enc().Width, tgtCfg.Enc().Width)
	fmt.Printf("verified on 256 MNIST test images: %v\n", diff)
	fmt.Printf("full plan: go run ./examples/expand -in %s -to vit-cpu-4-128 -data .data -dataset mnist -out DIR\n", runner.CheckpointDir(out))
	return nil
}

// saveCurve draws training and validation loss against examples seen from the run's log.
func saveCurve(out string) error {
	log, err := plotting.ReadLog(runner.LogPath(out))
	if err != nil {
		return err
	}
	trainLoss, valLoss := log.Series(plotting.Examples, plotting.TrainLoss), log.Series(plotting.Examples, plotting.ValLoss)
	trainLoss.Name, valLoss.Name = "train loss", "test loss"
	p, err := plotting.Curves("ViT vit-cpu-2-64 on MNIST", plotting.Examples.Label(), "cross-entropy",
		[]plotting.Series{trainLoss, valLoss}, plotting.CurveOptions{})
	if err != nil {
		return err
	}
	path := filepath.Join(out, "curve")
	if err := plotting.Save(p, path, 6, 4); err != nil {
		return err
	}
	fmt.Printf("curve: %s.png, %s.svg\n", path, path)
	return nil
}
