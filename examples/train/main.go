// Command train trains a source model (ViT on MNIST / Fashion-MNIST, BERT masked-LM or a
// GPT-2 or LLaMA-style decoder's next-token prediction on the text corpus) and writes its evaluation
// log and checkpoint:
//
//	go run ./examples/train -model vit -preset vit-cpu-2-64 -data fashion-mnist -steps 2000 -out runs/vit
//	go run ./examples/train -model bert -preset bert-cpu-2-64 -steps 2000 -out runs/bert
//	go run ./examples/train -model gpt2 -preset gpt2-cpu-2-32 -steps 2000 -out runs/gpt2
//	go run ./examples/train -model llama -preset llama-cpu-2-32 -steps 2000 -out runs/llama
//	go run ./examples/train … -resume        # continue a stopped run to -steps
//
// Data come from scripts/fetch_data.sh (directory -datadir, default $LEMON_DATA or .data).
package main

import (
	"flag"
	"fmt"
	"math"
	"os"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/bert"
	_ "github.com/golemon/golemon/lemon/arch/families" // every family's presets and checkpoints
	"github.com/golemon/golemon/lemon/arch/vit"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/data"
	"github.com/golemon/golemon/lemon/runner"
	"github.com/golemon/golemon/lemon/schedule"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		kind      = flag.String("model", "vit", "vit, bert, gpt2 or llama")
		preset    = flag.String("preset", "", "model preset (default vit-cpu-2-64 / bert-cpu-2-64 / gpt2-cpu-2-32 / llama-cpu-2-32); go run ./examples/presets lists them")
		dataset   = flag.String("data", runner.FashionMNIST, "ViT dataset: mnist or fashion-mnist (BERT and the decoders always use the text corpus)")
		dataDir   = flag.String("datadir", "", "data directory (default $LEMON_DATA or <repo>/.data)")
		steps     = flag.Int("steps", 1000, "optimizer steps")
		batch     = flag.Int("batch", 64, "batch size")
		seqLen    = flag.Int("seqlen", 64, "BERT and GPT-2 sequence length")
		minCount  = flag.Int("mincount", 5, "BERT and GPT-2: keep WordPiece tokens seen at least this often in training")
		lr        = flag.Float64("lr", 1e-3, "peak learning rate")
		warmup    = flag.Int("warmup", 0, "warmup steps (default 5% of -steps)")
		wd        = flag.Float64("wd", 0.05, "AdamW weight decay (matrices only)")
		evalEvery = flag.Int("eval-every", 100, "evaluate, log and checkpoint every N steps")
		seed      = flag.Uint64("seed", 1, "seed for initialisation, data order, masking and dropout")
		out       = flag.String("out", "", "output directory for log.csv and ckpt/ (required)")
		resume    = flag.Bool("resume", false, "continue from -out/ckpt if it exists (refused if the run differs: data, batch, schedule, weight decay)")
		changed   = flag.Bool("resume-changed", false, "with -resume: continue even if the run differs from the checkpoint's (not exact)")
		progress  = flag.Bool("progress", true, "show a progress bar")
	)
	flag.Parse()
	if *out == "" {
		return fmt.Errorf("-out is required")
	}
	dir := *dataDir
	if dir == "" {
		var err error
		if dir, err = data.DefaultDir(); err != nil {
			return err
		}
	}
	task, err := buildTask(*kind, *preset, *dataset, dir, *batch, *seqLen, *minCount, *seed)
	if err != nil {
		return err
	}
	m, err := arch.New(task.Config(), *seed)
	if err != nil {
		return err
	}
	b, err := backend.New()
	if err != nil {
		return err
	}
	w := *warmup
	if w == 0 {
		w = max(1, *steps/20)
	}
	sched := schedule.WarmupCosine{Peak: *lr, Warmup: w, Total: *steps, Floor: *lr / 100}
	fmt.Printf("%s on %s: %d parameters, %s\n", task.Name(), backend.Describe(b), task.Config().NumParams(), sched)
	res, err := runner.Run(b, task, m, runner.Options{Steps: *steps, EvalEvery: *evalEvery, Schedule: sched,
		WeightDecay: *wd, OutDir: *out, Resume: *resume, ResumeChanged: *changed, Progress: *progress})
	if err != nil {
		return err
	}
	f := res.Final()
	ppl := ""
	if *kind == "gpt2" || *kind == "llama" {
		ppl = fmt.Sprintf("  perplexity %.2f", math.Exp(f.ValLoss))
	}
	fmt.Printf("final: step %d  val_loss %.4f%s  val_metric %.4f  (median step %s)\nlog: %s\ncheckpoint: %s\n",
		f.Step, f.ValLoss, ppl, f.ValMetric, res.MedianStep, runner.LogPath(*out), runner.CheckpointDir(*out))
	return nil
}

func buildTask(kind, preset, dataset, dir string, batch, seqLen, minCount int, seed uint64) (runner.Task, error) {
	switch kind {
	case "vit":
		if preset == "" {
			preset = "vit-cpu-2-64"
		}
		cfg, err := vit.Preset(preset)
		if err != nil {
			return nil, err
		}
		train, test, err := runner.LoadImages(dataset, dir)
		if err != nil {
			return nil, err
		}
		return runner.NewImageTask(preset+"/"+dataset, cfg, train, test, batch, seed)
	case "bert":
		if preset == "" {
			preset = "bert-cpu-2-64"
		}
		cfg, err := bert.PresetConfig(preset)
		if err != nil {
			return nil, err
		}
		corpus, err := runner.LoadMLMCorpus(dir, seqLen, minCount)
		if err != nil {
			return nil, err
		}
		cfg.VocabSize = corpus.Vocab.Size()
		fmt.Printf("corpus: %d/%d documents, %d/%d tokens (train/val), vocabulary %d, unigram entropy %.4f nats\n",
			corpus.Documents[0], corpus.Documents[1], corpus.TrainTokens, corpus.ValTokens, corpus.Vocab.Size(), corpus.UnigramEntropy)
		return runner.NewMLMTask(preset+"/corpus", bert.New(cfg), corpus.Train, corpus.Val, batch, seed)
	case "gpt2", "llama":
		if preset == "" {
			preset = kind + "-cpu-2-32"
		}
		cfg, err := arch.Preset(preset)
		if err != nil {
			return nil, err
		}
		lm, ok := cfg.Family().(arch.CausalLM)
		if string(cfg.Kind) != kind || !ok {
			return nil, fmt.Errorf("-preset %s is a %s model, not a %s decoder", preset, cfg.Kind, kind)
		}
		if _, positions := lm.CausalLM(); seqLen > positions {
			return nil, fmt.Errorf("-seqlen %d exceeds %s's %d positions", seqLen, preset, positions)
		}
		corpus, err := runner.LoadMLMCorpus(dir, seqLen, minCount)
		if err != nil {
			return nil, err
		}
		cfg = arch.Config{Kind: cfg.Kind, Other: cfg.Family().(arch.Vocabulary).WithVocab(corpus.Vocab.Size())}
		fmt.Printf("corpus: %d/%d documents, %d/%d tokens (train/val), vocabulary %d, unigram entropy %.4f nats (perplexity %.1f)\n",
			corpus.Documents[0], corpus.Documents[1], corpus.TrainTokens, corpus.ValTokens, corpus.Vocab.Size(), corpus.UnigramEntropy, math.Exp(corpus.UnigramEntropy))
		return runner.NewCausalLMTask(preset+"/corpus", cfg, corpus.Train, corpus.Val, batch, seed)
	}
	return nil, fmt.Errorf("-model must be vit, bert, gpt2 or llama, got %q", kind)
}
