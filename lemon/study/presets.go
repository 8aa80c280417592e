package study

import (
	"fmt"
	"strings"

	"github.com/golemon/golemon/lemon/arch"
	_ "github.com/golemon/golemon/lemon/arch/gpt2"  // the decoder study's families and presets
	_ "github.com/golemon/golemon/lemon/arch/llama" //
	"github.com/golemon/golemon/lemon/expand"
	"github.com/golemon/golemon/lemon/runner"
	"github.com/golemon/golemon/lemon/schedule"
)

// Scale is the size of a preset study.
type Scale int

const (
	// CPU is the whole matrix at a size that runs in well under an hour on two cores:
	// 2→4 blocks and 32→64 width (heads of dim 16: 2→4 heads), a few hundred steps per run.
	CPU Scale = iota
	// Paper is the paper's model sizes, batch sizes and schedules (LEMON §5), for GPUs or many
	// cores: ViT(6,384) → ViT(12,768) and BERT(6,384) → BERT(12,768).
	Paper
	// CPULong is the CPU pair trained long enough to matter (ViT only so far): the full
	// Fashion-MNIST training set for 3.2 epochs, every arm over three seeds; about 2.5 hours
	// on two cores (issue 10). Added beside CPU, which stays reproducible as committed.
	CPULong
	// CPUPlateau is the CPU pair trained until the scratch target plateaus (issue 10's rule):
	// ViT for 9.6 epochs of Fashion-MNIST, every arm over three seeds (the LR sweep over two),
	// about 6.5 hours on two cores, in pieces (-shard) or on many cores (-parallel); BERT on
	// 5.1 M corpus tokens, where models learn context; the GPT-2 decoder on 4.1 M.
	CPUPlateau
)

var scaleNames = []string{"cpu", "paper", "cpu-long", "cpu-plateau"}

// String implements fmt.Stringer.
func (s Scale) String() string {
	switch s {
	case CPU, Paper, CPULong, CPUPlateau:
		return scaleNames[s]
	}
	return fmt.Sprintf("Scale(%d)", int(s))
}

// ParseScale reads "cpu", "paper", "cpu-long" or "cpu-plateau".
func ParseScale(s string) (Scale, error) {
	for i, n := range scaleNames {
		if strings.EqualFold(s, n) {
			return Scale(i), nil
		}
	}
	return 0, fmt.Errorf("study: unknown scale %q; known: %s", s, strings.Join(scaleNames, ", "))
}

// allBaselines are the baselines of docs/method.md#baselines.
var allBaselines = []expand.Method{expand.FPI, expand.AKI, expand.Stack, expand.Zero, expand.HyperClone}

// hyperCloneNoise is the paired noise of the HyperClone baseline: 0.1 × the initialiser's
// std (arch.InitStd), about 20 dB below init-scale weights. Without it a ×2 HyperClone would
// be the same model as FPI.
const hyperCloneNoise = 0.1 * arch.InitStd

// ImageNet names the paper's ViT data, which this repository has no loader for.
const ImageNet = "imagenet"

// CorpusData names the masked-LM corpus of runner.LoadMLMCorpus (State of the Union addresses
// and Moby-Dick, ≈ 2 M words); CorpusLargeData adds the King James Bible and WordNet 3.0's
// glosses (data.AllSources, ≈ 4.2 M words), against repetition in longer BERT runs.
const (
	CorpusData      = "corpus"
	CorpusLargeData = "corpus-large"
)

// Preset returns the study of a task at a scale.
func Preset(task Task, scale Scale) (Study, error) {
	var s Study
	switch {
	case task == ViT && scale == CPU:
		s = vitCPU()
	case task == BERT && scale == CPU:
		s = bertCPU()
	case task == ViT && scale == Paper:
		s = vitPaper()
	case task == ViT && scale == CPULong:
		s = vitCPULong()
	case task == ViT && scale == CPUPlateau:
		s = vitCPUPlateau()
	case task == BERT && scale == CPUPlateau:
		s = bertCPUPlateau()
	case task == BERT && scale == Paper:
		s = bertPaper()
	case task == GPT2 && scale == CPU:
		s = gpt2CPU()
	case task == GPT2 && scale == CPUPlateau:
		s = gpt2CPUPlateau()
	default:
		return Study{}, fmt.Errorf("study: no preset for task %s at scale %s", task, scale)
	}
	s.Task, s.Name = task, scale.String()
	var err error
	if s.Source, err = arch.Preset(s.SourceName); err != nil {
		return Study{}, err
	}
	if s.Target, err = arch.Preset(s.TargetName); err != nil {
		return Study{}, err
	}
	return s, s.Validate()
}

// vitCPU: Fashion-MNIST, batch 32, T = 300 steps (9,600 images, 0.16 epochs); the source
// trains as long. Evaluation on the first 1,000 test images.
func vitCPU() Study {
	const steps = 300
	return Study{
		SourceName: "vit-cpu-2-32", TargetName: "vit-cpu-4-64",
		Data:  DataSpec{Dataset: runner.FashionMNIST, Batch: 32, ValExamples: 1000},
		Steps: steps, SourceSteps: steps, EvalEvery: 20,
		Schedule:    schedule.WarmupDecay{Peak: 2e-3, Warmup: steps / 20, Floor: 2e-5, Decay: schedule.Cosine},
		WeightDecay: 0.05,
		Seeds:       []uint64{1, 2, 3},
		Budgets:     []float64{0.25, 0.5, 0.75},
		Baselines:   allBaselines, BaselineBudgets: []float64{0.5},
		HyperCloneNoise: hyperCloneNoise,
		LRScales:        []float64{0.5, 2}, SweepBudget: 0.5,
		TruncatedBudgets: []float64{0.5},
	}
}

// vitCPULong: the CPU pair on all 60,000 Fashion-MNIST training images at batch 64 for
// T = 3,000 steps (3.2 epochs), evaluated on 5,000 test images every 150 steps; every arm
// (scratch, LEMON at three budgets, the LR sweep, the truncated schedule, every baseline) over
// three seeds.
func vitCPULong() Study {
	const steps = 3000
	return Study{
		SourceName: "vit-cpu-2-32", TargetName: "vit-cpu-4-64",
		Data:  DataSpec{Dataset: runner.FashionMNIST, Batch: 64, ValExamples: 5000},
		Steps: steps, SourceSteps: steps, EvalEvery: 150,
		Schedule:    schedule.WarmupDecay{Peak: 2e-3, Warmup: steps / 20, Floor: 2e-5, Decay: schedule.Cosine},
		WeightDecay: 0.05,
		Seeds:       []uint64{1, 2, 3},
		Budgets:     []float64{0.25, 0.5, 0.75},
		Baselines:   allBaselines, BaselineBudgets: []float64{0.5},
		HyperCloneNoise: hyperCloneNoise,
		LRScales:        []float64{0.5, 2}, SweepBudget: 0.5,
		TruncatedBudgets: []float64{0.5},
		EverySeed:        true,
	}
}

// vitCPUPlateau: the cpu-long pair and data trained three times as long, T = 9,000 steps
// (9.6 epochs), evaluated on 5,000 test images every 450 steps. At T = 3,000 (cpu-long) the
// scratch target was still gaining 0.58 points in its last quarter against a seed std of
// 0.27; a one-seed pilot at T = 9,000 gained 0.44 (88.07% → 88.51% on the 10,000 test images)
// with its training loss below its validation loss. Every arm of cpu-long over three seeds,
// LEMON with expanded optimizer state added, the LR sweep over two seeds.
func vitCPUPlateau() Study {
	const steps = 9000
	s := vitCPULong()
	s.Steps, s.SourceSteps, s.EvalEvery = steps, steps, 450
	s.Schedule.Warmup = steps / 20
	s.SweepSeeds = 2
	s.OptStateBudgets = []float64{0.5}
	return s
}

// bertCPUPlateau: masked-LM where the models learn context (issue 10): the corpus in
// sequences of 64 tokens, batch 32, tokens seen at least 20 times (vocabulary ≈ 7,140), T =
// 2,500 steps (5.1 M tokens); the issue measured bert-cpu-4-64 there at a val loss of 5.86
// against a unigram entropy of 6.40. Every arm over three seeds, as cpu-plateau's ViT matrix.
// Not yet run here: its results.md checks the plateau, the gap to the source and the
// distance below the unigram entropy.
func bertCPUPlateau() Study {
	const steps = 2500
	s := bertCPU()
	s.Data = DataSpec{Dataset: CorpusData, Batch: 32, SeqLen: 64, MinCount: 20, ValExamples: 512}
	s.Steps, s.SourceSteps, s.EvalEvery = steps, steps, 125
	s.Schedule.Warmup = steps / 20
	s.Budgets = []float64{0.25, 0.5, 0.75}
	s.SweepSeeds, s.EverySeed = 2, true
	s.OptStateBudgets = []float64{0.5}
	return s
}

// gpt2CPU: the decoder study (issue 13) under the same regime rules: GPT-2 (2, 32) →
// (4, 64) on the repository corpus in sequences of 64 tokens, batch 32, tokens seen at least
// 20 times (vocabulary 7,140, unigram entropy 6.40 nats), T = 1,000 steps (2 M tokens);
// validation on the first 256 held-out sequences. A source trained for 600 steps already ends
// 0.7 nat below the unigram entropy (README, Models), so next-token models learn context at
// this budget.
func gpt2CPU() Study {
	const steps = 1000
	s := bertCPU()
	s.SourceName, s.TargetName = "gpt2-cpu-2-32", "gpt2-cpu-4-64"
	s.Data = DataSpec{Dataset: CorpusData, Batch: 32, SeqLen: 64, MinCount: 20, ValExamples: 256}
	s.Steps, s.SourceSteps, s.EvalEvery = steps, steps, 50
	s.Schedule = schedule.WarmupDecay{Peak: 2e-3, Warmup: steps / 20, Floor: 2e-5, Decay: schedule.Cosine}
	s.Budgets = []float64{0.25, 0.5, 0.75}
	s.SweepSeeds, s.EverySeed = 2, true
	s.OptStateBudgets = []float64{0.5}
	return s
}

// gpt2CPUPlateau: the decoder study at twice gpt2CPU's budget, T = 2,000 steps (4.1 M tokens,
// 1.75 epochs of the corpus), evaluated every 100 steps, the source trained as long: at
// T = 1,000 the scratch target's last quarter still gains 0.038 nat against a seed std of
// 0.032 (results/cpu/gpt2), so the plateau rule narrowly fails there. The same matrix, about
// 10 hours on two cores; its scratch runs and source alone (-only scratch,source) about 1.6 h.
func gpt2CPUPlateau() Study {
	const steps = 2000
	s := gpt2CPU()
	s.Steps, s.SourceSteps, s.EvalEvery = steps, steps, 100
	s.Schedule.Warmup = steps / 20
	return s
}

// bertCPU: the repository corpus (State of the Union + Moby-Dick) in sequences of 32
// tokens, batch 16, tokens seen at least 50 times (vocabulary 4,135); T = 200 steps (102k
// tokens), peak LR 2e-3 decaying to 0.1× as the paper's BERT schedule. At this budget the
// models are still learning token frequencies (unigram entropy 5.94 nats), so LEMON gets
// two budgets only: the study's whole matrix stays within 45 minutes on two cores.
func bertCPU() Study {
	const steps = 200
	return Study{
		SourceName: "bert-cpu-2-32", TargetName: "bert-cpu-4-64",
		Data:  DataSpec{Dataset: CorpusData, Batch: 16, SeqLen: 32, MinCount: 50, ValExamples: 256},
		Steps: steps, SourceSteps: steps, EvalEvery: 20,
		Schedule:    schedule.WarmupDecay{Peak: 2e-3, Warmup: steps / 20, Floor: 2e-4, Decay: schedule.Cosine},
		WeightDecay: 0.01,
		Seeds:       []uint64{1, 2, 3},
		Budgets:     []float64{0.25, 0.5},
		Baselines:   allBaselines, BaselineBudgets: []float64{0.5},
		HyperCloneNoise: hyperCloneNoise,
		LRScales:        []float64{0.5, 2}, SweepBudget: 0.5,
		TruncatedBudgets: []float64{0.5},
	}
}

// vitPaper: DeiT's recipe as in the paper: ImageNet-1k (1,281,167 images) at batch 1024,
// 300 epochs from scratch, 5 warmup epochs, AdamW lr 1e-3, wd 0.05, cosine to 1e-5; the
// expanded model gets 130 epochs (the 56.7% headline) and neighbouring budgets.
func vitPaper() Study {
	const epoch = 1251 // ⌈1,281,167 / 1024⌉
	const steps = 300 * epoch
	budgets := []float64{100.0 / 300, 130.0 / 300, 160.0 / 300}
	return Study{
		SourceName: "vit-6-384", TargetName: "vit-12-768",
		Data:  DataSpec{Dataset: ImageNet, Batch: 1024},
		Steps: steps, SourceSteps: steps, EvalEvery: epoch,
		Schedule:    schedule.WarmupDecay{Peak: 1e-3, Warmup: 5 * epoch, Floor: 1e-5, Decay: schedule.Cosine},
		WeightDecay: 0.05,
		Seeds:       []uint64{1, 2, 3},
		Budgets:     budgets,
		Baselines:   allBaselines, BaselineBudgets: budgets,
		HyperCloneNoise: hyperCloneNoise,
		LRScales:        []float64{0.5, 2}, SweepBudget: 130.0 / 300,
		TruncatedBudgets: []float64{130.0 / 300},
	}
}

// bertPaper: the paper's BERT recipe (batch 256, sequences of 128, AdamW lr 2e-4, wd 0.01,
// 5k warmup steps, cosine to 0.1×peak, 220k steps from scratch, 132k expanded). The paper's
// data (English Wikipedia + BookCorpus) is not in this repository: the runs use the
// repository corpus with its full vocabulary, so only sizes and compute are the paper's.
func bertPaper() Study {
	const steps = 220_000
	budgets := []float64{110.0 / 220, 132.0 / 220, 154.0 / 220}
	return Study{
		SourceName: "bert-6-384", TargetName: "bert-12-768",
		Data:  DataSpec{Dataset: CorpusData, Batch: 256, SeqLen: 128, MinCount: 1},
		Steps: steps, SourceSteps: steps, EvalEvery: 5000,
		Schedule:    schedule.WarmupDecay{Peak: 2e-4, Warmup: 5000, Floor: 2e-5, Decay: schedule.Cosine},
		WeightDecay: 0.01,
		Seeds:       []uint64{1, 2, 3},
		Budgets:     budgets,
		Baselines:   allBaselines, BaselineBudgets: budgets,
		HyperCloneNoise: hyperCloneNoise,
		LRScales:        []float64{0.5, 2}, SweepBudget: 132.0 / 220,
		TruncatedBudgets: []float64{132.0 / 220},
	}
}
