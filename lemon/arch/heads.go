package arch

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Inputs are what a model reads: images for a ViT, token and segment ids for a BERT.
type Inputs struct {
	Images   *tensors.Tensor // ViT: [B, S, S, C] in the model's dtype
	Tokens   *tensors.Tensor // BERT: [B, T] int32
	Segments *tensors.Tensor // BERT: [B, T] int32
	Vectors  *tensors.Tensor // other families: [B, T, features] in the model's dtype
}

// Head is one output of a model, for verification: its name and its logits (eval mode) as a
// graph function of the input nodes that Config.HeadInputs lists.
type Head struct {
	Name   string // "vit", "mlm", "classifier"
	Logits func(s *model.Scope, in []*Node) *Node
}

// Heads lists the model's outputs: the classifier of a ViT; the masked-LM logits at every
// position of a BERT, and its classifier when it has one.
func (c Config) Heads() ([]Head, error) {
	if f := c.family(); f != nil {
		return f.Heads()
	}
	return nil, fmt.Errorf("arch: config %q holds no model", c.Kind)
}

// HeadInputs are the tensors of in that the heads read, in order.
func (c Config) HeadInputs(in Inputs) ([]any, error) {
	if f := c.family(); f != nil {
		return f.HeadInputs(in)
	}
	return nil, fmt.Errorf("arch: config %q holds no model", c.Kind)
}

// RandomInputs draws seeded inputs of the right shape for c (for a ViT standard-normal pixels,
// for a BERT uniform token ids and segments over sequences of min(16, MaxPositions) tokens).
func (c Config) RandomInputs(batch int, seed uint64) Inputs {
	if f := c.family(); f != nil {
		return f.RandomInputs(batch, seed)
	}
	return Inputs{}
}
