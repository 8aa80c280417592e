// Package gpt2 is the GPT-2 style decoder language model: learned token and position
// embeddings, Pre-LN blocks of the shared encoder with causal attention, a final LayerNorm and
// an LM head tied to the token embedding (logits = LN_f(x)·Eᵀ, no bias), as in OpenAI's GPT-2
// and transformers' GPT2LMHeadModel (models/gpt2/modeling_gpt2.py). It is a registered
// family (arch.Register), so every expansion method, verification and checkpoints reach it
// through arch.FamilyConfig; import it for its side effect or use New and Preset.
//
// The MLP's GELU is the encoder's Activation: OpenAI's four published sizes (gpt2-small …
// gpt2-xl) use the tanh approximation, as OpenAI's GPT-2 and transformers' "gelu_new" do, so
// their checkpoints compute the same function here; the CPU presets use the exact (erf) GELU
// (the decoder study was defined with it). Expansion does not depend on which (every method
// copies or splits hidden units, which commutes with any elementwise activation); the decoder
// derivations are in docs/method.md#decoders.
package gpt2

import (
	"fmt"
	"strings"

	"github.com/golemon/golemon/lemon/arch"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/ml/model"
)

// Kind is the family's config kind; Scope holds its variables outside the encoder blocks.
const (
	Kind       arch.Kind = "gpt2"
	Scope                = "gpt2"
	TokenEmbed           = Scope + "/wte" // [V, D], also the tied LM head
	PosEmbed             = Scope + "/wpe" // [MaxPositions, D]
)

func init() {
	arch.MustRegister(arch.Family{
		Kind: Kind, Scope: Scope,
		Roles: map[string]arch.AxisRoles{
			TokenEmbed: {In: arch.RoleFixed, Out: arch.RoleResidual},
			PosEmbed:   {In: arch.RoleFixed, Out: arch.RoleResidual},
		},
		Decode:  arch.DecodeAs[Config],
		Presets: arch.PresetMap(presets),
	})
}

// Config is a GPT-2 style decoder. Its encoder must be Pre-LN and causal.
type Config struct {
	Encoder      arch.Encoder `json:"encoder"`
	VocabSize    int          `json:"vocab_size"`    // V
	MaxPositions int          `json:"max_positions"` // the longest sequence (n_positions)
}

// New is an arch.Config holding c.
func New(c Config) arch.Config { return arch.Config{Kind: Kind, Other: c} }

// Enc is the shared encoder's sizes.
func (c Config) Enc() arch.Encoder { return c.Encoder }

// WithEncoder is c with another encoder (what expansion changes).
func (c Config) WithEncoder(e arch.Encoder) arch.FamilyConfig { c.Encoder = e; return c }

// Validate lists every invalid field.
func (c Config) Validate() error {
	p := c.Encoder.Problems("gpt2.encoder.")
	if c.Encoder.Norm != arch.PreLN {
		p = append(p, "gpt2.encoder.norm must be \"pre\" (GPT-2 is Pre-LN; Post-LN decoders are not supported)")
	}
	if !c.Encoder.Causal {
		p = append(p, "gpt2.encoder.causal must be true (a decoder LM attends to earlier positions only)")
	}
	if c.VocabSize < 2 {
		p = append(p, fmt.Sprintf("gpt2.vocab_size must be ≥ 2, got %d", c.VocabSize))
	}
	if c.MaxPositions < 2 {
		p = append(p, fmt.Sprintf("gpt2.max_positions must be ≥ 2, got %d", c.MaxPositions))
	}
	if len(p) > 0 {
		return fmt.Errorf("invalid GPT-2 config: %s", strings.Join(p, "; "))
	}
	return nil
}

// Vars lists every variable in model order: embeddings, blocks, final LN.
func (c Config) Vars() []arch.VarSpec {
	d := c.Encoder.Width
	vs := []arch.VarSpec{
		{Path: TokenEmbed, Shape: []int{c.VocabSize, d}, Init: arch.InitNormal},
		{Path: PosEmbed, Shape: []int{c.MaxPositions, d}, Init: arch.InitNormal},
	}
	return append(vs, arch.EncoderVars(c.Encoder)...)
}

// ParamsFloat is the parameter count from the sizes alone (the tied head counts once).
func (c Config) ParamsFloat() float64 {
	return float64(c.VocabSize+c.MaxPositions)*float64(c.Encoder.Width) + arch.EncoderParamsFloat(c.Encoder)
}

// LMLogits are next-token logits at every position: ids [B, T] int32 → [B, T, V].
func (c Config) LMLogits(s *model.Scope, ids *Node) *Node {
	e := c.Encoder
	x := Add(arch.Embed(s, e, TokenEmbed, ids), arch.LeadingRows(s, e, PosEmbed, ids.Graph(), ids.Shape().Dim(1)))
	return arch.TiedLogits(s, e, TokenEmbed, arch.Encode(s, e, x, nil))
}

// Heads is the LM head at every position.
func (c Config) Heads() ([]arch.Head, error) {
	return []arch.Head{{Name: "lm", Logits: func(s *model.Scope, in []*Node) *Node { return c.LMLogits(s, in[0]) }}}, nil
}

// HeadInputs are the token ids.
func (c Config) HeadInputs(in arch.Inputs) ([]any, error) {
	return arch.TokenHeadInputs(Kind, in, c.MaxPositions)
}

// RandomInputs are uniform token ids over sequences of min(16, MaxPositions).
func (c Config) RandomInputs(batch int, seed uint64) arch.Inputs {
	return arch.RandomTokens(batch, c.VocabSize, c.MaxPositions, seed, 0x9e72)
}

// ForwardFLOPs is the forward cost of a sequence of t tokens (arch.LMForwardFLOPs).
func (c Config) ForwardFLOPs(t int) float64 { return arch.LMForwardFLOPs(c.Encoder, t, c.VocabSize) }

// ExampleTrainFLOPs is per sequence of min(1024, MaxPositions) tokens.
func (c Config) ExampleTrainFLOPs() (float64, string) {
	return arch.LMExampleTrainFLOPs(c.Encoder, 1024, c.VocabSize, c.MaxPositions)
}

// TiedDecoder: the LM head is the token embedding and reads the final LayerNorm's output
// directly (arch.TiedDecoder), so expansion scales that LayerNorm by 1/k as for a BERT
// without the MLM transform.
func (c Config) TiedDecoder() (present, readsTop bool) { return true, true }

// WithVocab is c with another vocabulary size (arch.Vocabulary): the corpus's.
func (c Config) WithVocab(size int) arch.FamilyConfig { c.VocabSize = size; return c }

// CausalLM marks the family as a next-token model (runner.NewCausalLMTask).
func (c Config) CausalLM() (vocab, maxPositions int) { return c.VocabSize, c.MaxPositions }

func gpt2(layers, width, heads, vocab, positions int) Config {
	return Config{
		Encoder: arch.Encoder{Layers: layers, Width: width, Heads: heads, HeadDim: width / heads, MLPDim: 4 * width,
			Norm: arch.PreLN, LayerNormEps: 1e-5, DType: "float32", Causal: true},
		VocabSize: vocab, MaxPositions: positions,
	}
}

// openAI is a published GPT-2 size: the tanh GELU ("gelu_new") of OpenAI's checkpoints.
func openAI(layers, width, heads int) Config {
	c := gpt2(layers, width, heads, 50257, 1024)
	c.Encoder.Activation = arch.GELUTanh
	return c
}

// presets: OpenAI's four GPT-2 sizes (vocabulary 50,257, 1,024 positions, ε = 1e-5, tanh GELU), and CPU
// sizes whose vocabulary is a placeholder replaced by the corpus's compact vocabulary at
// training time, with heads of dim 16 as the encoder study pairs.
var presets = map[string]Config{
	"gpt2-small":    openAI(12, 768, 12),
	"gpt2-medium":   openAI(24, 1024, 16),
	"gpt2-large":    openAI(36, 1280, 20),
	"gpt2-xl":       openAI(48, 1600, 25),
	"gpt2-cpu-2-32": gpt2(2, 32, 2, 8192, 64),
	"gpt2-cpu-4-64": gpt2(4, 64, 4, 8192, 64),
}

// Preset returns the named preset as an arch.Config.
func Preset(name string) (arch.Config, error) {
	c, ok := presets[name]
	if !ok {
		return arch.Config{}, fmt.Errorf("unknown GPT-2 preset %q; known: %s", name, strings.Join(PresetNames(), ", "))
	}
	return New(c), nil
}

// PresetNames lists the presets in sorted order.
func PresetNames() []string { return arch.SortedNames(presets) }
