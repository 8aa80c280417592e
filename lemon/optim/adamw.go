// Package optim is AdamW for GoMLX with the state laid out for lemon: moments live in the
// model store at "/adamw/m/<variable path>" and "/adamw/v/<variable path>", the step count
// at "/adamw/step", and the learning rate at "/adamw/learning_rate", which the training
// runner sets before every step from a schedule (package schedule). Optimizer state carried
// into an expanded model may add "/adamw/start/<variable path>" (see StartScope).
//
// Weight decay is decoupled (Loshchilov & Hutter): p ← p − lr·(m̂/(√v̂+ε) + λ·p). It applies
// only to variables of rank ≥ 2 (weight matrices and embeddings); biases, LayerNorm gains and
// offsets and the CLS token (rank 1) are not decayed, as in BERT and timm's ViT recipes.
//
//	opt := optim.AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.05}
//	trainer := train.NewTrainer(backend, store, modelFn, lossFn, opt.Done(), nil, nil)
//	optim.SetLearningRate(store, 1e-3) // before each step
package optim

import (
	"fmt"
	"math"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/gomlx/gomlx/support/exceptions"
)

// Paths of the optimizer state in the store.
const (
	Scope       = "/adamw"
	StepVar     = "step"
	LRVar       = "learning_rate"
	MomentScope = Scope + "/m" // first moments: MomentScope + <variable path>
	SecondScope = Scope + "/v" // second moments
	// StartScope holds, for a variable whose moments started after step 0 (optimizer state
	// carried into an expanded model, where new coordinates start with zero moments), the
	// global step at which each coordinate's moments started: a scalar for the whole variable
	// or one value per coordinate. Bias correction then uses each coordinate's own age
	// t − start instead of t; variables without one use t (every ordinary run).
	StartScope = Scope + "/start"
)

// StartPath returns the store path of a variable's moment start steps (see StartScope).
func StartPath(varPath string) string { return StartScope + "/" + strings.TrimPrefix(varPath, "/") }

// AdamW holds the optimizer's hyperparameters.
type AdamW struct {
	Beta1, Beta2 float64
	Eps          float64
	WeightDecay  float64
}

// Default returns AdamW with β = (0.9, 0.999), ε = 1e-8 and the given weight decay.
func Default(weightDecay float64) AdamW {
	return AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: weightDecay}
}

// Done returns the optimizer.Interface for a train.Trainer.
func (a AdamW) Done() optimizer.Interface { return &adamw{cfg: a} }

type adamw struct{ cfg AdamW }

// Decays reports whether weight decay applies to a variable of the given shape.
func Decays(shape shapes.Shape) bool { return shape.Rank() >= 2 }

// MomentPaths returns the store paths of the first and second moments of a variable.
func MomentPaths(varPath string) (m, v string) {
	p := "/" + strings.TrimPrefix(varPath, "/")
	return MomentScope + p, SecondScope + p
}

// UpdateGraph implements optimizer.Interface.
func (o *adamw) UpdateGraph(scope *model.Scope, g *Graph, loss *Node) {
	if !loss.Shape().IsScalar() {
		exceptions.Panicf("optim: loss must be a scalar, got %s", loss.Shape())
	}
	grads := scope.BuildTrainableVariablesGradientsGraph(loss)
	store := scope.Store()
	_ = optimizer.IncrementGlobalStep(g, dtypes.Int64)
	step := store.Scope(Scope).WithInitializer(initializer.Zero).VariableWithShape(StepVar, shapes.Make(dtypes.Int64)).SetTrainable(false)
	t := AddScalar(step.NodeValue(g), 1)
	step.SetNodeValue(t)
	lr := learningRateVar(store).NodeValue(g) // float64 scalar
	i := 0
	for v := range scope.IterVariables() {
		if !v.Trainable || !v.InUseByGraph(g) || strings.HasPrefix(v.Path(), Scope+"/") {
			continue
		}
		if i >= len(grads) {
			exceptions.Panicf("optim: more trainable variables than gradients (%d)", len(grads))
		}
		o.apply(store, g, v, grads[i], ConvertDType(t, dtypes.Float64), lr)
		i++
	}
	if i != len(grads) {
		exceptions.Panicf("optim: %d gradients for %d trainable variables", len(grads), i)
	}
}

// apply updates one variable; all arithmetic is in the variable's dtype.
func (o *adamw) apply(store *model.Store, g *Graph, v *model.Variable, grad, t, lr64 *Node) {
	dtype := v.DType()
	mPath, vPath := MomentPaths(v.Path())
	mVar := momentVar(store, mPath, v.Shape())
	vVar := momentVar(store, vPath, v.Shape())
	c := func(x float64) *Node { return Scalar(g, dtype, x) }
	b1, b2 := c(o.cfg.Beta1), c(o.cfg.Beta2)
	m := Add(Mul(b1, mVar.NodeValue(g)), Mul(c(1-o.cfg.Beta1), grad))
	s := Add(Mul(b2, vVar.NodeValue(g)), Mul(c(1-o.cfg.Beta2), Square(grad)))
	mVar.SetNodeValue(m)
	vVar.SetNodeValue(s)
	// Bias corrections 1/(1 − βᵗ), computed in float64 then cast.
	corr1 := ConvertDType(Reciprocal(OneMinus(Pow(Scalar(g, dtypes.Float64, o.cfg.Beta1), t))), dtype)
	corr2 := ConvertDType(Reciprocal(OneMinus(Pow(Scalar(g, dtypes.Float64, o.cfg.Beta2), t))), dtype)
	if start := store.GetVariable(StartPath(v.Path())); start != nil {
		// Moments younger than t: correct by their own age, βᵃ = exp(a·ln β), per coordinate
		// or for the whole variable.
		age := Sub(t, ConvertDType(start.NodeValue(g), dtypes.Float64))
		corr := func(beta float64) *Node {
			return ConvertDType(Reciprocal(OneMinus(Exp(MulScalar(age, math.Log(beta))))), dtype)
		}
		corr1, corr2 = corr(o.cfg.Beta1), corr(o.cfg.Beta2)
	}
	update := Div(Mul(m, corr1), AddScalar(Sqrt(Mul(s, corr2)), o.cfg.Eps))
	p := v.NodeValue(g)
	if o.cfg.WeightDecay > 0 && Decays(v.Shape()) {
		update = Add(update, MulScalar(p, o.cfg.WeightDecay))
	}
	v.SetNodeValue(Sub(p, Mul(ConvertDType(lr64, dtype), update)))
}

func momentVar(store *model.Store, path string, shape shapes.Shape) *model.Variable {
	dir, name := model.SplitPath(path)
	return store.Scope(dir).WithInitializer(initializer.Zero).VariableWithShape(name, shape).SetTrainable(false)
}

func learningRateVar(store *model.Store) *model.Variable {
	return store.Scope(Scope).VariableWithValue(LRVar, float64(0)).SetTrainable(false)
}

// SetLearningRate sets the learning rate used by the next training step.
func SetLearningRate(store *model.Store, lr float64) error {
	if err := learningRateVar(store).SetValue(tensors.FromScalar(lr)); err != nil {
		return fmt.Errorf("optim: set learning rate: %w", err)
	}
	return nil
}

// Clear implements optimizer.Interface: it deletes the optimizer state.
func (o *adamw) Clear(scope *model.Scope) error {
	return scope.Store().DeleteVariablesInScope(Scope)
}
