package arch

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
)

// NormPlacement says where a block's LayerNorms sit.
type NormPlacement int

const (
	// PreLN: x ← x + Attn(LN₁(x)); x ← x + MLP(LN₂(x)); a final LN follows the last block.
	PreLN NormPlacement = iota
	// PostLN (original BERT): x ← LN₁(x + Attn(x)); x ← LN₂(x + MLP(x)); no final LN.
	PostLN
)

// String implements fmt.Stringer.
func (n NormPlacement) String() string {
	switch n {
	case PreLN:
		return "pre"
	case PostLN:
		return "post"
	}
	return fmt.Sprintf("NormPlacement(%d)", int(n))
}

// MarshalText writes "pre" or "post".
func (n NormPlacement) MarshalText() ([]byte, error) {
	switch n {
	case PreLN, PostLN:
		return []byte(n.String()), nil
	}
	return nil, fmt.Errorf("arch: invalid NormPlacement %d", int(n))
}

// UnmarshalText reads "pre" or "post".
func (n *NormPlacement) UnmarshalText(b []byte) error {
	switch strings.ToLower(string(b)) {
	case "pre", "pre-ln", "preln":
		*n = PreLN
	case "post", "post-ln", "postln":
		*n = PostLN
	default:
		return fmt.Errorf("arch: norm placement %q: want \"pre\" or \"post\"", string(b))
	}
	return nil
}

// Encoder is the shape of the Transformer encoder shared by ViT and BERT.
//
// Width D need not equal Heads·HeadDim: head count and head dimension are expanded
// independently of the width.
type Encoder struct {
	Layers       int           `json:"layers"`         // L
	Width        int           `json:"width"`          // D, the residual stream
	Heads        int           `json:"heads"`          // H
	HeadDim      int           `json:"head_dim"`       // d; attention scores are scaled by 1/√d
	MLPDim       int           `json:"mlp_dim"`        // F, the MLP hidden size
	Norm         NormPlacement `json:"norm"`           // "pre" or "post"
	LayerNormEps float64       `json:"layer_norm_eps"` // ε of every LayerNorm (LEMON scales it by η²)
	Dropout      float64       `json:"dropout"`        // hidden dropout rate during training; off in eval
	DType        string        `json:"dtype"`          // "float32" (default) or "float64"
	// Causal masks attention to earlier positions (decoders): the query at position t reads
	// keys at positions ≤ t. It touches no weight, so every expansion rule holds unchanged.
	Causal bool `json:"causal,omitempty"`

	// LLaMA-style options (all omitted from JSON when unset, so encoder configs read and
	// write as before; docs/method.md#llama-style-layers-implemented):
	NormKind  string  `json:"norm_kind,omitempty"`  // "layernorm" (default) or "rmsnorm" (gain only, no mean, no offset)
	MLPKind   string  `json:"mlp_kind,omitempty"`   // "gelu" (default: fc2(GELU(fc1 x))) or "swiglu" (fc2(silu(gate x) ⊙ fc1 x))
	KVHeads   int     `json:"kv_heads,omitempty"`   // grouped-query attention: key/value heads (0: one per query head)
	RoPETheta float64 `json:"rope_theta,omitempty"` // rotary position embedding base θ on Q and K (0: none)
	NoBias    bool    `json:"no_bias,omitempty"`    // linear maps inside the blocks have no biases
	// Activation of the GELU MLP (and BERT's MLM transform): "gelu" (default, the exact erf
	// form, transformers' "gelu") or "gelu_tanh" (the tanh approximation OpenAI's GPT-2 uses,
	// transformers' "gelu_new" and "gelu_pytorch_tanh"). Expansion does not depend on it: every
	// method copies or splits hidden units, which holds for any elementwise activation.
	Activation string `json:"activation,omitempty"`
}

// Norm and MLP kinds.
const (
	LayerNormKind = "layernorm"
	RMSNormKind   = "rmsnorm"
	GELUMLP       = "gelu"
	SwiGLUMLP     = "swiglu"
	GELUExact     = "gelu"      // Activation: x·Φ(x), erf
	GELUTanh      = "gelu_tanh" // Activation: x·(1 + tanh(√(2/π)·(x + 0.044715x³)))/2
)

// TanhGELU reports whether the GELU is the tanh approximation.
func (e Encoder) TanhGELU() bool { return e.Activation == GELUTanh }

// RMS reports whether the encoder's norms are RMSNorms.
func (e Encoder) RMS() bool { return e.NormKind == RMSNormKind }

// SwiGLU reports whether the MLP is gated (SwiGLU).
func (e Encoder) SwiGLU() bool { return e.MLPKind == SwiGLUMLP }

// KV is the number of key/value heads (Heads unless grouped-query attention).
func (e Encoder) KV() int {
	if e.KVHeads > 0 {
		return e.KVHeads
	}
	return e.Heads
}

// Problems lists every invalid field of e, each prefixed by prefix (e.g. "toy.").
func (e Encoder) Problems(prefix string) []string { return e.problems(prefix) }

// problems lists every invalid field of e, prefixed by prefix.
func (e Encoder) problems(prefix string) []string {
	var p []string
	positive := func(name string, v int) {
		if v <= 0 {
			p = append(p, fmt.Sprintf("%s%s must be > 0, got %d", prefix, name, v))
		}
	}
	positive("layers", e.Layers)
	positive("width", e.Width)
	positive("heads", e.Heads)
	positive("head_dim", e.HeadDim)
	positive("mlp_dim", e.MLPDim)
	if e.Norm != PreLN && e.Norm != PostLN {
		p = append(p, fmt.Sprintf("%snorm must be \"pre\" or \"post\", got %d", prefix, int(e.Norm)))
	}
	if !(e.LayerNormEps > 0) {
		p = append(p, fmt.Sprintf("%slayer_norm_eps must be > 0, got %g", prefix, e.LayerNormEps))
	}
	if e.Dropout < 0 || e.Dropout >= 1 {
		p = append(p, fmt.Sprintf("%sdropout must be in [0, 1), got %g", prefix, e.Dropout))
	}
	switch e.DType {
	case "", "float32", "float64":
	default:
		p = append(p, fmt.Sprintf("%sdtype must be \"float32\" or \"float64\", got %q", prefix, e.DType))
	}
	switch e.NormKind {
	case "", LayerNormKind:
	case RMSNormKind:
		if e.Norm != PreLN {
			p = append(p, fmt.Sprintf("%snorm_kind rmsnorm needs norm \"pre\" (Post-LN RMSNorm is not supported)", prefix))
		}
	default:
		p = append(p, fmt.Sprintf("%snorm_kind must be \"layernorm\" or \"rmsnorm\", got %q", prefix, e.NormKind))
	}
	switch e.MLPKind {
	case "", GELUMLP, SwiGLUMLP:
	default:
		p = append(p, fmt.Sprintf("%smlp_kind must be \"gelu\" or \"swiglu\", got %q", prefix, e.MLPKind))
	}
	switch e.Activation {
	case "", GELUExact:
	case GELUTanh:
		if e.SwiGLU() {
			p = append(p, fmt.Sprintf("%sactivation %q applies to the GELU MLP; a SwiGLU MLP uses SiLU (leave activation empty)", prefix, e.Activation))
		}
	default:
		p = append(p, fmt.Sprintf("%sactivation must be \"gelu\" (exact) or \"gelu_tanh\" (tanh approximation), got %q", prefix, e.Activation))
	}
	if e.KVHeads < 0 || (e.KVHeads > 0 && e.Heads > 0 && e.Heads%e.KVHeads != 0) {
		p = append(p, fmt.Sprintf("%skv_heads %d must divide heads %d (each key/value head serves a group of query heads)", prefix, e.KVHeads, e.Heads))
	}
	if !(e.RoPETheta >= 0) || math.IsInf(e.RoPETheta, 0) || (e.RoPETheta > 0 && e.RoPETheta <= 1) {
		p = append(p, fmt.Sprintf("%srope_theta must be 0 (no RoPE) or a finite base > 1, got %g", prefix, e.RoPETheta))
	}
	if e.RoPETheta > 0 && e.HeadDim%2 != 0 {
		p = append(p, fmt.Sprintf("%shead_dim %d must be even for RoPE (it rotates pairs of dimensions)", prefix, e.HeadDim))
	}
	return p
}

// Kind names a model family in a checkpoint's config file.
type Kind string

// Config is what a checkpoint carries: a registered family's kind and its config. It reads
// and writes as {"kind": <kind>, "<kind>": {…}} (MarshalJSON).
type Config struct {
	Kind Kind `json:"kind"`
	// Other holds the config of the registered family (Register) whose kind it is: a
	// vit.Config, bert.Config, gpt2.Config, … (each family's Of unwraps it).
	Other FamilyConfig `json:"-"`
}

// Enc returns the encoder part of whichever model c holds.
func (c Config) Enc() Encoder {
	if f := c.family(); f != nil {
		return f.Enc()
	}
	return Encoder{}
}

// WithEncoder is a copy of c with encoder e (the model's other settings kept).
func (c Config) WithEncoder(e Encoder) Config {
	f := c.family()
	if f == nil {
		return Config{Kind: c.Kind}
	}
	return c.withFamily(f.WithEncoder(e))
}

// Describe is the encoder's sizes in one line, e.g. "L=2 D=32 H=2 d=16 F=128 (pre-LN)".
func (e Encoder) Describe() string {
	var extra string
	if e.Causal {
		extra += ", causal"
	}
	if e.RMS() {
		extra += ", RMSNorm"
	}
	if e.SwiGLU() {
		extra += ", SwiGLU"
	}
	if e.KVHeads > 0 && e.KVHeads != e.Heads {
		extra += fmt.Sprintf(", %d KV heads", e.KVHeads)
	}
	if e.RoPETheta > 0 {
		extra += fmt.Sprintf(", RoPE θ=%g", e.RoPETheta)
	}
	if e.NoBias {
		extra += ", no bias"
	}
	return fmt.Sprintf("L=%d D=%d H=%d d=%d F=%d (%s-LN%s)", e.Layers, e.Width, e.Heads, e.HeadDim, e.MLPDim, e.Norm, extra)
}

// Describe is the model's kind and sizes in one line, e.g. "vit L=2 D=32 H=2 d=16 F=128 (pre-LN)".
func (c Config) Describe() string { return string(c.Kind) + " " + c.Enc().Describe() }

// Validate checks that c holds a registered family's config and that it is valid.
func (c Config) Validate() error {
	if _, registered := family(c.Kind); !registered {
		return fmt.Errorf("invalid model config: kind %q is not a registered family (registered: %v)", c.Kind, Kinds())
	}
	if c.Other == nil {
		return fmt.Errorf("invalid model config: kind %q needs its %q section", c.Kind, c.Kind)
	}
	return c.Other.Validate()
}

// ParseConfig decodes and validates a JSON config; unknown fields are errors.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("parse model config: %w", err)
	}
	return c, c.Validate()
}

// LoadConfig reads and validates a config JSON file.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("load model config: %w", err)
	}
	c, err := ParseConfig(data)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// MarshalIndent returns c as indented JSON.
func (c Config) MarshalIndent() ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return json.MarshalIndent(c, "", "  ")
}
