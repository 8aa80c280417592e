package runner

import (
	"encoding/json"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Batch is one batch of graph inputs and labels. Labels[0] holds the int32 targets;
// an optional Labels[1] holds float weights of the same shape (0 = ignore).
type Batch struct {
	Inputs, Labels []*tensors.Tensor
}

// Task is what the runner trains: a model graph over a model config and the data for it.
// Predictions are logits [..., K] whose leading axes match Labels[0].
type Task interface {
	// Name says what is trained on what, for logs.
	Name() string
	// Config is the model trained.
	Config() arch.Config
	// Logits builds the forward pass.
	Logits(scope *model.Scope, inputs []*Node) *Node
	// NextTrain returns the next training batch (deterministic given the data state).
	NextTrain() Batch
	// Validation returns the fixed held-out batches.
	Validation() []Batch
	// StepCost is the work of one training step: examples, tokens and training FLOPs.
	StepCost() (examples, tokens int64, flops float64)
	// DataState and RestoreDataState capture and restore the training data position.
	DataState() (json.RawMessage, error)
	RestoreDataState(json.RawMessage) error
}

// weightedCE returns Σ w·CE, Σ w·[argmax = label] and Σ w over a batch, in float64.
func weightedCE(logits *Node, labels []*Node) (lossSum, correct, weight *Node) {
	targets := labels[0]
	ce, argMax := arch.CrossEntropyArgMax(logits, targets) // [...]
	pred := ConvertDType(argMax, targets.DType())
	hit := ConvertDType(Equal(pred, targets), dtypes.Float64)
	var w *Node
	if len(labels) > 1 {
		w = ConvertDType(labels[1], dtypes.Float64)
	} else {
		w = OnesLike(hit)
	}
	ce = ConvertDType(ce, dtypes.Float64)
	return ReduceAllSum(Mul(ce, w)), ReduceAllSum(Mul(hit, w)), ReduceAllSum(w)
}

// meanLoss is the training loss: Σ w·CE / Σ w in the logits' dtype.
func meanLoss(labels, predictions []*Node) *Node {
	lossSum, _, weight := weightedCE(predictions[0], labels)
	return ConvertDType(Div(lossSum, Max(weight, OnesLike(weight))), predictions[0].DType())
}
