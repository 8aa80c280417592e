package arch_test

// A plain-Go float64 reference of the forward pass, written from the formulas in the doc
// comments (not from the graph code), to check the GoMLX models value by value.

import (
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/golemon/golemon/lemon/arch" //nolint:revive
	"github.com/golemon/golemon/lemon/arch/bert"
	"github.com/golemon/golemon/lemon/arch/vit"

	"github.com/golemon/golemon/lemon/backend"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// refTol is the largest |Δ| accepted between graph and reference in float64.
const refTol = 1e-10

type refModel struct {
	w   map[string][]float64
	enc Encoder
}

func newRef(t *testing.T, cfg Config, store *model.Store) *refModel {
	r := &refModel{w: map[string][]float64{}, enc: cfg.Enc()}
	for _, spec := range cfg.Vars() {
		r.w[spec.Path] = tensors.MustCopyFlatData[float64](store.GetVariable("/" + spec.Path).MustValue())
	}
	return r
}

// linear: x [n, in] row-major → [n, out].
func (r *refModel) linear(path string, x []float64, in int) []float64 {
	w, b := r.w[path+"/weights"], r.w[path+"/biases"]
	out := len(b)
	n := len(x) / in
	y := make([]float64, n*out)
	for i := range n {
		for o := range out {
			s := b[o]
			for k := range in {
				s += x[i*in+k] * w[k*out+o]
			}
			y[i*out+o] = s
		}
	}
	return y
}

func (r *refModel) layerNorm(path string, x []float64, d int) []float64 {
	g, b := r.w[path+"/gain"], r.w[path+"/offset"]
	y := make([]float64, len(x))
	for i := 0; i < len(x); i += d {
		mean, v := 0.0, 0.0
		for _, a := range x[i : i+d] {
			mean += a / float64(d)
		}
		for _, a := range x[i : i+d] {
			v += (a - mean) * (a - mean) / float64(d)
		}
		for j := range d {
			y[i+j] = (x[i+j]-mean)/math.Sqrt(v+r.enc.LayerNormEps)*g[j] + b[j]
		}
	}
	return y
}

// attention over one sequence x [T, D]; mask[s] = false hides key s.
func (r *refModel) attention(blk string, x []float64, mask []bool) []float64 {
	d, h, k := r.enc.Width, r.enc.Heads, r.enc.HeadDim
	q, kk, v := r.linear(blk+"/attn/query", x, d), r.linear(blk+"/attn/key", x, d), r.linear(blk+"/attn/value", x, d)
	seq := len(x) / d
	ctx := make([]float64, seq*h*k)
	for head := range h {
		for i := range seq {
			scores := make([]float64, seq)
			mx := math.Inf(-1)
			for s := range seq {
				for c := range k {
					scores[s] += q[i*h*k+head*k+c] * kk[s*h*k+head*k+c] / math.Sqrt(float64(k))
				}
				if mask != nil && !mask[s] {
					scores[s] -= 1e9
				}
				mx = math.Max(mx, scores[s])
			}
			z := 0.0
			for s := range seq {
				scores[s] = math.Exp(scores[s] - mx)
				z += scores[s]
			}
			for s := range seq {
				for c := range k {
					ctx[i*h*k+head*k+c] += scores[s] / z * v[s*h*k+head*k+c]
				}
			}
		}
	}
	return r.linear(blk+"/attn/output", ctx, h*k)
}

func (r *refModel) mlp(blk string, x []float64) []float64 {
	hid := r.linear(blk+"/mlp/fc1", x, r.enc.Width)
	for i, a := range hid {
		hid[i] = a * 0.5 * (1 + math.Erf(a/math.Sqrt2))
	}
	return r.linear(blk+"/mlp/fc2", hid, r.enc.MLPDim)
}

func add(a, b []float64) []float64 {
	y := make([]float64, len(a))
	for i := range a {
		y[i] = a[i] + b[i]
	}
	return y
}

func (r *refModel) encode(x []float64, mask []bool) []float64 {
	d := r.enc.Width
	for i := range r.enc.Layers {
		blk := Block(i)
		if r.enc.Norm == PreLN {
			x = add(x, r.attention(blk, r.layerNorm(blk+"/ln1", x, d), mask))
			x = add(x, r.mlp(blk, r.layerNorm(blk+"/ln2", x, d)))
		} else {
			x = r.layerNorm(blk+"/ln1", add(x, r.attention(blk, x, mask)), d)
			x = r.layerNorm(blk+"/ln2", add(x, r.mlp(blk, x)), d)
		}
	}
	if r.enc.Norm == PreLN {
		x = r.layerNorm(EncoderFinalLN, x, d)
	}
	return x
}

// vit classifies one image [S, S, C].
func (r *refModel) vit(c vit.Config, img []float64) []float64 {
	p, n, d := c.PatchSize, c.ImageSize/c.PatchSize, c.Width
	var patches []float64
	for py := range n {
		for px := range n {
			for y := range p {
				for x := range p {
					for ch := range c.Channels {
						patches = append(patches, img[((py*p+y)*c.ImageSize+px*p+x)*c.Channels+ch])
					}
				}
			}
		}
	}
	x := append(append([]float64{}, r.w[vit.CLSToken]...), r.linear(vit.PatchEmbed, patches, c.PatchDim())...)
	x = add(x, r.w[vit.PosEmbed])
	x = r.encode(x, nil)
	return r.linear(vit.Head, x[:d], d)
}

func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

func TestViTMatchesReference(t *testing.T) {
	for _, norm := range []NormPlacement{PreLN, PostLN} {
		c := vit.Config{Encoder: Encoder{Layers: 2, Width: 12, Heads: 3, HeadDim: 5, MLPDim: 20, Norm: norm,
			LayerNormEps: 1e-6, Dropout: 0.3, DType: "float64"}, ImageSize: 8, Channels: 2, PatchSize: 4, NumClasses: 3}
		cfg := vit.New(c)
		store, err := Init(cfg, 5)
		if err != nil {
			t.Fatal(err)
		}
		const batch = 3
		rng := rand.New(rand.NewPCG(1, 1))
		img := make([]float64, batch*8*8*2)
		for i := range img {
			img[i] = rng.NormFloat64()
		}
		exec := model.MustNewExec(backend.MustNew(), store, func(scope *model.Scope, x *Node) *Node { return c.Logits(scope, x) })
		got := tensors.MustCopyFlatData[float64](exec.MustCall1(tensors.FromFlatDataAndDimensions(img, batch, 8, 8, 2)))
		ref := newRef(t, cfg, store)
		for b := range batch {
			want := ref.vit(c, img[b*128:(b+1)*128])
			if diff := maxAbsDiff(got[b*3:(b+1)*3], want); diff > refTol {
				t.Errorf("%s ViT example %d: graph %v, reference %v (|Δ| %.3g)", norm, b, got[b*3:(b+1)*3], want, diff)
			}
		}
	}
}

// bertMLM returns MLM logits [M, V] for one sequence and the pooled classifier logits.
func (r *refModel) bert(c bert.Config, ids, segs []int32, mask []bool, positions []int32) (mlm, cls []float64) {
	d := c.Width
	var x []float64
	for i, id := range ids {
		for j := range d {
			x = append(x, r.w[bert.TokenEmbed][int(id)*d+j]+r.w[bert.PosEmbed][i*d+j]+r.w[bert.SegmentEmbed][int(segs[i])*d+j])
		}
	}
	if c.EmbeddingLN {
		x = r.layerNorm(bert.EmbedLN, x, d)
	}
	x = r.encode(x, mask)
	for _, p := range positions {
		h := x[int(p)*d : int(p+1)*d]
		if c.MLMTransform {
			h = r.linear(bert.MLMTransform, h, d)
			for i, a := range h {
				h[i] = a * 0.5 * (1 + math.Erf(a/math.Sqrt2))
			}
			h = r.layerNorm(bert.MLMLN, h, d)
		}
		for v := range c.VocabSize {
			s := r.w[bert.MLMDecoderBias][v]
			for j := range d {
				s += h[j] * r.w[bert.TokenEmbed][v*d+j]
			}
			mlm = append(mlm, s)
		}
	}
	pooled := r.linear(bert.Pooler, x[:d], d)
	for i, a := range pooled {
		pooled[i] = math.Tanh(a)
	}
	return mlm, r.linear(bert.Classifier, pooled, d)
}

func TestBERTMatchesReference(t *testing.T) {
	for _, norm := range []NormPlacement{PreLN, PostLN} {
		c := bert.Config{Encoder: Encoder{Layers: 2, Width: 8, Heads: 2, HeadDim: 3, MLPDim: 16, Norm: norm,
			LayerNormEps: 1e-12, Dropout: 0.2, DType: "float64"},
			VocabSize: 11, MaxPositions: 9, TypeVocabSize: 2, EmbeddingLN: true, MLMTransform: true, NumClasses: 2}
		cfg := bert.New(c)
		store, _ := Init(cfg, 9)
		const batch, seq, m = 2, 6, 2
		ids := []int32{2, 5, 7, 9, 3, 0, 2, 4, 4, 10, 6, 3}
		segs := []int32{0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1}
		maskF := []float64{1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1}
		pos := []int32{1, 3, 0, 5}
		exec := model.MustNewExec(backend.MustNew(), store, func(scope *model.Scope, x []*Node) []*Node {
			b := bert.Inputs{TokenIDs: x[0], SegmentIDs: x[1], KeyMask: x[2]}
			return []*Node{c.MLMLogits(scope, b, x[3]), c.ClassifierLogits(scope, b)}
		})
		out := exec.MustCall(tensors.FromFlatDataAndDimensions(ids, batch, seq), tensors.FromFlatDataAndDimensions(segs, batch, seq),
			tensors.FromFlatDataAndDimensions(maskF, batch, seq), tensors.FromFlatDataAndDimensions(pos, batch, m))
		gotMLM, gotCls := tensors.MustCopyFlatData[float64](out[0]), tensors.MustCopyFlatData[float64](out[1])
		ref := newRef(t, cfg, store)
		for b := range batch {
			mask := make([]bool, seq)
			for i := range seq {
				mask[i] = maskF[b*seq+i] == 1
			}
			wantMLM, wantCls := ref.bert(c, ids[b*seq:(b+1)*seq], segs[b*seq:(b+1)*seq], mask, pos[b*m:(b+1)*m])
			if diff := maxAbsDiff(gotMLM[b*m*11:(b+1)*m*11], wantMLM); diff > refTol {
				t.Errorf("%s BERT MLM sequence %d: |Δ| %.3g", norm, b, diff)
			}
			if diff := maxAbsDiff(gotCls[b*2:(b+1)*2], wantCls); diff > refTol {
				t.Errorf("%s BERT classifier sequence %d: |Δ| %.3g", norm, b, diff)
			}
		}
	}
}
