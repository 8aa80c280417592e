package arch

// Dimension letters used in shape comments of this package:
//
//	B batch, T tokens, D width (residual stream), H heads, K head dim (d in the paper),
//	F MLP hidden size, V vocabulary, C classes, M masked positions per sequence.

import (
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/support/exceptions"
)

// builder reads a model's variables by their documented paths while a graph is built.
type builder struct {
	scope *model.Scope
	g     *Graph
	enc   Encoder
}

func newBuilder(scope *model.Scope, g *Graph, enc Encoder) *builder {
	return &builder{scope: scope, g: g, enc: enc}
}

// v returns the value of the variable at path; a missing variable is a programmer error.
func (b *builder) v(path string) *Node {
	variable := b.scope.Store().GetVariable(path)
	if variable == nil {
		exceptions.Panicf("arch: variable %q missing from the store (was the model initialised with arch.Init or loaded from a checkpoint?)", path)
	}
	return variable.NodeValue(b.g)
}

// linear applies x·W + b over the last axis: x: [..., in] → [..., out].
func (b *builder) linear(path string, x *Node) *Node {
	return linearOp(x, b.v(Join(path, Weights)), b.v(Join(path, Biases)))
}

// blockLinear is linear inside a block, x·W when the encoder has no biases.
func (b *builder) blockLinear(path string, x *Node) *Node {
	if b.enc.NoBias {
		return DotGeneral(x, []int{x.Rank() - 1}, nil, b.v(Join(path, Weights)), []int{0}, nil)
	}
	return b.linear(path, x)
}

// norm is the encoder's norm: LayerNorm, or RMSNorm y = x / √(mean(x²) + ε) · gain.
func (b *builder) norm(path string, x *Node) *Node {
	if !b.enc.RMS() {
		return b.layerNorm(path, x)
	}
	ms := ReduceAndKeep(Square(x), ReduceMean, -1)
	return Mul(Div(x, Sqrt(AddScalar(ms, b.enc.LayerNormEps))), ExpandLeftToRank(b.v(Join(path, Gain)), x.Rank()))
}

// layerNorm normalises the last axis with the biased variance and the config's ε:
// y = (x − mean) / √(var + ε) · gain + offset.
func (b *builder) layerNorm(path string, x *Node) *Node {
	return layerNormOp(x, b.v(Join(path, Gain)), b.v(Join(path, Offset)), b.enc.LayerNormEps)
}

// training reports whether the graph being built is a training graph.
func (b *builder) training() bool { return b.scope.IsTraining(b.g) }

// dropout is the identity unless the graph trains and the rate is positive.
func (b *builder) dropout(x *Node) *Node {
	return layers.DropoutStatic(b.scope, x, b.enc.Dropout)
}

// attention is multi-head self-attention with scores scaled by 1/√K.
// x: [B, T, D], keyMask: [B, T] (1 = attend, 0 = padding) or nil → [B, T, D].
func (b *builder) attention(block string, x, keyMask *Node) *Node {
	batch, seq := x.Shape().Dim(0), x.Shape().Dim(1)
	heads, kvHeads, hd := b.enc.Heads, b.enc.KV(), b.enc.HeadDim
	split := func(p string, n int) *Node { // [B, T, n·K] → [B, T, n, K]
		return Reshape(b.blockLinear(Join(block, p), x), batch, seq, n, hd)
	}
	q, k, v := split(Query, heads), split(Key, kvHeads), split(Value, kvHeads)
	if b.enc.RoPETheta > 0 {
		q, k = rope(q, b.enc.RoPETheta), rope(k, b.enc.RoPETheta)
	}
	if g := heads / kvHeads; g > 1 { // query head h reads key/value head ⌊h/g⌋
		k, v = repeatHeads(k, g), repeatHeads(v, g)
	}
	var penalty *Node
	if keyMask != nil {
		// Padding keys get a large negative score: exp underflows to exactly 0.
		penalty = MulScalar(OneMinus(ConvertDType(keyMask, x.DType())), -1e9)
		penalty = Reshape(penalty, batch, 1, 1, seq)
	}
	if b.enc.Causal {
		// A decoder's query at position t reads the keys at positions ≤ t only.
		c := causalPenalty(x.Graph(), seq, x.DType())
		if penalty == nil {
			penalty = c
		} else {
			penalty = Add(penalty, c)
		}
	}
	ctx := attend(q, k, v, penalty, 1/math.Sqrt(float64(hd))) // [B, T, H, K]
	ctx = Reshape(ctx, batch, seq, heads*hd)
	return b.blockLinear(Join(block, AttnOutput), ctx)
}

// repeatHeads gives each of x's key/value heads to g consecutive query heads:
// [B, T, KV, K] → [B, T, KV·g, K], head h = kv·g + j holding kv (transformers' repeat_kv).
func repeatHeads(x *Node, g int) *Node {
	d := x.Shape().Dimensions
	return Reshape(BroadcastToDims(InsertAxes(x, 3), d[0], d[1], d[2], g, d[3]), d[0], d[1], d[2]*g, d[3])
}

// rope rotates each head's dimension pairs (i, i + K/2) by the angle t·θ^(−2i/K) at position
// t (the rotate-half convention of transformers' LLaMA): x [B, T, H, K] → [B, T, H, K].
func rope(x *Node, theta float64) *Node {
	seq, k := x.Shape().Dim(1), x.Shape().Dim(3)
	half := k / 2
	cos, sin := make([]float64, seq*k), make([]float64, seq*k)
	for t := range seq {
		for i := range half {
			a := float64(t) * math.Pow(theta, -2*float64(i)/float64(k))
			c, s := math.Cos(a), math.Sin(a)
			cos[t*k+i], cos[t*k+i+half] = c, c
			sin[t*k+i], sin[t*k+i+half] = s, s
		}
	}
	table := func(v []float64) *Node {
		return Reshape(ConvertDType(Const(x.Graph(), v), x.DType()), 1, seq, 1, k)
	}
	lo, hi := Slice(x, AxisRange(), AxisRange(), AxisRange(), AxisRange(0, half)), Slice(x, AxisRange(), AxisRange(), AxisRange(), AxisRange(half, k))
	rotated := Concatenate([]*Node{Neg(hi), lo}, -1)
	return Add(Mul(x, table(cos)), Mul(rotated, table(sin)))
}

// causalPenalty is −1e9 where the key comes after the query, 0 elsewhere: [1, 1, T, T].
func causalPenalty(g *Graph, seq int, dt dtypes.DType) *Node {
	pos := shapes.Make(dtypes.Int32, seq, seq)
	future := GreaterThan(Iota(g, pos, 1), Iota(g, pos, 0)) // [query, key]: key > query
	return Reshape(MulScalar(ConvertDType(future, dt), -1e9), 1, 1, seq, seq)
}

// mlp is fc2(GELU(fc1(x))) with the encoder's GELU (exact unless Activation says tanh), or
// SwiGLU: [B, T, D] → [B, T, D].
func (b *builder) mlp(block string, x *Node) *Node {
	if b.enc.SwiGLU() { // down(silu(gate x) ⊙ up x)
		g := b.blockLinear(Join(block, Gate), x)
		return b.blockLinear(Join(block, FC2), Mul(Mul(g, Sigmoid(g)), b.blockLinear(Join(block, FC1), x)))
	}
	return b.blockLinear(Join(block, FC2), activationOf(b.enc)(b.blockLinear(Join(block, FC1), x), b.training()))
}

// encode runs every block (and the final LN for Pre-LN): x: [B, T, D] → [B, T, D].
func (b *builder) encode(x, keyMask *Node) *Node {
	for i := range b.enc.Layers {
		blk := Block(i)
		switch b.enc.Norm {
		case PreLN:
			x = Add(x, b.dropout(b.attention(blk, b.norm(Join(blk, LN1), x), keyMask)))
			x = Add(x, b.dropout(b.mlp(blk, b.norm(Join(blk, LN2), x))))
		case PostLN:
			x = b.layerNorm(Join(blk, LN1), Add(x, b.dropout(b.attention(blk, x, keyMask))))
			x = b.layerNorm(Join(blk, LN2), Add(x, b.dropout(b.mlp(blk, x))))
		default:
			exceptions.Panicf("arch: unknown norm placement %d", int(b.enc.Norm))
		}
	}
	if b.enc.Norm == PreLN {
		x = b.norm(EncoderFinalLN, x)
	}
	return x
}

// firstToken returns x[:, 0, :] as a one-hot contraction (differentiable on every backend):
// [B, T, D] → [B, D].
func firstToken(x *Node) *Node {
	seq := x.Shape().Dim(1)
	pick := OneHot(Const(x.Graph(), []int32{0}), seq, x.DType()) // [1, T]
	return Einsum("bsd,s->bd", x, Reshape(pick, seq))
}

// DTypeOf returns the dtype named by an encoder config ("" means float32).
func DTypeOf(e Encoder) dtypes.DType {
	if e.DType == "float64" {
		return dtypes.Float64
	}
	return dtypes.Float32
}

// Encode runs the shared encoder of e (its blocks and, Pre-LN, the final LayerNorm) over x
// [B, T, D] with the weights in scope's store: what a family's forward builds on. keyMask
// ([B, T], 1 = attend) may be nil.
func Encode(scope *model.Scope, e Encoder, x, keyMask *Node) *Node {
	return newBuilder(scope, x.Graph(), e).encode(x, keyMask)
}

// Linear applies the linear map stored at path (LinearVars) to x: x·W + b.
func Linear(scope *model.Scope, e Encoder, path string, x *Node) *Node {
	return newBuilder(scope, x.Graph(), e).linear(path, x)
}

// FirstToken returns x[:, 0, :] of x [B, T, D].
func FirstToken(x *Node) *Node { return firstToken(x) }

// Embed looks the rows of the table stored at path ([V, D]) up: ids [B, T] int32 → [B, T, D].
func Embed(scope *model.Scope, e Encoder, path string, ids *Node) *Node {
	return Gather(newBuilder(scope, ids.Graph(), e).v(path), InsertAxes(ids, -1))
}

// LeadingRows are the first n rows of the table stored at path ([N, D]) as [1, n, D]: learned
// positions for a sequence of n tokens.
func LeadingRows(scope *model.Scope, e Encoder, path string, g *Graph, n int) *Node {
	return InsertAxes(Slice(newBuilder(scope, g, e).v(path), AxisRange(0, n)), 0)
}

// TiedLogits are h·Eᵀ with E the embedding table stored at path ([V, D]): an output decoder
// tied to the input embedding, h [..., D] → [..., V].
func TiedLogits(scope *model.Scope, e Encoder, path string, h *Node) *Node {
	return tiedDecoderOp(h, newBuilder(scope, h.Graph(), e).v(path))
}

// Project is x·W with W the [in, out] weights stored at path/weights, without a bias (an
// untied LM head): x [..., in] → [..., out].
func Project(scope *model.Scope, e Encoder, path string, x *Node) *Node {
	w := newBuilder(scope, x.Graph(), e).v(Join(path, Weights))
	return DotGeneral(x, []int{x.Rank() - 1}, nil, w, []int{0}, nil)
}

// Var is the value of the variable stored at path (a missing variable is a programmer
// error): for a family's parameters that are not linear maps (a CLS token, a bias vector).
func Var(scope *model.Scope, g *Graph, path string) *Node {
	return newBuilder(scope, g, Encoder{}).v(path)
}

// LayerNorm applies the LayerNorm stored at path (LayerNormVars) with e's ε over the last
// axis: (x − mean)/√(var + ε)·gain + offset, whatever norm the blocks use.
func LayerNorm(scope *model.Scope, e Encoder, path string, x *Node) *Node {
	return newBuilder(scope, x.Graph(), e).layerNorm(path, x)
}

// Dropout is e's hidden dropout: the identity unless the graph trains and the rate is > 0.
func Dropout(scope *model.Scope, e Encoder, x *Node) *Node {
	return newBuilder(scope, x.Graph(), e).dropout(x)
}

// Activation applies e's GELU (exact or tanh) elementwise, with the gradient the training
// graph needs.
func Activation(scope *model.Scope, e Encoder, x *Node) *Node {
	return activationOf(e)(x, scope.IsTraining(x.Graph()))
}
