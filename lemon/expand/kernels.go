package expand

import (
	"hash/fnv"
	"math"
	"math/bits"
)

// Kernels work on flat row-major slices: a weight [in, out] stores row i (input index i) at
// [i·out, (i+1)·out). They accumulate in float64 and store in the variable's dtype.

type float interface{ float32 | float64 }

// splitRule is how the fan-in of one source input is shared among its copies.
type splitRule int

const (
	splitProject splitRule = iota // LEMON: R − (ΣR − W)/n, R from the target's initializer
	splitEqual                    // Net2Net/FPI: W/n
)

// normal draws from the target's initializer, a normal truncated to ±2σ, by look-up of its
// quantile function (quantileSteps linear pieces) driven by wyrand: a few ns a draw,
// faster than math/rand's ziggurat with rejection, which dominated Apply (BenchmarkNormal).
type normal struct {
	state uint64
	std   float64
}

// The quantile table has quantileSteps = 2^quantileBits linear pieces.
const (
	quantileBits  = 12
	quantileSteps = 1 << quantileBits
)

// truncQuantile[i] is the (i/quantileSteps)-quantile of N(0, 1) truncated to [−2, 2].
var truncQuantile = func() []float64 {
	phi := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	lo, hi := phi(-2), phi(2)
	q := make([]float64, quantileSteps+1)
	for i := range q {
		p := lo + (hi-lo)*float64(i)/quantileSteps
		q[i] = math.Max(-2, math.Min(2, math.Sqrt2*math.Erfinv(2*p-1)))
	}
	return q
}()

// newNormal seeds a stream per target variable, so results do not depend on scheduling.
func newNormal(seed uint64, path string, std float64) *normal {
	h := fnv.New64a()
	_, _ = h.Write([]byte(path))
	return &normal{state: seed ^ h.Sum64()*0x9e3779b97f4a7c15, std: std}
}

func (n *normal) next() float64 {
	n.state += 0xa0761d6478bd642f // wyrand
	hi, lo := bits.Mul64(n.state, n.state^0xe7037ed1a0b428db)
	u := hi ^ lo
	i := u >> (64 - quantileBits)                 // the top bits pick the piece
	f := float64(u&(1<<52-1)) * (1.0 / (1 << 52)) // the low 52 bits interpolate
	return n.std * (truncQuantile[i] + f*(truncQuantile[i+1]-truncQuantile[i]))
}

func fill[T float](dst []T, n *normal) {
	for i := range dst {
		dst[i] = T(n.next())
	}
}

// matrixJob expands one weight [inS, outS] → [inT, outT].
type matrixJob[T float] struct {
	src, next []T // source and AKI next-block weights; src nil means all zero (RuleCancel)
	dst       []T
	in, out   *axisMap
	split     splitRule
	rng       *normal
}

// run expands the output axis of every source row, then writes the rows of its copies.
func (j *matrixJob[T]) run() {
	inS, outS, outT := j.in.srcN, j.out.srcN, len(j.out.e)
	o := make([]float64, outT)
	acc := make([]float64, outT)
	for s := range inS {
		var row, next []T
		if j.src != nil {
			row = j.src[s*outS : (s+1)*outS]
		}
		if j.next != nil {
			next = j.next[s*outS : (s+1)*outS]
		}
		produce(o, row, next, j.out, j.rng, false)
		j.writeGroup(j.in.groups[s], o, acc)
	}
	if len(j.in.mean) > 0 { // inputs holding the mean must contribute nothing: rows sum to 0
		clear(o)
		j.writeGroup(j.in.mean, o, acc)
	}
	for t, x := range j.in.e {
		if x.kind == kZero { // reads an exact zero: any row works; use the initializer
			fill(j.dst[t*outT:(t+1)*outT], j.rng)
		}
	}
}

// writeGroup writes the rows of target inputs holding one source input so that, weighted by
// the inputs' scale, they sum to o.
func (j *matrixJob[T]) writeGroup(group []int32, o, acc []float64) {
	outT := len(o)
	n := len(group)
	if n == 0 {
		return
	}
	inv := 1 / j.in.e[group[0]].scale
	rows := func(yield func([]T) bool) {
		for _, t := range group {
			if !yield(j.dst[int(t)*outT : (int(t)+1)*outT]) {
				return
			}
		}
	}
	switch {
	case n == 1:
		for row := range rows {
			for c, v := range o {
				row[c] = T(v * inv)
			}
		}
	case j.split == splitEqual:
		for row := range rows {
			for c, v := range o {
				row[c] = T(v * inv / float64(n))
			}
		}
	default: // projection of random rows onto "sum equals W"
		clear(acc)
		for row := range rows {
			fill(row, j.rng)
			for c, v := range row {
				acc[c] += float64(v)
			}
		}
		for c := range acc {
			acc[c] = (acc[c] - o[c]*inv) / float64(n)
		}
		for row := range rows {
			for c, d := range acc {
				row[c] = T(float64(row[c]) - d)
			}
		}
	}
}

// produce expands one source row along the output axis into o. Live units get random fan-in
// (zero for biases).
func produce[T float](o []float64, row, next []T, out *axisMap, rng *normal, bias bool) {
	if row == nil {
		clear(o)
		return
	}
	mean := math.NaN()
	for t, x := range out.e {
		switch x.kind {
		case kCopy:
			o[t] = float64(row[x.src]) * x.scale
		case kNext:
			o[t] = float64(next[x.src]) * x.scale
		case kMean:
			if math.IsNaN(mean) {
				mean = meanOf(row)
			}
			o[t] = mean
		case kZero:
			o[t] = 0
		case kLive:
			o[t] = 0
			if !bias {
				o[t] = rng.next()
			}
		}
	}
}

func meanOf[T float](x []T) float64 {
	s := 0.0
	for _, v := range x {
		s += float64(v)
	}
	return s / float64(len(x))
}

// expandVector expands a bias or embedding vector along its output axis.
func expandVector[T float](dst, src, next []T, out *axisMap) {
	o := make([]float64, len(dst))
	produce(o, src, next, out, nil, true)
	for t, v := range o {
		dst[t] = T(v)
	}
}

// normGain is LEMON's LayerNorm gain: η·γ on copies (times the output's scale), free where
// the normalised input is exactly zero (the V_avg residue; η·γ circular is used), zero
// where the output must be zero but the normalised input is not (zero-padded channels).
func normGain[T float](dst, src []T, in, out *axisMap, eta float64) {
	for t, x := range out.e {
		switch {
		case x.kind == kCopy:
			dst[t] = T(eta * float64(src[x.src]) * x.scale)
		case in.e[t].kind == kMean:
			dst[t] = T(eta * float64(src[t%len(src)]))
		default:
			dst[t] = 0
		}
	}
}

// normOffset is V_zero(β) (times the output's scale).
func normOffset[T float](dst, src []T, out *axisMap) {
	for t, x := range out.e {
		dst[t] = 0
		if x.kind == kCopy {
			dst[t] = T(float64(src[x.src]) * x.scale)
		}
	}
}
