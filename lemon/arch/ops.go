package arch

// The model's operators, formulated for GoMLX's pure-Go backend without changing the function.
//
// Autodiff of the textbook formulas is slow on that backend: its generic Transpose copies
// element by element, its DotGeneral transposes any operand whose contracting axis is not
// where its kernels want it (both operands of a weight gradient), the decomposed softmax and
// GELU are recomputed in the forward only to be differentiated, and math.Exp (in autodiff's
// softmax and erf gradients) pays an AVX-SSE transition penalty in GOEXPERIMENT=simd builds
// on some CPUs. So each operator here runs GoMLX's own forward (fused where the backend has a
// fused op) with a hand-derived gradient:
//
//	linear     x·W + b          dx = g·Wᵀ (no copy), dW = xᵀ·g (one transpose, of the smaller operand)
//	layerNorm  fused forward    dx = r·(ĝ − mean ĝ − x̂·mean(ĝ⊙x̂)), ĝ = g⊙γ, r = 1/√(var+ε)
//	gelu       exact (erf)      dx = g·(Φ(x) + x·φ(x)), Φ(x) kept from the forward when training
//	geluTanh   tanh approx.     dx = g·((1 + t)/2 + x·(1 − t²)·c·(1 + 3a·x²)/2), t kept from the forward
//	softmax    fused            dx = y⊙(g − Σ g⊙y)
//	attend     softmax(q·kᵀ·s + penalty)·v in head-major layout, every product in a layout the
//	           backend's kernels take as is (no hidden copies), the gradient written out
//	LogProbs   via fused softmax dx = g − softmax(x)·Σ g
//	CrossEntropy −log p[label]  dx = g·(softmax(x) − onehot), by a gather and a scatter: no
//	           one-hot tensor, max x and max p gathered at the argmax (no max-reduction), bit
//	           for bit −Σ onehot ⊙ LogProbs (TestCrossEntropyBitExact)
//
// The forward values are GoMLX's own (bit for bit the decomposed formula where no fused op
// exists); the gradients equal autodiff's to rounding (TestFastOpsGradients, float64 ≤ 1e-10).

import (
	"math"
	"slices"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/nn"
	"github.com/gomlx/gomlx/support/exceptions"
)

// plainOps switches every operator of this file back to autodiff of the decomposed formula;
// tests use it as the reference the fast gradients are compared with.
var plainOps = false

// withGradient returns forward(in) with the gradient with respect to in given by backward,
// called with the forward output y and the gradient g arriving at it.
//
// Mechanism: in enters forward through identities whose gradient is replaced by backward's;
// the output's identity, which autodiff reaches first (it visits nodes from the output back),
// calls backward. Autodiff's own gradient of forward is still built but nothing uses it, so
// the backend drops it. Should an input's identity ever be reached first, it keeps autodiff's
// gradient: slower, never wrong.
func withGradient(in []*Node, forward func(in []*Node) *Node, backward func(y, g *Node) []*Node) *Node {
	if plainOps {
		return forward(in)
	}
	var grads []*Node
	wrapped := make([]*Node, len(in))
	for i, x := range in {
		wrapped[i] = IdentityWithCustomGradient(x, func(_, v *Node) *Node {
			if grads == nil {
				return v
			}
			return grads[i]
		})
	}
	y := forward(wrapped)
	return IdentityWithCustomGradient(y, func(_, g *Node) *Node {
		grads = backward(y, g)
		return g
	})
}

// linearOp is x·W + b over the last axis: x [..., I], w [I, O], b [O] → [..., O].
func linearOp(x, w, b *Node) *Node {
	forward := func(in []*Node) *Node {
		x, w, b := in[0], in[1], in[2]
		y := DotGeneral(x, []int{x.Rank() - 1}, nil, w, []int{0}, nil)
		return Add(y, ExpandLeftToRank(b, y.Rank()))
	}
	return withGradient([]*Node{x, w, b}, forward, func(_, g *Node) []*Node {
		nIn, nOut := w.Shape().Dim(0), w.Shape().Dim(1)
		x2 := Reshape(x, -1, nIn)                                                     // [N, I]
		g2 := Reshape(g, -1, nOut)                                                    // [N, O]
		dx := DotGeneral(g2, []int{1}, nil, TransposeAllAxes(w, 1, 0), []int{0}, nil) // [N, I]: a plain matmul with the small Wᵀ
		var dw *Node
		if nIn <= nOut { // transpose the smaller activation, then a plain matmul
			dw = DotGeneral(TransposeAllAxes(x2, 1, 0), []int{1}, nil, g2, []int{0}, nil) // [I, O]
		} else {
			dw = TransposeAllAxes(DotGeneral(TransposeAllAxes(g2, 1, 0), []int{1}, nil, x2, []int{0}, nil), 1, 0)
		}
		return []*Node{Reshape(dx, x.Shape().Dimensions...), dw, sumRows(g2)}
	})
}

// tiedDecoderOp is the MLM decoder tied to the token embedding: h [..., D], emb [V, D] →
// h·embᵀ [..., V]. Every product is a plain (untransposed) matmul: the embedding, and in the
// backward the small activation, are transposed first, since the backend's kernel for a
// transposed small operand was a quarter of a BERT study step over a 7,140-token vocabulary.
func tiedDecoderOp(h, emb *Node) *Node {
	forward := func(in []*Node) *Node {
		h, emb := in[0], in[1]
		if plainOps {
			dims := append(slices.Clone(h.Shape().Dimensions[:h.Rank()-1]), emb.Shape().Dim(0))
			return Reshape(Einsum("nd,vd->nv", Reshape(h, -1, emb.Shape().Dim(1)), emb), dims...)
		}
		return DotGeneral(h, []int{h.Rank() - 1}, nil, TransposeAllAxes(emb, 1, 0), []int{0}, nil)
	}
	return withGradient([]*Node{h, emb}, forward, func(_, g *Node) []*Node {
		d, v := emb.Shape().Dim(1), emb.Shape().Dim(0)
		h2 := Reshape(h, -1, d)                                                           // [N, D]
		g2 := Reshape(g, -1, v)                                                           // [N, V]
		dh := DotGeneral(g2, []int{1}, nil, emb, []int{0}, nil)                           // [N, D]
		dEmbT := DotGeneral(TransposeAllAxes(h2, 1, 0), []int{1}, nil, g2, []int{0}, nil) // [D, V]
		return []*Node{Reshape(dh, h.Shape().Dimensions...), TransposeAllAxes(dEmbT, 1, 0)}
	})
}

// layerNormOp normalises the last axis: (x − mean)/√(var + ε)·gain + offset, with the biased
// variance. x [..., D], gain and offset [D].
func layerNormOp(x, gain, offset *Node, eps float64) *Node {
	forward := func(in []*Node) *Node {
		if plainOps {
			return layerNormDecomposed(in[0], in[1], in[2], eps)
		}
		return nn.LayerNorm(in[0], []int{-1}, eps, in[1], in[2], nil)
	}
	return withGradient([]*Node{x, gain, offset}, forward, func(_, g *Node) []*Node {
		xHat, rstd := normalise(x, eps)
		gh := Mul(g, ExpandLeftToRank(gain, g.Rank()))
		m1 := ReduceAndKeep(gh, ReduceMean, -1)
		m2 := ReduceAndKeep(Mul(gh, xHat), ReduceMean, -1)
		dx := Mul(Sub(Sub(gh, m1), Mul(xHat, m2)), rstd)
		d := x.Shape().Dim(-1)
		return []*Node{dx, sumRows(Reshape(Mul(g, xHat), -1, d)), sumRows(Reshape(g, -1, d))}
	})
}

// sumRows sums a matrix over its rows as a product with a row of ones, which the backend runs
// on its matmul kernels (its generic reduction walks an index iterator): [N, O] → [O].
func sumRows(x *Node) *Node {
	ones := Ones(x.Graph(), shapes.Make(x.DType(), 1, x.Shape().Dim(0)))
	return Reshape(DotGeneral(ones, []int{1}, nil, x, []int{0}, nil), x.Shape().Dim(1))
}

// normalise returns x̂ = (x − mean)/√(var + ε) and 1/√(var + ε) (kept axis) over the last axis.
func normalise(x *Node, eps float64) (xHat, rstd *Node) {
	centred := Sub(x, ReduceAndKeep(x, ReduceMean, -1))
	variance := ReduceAndKeep(Square(centred), ReduceMean, -1)
	rstd = Reciprocal(Sqrt(AddScalar(variance, eps)))
	return Mul(centred, rstd), rstd
}

// layerNormDecomposed is the textbook formula, differentiated by autodiff (Rsqrt has no
// gradient in GoMLX, hence Div by Sqrt).
func layerNormDecomposed(x, gain, offset *Node, eps float64) *Node {
	centred := Sub(x, ReduceAndKeep(x, ReduceMean, -1))
	variance := ReduceAndKeep(Square(centred), ReduceMean, -1)
	normed := Div(centred, Sqrt(AddScalar(variance, eps)))
	return Add(Mul(normed, ExpandLeftToRank(gain, x.Rank())), ExpandLeftToRank(offset, x.Rank()))
}

// gelu is the exact GELU, x·Φ(x) = x·(1 + erf(x/√2))/2. A training graph computes Φ(x) once
// and keeps it for the gradient (erf is the costly part); an evaluation graph runs the fused op.
func gelu(x *Node, training bool) *Node {
	var cdf *Node
	forward := func(in []*Node) *Node {
		if !training {
			return activation.Gelu(in[0])
		}
		cdf = MulScalar(AddScalar(Erf(MulScalar(in[0], 1/math.Sqrt2)), 1), 0.5)
		return Mul(in[0], cdf)
	}
	return withGradient([]*Node{x}, forward, func(_, g *Node) []*Node {
		if cdf == nil {
			cdf = MulScalar(AddScalar(Erf(MulScalar(x, 1/math.Sqrt2)), 1), 0.5)
		}
		pdf := MulScalar(Exp(MulScalar(Square(x), -0.5)), 1/math.Sqrt(2*math.Pi)) // φ(x)
		return []*Node{Mul(g, Add(cdf, Mul(x, pdf)))}
	})
}

// geluTanh is the tanh approximation of GELU, x·(1 + t)/2 with t = tanh(c·(x + a·x³)),
// c = √(2/π), a = 0.044715: transformers' "gelu_new" (OpenAI's GPT-2) and
// "gelu_pytorch_tanh", formula for formula.
func geluTanh(x *Node, _ bool) *Node {
	const a = 0.044715
	c := math.Sqrt(2 / math.Pi)
	var t *Node
	inner := func(x *Node) *Node { return Tanh(MulScalar(Add(x, MulScalar(Mul(Square(x), x), a)), c)) }
	forward := func(in []*Node) *Node {
		t = inner(in[0])
		return Mul(MulScalar(in[0], 0.5), OnePlus(t))
	}
	return withGradient([]*Node{x}, forward, func(_, g *Node) []*Node {
		if t == nil {
			t = inner(x)
		}
		du := MulScalar(OnePlus(MulScalar(Square(x), 3*a)), c)                      // d(c·(x + a·x³))/dx
		dy := MulScalar(Add(OnePlus(t), Mul(x, Mul(OneMinus(Square(t)), du))), 0.5) // dy/dx
		return []*Node{Mul(g, dy)}
	})
}

// activationOf returns the GELU of the encoder e (exact, or the tanh approximation).
func activationOf(e Encoder) func(x *Node, training bool) *Node {
	if e.TanhGELU() {
		return geluTanh
	}
	return gelu
}

// softmax over the last axis.
func softmax(x *Node) *Node {
	return withGradient([]*Node{x}, func(in []*Node) *Node { return Softmax(in[0], -1) }, softmaxBackward)
}

// softmaxBackward is dx = y⊙(g − Σ g⊙y) (a variable so that a test can break it).
var softmaxBackward = func(y, g *Node) []*Node {
	return []*Node{Mul(y, Sub(g, ReduceAndKeep(Mul(g, y), ReduceSum, -1)))}
}

// attend is scaled dot-product attention: q, k, v [B, T, H, K], penalty [B, 1, 1, T] or nil
// (added to the scores) → [B, T, H, K].
func attend(q, k, v, penalty *Node, scale float64) *Node {
	if plainOps {
		scores := MulScalar(Einsum("bqhk,bshk->bhqs", q, k), scale) // [B, H, T, T]
		if penalty != nil {
			scores = Add(scores, penalty)
		}
		return Einsum("bhqs,bshk->bqhk", softmax(scores), v)
	}
	headMajor := func(x *Node) *Node { return TransposeAllAxes(x, 0, 2, 1, 3) } // [B,T,H,K] ↔ [B,H,T,K]
	keyMajor := func(x *Node) *Node { return TransposeAllAxes(x, 0, 2, 3, 1) }  // [B,T,H,K] → [B,H,K,T]
	swapLast := func(x *Node) *Node { return TransposeAllAxes(x, 0, 1, 3, 2) }
	// Every product below is a plain batched matmul [BH, N, C]·[BH, C, M]: the backend's
	// transposed-operand kernel for small products reduces each output horizontally and was
	// measured 12–29% slower per ViT step than one more transpose of K or V.
	batch := []int{0, 1}
	var qh, vh, probs *Node
	forward := func(in []*Node) *Node {
		qh, vh = headMajor(in[0]), headMajor(in[2])
		scores := MulScalar(DotGeneral(qh, []int{3}, batch, keyMajor(in[1]), []int{2}, batch), scale) // [B, H, T, S]
		if penalty != nil {
			scores = Add(scores, penalty)
		}
		probs = Softmax(scores, -1)
		return headMajor(DotGeneral(probs, []int{3}, batch, vh, []int{2}, batch))
	}
	return withGradient([]*Node{q, k, v}, forward, func(_, g *Node) []*Node {
		gh := headMajor(g)                                                      // [B, H, T, K]
		dProbs := DotGeneral(gh, []int{3}, batch, keyMajor(v), []int{2}, batch) // [B, H, T, S]
		dv := DotGeneral(swapLast(probs), []int{3}, batch, gh, []int{2}, batch) // [B, H, S, K]
		dScores := MulScalar(softmaxBackward(probs, dProbs)[0], scale)
		dq := DotGeneral(dScores, []int{3}, batch, headMajor(k), []int{2}, batch) // [B, H, T, K]
		dk := DotGeneral(swapLast(dScores), []int{3}, batch, qh, []int{2}, batch) // [B, H, S, K]
		return []*Node{headMajor(dq), headMajor(dk), headMajor(dv)}
	})
}

// CrossEntropy is −log softmax(x)[label] over the last axis: x [..., V], labels [...] (ints in
// [0, V)) → [...] in x's dtype. It computes LogProbs' value at the label only (gathered), and
// its gradient g·(p − onehot) as g·p plus a scatter of −g at the labels, so that the [..., V]
// one-hot tensor, its product and sum, and LogProbs' full output are never built: on a
// language model's vocabulary these passes cost more than the LM head's matmul. Forward value
// and gradient equal −ReduceSum(onehot ⊙ LogProbs(x)) and its gradient bit for bit (every
// term that form adds is an exact zero, and the one rounding at the label is the same sum).
func CrossEntropy(x, labels *Node) *Node {
	ce, _ := CrossEntropyArgMax(x, labels)
	return ce
}

// CrossEntropyArgMax is CrossEntropy and the index of each row's largest logit (ArgMax over
// the last axis, int32 [...]), which the loss reads anyway: LogProbs' max x and max p are
// gathered at that index instead of reduced. Both are exact: max x is the gathered value, and
// the softmax of the largest logit is the largest probability, because exp(0) = 1 exactly and
// exp(d) ≤ 1 for d ≤ 0 in the backend's exp, and scaling by 1/Σ is monotone (the fused
// softmax computes exp(x − max)·(1/Σ)). A pass over the logits each: the backend's generic
// ReduceMax costs ≈ 10× its ArgMax (docs/speed.md#the-language-model-loss).
func CrossEntropyArgMax(x, labels *Node) (ce, argMax *Node) {
	v := x.Shape().Dim(-1)
	outDims := x.Shape().Dimensions[:x.Rank()-1]
	n := labels.Shape().Size()
	if labels.Rank() != x.Rank()-1 || n*v != x.Shape().Size() {
		exceptions.Panicf("arch: CrossEntropy: labels %s do not match logits %s", labels.Shape(), x.Shape())
	}
	x2 := Reshape(StopGradient(x), n, v)
	am := ConvertDType(ArgMax(x2, -1), dtypes.Int32) // [N]
	argMax = Reshape(am, outDims...)
	if plainOps {
		return Neg(ReduceSum(Mul(LogSoftmax(x, -1), OneHot(labels, v, x.DType())), -1)), argMax
	}
	rows := Iota(x.Graph(), shapes.Make(dtypes.Int32, n), 0)
	idx := Stack([]*Node{rows, ConvertDType(Reshape(labels, n), dtypes.Int32)}, -1) // [N, 2]: (row, label)
	top := Stack([]*Node{rows, am}, -1)                                             // [N, 2]: (row, argmax)
	p := Softmax(StopGradient(x), -1)
	p2 := Reshape(p, n, v)
	m := Gather(x2, top, true)            // [N]: max x
	logMaxP := Log(Gather(p2, top, true)) // [N]: log max p
	forward := func(in []*Node) *Node {
		atLabel := Gather(Reshape(in[0], n, v), idx, true) // [N]
		return Reshape(Neg(Add(Sub(atLabel, m), logMaxP)), outDims...)
	}
	ce = withGradient([]*Node{x}, forward, func(_, g *Node) []*Node {
		g2 := Reshape(g, n)
		dx := Mul(p2, InsertAxes(g2, -1))
		dx = ScatterSum(dx, idx, Neg(g2), true, true)
		return []*Node{Reshape(dx, x.Shape().Dimensions...)}
	})
	return ce, argMax
}

// LogProbs is log(softmax(x)) over the last axis, computed from the (fused) softmax so that
// no math.Exp runs on the pure-Go backend: with m = max x and p = softmax(x), the largest p is
// 1/Σ exp(x − m), so log p = x − m + log(max p), and max p ≥ 1/K never underflows.
func LogProbs(x *Node) *Node {
	if plainOps {
		return LogSoftmax(x, -1)
	}
	p := Softmax(StopGradient(x), -1)
	forward := func(in []*Node) *Node {
		shifted := Sub(in[0], StopGradient(ReduceAndKeep(in[0], ReduceMax, -1)))
		return Add(shifted, StopGradient(Log(ReduceAndKeep(p, ReduceMax, -1))))
	}
	return withGradient([]*Node{x}, forward, func(_, g *Node) []*Node {
		return []*Node{Sub(g, Mul(p, ReduceAndKeep(g, ReduceSum, -1)))}
	})
}
