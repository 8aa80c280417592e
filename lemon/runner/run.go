package runner

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/optim"
	"github.com/golemon/golemon/lemon/schedule"
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/support/exceptions"
	"github.com/gomlx/gomlx/ui/commandline"
)

// Options configure one training run.
type Options struct {
	Steps       int               // total optimizer steps; a resumed run continues up to Steps
	EvalEvery   int               // evaluate, log and checkpoint every EvalEvery steps and at the end
	Schedule    schedule.Schedule // learning rate of every step
	WeightDecay float64           // AdamW decoupled weight decay (matrices only, see package optim)
	OutDir      string            // where log.csv and ckpt/ go; "" keeps nothing on disk
	Resume      bool              // continue from OutDir/ckpt when it exists
	// ResumeChanged lets Resume continue a checkpoint of another run (task, batch, schedule or
	// weight decay differ); without it such a resume is refused, since it would not be exact.
	ResumeChanged bool
	Progress      bool      // show GoMLX's progress bar
	Out           io.Writer // one line per evaluation; nil means os.Stdout
	// OnEval, when set, is called with every evaluation's row as it is logged (e.g. a live
	// notebook figure, gonbplot.Live.Add); a resumed run first replays the rows it resumes.
	OnEval func(Row)
	// StallTimeout aborts the run with an error when no step or evaluation finishes for this
	// long (0 means DefaultStallTimeout). GoMLX's pure-Go backend has been seen to hang at 0%
	// CPU on small machines; this turns a silent hang into an error.
	StallTimeout time.Duration
}

// DefaultStallTimeout is generous: a step of the paper-sized models on 2 cores takes minutes.
const DefaultStallTimeout = 30 * time.Minute

func (o Options) validate() error {
	var errs []error
	if o.Steps <= 0 {
		errs = append(errs, fmt.Errorf("steps must be > 0, got %d", o.Steps))
	}
	if o.EvalEvery <= 0 {
		errs = append(errs, fmt.Errorf("eval_every must be > 0, got %d", o.EvalEvery))
	}
	if o.Schedule == nil {
		errs = append(errs, errors.New("a learning-rate schedule is required"))
	}
	if o.Resume && o.OutDir == "" {
		errs = append(errs, errors.New("resume needs an output directory"))
	}
	if !(o.WeightDecay >= 0) || math.IsInf(o.WeightDecay, 0) {
		errs = append(errs, fmt.Errorf("weight decay must be finite and ≥ 0, got %g", o.WeightDecay))
	}
	if o.Schedule != nil {
		errs = append(errs, checkSchedule(o.Schedule, o.Steps)...)
	}
	if len(errs) > 0 {
		return fmt.Errorf("runner: invalid options: %w", errors.Join(errs...))
	}
	return nil
}

// checkSchedule runs the schedule's own Validate, if it has one, and checks that it gives a
// finite, non-negative learning rate at every step.
func checkSchedule(s schedule.Schedule, steps int) []error {
	if v, ok := s.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return []error{err}
		}
	}
	for step := range steps {
		if lr := s.At(step); !(lr >= 0) || math.IsInf(lr, 0) {
			return []error{fmt.Errorf("schedule %v gives learning rate %g at step %d: want finite and ≥ 0", s, lr, step)}
		}
	}
	return nil
}

// Result is what a run leaves behind.
type Result struct {
	Rows       []Row         // one per evaluation, the first at the starting step
	Model      arch.Model    // the trained model: its weights and optimizer state
	MedianStep time.Duration // median wall time of a training step in this process
}

// Final is the last evaluation.
func (r *Result) Final() Row { return r.Rows[len(r.Rows)-1] }

// CheckpointDir is where a run with OutDir keeps its checkpoint.
func CheckpointDir(outDir string) string { return filepath.Join(outDir, "ckpt") }

// LogPath is where a run with OutDir writes its CSV log.
func LogPath(outDir string) string { return filepath.Join(outDir, "log.csv") }

// Run trains model m, whose config must be task.Config(), with AdamW; its store is modified in
// place. With opts.Resume and a checkpoint in opts.OutDir, the store is replaced by the
// checkpoint's (Result.Model holds the one trained).
func Run(backend compute.Backend, task Task, m arch.Model, opts Options) (res *Result, err error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if err := m.Check(); err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	if !arch.SameConfig(m.Config, task.Config()) {
		return nil, fmt.Errorf("runner: the model is %s, the task %s trains %s", m, task.Name(), task.Config().Describe())
	}
	r := &run{backend: backend, task: task, store: m.Store, opts: opts, out: opts.Out}
	if r.out == nil {
		r.out = os.Stdout
	}
	if err := r.maybeResume(); err != nil {
		return nil, err
	}
	err = exceptions.TryCatch[error](func() { r.buildExecs() })
	if err != nil {
		return nil, fmt.Errorf("runner: building %s: %w", task.Name(), err)
	}
	if err := r.trainWatched(); err != nil {
		return nil, err
	}
	return &Result{Rows: r.meta.Rows, Model: arch.Model{Config: task.Config(), Store: r.store}, MedianStep: r.loop.MedianTrainStepDuration()}, nil
}

type run struct {
	backend compute.Backend
	task    Task
	store   *model.Store
	opts    Options
	out     io.Writer
	trainer *train.Trainer
	loop    *train.Loop
	eval    *model.Exec
	meta    Meta
	lossSum float64 // training loss summed since the last evaluation
	lossN   int
	start   time.Time
	beat    chan struct{} // one tick per finished step or evaluation
	alive   atomic.Int64  // the step of the last heartbeat, read by the watcher
}

// trainWatched runs train in a goroutine and gives up when it stalls. A stalled backend
// call cannot be cancelled: its goroutine is left behind, and the error says so.
func (r *run) trainWatched() error {
	timeout := r.opts.StallTimeout
	if timeout <= 0 {
		timeout = DefaultStallTimeout
	}
	r.beat = make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() { done <- r.train() }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-r.beat:
			timer.Reset(timeout)
		case <-timer.C:
			return fmt.Errorf("runner: %s stalled: no step finished for %s after step %d (a backend hang; "+
				"the pure-Go backend with GOMLX_BACKEND=go:parallelism=-1 was not seen to hang)", r.task.Name(), timeout, r.alive.Load())
		}
	}
}

// heartbeat tells trainWatched that training is alive.
func (r *run) heartbeat() {
	if r.beat == nil {
		return
	}
	r.alive.Store(int64(r.meta.Row.Step))
	select {
	case r.beat <- struct{}{}:
	default:
	}
}

func (r *run) buildExecs() {
	nIn := len(r.task.Validation()[0].Inputs)
	modelFn := func(scope *model.Scope, _ any, inputs []*Node) []*Node {
		return []*Node{r.task.Logits(scope, inputs)}
	}
	r.trainer = train.NewTrainer(r.backend, r.store, modelFn, meanLoss, optim.Default(r.opts.WeightDecay).Done(), nil, nil)
	r.eval = model.MustNewExec(r.backend, r.store, func(scope *model.Scope, inputs []*Node) []*Node {
		loss, correct, weight := weightedCE(r.task.Logits(scope, inputs[:nIn]), inputs[nIn:])
		return []*Node{loss, correct, weight}
	})
	r.loop = train.NewLoop(r.trainer)
	if r.opts.Progress {
		commandline.AttachProgressBar(r.loop)
	}
}

// taskDataset feeds the loop from task.NextTrain, forever.
type taskDataset struct{ task Task }

func (d taskDataset) Name() string { return d.task.Name() }

func (d taskDataset) Iter() iter.Seq2[train.Batch, error] {
	return func(yield func(train.Batch, error) bool) {
		for {
			b := d.task.NextTrain()
			if !yield(train.Batch{Inputs: b.Inputs, Labels: b.Labels}, nil) {
				return
			}
		}
	}
}

func (r *run) train() error {
	r.start = time.Now().Add(-time.Duration(r.meta.Row.WallS * float64(time.Second)))
	if r.meta.Row.Step == 0 && len(r.meta.Rows) == 0 {
		if err := r.evaluate(); err != nil {
			return err
		}
	}
	remaining := r.opts.Steps - r.meta.Row.Step
	if remaining <= 0 {
		return nil
	}
	if err := optim.SetLearningRate(r.store, r.opts.Schedule.At(r.meta.Row.Step)); err != nil {
		return err
	}
	r.loop.OnStep("lemon", 0, func(_ *train.Loop, metrics []*tensors.Tensor) error { return r.afterStep(metrics) })
	if _, err := r.loop.RunSteps(taskDataset{r.task}, remaining); err != nil {
		return fmt.Errorf("runner: training %s: %w", r.task.Name(), err)
	}
	return nil
}

// afterStep runs after every optimizer step: bookkeeping, the next step's learning rate,
// and evaluation/checkpoint on schedule.
func (r *run) afterStep(metrics []*tensors.Tensor) error {
	examples, tokens, flops := r.task.StepCost()
	row := &r.meta.Row
	row.LR = r.opts.Schedule.At(row.Step)
	row.Step++
	row.Examples += examples
	row.Tokens += tokens
	row.FLOPs += flops
	r.lossSum += shapes.ConvertTo[float64](metrics[0].Value())
	r.lossN++
	if err := optim.SetLearningRate(r.store, r.opts.Schedule.At(row.Step)); err != nil {
		return err
	}
	r.heartbeat()
	if row.Step%r.opts.EvalEvery == 0 || row.Step == r.opts.Steps {
		return r.evaluate()
	}
	return nil
}
