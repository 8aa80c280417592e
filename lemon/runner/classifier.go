package runner

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/data"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// ClassifierTask trains any model family that classifies fixed-size float examples (a family
// implementing arch.Classifier, whose first head reads one tensor [B, example shape…]) on an
// example set held as a data.ImageSet (N examples of Height×Width×Channels floats, reshaped
// to the family's ExampleShape). It is how a registered family trains with the runner.
type ClassifierTask struct {
	cfg        arch.Config
	head       arch.Head
	shape      []int
	train, val *data.ImageSet
	batcher    *data.ImageBatcher
	batchSize  int
	valBatches []Batch
	label      string
}

// NewClassifierTask checks that cfg classifies examples of the sets' size and that every
// label is one of its classes, and prepares seeded batching.
func NewClassifierTask(name string, cfg arch.Config, train, val *data.ImageSet, batchSize int, seed uint64) (*ClassifierTask, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c, ok := cfg.Family().(arch.Classifier)
	if !ok {
		return nil, fmt.Errorf("runner: a %s model is not a classifier of fixed-size examples (arch.Classifier)", cfg.Kind)
	}
	heads, err := cfg.Heads()
	if err != nil {
		return nil, err
	}
	shape, classes := c.ExampleShape(), c.NumClasses()
	size := 1
	for _, d := range shape {
		size *= d
	}
	for _, s := range []struct {
		split string
		set   *data.ImageSet
	}{{"training", train}, {"validation", val}} {
		if s.set == nil || s.set.N < 1 || len(s.set.Labels) != s.set.N {
			return nil, fmt.Errorf("runner: the %s split needs at least one example and one label per example", s.split)
		}
		if s.set.ExampleSize() != size {
			return nil, fmt.Errorf("runner: %s examples hold %d values; the %s model reads %v = %d", s.split, s.set.ExampleSize(), cfg.Kind, shape, size)
		}
		for i, l := range s.set.Labels {
			if l < 0 || int(l) >= classes {
				return nil, fmt.Errorf("runner: %s label %d of example %d is outside the %d classes", s.split, l, i, classes)
			}
		}
	}
	b, err := data.NewImageBatcher(train, batchSize, seed, true)
	if err != nil {
		return nil, err
	}
	t := &ClassifierTask{cfg: cfg, head: heads[0], shape: slices.Clone(shape), train: train, val: val,
		batcher: b, batchSize: batchSize, label: name}
	for from := 0; from < val.N; from += 256 {
		to := min(from+256, val.N)
		t.valBatches = append(t.valBatches, t.batch(val.Pixels[from*size:to*size], val.Labels[from:to]))
	}
	return t, nil
}

func (t *ClassifierTask) batch(x []float32, labels []int32) Batch {
	n := len(labels)
	return Batch{Inputs: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(x, append([]int{n}, t.shape...)...)},
		Labels: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(labels, n)}}
}

func (t *ClassifierTask) Name() string        { return t.label }
func (t *ClassifierTask) Config() arch.Config { return t.cfg }
func (t *ClassifierTask) Validation() []Batch { return t.valBatches }

func (t *ClassifierTask) NextTrain() Batch {
	x, labels := t.batcher.Next()
	return t.batch(x, labels)
}

// Logits runs the family's first head on the examples, in the model's dtype.
func (t *ClassifierTask) Logits(scope *model.Scope, inputs []*Node) *Node {
	return t.head.Logits(scope, []*Node{ConvertDType(inputs[0], arch.DTypeOf(t.cfg.Enc()))})
}

func (t *ClassifierTask) StepCost() (int64, int64, float64) {
	b := int64(t.batchSize)
	perExample, _ := t.cfg.ExampleTrainFLOPs()
	return b, b * int64(t.shape[0]), float64(b) * perExample
}

func (t *ClassifierTask) DataState() (json.RawMessage, error) { return json.Marshal(t.batcher.State()) }

func (t *ClassifierTask) RestoreDataState(raw json.RawMessage) error {
	return restoreImageBatcher(t.batcher, raw, "classifier")
}
