package arch

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
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
	switch {
	case c.Other != nil:
		return c.Other.Heads()
	case c.ViT != nil:
		v := *c.ViT
		return []Head{{"vit", func(s *model.Scope, in []*Node) *Node { return ViTLogits(s, v, in[0]) }}}, nil
	case c.BERT != nil:
		b := *c.BERT
		heads := []Head{{"mlm", func(s *model.Scope, in []*Node) *Node {
			ids := in[0]
			batch, seq := ids.Shape().Dim(0), ids.Shape().Dim(1)
			pos := Iota(ids.Graph(), shapes.Make(dtypes.Int32, batch, seq), 1)
			return BERTMLMLogits(s, b, BERTInputs{TokenIDs: ids, SegmentIDs: in[1]}, pos)
		}}}
		if b.NumClasses > 0 {
			heads = append(heads, Head{"classifier", func(s *model.Scope, in []*Node) *Node {
				return BERTClassifierLogits(s, b, BERTInputs{TokenIDs: in[0], SegmentIDs: in[1]})
			}})
		}
		return heads, nil
	}
	return nil, fmt.Errorf("arch: config %q holds no model", c.Kind)
}

// HeadInputs are the tensors of in that the heads read, in order.
func (c Config) HeadInputs(in Inputs) ([]any, error) {
	switch {
	case c.Other != nil:
		return c.Other.HeadInputs(in)
	case c.ViT != nil:
		if in.Images == nil {
			return nil, fmt.Errorf("arch: a ViT reads images; the inputs hold none")
		}
		return []any{in.Images}, nil
	case c.BERT != nil:
		if in.Tokens == nil || in.Segments == nil {
			return nil, fmt.Errorf("arch: a BERT reads token and segment ids; the inputs lack them")
		}
		return []any{in.Tokens, in.Segments}, nil
	}
	return nil, fmt.Errorf("arch: config %q holds no model", c.Kind)
}

// RandomInputs draws seeded inputs of the right shape for c: standard-normal pixels, or
// uniform token ids and segments over sequences of min(16, MaxPositions) tokens.
func (c Config) RandomInputs(batch int, seed uint64) Inputs {
	if c.Other != nil {
		return c.Other.RandomInputs(batch, seed)
	}
	rng := rand.New(rand.NewPCG(seed, 0x1a7e5))
	if v := c.ViT; v != nil {
		pixels := make([]float64, batch*v.ImageSize*v.ImageSize*v.Channels)
		for i := range pixels {
			pixels[i] = rng.NormFloat64()
		}
		return Inputs{Images: NewTensor(DTypeOf(v.Encoder), pixels, []int{batch, v.ImageSize, v.ImageSize, v.Channels})}
	}
	b := c.BERT
	if b == nil {
		return Inputs{}
	}
	seq := min(16, b.MaxPositions)
	tokens, segments := make([]int32, batch*seq), make([]int32, batch*seq)
	for i := range tokens {
		tokens[i] = int32(rng.IntN(b.VocabSize))
		segments[i] = int32(rng.IntN(b.TypeVocabSize))
	}
	return Inputs{Tokens: tensors.FromFlatDataAndDimensions(tokens, batch, seq),
		Segments: tensors.FromFlatDataAndDimensions(segments, batch, seq)}
}
