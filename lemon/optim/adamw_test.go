package optim

import (
	"math"
	"testing"

	"github.com/golemon/golemon/lemon/backend"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// TestAdamWMatchesHandComputation takes two steps on loss = Σ w⊙x + Σ b, whose gradients are
// x and 1, and compares with AdamW written out by hand; b (rank 1) must not decay.
func TestAdamWMatchesHandComputation(t *testing.T) {
	store := model.NewStore()
	w0, b0 := []float64{0.5, -1, 2, 0.25}, []float64{1, -2}
	x := []float64{1, -3, 0.5, 2}
	if _, err := store.Scope("/layer").CreateVariable("w", tensors.FromFlatDataAndDimensions(append([]float64{}, w0...), 2, 2)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Scope("/layer").CreateVariable("b", tensors.FromFlatDataAndDimensions(append([]float64{}, b0...), 2)); err != nil {
		t.Fatal(err)
	}
	a := AdamW{Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1}
	opt := a.Done()
	exec := model.MustNewExec(backend.MustNew(), store, func(scope *model.Scope, g *Graph) *Node {
		w := store.GetVariable("/layer/w").NodeValue(g)
		b := store.GetVariable("/layer/b").NodeValue(g)
		loss := Add(ReduceAllSum(Mul(w, Const(g, [][]float64{{x[0], x[1]}, {x[2], x[3]}}))), ReduceAllSum(b))
		opt.UpdateGraph(scope, g, loss)
		return loss
	})
	lrs := []float64{0.1, 0.05}
	wantW, wantB := append([]float64{}, w0...), append([]float64{}, b0...)
	m := map[*float64]float64{}
	v := map[*float64]float64{}
	for step, lr := range lrs {
		if err := SetLearningRate(store, lr); err != nil {
			t.Fatal(err)
		}
		exec.MustCall()
		tt := float64(step + 1)
		update := func(p *float64, grad float64, decay bool) {
			m[p] = a.Beta1*m[p] + (1-a.Beta1)*grad
			v[p] = a.Beta2*v[p] + (1-a.Beta2)*grad*grad
			u := m[p] / (1 - math.Pow(a.Beta1, tt)) / (math.Sqrt(v[p]/(1-math.Pow(a.Beta2, tt))) + a.Eps)
			if decay {
				u += a.WeightDecay * *p
			}
			*p -= lr * u
		}
		for i := range wantW {
			update(&wantW[i], x[i], true)
		}
		for i := range wantB {
			update(&wantB[i], 1, false)
		}
	}
	gotW := tensors.MustCopyFlatData[float64](store.GetVariable("/layer/w").MustValue())
	gotB := tensors.MustCopyFlatData[float64](store.GetVariable("/layer/b").MustValue())
	for i := range wantW {
		if math.Abs(gotW[i]-wantW[i]) > 1e-12 {
			t.Errorf("w[%d] = %.15g, want %.15g", i, gotW[i], wantW[i])
		}
	}
	for i := range wantB {
		if math.Abs(gotB[i]-wantB[i]) > 1e-12 {
			t.Errorf("b[%d] = %.15g, want %.15g (biases must not decay)", i, gotB[i], wantB[i])
		}
	}
	mPath, _ := MomentPaths("/layer/w")
	if store.GetVariable(mPath) == nil {
		t.Errorf("first moment of /layer/w not at %s", mPath)
	}
}

// TestStartStepsBiasCorrectByAge: a store at global step 10,000 whose w has carried moments at
// coordinates 0–1 and none (zero) at 2–3, and whose b has none at all. With start steps
// (StartScope: per coordinate for w, a scalar for b) the fresh coordinates' first update is
// AdamW's first update, lr·g/|g|; the carried ones use t = 10,001. Negative control: without
// start steps the fresh coordinates move (1−β₁)/√(1−β₂) ≈ 3.16 times as far.
func TestStartStepsBiasCorrectByAge(t *testing.T) {
	const lr, t0 = 0.01, 10000 // a long-trained source: 1 − β₂ᵗ ≈ 1
	a := AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-12}
	x := []float64{1, -3, 0.5, 2}
	mW, vW := []float64{0.2, -0.1, 0, 0}, []float64{0.5, 0.3, 0, 0}
	step := func(withStart bool) (dw, db []float64) {
		store := model.NewStore()
		must := func(_ *model.Variable, err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		must(store.Scope("/layer").CreateVariable("w", tensors.FromFlatDataAndDimensions([]float64{0, 0, 0, 0}, 2, 2)))
		must(store.Scope("/layer").CreateVariable("b", tensors.FromFlatDataAndDimensions([]float64{0, 0}, 2)))
		mp, vp := MomentPaths("/layer/w")
		must(store.CreateVariable(mp, tensors.FromFlatDataAndDimensions(append([]float64{}, mW...), 2, 2)))
		must(store.CreateVariable(vp, tensors.FromFlatDataAndDimensions(append([]float64{}, vW...), 2, 2)))
		must(store.CreateVariable(Scope+"/"+StepVar, tensors.FromScalar(int64(t0))))
		if withStart {
			must(store.CreateVariable(StartPath("/layer/w"), tensors.FromFlatDataAndDimensions([]float64{0, 0, t0, t0}, 2, 2)))
			must(store.CreateVariable(StartPath("/layer/b"), tensors.FromScalar(float64(t0))))
		}
		for v := range store.IterVariables() {
			v.SetTrainable(v.Path() == "/layer/w" || v.Path() == "/layer/b")
		}
		opt := a.Done()
		exec := model.MustNewExec(backend.MustNew(), store, func(scope *model.Scope, g *Graph) *Node {
			w := store.GetVariable("/layer/w").NodeValue(g)
			b := store.GetVariable("/layer/b").NodeValue(g)
			loss := Add(ReduceAllSum(Mul(w, Const(g, [][]float64{{x[0], x[1]}, {x[2], x[3]}}))), ReduceAllSum(b))
			opt.UpdateGraph(scope, g, loss)
			return loss
		})
		if err := SetLearningRate(store, lr); err != nil {
			t.Fatal(err)
		}
		exec.MustCall()
		return tensors.MustCopyFlatData[float64](store.GetVariable("/layer/w").MustValue()),
			tensors.MustCopyFlatData[float64](store.GetVariable("/layer/b").MustValue())
	}
	tt := float64(t0 + 1)
	carried := func(i int) float64 { // AdamW at step 101 from the carried moments
		m := a.Beta1*mW[i] + (1-a.Beta1)*x[i]
		v := a.Beta2*vW[i] + (1-a.Beta2)*x[i]*x[i]
		return -lr * m / (1 - math.Pow(a.Beta1, tt)) / (math.Sqrt(v/(1-math.Pow(a.Beta2, tt))) + a.Eps)
	}
	w, b := step(true)
	for i := range 2 {
		if math.Abs(w[i]-carried(i)) > 1e-12 {
			t.Errorf("carried w[%d] moved %.12g, want %.12g", i, w[i], carried(i))
		}
	}
	for i := 2; i < 4; i++ {
		if want := -lr * math.Copysign(1, x[i]); math.Abs(w[i]-want) > 1e-9 {
			t.Errorf("fresh w[%d] moved %.12g, want AdamW's first update %.12g", i, w[i], want)
		}
	}
	for i := range b {
		if math.Abs(b[i]+lr) > 1e-9 {
			t.Errorf("fresh b[%d] moved %.12g, want %g", i, b[i], -lr)
		}
	}
	w, _ = step(false) // negative control
	if ratio := math.Abs(w[2]) / lr; math.Abs(ratio-(1-a.Beta1)/math.Sqrt(1-a.Beta2)) > 0.01 {
		t.Errorf("without start steps a fresh coordinate moved %.4g·lr, want ≈ %.4g·lr", ratio, (1-a.Beta1)/math.Sqrt(1-a.Beta2))
	}
}
