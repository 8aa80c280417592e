// Command expand turns a trained source checkpoint into a wider and/or deeper target
// checkpoint with LEMON (or a baseline), prints the plan, and verifies that the target
// reproduces the source's logits:
//
//	go run ./examples/expand -in runs/vit/ckpt -to vit-cpu-4-128 -out runs/vit-expanded
//	go run ./examples/expand -in runs/bert/ckpt -width 96 -depth 3 -method lemon -layout stack -out runs/b
//	go run ./examples/expand -in runs/vit/ckpt -width 128 -method fpi -out runs/fpi   # a lossy baseline
//
// -in may also be a Hugging Face folder (config.json + model.safetensors) or .safetensors
// file of BERT or ViT (or timm's ViT); the target is then written in the same layout unless
// -format says otherwise:
//
//	go run ./examples/expand -in minilm/ -to bert-base-postln -out minilm-x2/   # an HF folder back
//
// Size flags override the sizes of -to. Verification uses seeded random inputs unless -data
// names a data directory (ViT: the -dataset test images; BERT: the validation corpus, whose
// vocabulary must match the checkpoint's, as built by examples/train with the same -mincount).
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/golemon/golemon/lemon/arch"
	_ "github.com/golemon/golemon/lemon/arch/families" // every family's presets and checkpoints
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/ckpt"
	"github.com/golemon/golemon/lemon/expand"
	"github.com/golemon/golemon/lemon/hf"
	"github.com/golemon/golemon/lemon/runner"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "expand:", err)
		os.Exit(1)
	}
}

type flags struct {
	in, out, to, method, layout, writers string
	width, depth, heads, headDim, mlp    int
	seed                                 uint64
	noise                                float64
	optState                             bool
	data, dataset, format                string
	batch, seqLen, minCount              int
	maxParams                            float64
}

func parseFlags() flags {
	var f flags
	flag.StringVar(&f.in, "in", "", "source checkpoint directory (config.json + weights; required)")
	flag.StringVar(&f.out, "out", "", "target checkpoint directory (required)")
	flag.StringVar(&f.format, "format", "", "how to write the target: hf (config.json + model.safetensors, transformers' layout) or gomlx (this library's checkpoint); default: as -in")
	flag.StringVar(&f.to, "to", "", "target preset whose encoder sizes to use (see arch presets)")
	flag.IntVar(&f.width, "width", 0, "target width D (0: keep)")
	flag.IntVar(&f.depth, "depth", 0, "target number of blocks L (0: keep)")
	flag.IntVar(&f.heads, "heads", 0, "target heads H (0: keep)")
	flag.IntVar(&f.headDim, "headdim", 0, "target head dimension d (0: keep)")
	flag.IntVar(&f.mlp, "mlp", 0, "target MLP hidden size F (0: keep)")
	var methods []string
	for _, m := range expand.Methods() {
		methods = append(methods, fmt.Sprintf("%s (%s)", m, m.Doc()))
	}
	flag.StringVar(&f.method, "method", "lemon", "expansion method, one of:\n"+strings.Join(methods, "\n"))
	flag.StringVar(&f.layout, "layout", "interleave", "where new blocks go: interleave or stack")
	flag.StringVar(&f.writers, "writers", "cancel", "new blocks' writers (lemon): cancel or zero")
	flag.Uint64Var(&f.seed, "seed", 1, "seed of every random choice")
	flag.Float64Var(&f.noise, "noise", 0, "hyperclone: std of the paired noise")
	flag.BoolVar(&f.optState, "optstate", false, "also expand the AdamW state (default: fresh, as in the paper)")
	flag.StringVar(&f.data, "data", "", "data directory for verification inputs (default: seeded random inputs)")
	flag.StringVar(&f.dataset, "dataset", runner.FashionMNIST, "ViT verification images: mnist or fashion-mnist")
	flag.IntVar(&f.batch, "batch", 8, "verification batch size")
	flag.Float64Var(&f.maxParams, "max-params", expand.DefaultMaxParams, "refuse targets with more parameters (checked before anything is allocated)")
	flag.IntVar(&f.seqLen, "seqlen", 64, "BERT verification sequence length (with -data)")
	flag.IntVar(&f.minCount, "mincount", 5, "BERT vocabulary threshold used in training (with -data)")
	flag.Parse()
	return f
}

func run() error {
	f := parseFlags()
	if f.in == "" || f.out == "" {
		return fmt.Errorf("-in and -out are required")
	}
	if f.batch < 1 {
		return fmt.Errorf("-batch must be ≥ 1 (verification inputs), got %d", f.batch)
	}
	if ckpt.Overlaps(f.in, f.out) {
		return fmt.Errorf("-out %s is, holds or lies inside the source -in %s: choose another folder", f.out, f.in)
	}
	hfIn := hf.IsCheckpoint(f.in)
	switch f.format {
	case "":
		f.format = map[bool]string{true: "hf", false: "gomlx"}[hfIn]
	case "hf", "gomlx":
	default:
		return fmt.Errorf("-format %q: want hf or gomlx", f.format)
	}
	if f.optState && (hfIn || f.format == "hf") {
		return fmt.Errorf("-optstate: an HF folder holds no optimizer state; use a checkpoint of this library and -format gomlx")
	}
	check := ckpt.CheckReplace
	if f.format == "hf" {
		check = hf.CheckReplace
	}
	if err := check(f.out); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	var (
		srcModel arch.Model
		labels   []string
		err      error
	)
	if hfIn {
		im, err := hf.Load(f.in, hf.LoadOptions{Seed: f.seed})
		if err != nil {
			return err
		}
		fmt.Printf("read %s as %s: %s, %d parameters\n", f.in, im.Architecture, im.Model, im.Config.NumParams())
		for _, n := range im.Notes {
			fmt.Println("  note:", n)
		}
		srcModel, labels = im.Model, im.Labels
	} else if srcModel, err = ckpt.Load(f.in); err != nil {
		return err
	}
	src := srcModel.Config
	spec, method, err := request(f, src)
	if err != nil {
		return err
	}
	plan, err := expand.NewPlan(src, spec, method, expand.Options{Seed: f.seed, Noise: f.noise, MaxParams: f.maxParams})
	if err != nil {
		return err
	}
	fmt.Print(plan)
	if f.format == "hf" { // before any work: can transformers' classes hold the target?
		if _, err := hf.CheckExport(plan.Target(), hf.SaveOptions{Labels: labels}); err != nil {
			return fmt.Errorf("-format hf: %w", err)
		}
	}
	in, what, err := inputs(f, src) // before anything is written
	if err != nil {
		return err
	}
	tgt, err := plan.Apply(srcModel)
	if err != nil {
		return err
	}
	tgtCfg := tgt.Config
	if f.optState {
		if err := plan.ApplyOptimizerState(srcModel, tgt); err != nil {
			return err
		}
	}
	b, err := backend.New() // the command picks the backend the check runs on
	if err != nil {
		return err
	}
	diff, err := expand.Compare(b, srcModel, tgt, in) // before anything is written
	if err != nil {
		return err
	}
	exact, _ := plan.Exactness()
	fmt.Printf("verify on %s: %v (plan: %s)\n", what, diff, exact)
	if tol := expand.Tolerance(tgtCfg); exact == expand.Exact && !diff.Within(tol) {
		return fmt.Errorf("verification failed: relative |Δ logits| %.3g exceeds the tolerance %.3g of a lossless plan; nothing written", diff.Rel(), tol)
	}
	if f.format == "hf" {
		ex, err := hf.Save(f.out, tgt, hf.SaveOptions{Labels: labels})
		if err != nil {
			return err
		}
		for _, n := range ex.Notes {
			fmt.Println("  note:", n)
		}
		fmt.Printf("wrote %s as %s (%d tensors): %d → %d parameters\n", f.out, ex.Architecture, ex.Tensors, src.NumParams(), tgtCfg.NumParams())
		return nil
	}
	meta := map[string]any{"expanded_from": f.in, "method": method, "spec": spec.String(), "seed": f.seed}
	if err := ckpt.Save(f.out, tgt, meta); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d → %d parameters\n", f.out, src.NumParams(), tgtCfg.NumParams())
	return nil
}

// request turns the flags into a Spec and a Method.
func request(f flags, src arch.Config) (expand.Spec, expand.Method, error) {
	var spec expand.Spec
	if f.to != "" {
		preset, err := arch.Preset(f.to)
		if err != nil {
			return spec, 0, err
		}
		if preset.Kind != src.Kind || preset.Enc().Norm != src.Enc().Norm {
			return spec, 0, fmt.Errorf("-to %s is a %s %s-LN model; the source is a %s %s-LN model",
				f.to, preset.Kind, preset.Enc().Norm, src.Kind, src.Enc().Norm)
		}
		spec = expand.SpecOf(preset.Enc())
	}
	for _, o := range []struct {
		dst *int
		v   int
	}{{&spec.Width, f.width}, {&spec.Layers, f.depth}, {&spec.Heads, f.heads}, {&spec.HeadDim, f.headDim}, {&spec.MLPDim, f.mlp}} {
		if o.v != 0 {
			*o.dst = o.v
		}
	}
	method, err := expand.ParseMethod(f.method)
	if err != nil {
		return spec, 0, err
	}
	if spec.Layout, err = expand.ParseLayout(f.layout); err != nil {
		return spec, 0, err
	}
	spec.NewWriters, err = expand.ParseWriters(f.writers)
	return spec, method, err
}

// inputs are the verification inputs: seeded random ones, or the first examples of the data.
func inputs(f flags, cfg arch.Config) (expand.Inputs, string, error) {
	if f.data == "" {
		return expand.RandomInputs(cfg, f.batch, f.seed), fmt.Sprintf("%d seeded random inputs", f.batch), nil
	}
	if _, ok := cfg.Family().(arch.ImageClassifier); ok {
		_, test, err := runner.LoadImages(f.dataset, f.data)
		if err != nil {
			return expand.Inputs{}, "", err
		}
		in, err := expand.ImageInputs(cfg, test, f.batch)
		return in, fmt.Sprintf("%d %s test images", min(f.batch, test.N), f.dataset), err
	}
	mlm, ok := cfg.Family().(arch.MaskedLM)
	if !ok {
		return expand.Inputs{}, "", fmt.Errorf("-data: no data inputs for a %s model (leave -data empty for seeded random inputs)", cfg.Kind)
	}
	vocab, positions := mlm.MaskedLM()
	corpus, err := runner.LoadMLMCorpus(f.data, min(f.seqLen, positions), f.minCount)
	if err != nil {
		return expand.Inputs{}, "", err
	}
	if corpus.Vocab.Size() != vocab {
		return expand.Inputs{}, "", fmt.Errorf("the corpus vocabulary has %d tokens with -mincount %d, the checkpoint %d: use the -mincount of training",
			corpus.Vocab.Size(), f.minCount, vocab)
	}
	in, err := expand.SequenceInputs(cfg, corpus.Val, f.batch)
	return in, fmt.Sprintf("%d validation sequences of %d tokens", min(f.batch, corpus.Val.Len()), corpus.Val.T), err
}
