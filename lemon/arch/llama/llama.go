// Package llama is the LLaMA-style decoder language model: a token embedding, Pre-norm
// blocks of the shared encoder with RMSNorm (explicit ε), causal grouped-query attention
// (n_kv_heads key/value heads, each serving a group of query heads) with rotary position
// embeddings (RoPE, base θ, rotate-half pairing), a SwiGLU MLP and no biases, a final RMSNorm
// and an LM head, untied (lm_head) or tied to the embedding — the layer structure of
// transformers' LlamaForCausalLM (models/llama/modeling_llama.py). It is a registered family
// (arch.Register): every expansion method, verification, checkpoints, the runner's causal-LM
// task and the study reach it through arch.FamilyConfig. The expansion rules for its layers
// are derived in docs/method.md#llama-style-layers-implemented.
package llama

import (
	"fmt"
	"strings"

	"github.com/golemon/golemon/lemon/arch"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/ml/model"
)

// Kind is the family's config kind; Scope holds its variables outside the encoder blocks.
const (
	Kind       arch.Kind = "llama"
	Scope                = "llama"
	TokenEmbed           = Scope + "/embed"   // [V, D] (embed_tokens)
	LMHead               = Scope + "/lm_head" // weights [D, V], absent when tied
)

func init() {
	arch.MustRegister(arch.Family{
		Kind: Kind, Scope: Scope,
		Roles: map[string]arch.AxisRoles{
			TokenEmbed: {In: arch.RoleFixed, Out: arch.RoleResidual},
			LMHead:     {In: arch.RoleTop, Out: arch.RoleFixed},
		},
		Decode:  arch.DecodeAs[Config],
		Presets: arch.PresetMap(presets),
	})
}

// Config is a LLaMA-style decoder. Its encoder must be Pre-norm and causal, with RMSNorm and
// SwiGLU; key/value heads, biases and RoPE are free (rope_theta 0 is a "NoPE" decoder, whose
// only position signal is the causal mask; every preset has RoPE).
type Config struct {
	Encoder       arch.Encoder `json:"encoder"`
	VocabSize     int          `json:"vocab_size"`
	MaxPositions  int          `json:"max_positions"`  // the longest sequence (max_position_embeddings)
	TieEmbeddings bool         `json:"tie_embeddings"` // the LM head is the token embedding
}

// New is an arch.Config holding c.
func New(c Config) arch.Config { return arch.Config{Kind: Kind, Other: c} }

// Enc is the shared encoder's sizes.
func (c Config) Enc() arch.Encoder { return c.Encoder }

// WithEncoder is c with another encoder (what expansion changes).
func (c Config) WithEncoder(e arch.Encoder) arch.FamilyConfig { c.Encoder = e; return c }

// WithVocab is c with another vocabulary size (arch.Vocabulary).
func (c Config) WithVocab(size int) arch.FamilyConfig { c.VocabSize = size; return c }

// Validate lists every invalid field.
func (c Config) Validate() error {
	e := c.Encoder
	p := e.Problems("llama.encoder.")
	for _, r := range []struct {
		ok   bool
		what string
	}{
		{e.Norm == arch.PreLN, "norm must be \"pre\""},
		{e.Causal, "causal must be true (a decoder LM attends to earlier positions only)"},
		{e.RMS(), "norm_kind must be \"rmsnorm\""},
		{e.SwiGLU(), "mlp_kind must be \"swiglu\""},
	} {
		if !r.ok {
			p = append(p, "llama.encoder."+r.what)
		}
	}
	if c.VocabSize < 2 {
		p = append(p, fmt.Sprintf("llama.vocab_size must be ≥ 2, got %d", c.VocabSize))
	}
	if c.MaxPositions < 2 {
		p = append(p, fmt.Sprintf("llama.max_positions must be ≥ 2, got %d", c.MaxPositions))
	}
	if len(p) > 0 {
		return fmt.Errorf("invalid LLaMA config: %s", strings.Join(p, "; "))
	}
	return nil
}

// Vars lists every variable in model order: embedding, blocks, final norm, LM head.
func (c Config) Vars() []arch.VarSpec {
	d := c.Encoder.Width
	vs := []arch.VarSpec{{Path: TokenEmbed, Shape: []int{c.VocabSize, d}, Init: arch.InitNormal}}
	vs = append(vs, arch.EncoderVars(c.Encoder)...)
	if !c.TieEmbeddings {
		vs = append(vs, arch.VarSpec{Path: arch.Join(LMHead, arch.Weights), Shape: []int{d, c.VocabSize}, Init: arch.InitNormal})
	}
	return vs
}

// ParamsFloat is the parameter count from the sizes alone.
func (c Config) ParamsFloat() float64 {
	d, v := float64(c.Encoder.Width), float64(c.VocabSize)
	n := v*d + arch.EncoderParamsFloat(c.Encoder)
	if !c.TieEmbeddings {
		n += d * v
	}
	return n
}

// LMLogits are next-token logits at every position: ids [B, T] int32 → [B, T, V].
func (c Config) LMLogits(s *model.Scope, ids *Node) *Node {
	e := c.Encoder
	h := arch.Encode(s, e, arch.Embed(s, e, TokenEmbed, ids), nil)
	if c.TieEmbeddings {
		return arch.TiedLogits(s, e, TokenEmbed, h)
	}
	return arch.Project(s, e, LMHead, h)
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
	return arch.RandomTokens(batch, c.VocabSize, c.MaxPositions, seed, 0x11a3a)
}

// ForwardFLOPs is the forward cost of a sequence of t tokens (arch.LMForwardFLOPs).
func (c Config) ForwardFLOPs(t int) float64 { return arch.LMForwardFLOPs(c.Encoder, t, c.VocabSize) }

// ExampleTrainFLOPs is per sequence of min(2048, MaxPositions) tokens.
func (c Config) ExampleTrainFLOPs() (float64, string) {
	return arch.LMExampleTrainFLOPs(c.Encoder, 2048, c.VocabSize, c.MaxPositions)
}

// TiedDecoder: a tied LM head reads the final RMSNorm's output directly (arch.TiedDecoder).
func (c Config) TiedDecoder() (present, readsTop bool) { return c.TieEmbeddings, c.TieEmbeddings }

// CausalLM marks the family as a next-token model (runner.NewCausalLMTask).
func (c Config) CausalLM() (vocab, maxPositions int) { return c.VocabSize, c.MaxPositions }

func llama(layers, width, heads, kv, mlp, vocab, positions int, theta, eps float64, tied bool) Config {
	return Config{
		Encoder: arch.Encoder{Layers: layers, Width: width, Heads: heads, HeadDim: width / heads, MLPDim: mlp,
			Norm: arch.PreLN, LayerNormEps: eps, DType: "float32", Causal: true,
			NormKind: arch.RMSNormKind, MLPKind: arch.SwiGLUMLP, KVHeads: kv, RoPETheta: theta, NoBias: true},
		VocabSize: vocab, MaxPositions: positions, TieEmbeddings: tied,
	}
}

// presets: published LLaMA-family sizes (for parameter counts and planning) and CPU sizes
// whose vocabulary is a placeholder replaced by the corpus's at training time.
var presets = map[string]Config{
	"tinyllama-1.1b": llama(22, 2048, 32, 4, 5632, 32000, 2048, 10000, 1e-5, false),
	"llama2-7b":      llama(32, 4096, 32, 32, 11008, 32000, 4096, 10000, 1e-5, false),
	"llama3-8b":      llama(32, 4096, 32, 8, 14336, 128256, 8192, 500000, 1e-5, false),
	"llama-cpu-2-32": llama(2, 32, 4, 2, 96, 8192, 64, 10000, 1e-5, false),
	"llama-cpu-4-64": llama(4, 64, 8, 4, 192, 8192, 64, 10000, 1e-5, false),
}

// Preset returns the named preset as an arch.Config.
func Preset(name string) (arch.Config, error) {
	c, ok := presets[name]
	if !ok {
		return arch.Config{}, fmt.Errorf("unknown LLaMA preset %q; known: %s", name, strings.Join(PresetNames(), ", "))
	}
	return New(c), nil
}

// PresetNames lists the presets in sorted order.
func PresetNames() []string { return arch.SortedNames(presets) }
