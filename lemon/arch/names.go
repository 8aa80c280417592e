package arch

import "fmt"

// Variable naming scheme: the one place that says where every weight lives.
//
// All paths are absolute in the model.Store. Linear maps store weights as [in, out] (x·W + b).
//
//	encoder/block_NNN/ln1/{gain,offset}                [D]
//	encoder/block_NNN/attn/{query,key,value}/weights   [D, H·d]   (head h owns columns h·d … h·d+d−1)
//	encoder/block_NNN/attn/{query,key,value}/biases    [H·d]
//	encoder/block_NNN/attn/output/weights              [H·d, D]
//	encoder/block_NNN/attn/output/biases               [D]
//	encoder/block_NNN/ln2/{gain,offset}                [D]
//	encoder/block_NNN/mlp/fc1/{weights,biases}         [D, F], [F]
//	encoder/block_NNN/mlp/fc2/{weights,biases}         [F, D], [D]
//	encoder/final_ln/{gain,offset}                     [D]        (Pre-LN only)
//
// A family's variables outside the blocks live under its own scope ("vit/…", "bert/…",
// "gpt2/…"), named in its package. Block NNN is zero-padded to three digits, so lexical order is layer order.
const (
	ScopeEncoder = "encoder"

	LN1, LN2, FinalLN = "ln1", "ln2", "final_ln"
	Query, Key, Value = "attn/query", "attn/key", "attn/value"
	AttnOutput        = "attn/output"
	FC1, FC2          = "mlp/fc1", "mlp/fc2"
	Gate              = "mlp/gate" // SwiGLU's gate projection (fc1 is its "up", fc2 its "down")
	Weights, Biases   = "weights", "biases"
	Gain, Offset      = "gain", "offset"
	EncoderFinalLN    = ScopeEncoder + "/" + FinalLN
	blockFormat       = ScopeEncoder + "/block_%03d"
)

// Block returns the scope of block i (0-based): "encoder/block_007".
func Block(i int) string { return fmt.Sprintf(blockFormat, i) }

// InBlock returns the path of a sub-path inside block i: InBlock(2, Query, Weights) is
// "encoder/block_002/attn/query/weights".
func InBlock(i int, parts ...string) string { return Join(append([]string{Block(i)}, parts...)...) }

// Join joins path parts with "/".
func Join(parts ...string) string {
	s := ""
	for i, p := range parts {
		if i > 0 {
			s += "/"
		}
		s += p
	}
	return s
}

// Init says how a variable is initialised from scratch.
type InitKind int

const (
	InitNormal InitKind = iota // truncated normal, std 0.02 (BERT, ViT)
	InitZeros
	InitOnes
)

// VarSpec is one variable of a model: its path, shape and initialisation.
type VarSpec struct {
	Path  string
	Shape []int
	Init  InitKind
}

// Size is the number of scalars in the variable.
func (v VarSpec) Size() int {
	n := 1
	for _, d := range v.Shape {
		n *= d
	}
	return n
}

func linear(path string, in, out int) []VarSpec {
	return []VarSpec{{Join(path, Weights), []int{in, out}, InitNormal}, {Join(path, Biases), []int{out}, InitZeros}}
}

// blockLinear is a linear map inside a block: without its bias when the encoder has none.
func blockLinear(e Encoder, path string, in, out int) []VarSpec {
	vs := linear(path, in, out)
	if e.NoBias {
		return vs[:1]
	}
	return vs
}

// norm is a LayerNorm, or an RMSNorm (gain only).
func norm(e Encoder, path string, d int) []VarSpec {
	vs := layerNorm(path, d)
	if e.RMS() {
		return vs[:1]
	}
	return vs
}

func layerNorm(path string, d int) []VarSpec {
	return []VarSpec{{Join(path, Gain), []int{d}, InitOnes}, {Join(path, Offset), []int{d}, InitZeros}}
}

// EncoderVars lists the encoder's variables in a fixed order.
func EncoderVars(e Encoder) []VarSpec {
	var vs []VarSpec
	hd, kv := e.Heads*e.HeadDim, e.KV()*e.HeadDim
	for i := range e.Layers {
		b := Block(i)
		vs = append(vs, norm(e, Join(b, LN1), e.Width)...)
		vs = append(vs, blockLinear(e, Join(b, Query), e.Width, hd)...)
		vs = append(vs, blockLinear(e, Join(b, Key), e.Width, kv)...)
		vs = append(vs, blockLinear(e, Join(b, Value), e.Width, kv)...)
		vs = append(vs, blockLinear(e, Join(b, AttnOutput), hd, e.Width)...)
		vs = append(vs, norm(e, Join(b, LN2), e.Width)...)
		if e.SwiGLU() {
			vs = append(vs, blockLinear(e, Join(b, Gate), e.Width, e.MLPDim)...)
		}
		vs = append(vs, blockLinear(e, Join(b, FC1), e.Width, e.MLPDim)...)
		vs = append(vs, blockLinear(e, Join(b, FC2), e.MLPDim, e.Width)...)
	}
	if e.Norm == PreLN {
		vs = append(vs, norm(e, EncoderFinalLN, e.Width)...)
	}
	return vs
}

// Vars lists the variables of whichever model c holds.
func (c Config) Vars() []VarSpec {
	if f := c.family(); f != nil {
		return f.Vars()
	}
	return nil
}

// NumParams is the number of trainable scalars of the model.
func (c Config) NumParams() int {
	n := 0
	for _, v := range c.Vars() {
		n += v.Size()
	}
	return n
}

// IsModelPath reports whether an absolute store path lies in one of the model scopes
// (the encoder's and every registered family's), as opposed to optimizer or bookkeeping variables.
func IsModelPath(path string) bool {
	for _, s := range append([]string{ScopeEncoder}, familyScopes()...) {
		if len(path) > len(s)+1 && path[1:len(s)+2] == s+"/" {
			return true
		}
	}
	return false
}

// ParamsFloat is NumParams computed in float64 from the sizes alone, without listing the
// variables: it does not overflow or allocate for absurd sizes, so callers can refuse a model
// before building it.
func (c Config) ParamsFloat() float64 {
	if f := c.family(); f != nil {
		return f.ParamsFloat()
	}
	return 0
}

// LinearVars are the variables of a linear map at path: weights [in, out] and biases [out].
func LinearVars(path string, in, out int) []VarSpec { return linear(path, in, out) }

// LayerNormVars are the variables of a LayerNorm over d at path: gain and offset.
func LayerNormVars(path string, d int) []VarSpec { return layerNorm(path, d) }
