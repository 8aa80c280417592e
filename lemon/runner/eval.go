package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/ckpt"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
)

// Row is one evaluation: where training stands and how the model does on held-out data.
type Row struct {
	Step      int     `json:"step"`       // optimizer steps taken
	Examples  int64   `json:"examples"`   // training examples (images or sequences) seen
	Tokens    int64   `json:"tokens"`     // training tokens seen (patches+CLS, or sequence positions)
	FLOPs     float64 `json:"flops"`      // training FLOPs spent (arch.TrainFLOPs accounting)
	TrainLoss float64 `json:"train_loss"` // mean training loss since the previous row (NaN at step 0)
	ValLoss   float64 `json:"val_loss"`   // mean held-out loss
	ValMetric float64 `json:"val_metric"` // held-out accuracy (ViT) or masked-token accuracy (BERT)
	LR        float64 `json:"lr"`         // learning rate of the last step taken
	WallS     float64 `json:"wall_s"`     // wall-clock seconds since the run started, evaluation included
}

// CSVHeader is the header of log.csv; the plotting package reads these columns.
const CSVHeader = "step,examples,tokens,flops,train_loss,val_loss,val_metric,lr,wall_s"

// CSV formats a row in CSVHeader order.
func (r Row) CSV() string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }
	return fmt.Sprintf("%d,%d,%d,%s,%s,%s,%s,%s,%s", r.Step, r.Examples, r.Tokens, f(r.FLOPs),
		f(r.TrainLoss), f(r.ValLoss), f(r.ValMetric), f(r.LR), f(r.WallS))
}

// Meta is the run state stored next to a checkpoint: the running counters, the data
// position, and every log row so far (so that a resumed run rewrites an identical log).
type Meta struct {
	Task string          `json:"task"`
	Run  *RunID          `json:"run,omitempty"` // what makes a resumed run the same run`
	Row  Row             `json:"row"`           // counters as of the checkpoint (losses unused)
	Data json.RawMessage `json:"data"`
	Rows []Row           `json:"rows"`
}

// RunID is what a resumed run must share with the checkpoint's for the resume to continue the
// same run: the task (model and data), the batch, the learning-rate schedule (its end point
// included) and the weight decay.
type RunID struct {
	Task        string  `json:"task"`
	Batch       int64   `json:"batch"`
	Schedule    string  `json:"schedule"`
	WeightDecay float64 `json:"weight_decay"`
}

func (r *run) identity() *RunID {
	examples, _, _ := r.task.StepCost()
	return &RunID{Task: r.task.Name(), Batch: examples, Schedule: fmt.Sprint(r.opts.Schedule), WeightDecay: r.opts.WeightDecay}
}

// differences lists, in words, how id differs from the checkpoint's want.
func (id RunID) differences(want RunID) []string {
	var d []string
	add := func(what string, got, was any) {
		if got != was {
			d = append(d, fmt.Sprintf("%s %v (checkpoint: %v)", what, got, was))
		}
	}
	add("task", id.Task, want.Task)
	add("batch", id.Batch, want.Batch)
	add("schedule", id.Schedule, want.Schedule)
	add("weight decay", id.WeightDecay, want.WeightDecay)
	return d
}

// jsonRow and friends let NaN (no training loss yet) survive JSON.
func (r Row) MarshalJSON() ([]byte, error) {
	type plain Row
	p := plain(r)
	nan := math.IsNaN(p.TrainLoss)
	if nan {
		p.TrainLoss = -1
	}
	return json.Marshal(struct {
		plain
		NoTrainLoss bool `json:"no_train_loss,omitempty"`
	}{p, nan})
}

func (r *Row) UnmarshalJSON(b []byte) error {
	type plain Row
	var v struct {
		plain
		NoTrainLoss bool `json:"no_train_loss,omitempty"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = Row(v.plain)
	if v.NoTrainLoss {
		r.TrainLoss = math.NaN()
	}
	return nil
}

// evaluate runs the validation batches, appends a row, prints it, and saves log and checkpoint.
func (r *run) evaluate() error {
	var loss, correct, weight float64
	for _, b := range r.task.Validation() {
		args := make([]any, 0, len(b.Inputs)+len(b.Labels))
		for _, t := range append(append([]*tensors.Tensor{}, b.Inputs...), b.Labels...) {
			args = append(args, t)
		}
		out, err := r.eval.Call(args...)
		if err != nil {
			return fmt.Errorf("runner: evaluating %s: %w", r.task.Name(), err)
		}
		loss += shapes.ConvertTo[float64](out[0].Value())
		correct += shapes.ConvertTo[float64](out[1].Value())
		weight += shapes.ConvertTo[float64](out[2].Value())
		r.heartbeat()
	}
	row := r.meta.Row
	row.TrainLoss = math.NaN()
	if r.lossN > 0 {
		row.TrainLoss = r.lossSum / float64(r.lossN)
	}
	row.ValLoss, row.ValMetric = loss/weight, correct/weight
	row.WallS = time.Since(r.start).Seconds()
	r.meta.Row.WallS = row.WallS
	r.lossSum, r.lossN = 0, 0
	r.meta.Rows = append(r.meta.Rows, row)
	fmt.Fprintf(r.out, "step %6d  examples %9d  train_loss %.4f  val_loss %.4f  val_metric %.4f  lr %.3g  %.0fs\n",
		row.Step, row.Examples, row.TrainLoss, row.ValLoss, row.ValMetric, row.LR, row.WallS)
	if r.opts.OnEval != nil {
		r.opts.OnEval(row)
	}
	return r.save()
}

// save writes log.csv and the checkpoint (with Meta) when the run has an output directory.
func (r *run) save() error {
	if r.opts.OutDir == "" {
		return nil
	}
	if err := os.MkdirAll(r.opts.OutDir, 0o755); err != nil {
		return fmt.Errorf("runner: %w", err)
	}
	if err := writeLog(LogPath(r.opts.OutDir), r.meta.Rows); err != nil {
		return err
	}
	state, err := r.task.DataState()
	if err != nil {
		return fmt.Errorf("runner: data state: %w", err)
	}
	r.meta.Task, r.meta.Data, r.meta.Run = r.task.Name(), state, r.identity()
	return ckpt.Save(CheckpointDir(r.opts.OutDir), arch.Model{Config: r.task.Config(), Store: r.store}, r.meta)
}

// writeLog rewrites the CSV log atomically.
func writeLog(path string, rows []Row) error {
	var buf bytes.Buffer
	buf.WriteString(CSVHeader + "\n")
	for _, row := range rows {
		buf.WriteString(row.CSV() + "\n")
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("runner: writing log: %w", err)
	}
	return os.Rename(tmp, path)
}

// maybeResume replaces the store and counters with those of OutDir/ckpt (or of ckpt.old,
// which an interrupted save leaves as the newest complete checkpoint) when asked to.
func (r *run) maybeResume() error {
	if !r.opts.Resume {
		return nil
	}
	dir := ckpt.Find(CheckpointDir(r.opts.OutDir)) // ckpt, or ckpt.old after a crash mid-save
	if dir == "" {
		if _, err := os.Stat(CheckpointDir(r.opts.OutDir)); err == nil {
			return fmt.Errorf("runner: resume: %s is not a complete checkpoint", CheckpointDir(r.opts.OutDir))
		}
		return nil // nothing to resume: a fresh run
	}
	m, err := ckpt.Load(dir)
	if err != nil {
		return fmt.Errorf("runner: resume: %w", err)
	}
	store := m.Store
	if !arch.SameConfig(r.task.Config(), m.Config) {
		return fmt.Errorf("runner: resume: checkpoint %s holds a different model config than this run", dir)
	}
	if err := ckpt.ReadMeta(dir, &r.meta); err != nil {
		return fmt.Errorf("runner: resume: %w", err)
	}
	if was := r.meta.Run; was != nil && !r.opts.ResumeChanged {
		if d := r.identity().differences(*was); len(d) > 0 {
			return fmt.Errorf("runner: resume: %s was another run: this one has %s; resuming would not continue it exactly (Options.ResumeChanged, train -resume-changed, continues anyway)",
				dir, strings.Join(d, ", "))
		}
	}
	if err := r.task.RestoreDataState(r.meta.Data); err != nil {
		return fmt.Errorf("runner: resume: %w", err)
	}
	r.store = store
	if r.opts.OnEval != nil {
		for _, row := range r.meta.Rows {
			r.opts.OnEval(row)
		}
	}
	return nil
}
