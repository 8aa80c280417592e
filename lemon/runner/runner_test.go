package runner

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/vit"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/data"
	"github.com/golemon/golemon/lemon/schedule"
)

// tinyViT is a ViT small enough to train in a second.
func tinyViT() vit.Config {
	return vit.Config{
		Encoder: arch.Encoder{Layers: 2, Width: 16, Heads: 2, HeadDim: 8, MLPDim: 32,
			Norm: arch.PreLN, LayerNormEps: 1e-6, Dropout: 0.1, DType: "float32"},
		ImageSize: 8, Channels: 1, PatchSize: 4, NumClasses: 3,
	}
}

// syntheticImages makes n 8×8 images whose class is the quadrant holding a bright square.
func syntheticImages(n int, seed uint64) *data.ImageSet {
	set := &data.ImageSet{N: n, Height: 8, Width: 8, Channels: 1, NumClasses: 3,
		Pixels: make([]float32, n*64), Labels: make([]int32, n)}
	s := seed
	for i := range n {
		s = s*6364136223846793005 + 1442695040888963407
		c := int32(s>>33) % 3
		set.Labels[i] = c
		for y := range 4 {
			for x := range 4 {
				set.Pixels[i*64+(y+4*int(c%2))*8+x+4*int(c/2)] = 1
			}
		}
		for j := range 64 { // noise
			s = s*6364136223846793005 + 1442695040888963407
			set.Pixels[i*64+j] += float32(s>>40) / float32(1<<24) * 0.5
		}
	}
	return set
}

func newTask(t *testing.T) *ImageTask {
	task, err := NewImageTask("synthetic", vit.New(tinyViT()), syntheticImages(96, 1), syntheticImages(40, 2), 16, 7)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func runSteps(t *testing.T, dir string, steps int, resume bool, onEval ...func(Row)) *Result {
	task := newTask(t)
	m, err := arch.New(task.Config(), 3)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(backend.MustNew(), task, m, Options{
		Steps: steps, EvalEvery: 4, OutDir: dir, Resume: resume, Out: &strings.Builder{}, OnEval: first(onEval),
		Schedule: schedule.WarmupCosine{Peak: 3e-3, Warmup: 2, Total: 16, Floor: 1e-5}, WeightDecay: 0.05,
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestResumeMatchesStraightRun: N steps, stop, resume for N more gives the same losses as 2N
// steps in one go (same seeds; dropout on, so the RNG state must be restored too).
func TestResumeMatchesStraightRun(t *testing.T) {
	straight := runSteps(t, t.TempDir(), 16, false)
	dir := t.TempDir()
	runSteps(t, dir, 8, false)
	resumed := runSteps(t, dir, 16, true)
	if len(straight.Rows) != len(resumed.Rows) {
		t.Fatalf("straight run logged %d rows, resumed %d", len(straight.Rows), len(resumed.Rows))
	}
	for i, want := range straight.Rows {
		got := resumed.Rows[i]
		if got.Step != want.Step || got.FLOPs != want.FLOPs || !sameLoss(got.TrainLoss, want.TrainLoss) || got.ValLoss != want.ValLoss {
			t.Errorf("row %d: resumed %+v, straight %+v", i, got, want)
		}
	}
	if first, last := straight.Rows[0], straight.Final(); !(last.ValLoss < first.ValLoss) {
		t.Errorf("validation loss did not fall: %.4f → %.4f", first.ValLoss, last.ValLoss)
	}
}

func first(fs []func(Row)) func(Row) {
	if len(fs) == 0 {
		return nil
	}
	return fs[0]
}

// TestOnEvalSeesEveryRow: OnEval gets every logged row in order, and a resumed run replays
// the rows it resumes before the new ones, so a live figure shows the whole curve.
func TestOnEvalSeesEveryRow(t *testing.T) {
	dir := t.TempDir()
	var seen []Row
	collect := func(r Row) { seen = append(seen, r) }
	runSteps(t, dir, 8, false, collect)
	if len(seen) != 3 { // steps 0, 4, 8
		t.Fatalf("a fresh 8-step run called OnEval %d times, want 3", len(seen))
	}
	seen = nil
	res := runSteps(t, dir, 16, true, collect)
	if len(seen) != len(res.Rows) {
		t.Fatalf("resumed run: OnEval saw %d rows, the result has %d", len(seen), len(res.Rows))
	}
	for i := range seen {
		if seen[i].Step != res.Rows[i].Step || seen[i].ValLoss != res.Rows[i].ValLoss {
			t.Errorf("row %d: OnEval saw %+v, result %+v", i, seen[i], res.Rows[i])
		}
	}
}

func sameLoss(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

func TestOptionsErrorsNameTheField(t *testing.T) {
	task := newTask(t)
	m, _ := arch.New(task.Config(), 1)
	_, err := Run(backend.MustNew(), task, m, Options{Steps: 0, EvalEvery: 1})
	if err == nil || !strings.Contains(err.Error(), "steps") || !strings.Contains(err.Error(), "schedule") {
		t.Fatalf("want an error naming steps and schedule, got %v", err)
	}
}

// TestRepeatedTrainingDoesNotHang trains a multi-layer model several times in a row: GoMLX's
// pure-Go backend has hung on 2-core machines with some parallelism settings (GOMLX.md).
// A hang fails through the stall timeout instead of blocking the suite.
func TestRepeatedTrainingDoesNotHang(t *testing.T) {
	for i := range 4 {
		task := newTask(t)
		m, _ := arch.New(task.Config(), uint64(i))
		_, err := Run(backend.MustNew(), task, m, Options{Steps: 6, EvalEvery: 3, Out: &strings.Builder{},
			Schedule: schedule.Constant{LR: 1e-3}, StallTimeout: 2 * time.Minute})
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
}

// TestRunRefusesAnotherModel: a model whose config is not the task's, or one without weights,
// is refused before anything trains.
func TestRunRefusesAnotherModel(t *testing.T) {
	task := newTask(t)
	other := tinyViT()
	other.Encoder.Layers++
	m, err := arch.New(vit.New(other), 1)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Steps: 2, EvalEvery: 1, Schedule: schedule.Constant{LR: 1e-3}, Out: &strings.Builder{}}
	if _, err := Run(backend.MustNew(), task, m, opts); err == nil || !strings.Contains(err.Error(), "trains") {
		t.Errorf("another config: %v", err)
	}
	if _, err := Run(backend.MustNew(), task, arch.Model{Config: task.Config()}, opts); err == nil || !strings.Contains(err.Error(), "no weights") {
		t.Errorf("no weights: %v", err)
	}
}
