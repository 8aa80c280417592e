package arch_test

import (
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/golemon/golemon/lemon/arch" //nolint:revive
	"github.com/golemon/golemon/lemon/arch/bert"
	"github.com/golemon/golemon/lemon/arch/vit"

	"github.com/golemon/golemon/lemon/backend"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// gradTol bounds |fast − autodiff| / max(1, max|autodiff|) for the gradients of ops.go in float64.
const gradTol = 1e-10

// gradCase is a model, its inputs and a loss Σ R ⊙ LogProbs(logits) with fixed random R, so
// that every operator of ops.go (LogProbs included) is on the gradient path.
type gradCase struct {
	name   string
	cfg    Config
	inputs []*tensors.Tensor
	logits func(scope *model.Scope, in []*Node) *Node
}

func gradCases() []gradCase {
	var cases []gradCase
	for _, norm := range []NormPlacement{PreLN, PostLN} {
		v := vit.Config{Encoder: Encoder{Layers: 2, Width: 8, Heads: 2, HeadDim: 3, MLPDim: 12, Norm: norm,
			LayerNormEps: 1e-6, DType: "float64"}, ImageSize: 4, Channels: 2, PatchSize: 2, NumClasses: 3}
		rng := rand.New(rand.NewPCG(3, 4))
		img := make([]float64, 3*4*4*2)
		for i := range img {
			img[i] = rng.NormFloat64()
		}
		cases = append(cases, gradCase{name: "vit-" + norm.String(), cfg: vit.New(v),
			inputs: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(img, 3, 4, 4, 2)},
			logits: func(scope *model.Scope, in []*Node) *Node { return v.Logits(scope, in[0]) }})
		cases = append(cases, bertGradCase("bert-"+norm.String(), norm, ""))
	}
	// The tanh GELU (OpenAI GPT-2's), in the MLP and in BERT's MLM transform.
	cases = append(cases, bertGradCase("bert-pre-gelu_tanh", PreLN, GELUTanh))
	return cases
}

// bertGradCase is a tiny BERT MLM case with the given norm placement and GELU form.
func bertGradCase(name string, norm NormPlacement, act string) gradCase {
	c := bert.Config{Encoder: Encoder{Layers: 2, Width: 8, Heads: 2, HeadDim: 3, MLPDim: 16, Norm: norm,
		LayerNormEps: 1e-12, DType: "float64", Activation: act},
		VocabSize: 11, MaxPositions: 9, TypeVocabSize: 2, EmbeddingLN: true, MLMTransform: true}
	return gradCase{name: name, cfg: bert.New(c),
		inputs: []*tensors.Tensor{
			tensors.FromFlatDataAndDimensions([]int32{2, 5, 7, 9, 3, 0, 2, 4, 4, 10, 6, 3}, 2, 6),
			tensors.FromFlatDataAndDimensions([]float64{1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1}, 2, 6),
			tensors.FromFlatDataAndDimensions([]int32{1, 3, 0, 5}, 2, 2)},
		logits: func(scope *model.Scope, in []*Node) *Node {
			return c.MLMLogits(scope, bert.Inputs{TokenIDs: in[0], KeyMask: in[1]}, in[2])
		}}
}

// lossAndGrads returns the loss and its gradient with respect to every variable of c, with
// the operators of ops.go (plain = false) or autodiff of the decomposed formulas (plain = true).
func lossAndGrads(t *testing.T, c gradCase, store *model.Store, plain, training bool) (float64, [][]float64) {
	t.Helper()
	*PlainOps = plain
	defer func() { *PlainOps = false }()
	vars := c.cfg.Vars()
	exec := model.MustNewExec(backend.MustNew(), store, func(scope *model.Scope, in []*Node) []*Node {
		store.SetTraining(in[0].Graph(), training)
		logits := c.logits(scope, in)
		weights := Iota(logits.Graph(), logits.Shape(), logits.Rank()-1)
		weights = Cos(AddScalar(MulScalar(Add(weights, Iota(logits.Graph(), logits.Shape(), 0)), 1.7), 0.3))
		loss := ReduceAllSum(Mul(weights, LogProbs(logits)))
		nodes := make([]*Node, len(vars))
		for i, v := range vars {
			nodes[i] = store.GetVariable("/" + v.Path).NodeValue(loss.Graph())
		}
		return append([]*Node{loss}, Gradient(loss, nodes...)...)
	})
	args := make([]any, len(c.inputs))
	for i, x := range c.inputs {
		args[i] = x
	}
	out := exec.MustCall(args...)
	grads := make([][]float64, len(vars))
	for i := range vars {
		grads[i] = tensors.MustCopyFlatData[float64](out[i+1])
	}
	return tensors.ToScalar[float64](out[0]), grads
}

// TestFastOpsGradients: the hand-derived gradients of ops.go equal autodiff's of the textbook
// formulas, variable by variable, and a finite difference of the loss along a random
// direction agrees with both (an independent check of the derivation).
func TestFastOpsGradients(t *testing.T) {
	for _, c := range gradCases() {
		store, err := Init(c.cfg, 5)
		if err != nil {
			t.Fatal(err)
		}
		randomiseNorms(store, c.cfg)
		lossPlain, plain := lossAndGrads(t, c, store, true, false)
		for _, training := range []bool{false, true} {
			lossFast, fast := lossAndGrads(t, c, store, false, training)
			if d := math.Abs(lossFast - lossPlain); d > gradTol*math.Max(1, math.Abs(lossPlain)) {
				t.Errorf("%s (training %v): loss %.15g (fast) vs %.15g (autodiff)", c.name, training, lossFast, lossPlain)
			}
			for i, v := range c.cfg.Vars() {
				scale := 1.0
				for _, g := range plain[i] {
					scale = math.Max(scale, math.Abs(g))
				}
				if d := maxAbsDiff(fast[i], plain[i]); d > gradTol*scale {
					t.Errorf("%s (training %v) %s: max |Δ grad| %.3g (scale %.3g)", c.name, training, v.Path, d, scale)
				}
			}
			if training {
				checkDirectional(t, c, store, fast)
			}
		}
	}
}

// checkDirectional compares (L(w + h·u) − L(w − h·u)) / 2h with ∇L·u for a random unit u.
func checkDirectional(t *testing.T, c gradCase, store *model.Store, grads [][]float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	vars := c.cfg.Vars()
	base := make([][]float64, len(vars))
	dir := make([][]float64, len(vars))
	var want, norm float64
	for i, v := range vars {
		base[i] = tensors.MustCopyFlatData[float64](store.GetVariable("/" + v.Path).MustValue())
		dir[i] = make([]float64, len(base[i]))
		for j := range dir[i] {
			dir[i][j] = rng.NormFloat64()
			norm += dir[i][j] * dir[i][j]
			want += dir[i][j] * grads[i][j]
		}
	}
	norm = math.Sqrt(norm)
	want /= norm
	const h = 1e-5
	loss := func(sign float64) float64 {
		for i, v := range vars {
			w := make([]float64, len(base[i]))
			for j := range w {
				w[j] = base[i][j] + sign*h*dir[i][j]/norm
			}
			if err := store.GetVariable("/" + v.Path).SetValue(tensors.FromFlatDataAndDimensions(w, v.Shape...)); err != nil {
				t.Fatal(err)
			}
		}
		l, _ := lossAndGrads(t, c, store, false, true)
		return l
	}
	got := (loss(1) - loss(-1)) / (2 * h)
	if math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
		t.Errorf("%s: directional derivative %.10g by finite difference, %.10g from the gradients", c.name, got, want)
	}
}

// randomiseNorms gives LayerNorm gains and offsets random values, so that their gradients
// (and the gain's role in dx) are exercised away from the 1/0 initialisation.
func randomiseNorms(store *model.Store, cfg Config) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, v := range cfg.Vars() {
		if v.Init != InitOnes && v.Init != InitZeros {
			continue
		}
		w := make([]float64, v.Size())
		for j := range w {
			w[j] = 1 + 0.3*rng.NormFloat64()
		}
		if err := store.GetVariable("/" + v.Path).SetValue(tensors.FromFlatDataAndDimensions(w, v.Shape...)); err != nil {
			panic(err) // a test helper on a store the test built
		}
	}
}

// TestFastOpsNegativeControl: the comparison above catches a wrong gradient (a softmax
// backward without its Σ g⊙y term).
func TestFastOpsNegativeControl(t *testing.T) {
	c := gradCases()[0]
	store, _ := Init(c.cfg, 5)
	_, plain := lossAndGrads(t, c, store, true, false)
	broken := *SoftmaxBackward
	*SoftmaxBackward = func(y, g *Node) []*Node { return []*Node{Mul(y, g)} }
	defer func() { *SoftmaxBackward = broken }()
	_, fast := lossAndGrads(t, c, store, false, false)
	worst := 0.0
	for i := range plain {
		worst = math.Max(worst, maxAbsDiff(fast[i], plain[i]))
	}
	if worst <= gradTol {
		t.Fatalf("a broken softmax gradient went unnoticed (max |Δ| %.3g)", worst)
	}
	t.Logf("broken softmax gradient: max |Δ| %.3g", worst)
}

// TestGELUForms: the tanh GELU equals x·(1 + tanh(√(2/π)(x + 0.044715x³)))/2 computed here in
// float64, and differs from the exact erf GELU where the approximation is known to be off
// (|x| ≈ 2: ~2e-4), so each form is the one its name says.
func TestGELUForms(t *testing.T) {
	xs := []float64{-4, -2.2, -1, -0.3, 0, 0.5, 1.5, 2.2, 5}
	exec := MustNewExec(backend.MustNew(), func(x *Node) []*Node {
		return []*Node{GELUTanhOp(x, false), GELUOp(x, false)}
	})
	out := exec.MustCall(tensors.FromValue(xs))
	approx, exact := tensors.MustCopyFlatData[float64](out[0]), tensors.MustCopyFlatData[float64](out[1])
	gap := 0.0
	for i, x := range xs {
		want := 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
		if d := math.Abs(approx[i] - want); d > 1e-15 {
			t.Errorf("gelu_tanh(%g) = %.17g, want %.17g", x, approx[i], want)
		}
		if d := math.Abs(exact[i] - 0.5*x*(1+math.Erf(x/math.Sqrt2))); d > 1e-15 {
			t.Errorf("gelu(%g) = %.17g, want the erf form", x, exact[i])
		}
		gap = max(gap, math.Abs(approx[i]-exact[i]))
	}
	if gap < 1e-4 {
		t.Errorf("the two GELU forms differ by at most %.3g: one is not the form it names", gap)
	}
}

// TestCrossEntropyBitExact: CrossEntropy's value and gradient equal those of
// −ReduceSum(onehot ⊙ LogProbs(x)), the form it replaces, bit for bit (== on every element,
// which identifies +0 and −0) in float32 and float64, over a language-model-shaped batch, a
// small classifier's and integer logits with tied maxima (max x and max p are gathered at the
// argmax); the textbook LogSoftmax form agrees to rounding. Training therefore
// takes the same steps as before, so recorded sources rebuild to their records.
func TestCrossEntropyBitExact(t *testing.T) {
	be := backend.MustNew()
	for _, dt := range []string{"float32", "float64"} {
		for _, dims := range [][]int{{3, 5, 37}, {7, 10}, {4, 6, 9}} {
			rng := rand.New(rand.NewPCG(11, uint64(len(dims))))
			n, v := 1, dims[len(dims)-1]
			for _, d := range dims[:len(dims)-1] {
				n *= d
			}
			ties := dims[len(dims)-1] == 9 // integer logits: rows with several equal maxima
			xs := make([]float64, n*v)
			for i := range xs {
				xs[i] = 4 * rng.NormFloat64()
				if ties {
					xs[i] = math.Round(xs[i] / 4)
				}
			}
			labels := make([]int32, n)
			w := make([]float64, n)
			for i := range labels {
				labels[i] = int32(rng.IntN(v))
				w[i] = rng.Float64() // positive weights, as the tasks' row weights
			}
			x := NewTensor(DTypeOf(Encoder{DType: dt}), xs, dims)
			lab := tensors.FromFlatDataAndDimensions(labels, dims[:len(dims)-1]...)
			wt := NewTensor(DTypeOf(Encoder{DType: dt}), w, dims[:len(dims)-1])
			run := func(ce func(x, l *Node) *Node) (val, grad []float64) {
				exec := MustNewExec(be, func(x, l, w *Node) []*Node {
					c := ce(x, l)
					loss := ReduceAllSum(Mul(c, w))
					return []*Node{c, Gradient(loss, x)[0]}
				})
				out := exec.MustCall(x, lab, wt)
				return flatValues(out[0]), flatValues(out[1])
			}
			oneHot := func(x, l *Node) *Node {
				return Neg(ReduceSum(Mul(LogProbs(x), OneHot(l, v, x.DType())), -1))
			}
			wantV, wantG := run(oneHot)
			gotV, gotG := run(CrossEntropy)
			for i := range wantV {
				if gotV[i] != wantV[i] {
					t.Fatalf("%s %v: CE[%d] = %.17g, the one-hot form %.17g", dt, dims, i, gotV[i], wantV[i])
				}
			}
			for i := range wantG {
				if gotG[i] != wantG[i] {
					t.Fatalf("%s %v: dCE[%d] = %.17g, the one-hot form %.17g", dt, dims, i, gotG[i], wantG[i])
				}
			}
			// The textbook form (plainOps) to rounding: the bit-exact match is not vacuous.
			*PlainOps = true
			refV, refG := run(CrossEntropy)
			*PlainOps = false
			tol := 1e-12
			if dt == "float32" {
				tol = 1e-5
			}
			if d := maxAbsDiff(gotV, refV); d > tol*4*float64(v) {
				t.Errorf("%s %v: CE differs from log-softmax's by %.3g", dt, dims, d)
			}
			if d := maxAbsDiff(gotG, refG); d > tol {
				t.Errorf("%s %v: dCE differs from log-softmax's by %.3g", dt, dims, d)
			}
			// Negative control: a wrong label changes the value.
			for j := labels[0]; xs[labels[0]] == xs[j]; { // a label whose logit differs
				labels[0] = (labels[0] + 1) % int32(v)
			}
			lab = tensors.FromFlatDataAndDimensions(labels, dims[:len(dims)-1]...)
			if badV, _ := run(CrossEntropy); badV[0] == gotV[0] {
				t.Errorf("%s %v: another label gave the same cross-entropy", dt, dims)
			}
		}
	}
}

func flatValues(x *tensors.Tensor) []float64 {
	if x.DType().String() == "Float64" {
		return tensors.MustCopyFlatData[float64](x)
	}
	var out []float64
	for _, v := range tensors.MustCopyFlatData[float32](x) {
		out = append(out, float64(v))
	}
	return out
}
