package toy_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/toy"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/ckpt"
	"github.com/golemon/golemon/lemon/data"
	"github.com/golemon/golemon/lemon/expand"
	"github.com/golemon/golemon/lemon/runner"
	"github.com/golemon/golemon/lemon/schedule"
	"github.com/golemon/golemon/lemon/study"
	"github.com/gomlx/gomlx/core/tensors"
)

func toyConfig(dtype string) arch.Config {
	return toy.New(toy.Config{Encoder: arch.Encoder{Layers: 2, Width: 8, Heads: 2, HeadDim: 4, MLPDim: 16,
		Norm: arch.PreLN, LayerNormEps: 1e-6, DType: dtype}, Features: 5, Seq: 6, Classes: 3})
}

// TestToyFamilyEndToEnd: a family added as one folder (package toy and its Register call)
// goes through config JSON, checkpoints, every expansion method and verification without a
// line elsewhere: LEMON is exact at an indivisible width and added depth in float64 and
// float32, the lossy baselines are measured lossy, and a perturbed weight is caught.
func TestToyFamilyEndToEnd(t *testing.T) {
	be := backend.MustNew()
	for _, dtype := range []string{"float64", "float32"} {
		cfg := toyConfig(dtype)
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		// Config JSON: written as {"kind": "toy", "toy": {…}}, read back equal; bad ones refused.
		raw, err := cfg.MarshalIndent()
		if err != nil {
			t.Fatal(err)
		}
		back, err := arch.ParseConfig(raw)
		if err != nil || !arch.SameConfig(back, cfg) || !strings.Contains(string(raw), `"toy": {`) {
			t.Fatalf("JSON round trip: %v\n%s", err, raw)
		}
		for _, bad := range []string{
			`{"kind": "toy", "toy": {"features": 5, "seq": 6, "classes": 3, "bogus": 1}}`,
			`{"kind": "toy", "vit": {}}`,
			`{"kind": "toy", "toy": {"features": 0, "seq": 6, "classes": 3}}`,
		} {
			if _, err := arch.ParseConfig([]byte(bad)); err == nil {
				t.Errorf("accepted %s", bad)
			}
		}
		// Checkpoints: the model's variables under its own scope are model variables.
		src, err := arch.New(cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !arch.IsModelPath("/" + toy.In + "/weights") {
			t.Error("the toy scope is not a model scope")
		}
		dir := t.TempDir() + "/ckpt"
		if err := ckpt.Save(dir, src, nil); err != nil {
			t.Fatal(err)
		}
		loaded, err := ckpt.Load(dir)
		if err != nil || !arch.SameConfig(loaded.Config, cfg) {
			t.Fatalf("checkpoint round trip: %v", err)
		}
		tol := 1e-9
		if dtype == "float32" {
			tol = 1e-4
		}
		in := expand.RandomInputs(cfg, 4, 2)
		check := func(spec expand.Spec, m expand.Method, wantExact bool) {
			t.Helper()
			plan, err := expand.NewPlan(cfg, spec, m, expand.Options{Seed: 3})
			if err != nil {
				t.Fatalf("%s %v: %v", m, spec, err)
			}
			tgt, err := plan.Apply(loaded)
			if err != nil {
				t.Fatal(err)
			}
			d, err := expand.Compare(be, loaded, tgt, in)
			if err != nil {
				t.Fatal(err)
			}
			exact, _ := plan.Exactness()
			t.Logf("%s %-10s %-28v plan %-6s %v", dtype, m, spec, exact, d)
			if wantExact && (exact != expand.Exact || !d.Within(tol)) {
				t.Errorf("%s %s %v: %s, %v beyond %g", dtype, m, spec, exact, d, tol)
			}
			if !wantExact && (exact == expand.Exact || d.Rel() < 1e-3) {
				t.Errorf("%s %s %v: a lossy expansion measured %v (plan %s)", dtype, m, spec, d, exact)
			}
		}
		check(expand.Spec{Width: 12, MLPDim: 24, Heads: 3, Layers: 3}, expand.LEMON, true) // indivisible width, new heads and a block
		check(expand.Spec{Width: 16, MLPDim: 32, Heads: 4}, expand.FPI, true)
		check(expand.Spec{Width: 16, MLPDim: 32, Heads: 4}, expand.HyperClone, true)
		check(expand.Spec{Width: 12}, expand.FPI, false)   // circular residue under LayerNorm
		check(expand.Spec{Width: 16}, expand.Zero, false)  // zero channels change LayerNorm statistics
		check(expand.Spec{Layers: 4}, expand.Stack, false) // stacked copies add their outputs
		check(expand.Spec{MLPDim: 32}, expand.AKI, false)  // new units compute the next block's features

		// Negative control: one perturbed weight of an exact expansion is caught.
		plan, _ := expand.NewPlan(cfg, expand.Spec{Width: 12, Layers: 3}, expand.LEMON, expand.Options{Seed: 3})
		tgt, err := plan.Apply(loaded)
		if err != nil {
			t.Fatal(err)
		}
		perturb(t, tgt, "/"+toy.Head+"/weights")
		if d, _ := expand.Compare(be, loaded, tgt, in); d.Within(tol) || math.IsNaN(d.MaxAbs) {
			t.Errorf("%s: a perturbed head weight went unnoticed: %v", dtype, d)
		}
	}
}

// perturb adds 0.01 to the first value of a variable.
func perturb(t *testing.T, m arch.Model, path string) {
	t.Helper()
	v := m.Store.GetVariable(path)
	val := v.MustValue()
	var next *tensors.Tensor
	if val.DType().String() == "Float64" {
		w := tensors.MustCopyFlatData[float64](val)
		w[0] += 0.01
		next = tensors.FromFlatDataAndDimensions(w, val.Shape().Dimensions...)
	} else {
		w := tensors.MustCopyFlatData[float32](val)
		w[0] += 0.01
		next = tensors.FromFlatDataAndDimensions(w, val.Shape().Dimensions...)
	}
	if err := v.SetValue(next); err != nil {
		t.Fatal(err)
	}
}

// vectorSet is n examples of [6, 5] noise whose class c ∈ {0, 1, 2} raises feature c of the
// first vector by 2.
func vectorSet(n int, seed uint64) *data.ImageSet {
	set := &data.ImageSet{N: n, Height: 6, Width: 5, Channels: 1, NumClasses: 3, Pixels: make([]float32, n*30), Labels: make([]int32, n)}
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := range n {
		c := int32(rng.IntN(3))
		set.Labels[i] = c
		for j := range 30 {
			set.Pixels[i*30+j] = float32(rng.NormFloat64() * 0.5)
		}
		set.Pixels[i*30+int(c)] += 2
	}
	return set
}

// TestToyFamilyTrains: the runner trains a registered family through runner.ClassifierTask;
// its LEMON expansion starts at the source's validation loss (lossless) and trains on.
func TestToyFamilyTrains(t *testing.T) {
	be := backend.MustNew()
	cfg := toyConfig("float32")
	train, val := vectorSet(512, 1), vectorSet(128, 2)
	task, err := runner.NewClassifierTask("toy", cfg, train, val, 32, 1)
	if err != nil {
		t.Fatal(err)
	}
	src, err := arch.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	opts := runner.Options{Steps: 60, EvalEvery: 20, Schedule: schedule.WarmupCosine{Peak: 3e-3, Warmup: 5, Total: 60, Floor: 3e-5},
		WeightDecay: 0.01, Out: &strings.Builder{}}
	res, err := runner.Run(be, task, src, opts)
	if err != nil {
		t.Fatal(err)
	}
	first, last := res.Rows[0], res.Final()
	t.Logf("source: val loss %.4f → %.4f, accuracy %.3f → %.3f", first.ValLoss, last.ValLoss, first.ValMetric, last.ValMetric)
	if !(last.ValLoss < first.ValLoss) || last.ValMetric < 0.6 {
		t.Errorf("the toy did not learn: %+v → %+v", first, last)
	}
	plan, err := expand.NewPlan(cfg, expand.Spec{Width: 12, Layers: 3}, expand.LEMON, expand.Options{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := plan.Apply(res.Model)
	if err != nil {
		t.Fatal(err)
	}
	tgtTask, err := runner.NewClassifierTask("toy expanded", tgt.Config, train, val, 32, 1)
	if err != nil {
		t.Fatal(err)
	}
	opts.Steps, opts.Schedule = 20, schedule.WarmupCosine{Peak: 3e-3, Warmup: 2, Total: 20, Floor: 3e-5}
	res2, err := runner.Run(be, tgtTask, tgt, opts)
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(res2.Rows[0].ValLoss - last.ValLoss); d > 1e-5 {
		t.Errorf("the expansion starts at val loss %.7f, the source ended at %.7f", res2.Rows[0].ValLoss, last.ValLoss)
	}
	t.Logf("expanded: val loss %.4f → %.4f", res2.Rows[0].ValLoss, res2.Final().ValLoss)
	// Bad data is refused by the task: wrong example size, labels outside the classes.
	wrong := vectorSet(8, 3)
	wrong.Width = 4
	if _, err := runner.NewClassifierTask("bad", cfg, wrong, val, 4, 1); err == nil || !strings.Contains(err.Error(), "values") {
		t.Errorf("wrong example size: %v", err)
	}
	bad := vectorSet(8, 3)
	bad.Labels[2] = 7
	if _, err := runner.NewClassifierTask("bad", cfg, bad, val, 4, 1); err == nil || !strings.Contains(err.Error(), "outside the 3 classes") {
		t.Errorf("label outside the classes: %v", err)
	}
}

// TestToyFamilyStudy: the study runner takes a registered family through a whole (tiny)
// matrix — source, scratch, LEMON and a baseline — and reports it; LEMON starts exactly
// where the source ended.
func TestToyFamilyStudy(t *testing.T) {
	src := toyConfig("float32")
	tgt := src.WithEncoder(arch.Encoder{Layers: 3, Width: 12, Heads: 3, HeadDim: 4, MLPDim: 24, Norm: arch.PreLN, LayerNormEps: 1e-6, DType: "float32"})
	s := study.Study{
		Task: study.ViT, Name: "toy", SourceName: "toy-2-8", TargetName: "toy-3-12", Source: src, Target: tgt,
		Data:  study.DataSpec{Dataset: "vectors", Batch: 32},
		Steps: 40, SourceSteps: 40, EvalEvery: 10,
		Schedule:    schedule.WarmupDecay{Peak: 3e-3, Warmup: 4, Floor: 3e-5, Decay: schedule.Cosine},
		WeightDecay: 0.01, Seeds: []uint64{1}, Budgets: []float64{0.5},
		Baselines: []expand.Method{expand.FPI}, BaselineBudgets: []float64{0.5},
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	d := &study.Images{Name: "vectors", Train: vectorSet(512, 1), Val: vectorSet(128, 2), Batch: 32}
	rep, err := study.Run(backend.MustNew(), s, study.Options{Out: t.TempDir(), Data: d, Log: &strings.Builder{}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Source == nil || len(rep.Records) != 3 {
		t.Fatalf("source %v, %d records, want 3 (scratch, lemon, fpi)", rep.Source, len(rep.Records))
	}
	lemons := 0
	for _, r := range rep.Records {
		if r.Spec.Name() == "lemon" {
			lemons++
			if math.Abs(r.Initial.ValLoss-rep.Source.ValLoss) > 1e-5 {
				t.Errorf("lemon starts at %.6f, the source ended at %.6f", r.Initial.ValLoss, rep.Source.ValLoss)
			}
		}
	}
	if lemons != 1 {
		t.Errorf("%d lemon records, want 1", lemons)
	}
	if !strings.Contains(rep.Markdown(), "toy-3-12") {
		t.Error("the report does not name the target")
	}
}
