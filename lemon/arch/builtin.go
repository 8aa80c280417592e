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

// ViT and BERT behind FamilyConfig, like a registered family: Config's methods reach every
// family through family(). (Their configs keep the typed Config.ViT and Config.BERT fields.)

type vitFamily struct{ c *ViTConfig }

type bertFamily struct{ c *BERTConfig }

// family is the FamilyConfig of whichever model c holds, or nil.
func (c Config) family() FamilyConfig {
	switch {
	case c.Other != nil:
		return c.Other
	case c.ViT != nil:
		return vitFamily{c.ViT}
	case c.BERT != nil:
		return bertFamily{c.BERT}
	}
	return nil
}

// withFamily is c holding f instead (of the same kind).
func (c Config) withFamily(f FamilyConfig) Config {
	switch f := f.(type) {
	case vitFamily:
		return Config{Kind: c.Kind, ViT: f.c}
	case bertFamily:
		return Config{Kind: c.Kind, BERT: f.c}
	}
	return Config{Kind: c.Kind, Other: f}
}

// WithVocab is c with the vocabulary size its data fixes, for families whose vocabulary is
// not part of the architecture (Vocabulary: BERT and the decoders); ok is false for others.
func (c Config) WithVocab(size int) (out Config, ok bool) {
	v, ok := c.family().(Vocabulary)
	if !ok {
		return c, false
	}
	return c.withFamily(v.WithVocab(size)), true
}

// EncoderParamsFloat is the parameter count of the encoder blocks (and the final norm), from
// the sizes alone, every option included (kv heads, SwiGLU, RMSNorm, no biases).
func EncoderParamsFloat(e Encoder) float64 { return encoderParamsFloat(e) }

func encoderParamsFloat(e Encoder) float64 {
	d, hd, kv, f := float64(e.Width), float64(e.Heads)*float64(e.HeadDim), float64(e.KV())*float64(e.HeadDim), float64(e.MLPDim)
	bias := 1.0
	if e.NoBias {
		bias = 0
	}
	normP := 2 * d
	if e.RMS() {
		normP = d
	}
	mlps := 2.0
	if e.SwiGLU() {
		mlps = 3
	}
	perLayer := 2*normP + d*hd + 2*d*kv + hd*d + mlps*d*f + bias*(hd+2*kv+d+(mlps-1)*f+d)
	n := float64(e.Layers) * perLayer
	if e.Norm == PreLN {
		n += normP
	}
	return n
}

func (f vitFamily) Enc() Encoder { return f.c.Encoder }

func (f vitFamily) WithEncoder(e Encoder) FamilyConfig {
	v := *f.c
	v.Encoder = e
	return vitFamily{&v}
}

func (f vitFamily) Validate() error { return f.c.Validate() }
func (f vitFamily) Vars() []VarSpec { return f.c.Vars() }
func (f vitFamily) ParamsFloat() float64 {
	v, d := f.c, float64(f.c.Width)
	return encoderParamsFloat(v.Encoder) + float64(v.PatchDim())*d + d + d + float64(v.NumPatches()+1)*d + d*float64(v.NumClasses) + float64(v.NumClasses)
}

func (f vitFamily) Heads() ([]Head, error) {
	v := *f.c
	return []Head{{"vit", func(s *model.Scope, in []*Node) *Node { return ViTLogits(s, v, in[0]) }}}, nil
}

func (f vitFamily) HeadInputs(in Inputs) ([]any, error) {
	if in.Images == nil {
		return nil, fmt.Errorf("arch: a ViT reads images; the inputs hold none")
	}
	return []any{in.Images}, nil
}

// RandomInputs are standard-normal pixels.
func (f vitFamily) RandomInputs(batch int, seed uint64) Inputs {
	v := f.c
	rng := rand.New(rand.NewPCG(seed, 0x1a7e5))
	pixels := make([]float64, batch*v.ImageSize*v.ImageSize*v.Channels)
	for i := range pixels {
		pixels[i] = rng.NormFloat64()
	}
	return Inputs{Images: NewTensor(DTypeOf(v.Encoder), pixels, []int{batch, v.ImageSize, v.ImageSize, v.Channels})}
}

func (f vitFamily) ExampleTrainFLOPs() (float64, string) {
	return TrainFLOPs(f.c.ForwardFLOPs()), "image"
}

func (f bertFamily) Enc() Encoder { return f.c.Encoder }

func (f bertFamily) WithEncoder(e Encoder) FamilyConfig {
	b := *f.c
	b.Encoder = e
	return bertFamily{&b}
}

// WithVocab implements Vocabulary: BERT's vocabulary is the corpus's.
func (f bertFamily) WithVocab(size int) FamilyConfig {
	b := *f.c
	b.VocabSize = size
	return bertFamily{&b}
}

func (f bertFamily) Validate() error { return f.c.Validate() }
func (f bertFamily) Vars() []VarSpec { return f.c.Vars() }

func (f bertFamily) ParamsFloat() float64 {
	b, d := f.c, float64(f.c.Width)
	n := encoderParamsFloat(b.Encoder) + float64(b.VocabSize)*d + float64(b.MaxPositions)*d + float64(b.TypeVocabSize)*d + float64(b.VocabSize)
	if b.EmbeddingLN {
		n += 2 * d
	}
	if b.MLMTransform {
		n += d*d + d + 2*d
	}
	if b.NumClasses > 0 {
		n += d*d + d + d*float64(b.NumClasses) + float64(b.NumClasses)
	}
	return n
}

// Heads are the masked-LM logits at every position, and the classifier when there is one.
func (f bertFamily) Heads() ([]Head, error) {
	b := *f.c
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

func (f bertFamily) HeadInputs(in Inputs) ([]any, error) {
	if in.Tokens == nil || in.Segments == nil {
		return nil, fmt.Errorf("arch: a BERT reads token and segment ids; the inputs lack them")
	}
	return []any{in.Tokens, in.Segments}, nil
}

// RandomInputs are uniform token ids and segments over sequences of min(16, MaxPositions).
func (f bertFamily) RandomInputs(batch int, seed uint64) Inputs {
	b := f.c
	rng := rand.New(rand.NewPCG(seed, 0x1a7e5))
	seq := min(16, b.MaxPositions)
	tokens, segments := make([]int32, batch*seq), make([]int32, batch*seq)
	for i := range tokens {
		tokens[i] = int32(rng.IntN(b.VocabSize))
		segments[i] = int32(rng.IntN(b.TypeVocabSize))
	}
	return Inputs{Tokens: tensors.FromFlatDataAndDimensions(tokens, batch, seq),
		Segments: tensors.FromFlatDataAndDimensions(segments, batch, seq)}
}

// ExampleTrainFLOPs is per sequence of min(128, MaxPositions) tokens with 15% masked.
func (f bertFamily) ExampleTrainFLOPs() (float64, string) {
	t := min(128, f.c.MaxPositions)
	return TrainFLOPs(f.c.MLMForwardFLOPs(t, (t*15+99)/100)), fmt.Sprintf("sequence of %d", t)
}
