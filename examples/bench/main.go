// Command bench times one training step (and one forward-only evaluation) of golemon's CPU
// presets side by side with PyTorch on the identical architecture, shapes, batch and AdamW,
// alternating the two in one run (these machines are noisy), and prints a markdown table with
// ms/step, achieved GFLOP/s, the ratio and each side's 1024³ matmul rate. It is a benchmark,
// not a test.
//
//	GOEXPERIMENT=simd GODEBUG=cpu.fma=off go run ./examples/bench
//	go run ./examples/bench -presets vit-cpu-4-128 -rounds 5 -torch=false
//	go run ./examples/bench -presets gpt2-cpu-2-32,gpt2-cpu-4-64 -batch 32 -vocab 7000
//
// PyTorch runs scripts/bench_torch.py at each of -threads (OMP_NUM_THREADS and
// torch.set_num_threads); it needs Debian's python3-torch and libopenblas0-pthread.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/bert"
	_ "github.com/golemon/golemon/lemon/arch/families" // every family's presets and checkpoints
	"github.com/golemon/golemon/lemon/arch/llama"
	"github.com/golemon/golemon/lemon/arch/vit"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/data"
	"github.com/golemon/golemon/lemon/runner"
	"github.com/gomlx/compute"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	presets       []string
	threads       []int
	batch, vocab  int
	steps, rounds int
	python        string
	torch         bool
}

func parseFlags() (options, error) {
	presets := flag.String("presets", "vit-cpu-4-128,bert-cpu-4-128", "comma-separated CPU presets")
	threads := flag.String("threads", "1,2", "PyTorch thread counts")
	batch := flag.Int("batch", 64, "batch size")
	vocab := flag.Int("vocab", 2000, "vocabulary size of the BERT presets")
	steps := flag.Int("steps", 10, "timed steps per round and side")
	rounds := flag.Int("rounds", 3, "rounds; each runs golemon, then PyTorch at every thread count")
	python := flag.String("python", "", "Python with torch (default: the first of /usr/bin/python3, python3 that imports torch)")
	torch := flag.Bool("torch", true, "also time PyTorch")
	flag.Parse()
	o := options{presets: strings.Split(*presets, ","), batch: *batch, vocab: *vocab, steps: *steps,
		rounds: *rounds, python: *python, torch: *torch}
	var errs []error
	for _, p := range o.presets {
		cfg, err := arch.Preset(p)
		switch {
		case err != nil:
			errs = append(errs, err)
		case o.torch && cfg.Kind == llama.Kind:
			errs = append(errs, fmt.Errorf("-presets %s: scripts/bench_torch.py has no LLaMA model (run it with -torch=false)", p))
		}
	}
	for _, t := range strings.Split(*threads, ",") {
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("-threads: %q is not a positive thread count", t))
		}
		o.threads = append(o.threads, n)
	}
	for name, v := range map[string]int{"-batch": o.batch, "-steps": o.steps, "-rounds": o.rounds} {
		if v < 1 {
			errs = append(errs, fmt.Errorf("%s must be ≥ 1, got %d", name, v))
		}
	}
	if flag.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments %q", flag.Args()))
	}
	return o, errors.Join(errs...)
}

// side is one implementation at one thread count: its per-step and per-eval times.
type side struct {
	name        string
	threads     int
	step, eval  []time.Duration
	matmulGFLOP float64
}

func run() error {
	o, err := parseFlags()
	if err != nil {
		return err
	}
	if o.torch && o.python == "" {
		if o.python, err = findTorch(); err != nil {
			return err
		}
	}
	b, err := backend.New()
	if err != nil {
		return err
	}
	fmt.Printf("golemon: %s, %s\n", backend.Describe(b), backend.BuildDescription())
	ours := side{name: "golemon", threads: backend.Threads()}
	if ours.matmulGFLOP, err = runner.MatMulGFLOPs(b, 1024, 5); err != nil {
		return err
	}
	fmt.Println()
	fmt.Println("| preset | implementation | threads | step ms (median, min–max) | step GFLOP/s | of own 1024³ matmul | eval ms (median) | PyTorch-best / this |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, preset := range o.presets {
		if err := benchPreset(b, o, preset, &ours); err != nil {
			return err
		}
	}
	return nil
}

func benchPreset(b compute.Backend, o options, preset string, ours *side) error {
	task, err := runner.SyntheticTask(preset, o.batch, o.vocab)
	if err != nil {
		return err
	}
	store, err := arch.Init(task.Config(), 1)
	if err != nil {
		return err
	}
	timer := runner.NewStepTimer(b, task, store)
	if _, err := timer.Time(2, 1); err != nil { // compile outside the timed rounds
		return err
	}
	ours.step, ours.eval = nil, nil
	sides := []*side{ours}
	for _, t := range o.threads {
		if o.torch {
			sides = append(sides, &side{name: "PyTorch", threads: t})
		}
	}
	spec := torchSpec(task.Config(), o, preset)
	for range o.rounds {
		t, err := timer.Time(1, o.steps)
		if err != nil {
			return err
		}
		ours.step, ours.eval = append(ours.step, t.Step...), append(ours.eval, t.Eval...)
		for _, s := range sides[1:] {
			if err := runTorch(o.python, spec, s); err != nil {
				return err
			}
		}
	}
	_, _, flops := task.StepCost()
	best := time.Duration(0)
	for _, s := range sides[1:] {
		if m := median(s.step); best == 0 || m < best {
			best = m
		}
	}
	for _, s := range sides {
		m := median(s.step)
		gflops := flops / m.Seconds() / 1e9
		ratio := "—"
		if best > 0 {
			ratio = fmt.Sprintf("%.2f×", best.Seconds()/m.Seconds())
		}
		fmt.Printf("| %s | %s | %d | %.1f (%.1f–%.1f) | %.1f | %.0f%% of %.0f | %.1f | %s |\n", preset, s.name, s.threads,
			ms(m), ms(slices.Min(s.step)), ms(slices.Max(s.step)), gflops, 100*gflops/s.matmulGFLOP, s.matmulGFLOP,
			ms(median(s.eval)), ratio)
	}
	return nil
}

// torchSpec describes the preset to scripts/bench_torch.py.
func torchSpec(cfg arch.Config, o options, preset string) map[string]any {
	e := cfg.Enc()
	s := map[string]any{"layers": e.Layers, "width": e.Width, "heads": e.Heads, "head_dim": e.HeadDim,
		"mlp": e.MLPDim, "eps": e.LayerNormEps, "batch": o.batch, "steps": o.steps, "warmup": 3, "preset": preset}
	if v, ok := vit.Of(cfg); ok {
		s["kind"], s["image"], s["channels"], s["patch"], s["classes"] = "vit", v.ImageSize, v.Channels, v.PatchSize, v.NumClasses
	} else if lm, ok := cfg.Family().(arch.CausalLM); ok {
		vocab, positions := lm.CausalLM()
		s["kind"], s["vocab"], s["seq"], s["gelu"] = string(cfg.Kind), vocab, positions, "exact"
		if e.TanhGELU() {
			s["gelu"] = "tanh"
		}
	} else if b, ok := bert.Of(cfg); ok {
		s["kind"], s["vocab"], s["seq"], s["max_pred"] = "bert", b.VocabSize, b.MaxPositions, data.MaxPredictions(b.MaxPositions)
	}
	return s
}

func runTorch(python string, spec map[string]any, s *side) error {
	spec["threads"] = s.threads
	in, _ := json.Marshal(spec)
	cmd := exec.Command(python, "scripts/bench_torch.py")
	cmd.Stdin = bytes.NewReader(in)
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS="+strconv.Itoa(s.threads))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("PyTorch (%s scripts/bench_torch.py): %w: %s", python, err, strings.TrimSpace(stderr.String()))
	}
	var res struct {
		StepMS  []float64 `json:"step_ms"`
		EvalMS  []float64 `json:"eval_ms"`
		MatMul  float64   `json:"matmul_gflops"`
		Threads int       `json:"threads"`
	}
	if err := json.Unmarshal(out, &res); err != nil || len(res.StepMS) == 0 || res.Threads != s.threads {
		return fmt.Errorf("PyTorch printed %q (wanted step times at %d threads)", out, s.threads)
	}
	for _, v := range res.StepMS {
		s.step = append(s.step, time.Duration(v*1e6))
	}
	for _, v := range res.EvalMS {
		s.eval = append(s.eval, time.Duration(v*1e6))
	}
	s.matmulGFLOP = max(s.matmulGFLOP, res.MatMul)
	return nil
}

// findTorch returns the first Python that imports torch: Debian's, then the one on PATH.
func findTorch() (string, error) {
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import torch").Run() == nil {
			return p, nil
		}
	}
	return "", errors.New("no Python with torch found (apt-get install python3-torch libopenblas0-pthread, or pass -python, or -torch=false)")
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return d.Seconds() * 1e3 }
