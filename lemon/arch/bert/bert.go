// Package bert is the BERT encoder (Devlin et al. 2019) with its masked-LM head tied to the
// token embedding and an optional pooler and sequence classifier, Pre-LN or Post-LN (the
// original). It is a registered family (arch.Register) like every other: expansion (every
// method), verification and checkpoints reach it through arch.FamilyConfig, and arch.Preset
// finds its presets once the package is linked (import it, or for its side effect:
// _ "github.com/golemon/golemon/lemon/arch/bert").
//
// Its checkpoints read and write {"kind": "bert", "bert": {…}} with the encoder's fields
// inline, exactly as before BERT had its own package.
//
// Paper: LEMON (Wang et al., ICLR 2024), §5 (BERT-Small → BERT-Base, masked LM).
package bert

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Kind is the family's config kind; Scope holds its variables outside the encoder blocks.
//
//	bert/embeddings/{token,position,segment}   [V, D], [T, D], [S, D]
//	bert/embeddings/ln/{gain,offset}           [D]         (if EmbeddingLN)
//	bert/mlm/transform/{weights,biases}        [D, D], [D] (if MLMTransform)
//	bert/mlm/ln/{gain,offset}                  [D]         (if MLMTransform)
//	bert/mlm/decoder_bias                      [V]         (decoder weights are tied to embeddings/token)
//	bert/pooler/{weights,biases}               [D, D], [D] (if NumClasses > 0)
//	bert/classifier/{weights,biases}           [D, classes], [classes] (if NumClasses > 0)
const (
	Kind           arch.Kind = "bert"
	Scope                    = "bert"
	TokenEmbed               = Scope + "/embeddings/token"
	PosEmbed                 = Scope + "/embeddings/position"
	SegmentEmbed             = Scope + "/embeddings/segment"
	EmbedLN                  = Scope + "/embeddings/ln"
	MLMTransform             = Scope + "/mlm/transform"
	MLMLN                    = Scope + "/mlm/ln"
	MLMDecoderBias           = Scope + "/mlm/decoder_bias"
	Pooler                   = Scope + "/pooler"
	Classifier               = Scope + "/classifier"
)

var (
	_ arch.MaskedLM     = Config{}
	_ arch.Vocabulary   = Config{}
	_ arch.TiedDecoder  = Config{}
	_ arch.WidthLimited = Config{}
)

func init() {
	arch.MustRegister(arch.Family{
		Kind: Kind, Scope: Scope,
		Roles: map[string]arch.AxisRoles{
			TokenEmbed:     {In: arch.RoleFixed, Out: arch.RoleResidual}, // also the tied MLM decoder
			PosEmbed:       {In: arch.RoleFixed, Out: arch.RoleResidual},
			SegmentEmbed:   {In: arch.RoleFixed, Out: arch.RoleResidual},
			EmbedLN:        {In: arch.RoleResidual, Out: arch.RoleNormed, Norm: true},
			MLMTransform:   {In: arch.RoleTop, Out: arch.RoleMLMDense},
			MLMLN:          {In: arch.RoleMLMDense, Out: arch.RoleTied, Norm: true},
			MLMDecoderBias: {Out: arch.RoleFixed},
			Pooler:         {In: arch.RoleTop, Out: arch.RolePooled},
			Classifier:     {In: arch.RolePooled, Out: arch.RoleFixed},
		},
		Decode:  arch.DecodeAs[Config],
		Presets: arch.PresetMap(presets),
	})
}

// Config describes a BERT encoder with its masked-LM head and an optional classifier.
type Config struct {
	arch.Encoder
	VocabSize     int  `json:"vocab_size"`      // V
	MaxPositions  int  `json:"max_positions"`   // longest sequence T
	TypeVocabSize int  `json:"type_vocab_size"` // segment embeddings (2 in BERT)
	EmbeddingLN   bool `json:"embedding_ln"`    // LayerNorm after the embedding sum
	MLMTransform  bool `json:"mlm_transform"`   // dense+GELU+LN before the tied decoder
	NumClasses    int  `json:"num_classes"`     // pooler+classifier head if > 0
}

// New is an arch.Config holding c.
func New(c Config) arch.Config { return arch.Config{Kind: Kind, Other: c} }

// Of is the BERT config that cfg holds; ok is false when cfg holds another family.
func Of(cfg arch.Config) (c Config, ok bool) {
	c, ok = cfg.Other.(Config)
	return c, ok && cfg.Kind == Kind
}

// Enc is the shared encoder's sizes.
func (c Config) Enc() arch.Encoder { return c.Encoder }

// WithEncoder is c with another encoder (what expansion changes).
func (c Config) WithEncoder(e arch.Encoder) arch.FamilyConfig { c.Encoder = e; return c }

// WithVocab implements arch.Vocabulary: BERT's vocabulary is the corpus's.
func (c Config) WithVocab(size int) arch.FamilyConfig { c.VocabSize = size; return c }

// Validate returns an error listing every invalid field, or nil.
func (c Config) Validate() error {
	p := c.Encoder.Problems("bert.")
	for _, f := range []struct {
		name string
		v    int
	}{{"vocab_size", c.VocabSize}, {"max_positions", c.MaxPositions}, {"type_vocab_size", c.TypeVocabSize}} {
		if f.v <= 0 {
			p = append(p, fmt.Sprintf("bert.%s must be > 0, got %d", f.name, f.v))
		}
	}
	if c.NumClasses < 0 {
		p = append(p, fmt.Sprintf("bert.num_classes must be ≥ 0, got %d", c.NumClasses))
	}
	if len(p) == 0 {
		return nil
	}
	return fmt.Errorf("invalid BERT config: %s", strings.Join(p, "; "))
}

// Vars lists the variables of a BERT in model order. (The order fixes what arch.Init draws
// for each seed.)
func (c Config) Vars() []arch.VarSpec {
	d := c.Width
	vs := []arch.VarSpec{
		{Path: TokenEmbed, Shape: []int{c.VocabSize, d}, Init: arch.InitNormal},
		{Path: PosEmbed, Shape: []int{c.MaxPositions, d}, Init: arch.InitNormal},
		{Path: SegmentEmbed, Shape: []int{c.TypeVocabSize, d}, Init: arch.InitNormal},
	}
	if c.EmbeddingLN {
		vs = append(vs, arch.LayerNormVars(EmbedLN, d)...)
	}
	vs = append(vs, arch.EncoderVars(c.Encoder)...)
	if c.MLMTransform {
		vs = append(vs, arch.LinearVars(MLMTransform, d, d)...)
		vs = append(vs, arch.LayerNormVars(MLMLN, d)...)
	}
	vs = append(vs, arch.VarSpec{Path: MLMDecoderBias, Shape: []int{c.VocabSize}, Init: arch.InitZeros})
	if c.NumClasses > 0 {
		vs = append(vs, arch.LinearVars(Pooler, d, d)...)
		vs = append(vs, arch.LinearVars(Classifier, d, c.NumClasses)...)
	}
	return vs
}

// ParamsFloat is the parameter count from the sizes alone.
func (c Config) ParamsFloat() float64 {
	d := float64(c.Width)
	n := arch.EncoderParamsFloat(c.Encoder) + float64(c.VocabSize)*d + float64(c.MaxPositions)*d + float64(c.TypeVocabSize)*d + float64(c.VocabSize)
	if c.EmbeddingLN {
		n += 2 * d
	}
	if c.MLMTransform {
		n += d*d + d + 2*d
	}
	if c.NumClasses > 0 {
		n += d*d + d + d*float64(c.NumClasses) + float64(c.NumClasses)
	}
	return n
}

// MLMForwardFLOPs is the forward cost of one masked-LM sequence of T tokens with M predicted
// positions: the encoder, the optional transform 2·M·D², and the tied decoder 2·M·D·V.
func (c Config) MLMForwardFLOPs(tokens, masked int) float64 {
	m, d := float64(masked), float64(c.Width)
	f := arch.EncoderForwardFLOPs(c.Encoder, tokens) + 2*m*d*float64(c.VocabSize)
	if c.MLMTransform {
		f += 2 * m * d * d
	}
	return f
}

// ExampleTrainFLOPs is per sequence of min(128, MaxPositions) tokens with 15% masked.
func (c Config) ExampleTrainFLOPs() (float64, string) {
	t := min(128, c.MaxPositions)
	return arch.TrainFLOPs(c.MLMForwardFLOPs(t, (t*15+99)/100)), fmt.Sprintf("sequence of %d", t)
}

// Inputs are the graph inputs of a BERT forward pass.
type Inputs struct {
	TokenIDs   *Node // [B, T] int32
	SegmentIDs *Node // [B, T] int32, or nil for all-zero segments
	KeyMask    *Node // [B, T] 1 = real token, 0 = padding; nil when nothing is padded
}

// Encode returns the encoder output: [B, T, D] (after the final LN for Pre-LN).
func (c Config) Encode(scope *model.Scope, in Inputs) *Node {
	e, ids, g := c.Encoder, in.TokenIDs, in.TokenIDs.Graph()
	seq := ids.Shape().Dim(1)
	x := Add(arch.Embed(scope, e, TokenEmbed, ids), arch.LeadingRows(scope, e, PosEmbed, g, seq)) // [B, T, D]
	if in.SegmentIDs != nil {
		x = Add(x, arch.Embed(scope, e, SegmentEmbed, in.SegmentIDs))
	} else {
		x = Add(x, arch.LeadingRows(scope, e, SegmentEmbed, g, 1)) // segment 0 everywhere
	}
	if c.EmbeddingLN {
		x = arch.LayerNorm(scope, e, EmbedLN, x)
	}
	x = arch.Dropout(scope, e, x)
	return arch.Encode(scope, e, x, in.KeyMask)
}

// MLMLogits returns masked-LM logits at the given positions: positions [B, M] int32 →
// [B, M, V]. The decoder is tied to the token embedding.
func (c Config) MLMLogits(scope *model.Scope, in Inputs, positions *Node) *Node {
	return c.mlmHead(scope, c.Encode(scope, in), positions)
}

func (c Config) mlmHead(scope *model.Scope, x, positions *Node) *Node {
	e := c.Encoder
	batch, m := positions.Shape().Dim(0), positions.Shape().Dim(1)
	// Gather rows x[b, positions[b, j]]: indices [B, M, 2] over the (B, T) axes.
	batchIdx := Iota(x.Graph(), shapes.Make(dtypes.Int32, batch, m), 0)
	idx := Stack([]*Node{batchIdx, ConvertDType(positions, batchIdx.DType())}, -1)
	h := Gather(x, idx) // [B, M, D]
	if c.MLMTransform {
		h = arch.Linear(scope, e, MLMTransform, h)
		h = arch.Activation(scope, e, h)
		h = arch.LayerNorm(scope, e, MLMLN, h)
	}
	logits := arch.TiedLogits(scope, e, TokenEmbed, h) // [B, M, V]
	return Add(logits, ExpandLeftToRank(arch.Var(scope, x.Graph(), MLMDecoderBias), 3))
}

// ClassifierLogits returns sequence-classification logits from the pooled CLS token:
// tanh(x₀·W_p + b_p)·W_c + b_c → [B, classes]. It needs NumClasses > 0.
func (c Config) ClassifierLogits(scope *model.Scope, in Inputs) *Node {
	x := c.Encode(scope, in)
	pooled := Tanh(arch.Linear(scope, c.Encoder, Pooler, arch.FirstToken(x)))
	return arch.Linear(scope, c.Encoder, Classifier, pooled)
}

// Heads are the masked-LM logits at every position, and the classifier when there is one.
func (c Config) Heads() ([]arch.Head, error) {
	heads := []arch.Head{{Name: "mlm", Logits: func(s *model.Scope, in []*Node) *Node {
		ids := in[0]
		batch, seq := ids.Shape().Dim(0), ids.Shape().Dim(1)
		pos := Iota(ids.Graph(), shapes.Make(dtypes.Int32, batch, seq), 1)
		return c.MLMLogits(s, Inputs{TokenIDs: ids, SegmentIDs: in[1]}, pos)
	}}}
	if c.NumClasses > 0 {
		heads = append(heads, arch.Head{Name: "classifier", Logits: func(s *model.Scope, in []*Node) *Node {
			return c.ClassifierLogits(s, Inputs{TokenIDs: in[0], SegmentIDs: in[1]})
		}})
	}
	return heads, nil
}

// HeadInputs are the token and segment ids.
func (c Config) HeadInputs(in arch.Inputs) ([]any, error) {
	if in.Tokens == nil || in.Segments == nil {
		return nil, fmt.Errorf("bert: a BERT reads token and segment ids; the inputs lack them")
	}
	return []any{in.Tokens, in.Segments}, nil
}

// RandomInputs are uniform token ids and segments over sequences of min(16, MaxPositions).
func (c Config) RandomInputs(batch int, seed uint64) arch.Inputs {
	rng := rand.New(rand.NewPCG(seed, 0x1a7e5))
	seq := min(16, c.MaxPositions)
	tokens, segments := make([]int32, batch*seq), make([]int32, batch*seq)
	for i := range tokens {
		tokens[i] = int32(rng.IntN(c.VocabSize))
		segments[i] = int32(rng.IntN(c.TypeVocabSize))
	}
	return arch.Inputs{Tokens: tensors.FromFlatDataAndDimensions(tokens, batch, seq),
		Segments: tensors.FromFlatDataAndDimensions(segments, batch, seq)}
}

// IndivisibleWidthLimits (arch.WidthLimited): the MLM transform's GELU, and a Pre-LN
// embedding LayerNorm.
func (c Config) IndivisibleWidthLimits(norm arch.NormPlacement) []arch.WidthLimit {
	var out []arch.WidthLimit
	if c.MLMTransform {
		out = append(out, arch.WidthLimit{Reason: "the MLM transform (dense+GELU+LN) is lossless only for divisible width: GELU of the residue mean is not the mean of GELU",
			Alternative: "a source without the transform"})
	}
	if c.EmbeddingLN && norm == arch.PreLN {
		out = append(out, arch.WidthLimit{Reason: "a Pre-LN BERT with an embedding LayerNorm cannot be expanded losslessly to indivisible width: the LN outputs zero residue where the residual stream needs the mean, and dropping the LN changes the function",
			Alternative: "train the source with embedding_ln=false (as the Pre-LN presets do)"})
	}
	return out
}

// TiedDecoder (arch.TiedDecoder): the MLM decoder is tied to the token embedding; without
// the MLM transform it reads the final representation directly.
func (c Config) TiedDecoder() (present, readsTop bool) { return true, !c.MLMTransform }

// Paper-sized presets (LEMON, §5): heads of dim 64, MLP ×4, the 30,522-token uncased
// vocabulary. CPU presets are the same architecture at sizes that train in minutes on two
// cores, with compact vocabularies.
func bert(layers, width, heads, vocab, maxPos int, norm arch.NormPlacement) Config {
	return Config{
		Encoder: arch.Encoder{Layers: layers, Width: width, Heads: heads, HeadDim: width / heads,
			MLPDim: 4 * width, Norm: norm, LayerNormEps: 1e-12, DType: "float32"},
		VocabSize: vocab, MaxPositions: maxPos, TypeVocabSize: 2,
		EmbeddingLN: norm == arch.PostLN, MLMTransform: true,
	}
}

// cpu is a Pre-LN BERT without the MLM transform, so that it stays lossless under
// indivisible width expansion (docs/method.md#mlm-transform-and-embedding-layernorm).
func cpu(layers, width, heads, maxPos int) Config {
	c := bert(layers, width, heads, 8192, maxPos, arch.PreLN)
	c.MLMTransform = false
	return c
}

var presets = map[string]Config{
	"bert-6-384":   bert(6, 384, 6, 30522, 512, arch.PreLN),
	"bert-12-768":  bert(12, 768, 12, 30522, 512, arch.PreLN),
	"bert-24-1024": bert(24, 1024, 16, 30522, 512, arch.PreLN),
	// The original Post-LN BERT-base (embedding LN, MLM transform), for parameter counts.
	"bert-base-postln": bert(12, 768, 12, 30522, 512, arch.PostLN),
	// CPU presets: the vocabulary size is a placeholder, replaced by the compact
	// corpus vocabulary at training time (see data.Vocab.Restrict).
	"bert-cpu-2-64":  cpu(2, 64, 4, 64),
	"bert-cpu-4-128": cpu(4, 128, 4, 64),
	// The CPU study pair (examples/paper), heads of dim 16 as for ViT.
	"bert-cpu-2-32": cpu(2, 32, 2, 64),
	"bert-cpu-4-64": cpu(4, 64, 4, 64),
}

// Preset returns the named preset as an arch.Config.
func Preset(name string) (arch.Config, error) {
	c, err := PresetConfig(name)
	if err != nil {
		return arch.Config{}, err
	}
	return New(c), nil
}

// PresetConfig returns the named preset's BERT config.
func PresetConfig(name string) (Config, error) {
	c, ok := presets[name]
	if !ok {
		return Config{}, fmt.Errorf("unknown BERT preset %q; known: %s", name, strings.Join(PresetNames(), ", "))
	}
	return c, nil
}

// PresetNames lists the presets in sorted order.
func PresetNames() []string { return arch.SortedNames(presets) }

// From is the BERT config that cfg holds, or an error naming the kind it holds instead.
func From(cfg arch.Config) (Config, error) {
	c, ok := Of(cfg)
	if !ok {
		return Config{}, fmt.Errorf("bert: the config holds a %q model, not a BERT", cfg.Kind)
	}
	return c, nil
}

// MaskedLM (arch.MaskedLM): the vocabulary and the longest sequence.
func (c Config) MaskedLM() (vocab, maxPositions int) { return c.VocabSize, c.MaxPositions }

// MaskedLMLogits (arch.MaskedLM) are MLMLogits of tokens and segments [B, T] without padding.
func (c Config) MaskedLMLogits(scope *model.Scope, tokens, segments, positions *Node) *Node {
	return c.MLMLogits(scope, Inputs{TokenIDs: tokens, SegmentIDs: segments}, positions)
}
