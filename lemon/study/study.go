package study

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/expand"
	"github.com/golemon/golemon/lemon/runner"
	"github.com/golemon/golemon/lemon/savings"
	"github.com/golemon/golemon/lemon/schedule"
)

// Task is what a study trains.
type Task int

const (
	// ViT: image classification, measured by validation accuracy (higher is better).
	ViT Task = iota
	// BERT: masked-LM pre-training, measured by validation MLM loss (lower is better).
	BERT
	// GPT2: next-token (causal LM) pre-training of a decoder family (arch.CausalLM), measured
	// by validation loss in nats per token (perplexity e^loss; lower is better).
	GPT2
)

var taskNames = []string{"vit", "bert", "gpt2"}

// String implements fmt.Stringer.
func (t Task) String() string {
	switch t {
	case ViT, BERT, GPT2:
		return taskNames[t]
	}
	return fmt.Sprintf("Task(%d)", int(t))
}

// ParseTask reads "vit" or "bert".
func ParseTask(s string) (Task, error) {
	for i, n := range taskNames {
		if strings.EqualFold(s, n) {
			return Task(i), nil
		}
	}
	return 0, fmt.Errorf("study: unknown task %q; known: %s", s, strings.Join(taskNames, ", "))
}

// Metrics are the validation columns savings are measured on, the task's headline first:
// accuracy for ViT (as the paper's ViT results), MLM loss for BERT (as its BERT results).
func (t Task) Metrics() []Metric {
	switch t {
	case ViT:
		return []Metric{Accuracy, Loss}
	case BERT, GPT2:
		return []Metric{Loss, Accuracy}
	}
	panic(fmt.Sprintf("study: unknown task %d", int(t)))
}

// Metric is a validation column of the runner's log.
type Metric int

const (
	// Accuracy is val_metric: image accuracy (ViT) or masked-token accuracy (BERT).
	Accuracy Metric = iota
	// Loss is val_loss: cross-entropy (ViT) or MLM loss (BERT).
	Loss
)

// String names the metric in tables and figures.
func (m Metric) String() string {
	switch m {
	case Accuracy:
		return "val accuracy"
	case Loss:
		return "val loss"
	}
	return fmt.Sprintf("Metric(%d)", int(m))
}

// Column is the metric's column name in the runner's log.
func (m Metric) Column() string {
	if m == Loss {
		return "val_loss"
	}
	return "val_metric"
}

// Better says which direction is an improvement.
func (m Metric) Better() savings.Better {
	if m == Loss {
		return savings.LowerIsBetter
	}
	return savings.HigherIsBetter
}

// Of reads the metric from an evaluation row.
func (m Metric) Of(r runner.Row) float64 {
	if m == Loss {
		return r.ValLoss
	}
	return r.ValMetric
}

// DataSpec says what a study trains on.
type DataSpec struct {
	Dataset     string // ViT: "fashion-mnist", "mnist" (or "imagenet", which has no loader here); BERT: "corpus"
	Batch       int    // examples (images or sequences) per step
	SeqLen      int    // BERT: tokens per sequence, [CLS] and [SEP] included
	MinCount    int    // BERT: keep WordPiece tokens seen at least this often in training
	ValExamples int    // evaluate on the first ValExamples held-out examples (0: all)
}

// Study is one experiment matrix: a source and a target model, the from-scratch reference,
// and the expanded runs compared with it. Build one with Preset and adjust it.
type Study struct {
	Task                   Task
	Name                   string      // e.g. "cpu"; names the study in reports
	SourceName, TargetName string      // e.g. preset names, for reports
	Source, Target         arch.Config // the data may adapt them (BERT: vocabulary size)
	Data                   DataSpec
	// Steps is T, the from-scratch budget of the target; budgets are fractions of it.
	Steps       int
	SourceSteps int // the source's own training (the paper trains it as long as the scratch target)
	EvalEvery   int // evaluate every run every EvalEvery steps (and at its end)
	// Schedule is the from-scratch schedule (Total = Steps). Expanded runs use
	// schedule.LEMONRecipe(Schedule, budget·Steps) with Peak scaled by the run's LR scale.
	Schedule    schedule.WarmupDecay
	WeightDecay float64
	Seeds       []uint64  // scratch and LEMON are repeated with every seed; the rest use Seeds[0] unless EverySeed
	Budgets     []float64 // LEMON budgets, fractions of Steps, run with every seed
	// Baselines are expanded like LEMON but with another method and trained the same way at
	// BaselineBudgets. HyperClone only widens: it is followed by Zero's identity blocks.
	Baselines       []expand.Method
	BaselineBudgets []float64
	// HyperCloneNoise is the std of HyperClone's paired noise (its reference code's snr_db
	// option). Without noise, a ×2 HyperClone is the same model as FPI.
	HyperCloneNoise float64
	LRScales        []float64 // LEMON peak-LR sweep at SweepBudget: Peak × scale
	SweepBudget     float64
	// TruncatedBudgets: LEMON trained with the scratch schedule itself, stopped at the budget
	// (the schedule LEMON argues against).
	TruncatedBudgets []float64
	// OptStateBudgets: LEMON with the source's AdamW state expanded into the target
	// (expand.Plan.ApplyOptimizerState) instead of fresh state, on LEMON's schedule.
	OptStateBudgets []float64
	// EverySeed repeats the LR sweep, the truncated schedule and the baselines with every
	// seed too (otherwise they use Seeds[0]), so that every arm has a seed spread.
	EverySeed bool
	// SweepSeeds, when > 0, limits the LR sweep to the first SweepSeeds seeds of those it
	// would use (the LR finding wants two seeds per point; the arms compared with LEMON three).
	SweepSeeds int
}

// RunSpec is one training run of the target model.
type RunSpec struct {
	Scratch   bool          `json:"scratch"`
	Method    expand.Method `json:"method"`    // expansion method (unused for scratch)
	Budget    float64       `json:"budget"`    // fraction of Study.Steps
	Steps     int           `json:"steps"`     // round(Budget·Study.Steps)
	LRScale   float64       `json:"lr_scale"`  // peak = Study.Schedule.Peak × LRScale
	Truncated bool          `json:"truncated"` // scratch schedule stopped at Steps, not compressed
	Seed      uint64        `json:"seed"`
	Noise     float64       `json:"noise,omitempty"`     // HyperClone's paired noise
	OptState  bool          `json:"opt_state,omitempty"` // the source's AdamW state expanded, not fresh
}

// Name is the run's arm in tables: "scratch", "lemon", "lemon-truncated", "fpi", ….
func (r RunSpec) Name() string {
	switch {
	case r.Scratch:
		return "scratch"
	case r.Truncated:
		return r.Method.String() + "-truncated"
	case r.OptState:
		return r.Method.String() + "-optstate"
	}
	return r.Method.String()
}

// ID names the run's directory, e.g. "lemon_b0.50_x1_s2".
func (r RunSpec) ID() string {
	return fmt.Sprintf("%s_b%.2f_x%g_s%d", r.Name(), r.Budget, r.LRScale, r.Seed)
}

// ScheduleOf is the learning-rate schedule of run r.
func (s *Study) ScheduleOf(r RunSpec) schedule.WarmupDecay {
	sch := s.Schedule
	sch.Total = s.Steps
	if !r.Scratch && !r.Truncated {
		sch = schedule.LEMONRecipe(sch, r.Steps)
	}
	sch.Peak *= r.LRScale
	sch.Floor *= r.LRScale
	return sch
}

func (s *Study) spec(scratch bool, m expand.Method, budget, lrScale float64, truncated bool, seed uint64) RunSpec {
	r := RunSpec{Scratch: scratch, Method: m, Budget: budget, Steps: max(1, int(math.Round(budget*float64(s.Steps)))),
		LRScale: lrScale, Truncated: truncated, Seed: seed}
	if !scratch && m.TakesNoise() {
		r.Noise = s.HyperCloneNoise
	}
	return r
}

// Runs lists every target run of the matrix in the order they are trained: scratch (every
// seed), LEMON (every budget and seed), then per seed (Seeds[0] only unless EverySeed) the LR
// sweep, the truncated schedule, LEMON with expanded optimizer state and the baselines.
func (s *Study) Runs() []RunSpec {
	var out []RunSpec
	first := s.Seeds[0]
	for _, seed := range s.Seeds {
		out = append(out, s.spec(true, expand.LEMON, 1, 1, false, seed))
	}
	for _, b := range s.Budgets {
		for _, seed := range s.Seeds {
			out = append(out, s.spec(false, expand.LEMON, b, 1, false, seed))
		}
	}
	others := []uint64{first}
	if s.EverySeed {
		others = s.Seeds
	}
	for i, seed := range others {
		for _, x := range s.LRScales {
			if s.SweepSeeds > 0 && i >= s.SweepSeeds {
				break
			}
			out = append(out, s.spec(false, expand.LEMON, s.SweepBudget, x, false, seed))
		}
		for _, b := range s.TruncatedBudgets {
			out = append(out, s.spec(false, expand.LEMON, b, 1, true, seed))
		}
		for _, b := range s.OptStateBudgets {
			r := s.spec(false, expand.LEMON, b, 1, false, seed)
			r.OptState = true
			out = append(out, r)
		}
		for _, m := range s.Baselines {
			for _, b := range s.BaselineBudgets {
				out = append(out, s.spec(false, m, b, 1, false, seed))
			}
		}
	}
	return out
}

// Validate lists every problem of the study's settings.
func (s *Study) Validate() error {
	var errs []error
	bad := func(cond bool, format string, args ...any) {
		if cond {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	if err := s.Source.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("source: %w", err))
	}
	if err := s.Target.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("target: %w", err))
	}
	_, classifier := s.Source.Family().(arch.Classifier)
	_, images := s.Source.Family().(arch.ImageClassifier)
	_, mlm := s.Source.Family().(arch.MaskedLM)
	bad(s.Task == ViT && !images && !classifier, "task vit (classification) needs an image classifier (arch.ImageClassifier: ViT) or a family that classifies fixed-size examples (arch.Classifier), got %s", s.Source.Kind)
	bad(s.Task == BERT && !mlm, "task bert needs a masked language model (arch.MaskedLM: BERT), got %s", s.Source.Kind)
	_, causal := s.Source.Family().(arch.CausalLM)
	bad(s.Task == GPT2 && !causal, "task gpt2 needs a decoder family (arch.CausalLM), got %s", s.Source.Kind)
	bad(s.Steps <= 0 || s.SourceSteps <= 0 || s.EvalEvery <= 0, "steps (%d), source steps (%d) and eval every (%d) must be > 0",
		s.Steps, s.SourceSteps, s.EvalEvery)
	bad(s.Data.Batch <= 0, "batch must be > 0, got %d", s.Data.Batch)
	sch := s.Schedule
	sch.Total = s.Steps
	if err := sch.Validate(); err != nil {
		errs = append(errs, err)
	}
	bad(len(s.Seeds) == 0, "at least one seed is needed")
	budgets := slices.Concat(s.Budgets, s.BaselineBudgets, s.TruncatedBudgets, s.OptStateBudgets)
	if len(s.LRScales) > 0 {
		budgets = append(budgets, s.SweepBudget)
	}
	for _, b := range budgets {
		bad(!(b > 0 && b <= 1), "budget %g is not a fraction in (0, 1]", b)
	}
	for _, x := range s.LRScales {
		bad(!(x > 0), "LR scale %g must be > 0", x)
	}
	bad(s.SweepSeeds < 0, "sweep seeds must be ≥ 0, got %d", s.SweepSeeds)
	if len(errs) > 0 {
		return fmt.Errorf("study %s/%s: %w", s.Task, s.Name, errors.Join(errs...))
	}
	return nil
}
