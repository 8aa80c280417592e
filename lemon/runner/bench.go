package runner

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/data"
	"github.com/golemon/golemon/lemon/schedule"
	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
)

// SyntheticTask is a task of the preset's shapes on seeded random data, for benchmarks (no
// files needed): uniform pixels and labels for ViT presets, uniform tokens over a vocabulary
// of vocabSize for BERT and decoder presets (which then use that vocabulary size; decoders
// read sequences of their full context).
func SyntheticTask(preset string, batch, vocabSize int) (Task, error) {
	cfg, err := arch.Preset(preset)
	if err != nil {
		return nil, err
	}
	if batch <= 0 {
		return nil, fmt.Errorf("runner: synthetic task: batch must be > 0, got %d", batch)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	if img, ok := cfg.Family().(arch.ImageClassifier); ok {
		side, channels, classes := img.ImageInput()
		set := &data.ImageSet{N: 4 * batch, Height: side, Width: side, Channels: channels, NumClasses: classes}
		set.Pixels = make([]float32, set.N*set.ExampleSize())
		set.Labels = make([]int32, set.N)
		for i := range set.Pixels {
			set.Pixels[i] = rng.Float32()
		}
		for i := range set.Labels {
			set.Labels[i] = int32(rng.IntN(classes))
		}
		return NewImageTask(preset, cfg, set, set, batch, 1)
	}
	if vocabSize < 6 {
		return nil, fmt.Errorf("runner: synthetic task: vocabulary must hold the 5 special tokens and more, got %d", vocabSize)
	}
	if _, ok := cfg.Family().(arch.CausalLM); ok { // decoder LMs: uniform tokens over vocabSize
		var ok bool
		if cfg, ok = cfg.WithVocab(vocabSize); !ok {
			return nil, fmt.Errorf("runner: synthetic task: a %s model cannot take another vocabulary size", cfg.Kind)
		}
		_, positions := cfg.Family().(arch.CausalLM).CausalLM()
		seqs := &data.Sequences{T: positions, Tokens: make([]int32, 4*batch*positions)}
		for i := range seqs.Tokens {
			seqs.Tokens[i] = int32(rng.IntN(vocabSize))
		}
		return NewCausalLMTask(preset, cfg, seqs, seqs, batch, 1)
	}
	tokens := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}
	for i := len(tokens); i < vocabSize; i++ {
		tokens = append(tokens, "tok"+strconv.Itoa(i))
	}
	vocab, err := data.NewVocab(tokens)
	if err != nil {
		return nil, err
	}
	mlm, ok := cfg.Family().(arch.MaskedLM)
	if !ok {
		return nil, fmt.Errorf("runner: synthetic task: no synthetic data for a %s model", cfg.Kind)
	}
	if cfg, ok = cfg.WithVocab(vocabSize); !ok {
		return nil, fmt.Errorf("runner: synthetic task: a %s model cannot take another vocabulary size", cfg.Kind)
	}
	_, positions := mlm.MaskedLM()
	stream := make([]int32, 4*positions*batch)
	for i := range stream {
		stream[i] = int32(5 + rng.IntN(vocabSize-5))
	}
	seqs, err := data.Pack([][]int32{stream}, vocab, positions)
	if err != nil {
		return nil, err
	}
	return NewMLMTask(preset, cfg, seqs, seqs, batch, 1)
}

// Timing is the wall time of each timed training step and forward-only evaluation batch.
type Timing struct {
	Step, Eval []time.Duration
}

// StepTimer times a task's training step (AdamW at a constant LR) and its forward-only
// evaluation (logits and loss), each on one fixed training batch and compiled once.
type StepTimer struct {
	step, eval func() error
	name       string
}

// NewStepTimer builds the step and the evaluation of task on store (which the steps train).
func NewStepTimer(backend compute.Backend, task Task, store *model.Store) *StepTimer {
	r := &run{backend: backend, task: task, store: store, opts: Options{Schedule: schedule.Constant{LR: 1e-4}}}
	r.buildExecs()
	batch := task.NextTrain()
	evalBatch := task.NextTrain() // its own tensors: the trainer may take over the step's
	args := make([]any, 0, len(evalBatch.Inputs)+len(evalBatch.Labels))
	for _, x := range append(append([]*tensors.Tensor{}, evalBatch.Inputs...), evalBatch.Labels...) {
		args = append(args, x)
	}
	return &StepTimer{
		name: task.Name(),
		step: func() error {
			_, err := r.trainer.TrainStep(train.Batch{Inputs: batch.Inputs, Labels: batch.Labels})
			return err
		},
		eval: func() error {
			_, err := r.eval.Call(args...)
			return err
		},
	}
}

// Time runs the step and then the evaluation warmup times untimed (the first call compiles)
// and steps times timed.
func (s *StepTimer) Time(warmup, steps int) (t Timing, err error) {
	if steps <= 0 || warmup < 0 {
		return t, errors.New("runner: StepTimer.Time needs steps > 0 and warmup ≥ 0")
	}
	for _, job := range []struct {
		fn  func() error
		out *[]time.Duration
	}{{s.step, &t.Step}, {s.eval, &t.Eval}} {
		for i := range warmup + steps {
			start := time.Now()
			if err := job.fn(); err != nil {
				return t, fmt.Errorf("runner: timing %s: %w", s.name, err)
			}
			if i >= warmup {
				*job.out = append(*job.out, time.Since(start))
			}
		}
	}
	return t, nil
}

// MatMulGFLOPs is the backend's rate on one [n, n]×[n, n] float32 product, the best of reps
// timed calls after one that compiles.
func MatMulGFLOPs(backend compute.Backend, n, reps int) (float64, error) {
	x := make([]float32, n*n)
	for i := range x {
		x[i] = float32(i%7) / 7
	}
	exec, err := model.NewExec(backend, model.NewStore(), func(_ *model.Scope, a, c *Node) *Node { return MatMul(a, c) })
	if err != nil {
		return 0, err
	}
	ta, tc := tensors.FromFlatDataAndDimensions(x, n, n), tensors.FromFlatDataAndDimensions(x, n, n)
	best := time.Duration(1 << 62)
	for i := range reps + 1 {
		start := time.Now()
		if _, err := exec.Call(ta, tc); err != nil {
			return 0, fmt.Errorf("runner: matmul: %w", err)
		}
		if d := time.Since(start); i > 0 && d < best {
			best = d
		}
	}
	return 2 * float64(n) * float64(n) * float64(n) / best.Seconds() / 1e9, nil
}
