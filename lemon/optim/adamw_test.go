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
