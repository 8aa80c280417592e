package expand

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Inputs are what a model reads: images for a ViT, token and segment ids for a BERT.
type Inputs struct {
	Images   *tensors.Tensor // ViT: [B, S, S, C] in the model's dtype
	Tokens   *tensors.Tensor // BERT: [B, T] int32
	Segments *tensors.Tensor // BERT: [B, T] int32
}

// RandomInputs draws seeded inputs of the right shape for cfg: standard-normal pixels, or
// uniform token ids and segments over sequences of min(16, MaxPositions) tokens.
func RandomInputs(cfg arch.Config, batch int, seed uint64) Inputs {
	rng := rand.New(rand.NewPCG(seed, 0x1a7e5))
	if v := cfg.ViT; v != nil {
		pixels := make([]float64, batch*v.ImageSize*v.ImageSize*v.Channels)
		for i := range pixels {
			pixels[i] = rng.NormFloat64()
		}
		return Inputs{Images: arch.NewTensor(arch.DTypeOf(v.Encoder), pixels, []int{batch, v.ImageSize, v.ImageSize, v.Channels})}
	}
	b := cfg.BERT
	seq := min(16, b.MaxPositions)
	tokens, segments := make([]int32, batch*seq), make([]int32, batch*seq)
	for i := range tokens {
		tokens[i] = int32(rng.IntN(b.VocabSize))
		segments[i] = int32(rng.IntN(b.TypeVocabSize))
	}
	return Inputs{Tokens: tensors.FromFlatDataAndDimensions(tokens, batch, seq),
		Segments: tensors.FromFlatDataAndDimensions(segments, batch, seq)}
}

// Logits are a model's outputs on some inputs, one flat slice per head.
type Logits struct {
	Heads []string    // "vit", "mlm", "classifier"
	Flat  [][]float64 // ViT [B, classes]; MLM [B, T, V] at every position; classifier [B, classes]
}

// Forward runs the model's real GoMLX forward functions (eval mode) on backend be (which the
// caller picks: this package never chooses one).
func Forward(be compute.Backend, m arch.Model, in Inputs) (Logits, error) {
	if be == nil {
		return Logits{}, fmt.Errorf("expand.Forward: no backend")
	}
	if err := m.Check(); err != nil {
		return Logits{}, fmt.Errorf("expand.Forward: %w", err)
	}
	cfg, store := m.Config, m.Store
	var out Logits
	var err error
	run := func(head string, fn any, args ...any) error {
		var exec *model.Exec
		switch f := fn.(type) {
		case func(*model.Scope, *graph.Node) *graph.Node:
			exec, err = model.NewExec(be, store, f)
		case func(*model.Scope, *graph.Node, *graph.Node) *graph.Node:
			exec, err = model.NewExec(be, store, f)
		}
		if err != nil {
			return err
		}
		defer exec.Finalize()
		res, err := exec.Call(args...)
		if err != nil {
			return fmt.Errorf("%s forward: %w", head, err)
		}
		out.Heads, out.Flat = append(out.Heads, head), append(out.Flat, toFloat64(res[0]))
		return nil
	}
	if v := cfg.ViT; v != nil {
		return out, run("vit", func(s *model.Scope, x *graph.Node) *graph.Node { return arch.ViTLogits(s, *v, x) }, in.Images)
	}
	b := *cfg.BERT
	mlm := func(s *model.Scope, ids, seg *graph.Node) *graph.Node {
		batch, seq := ids.Shape().Dim(0), ids.Shape().Dim(1)
		pos := graph.Iota(ids.Graph(), shapes.Make(dtypes.Int32, batch, seq), 1)
		return arch.BERTMLMLogits(s, b, arch.BERTInputs{TokenIDs: ids, SegmentIDs: seg}, pos)
	}
	if err := run("mlm", mlm, in.Tokens, in.Segments); err != nil {
		return out, err
	}
	if b.NumClasses > 0 {
		cls := func(s *model.Scope, ids, seg *graph.Node) *graph.Node {
			return arch.BERTClassifierLogits(s, b, arch.BERTInputs{TokenIDs: ids, SegmentIDs: seg})
		}
		return out, run("classifier", cls, in.Tokens, in.Segments)
	}
	return out, nil
}

func toFloat64(t *tensors.Tensor) []float64 {
	if t.DType() == dtypes.Float64 {
		return tensors.MustCopyFlatData[float64](t)
	}
	f32 := tensors.MustCopyFlatData[float32](t)
	out := make([]float64, len(f32))
	for i, v := range f32 {
		out[i] = float64(v)
	}
	return out
}

// Diff is the largest disagreement between two models' logits.
type Diff struct {
	MaxAbs    float64 // max |got − want| over every head and logit
	MaxRef    float64 // max |want|, the scale MaxAbs is relative to
	Head      string  // head of the worst logit
	Index     int     // flat index of the worst logit in its head
	Got, Want float64 // target and source values there
}

// Rel is MaxAbs relative to the largest source logit.
func (d Diff) Rel() float64 { return d.MaxAbs / max(d.MaxRef, math.SmallestNonzeroFloat64) }

// Tolerance is the largest relative |Δ logits| (Diff.Rel) a lossless expansion to tgt may show
// from rounding alone: 1e-9 in float64; in float32 1e-4, growing with √(width/1024) beyond a
// width of 1,024, since each logit sums over more rounded products (width 100,000 measured
// 1.96e-4 against a tolerance of 9.9e-4).
func Tolerance(tgt arch.Config) float64 {
	if arch.DTypeOf(tgt.Enc()) == dtypes.Float64 {
		return 1e-9
	}
	return 1e-4 * math.Max(1, math.Sqrt(float64(tgt.Enc().Width)/1024))
}

// Within reports whether d is within tol (a NaN difference never is).
func (d Diff) Within(tol float64) bool { return d.Rel() <= tol && !math.IsNaN(d.MaxAbs) }

// String is e.g. "max |Δ logits| 3.1e-16 (rel 2.0e-15) at mlm[17]: got 0.12, want 0.12".
func (d Diff) String() string {
	return fmt.Sprintf("max |Δ logits| %.3g (rel %.3g) at %s[%d]: got %.17g, want %.17g", d.MaxAbs, d.Rel(), d.Head, d.Index, d.Got, d.Want)
}

// CompareLogits finds the largest disagreement between got (target) and want (source).
func CompareLogits(got, want Logits) (Diff, error) {
	if len(got.Flat) != len(want.Flat) {
		return Diff{}, fmt.Errorf("expand: %d heads vs %d", len(got.Flat), len(want.Flat))
	}
	var d Diff
	for h := range want.Flat {
		if len(got.Flat[h]) != len(want.Flat[h]) {
			return Diff{}, fmt.Errorf("expand: head %s has %d logits vs %d", want.Heads[h], len(got.Flat[h]), len(want.Flat[h]))
		}
		for i, w := range want.Flat[h] {
			g := got.Flat[h][i]
			d.MaxRef = max(d.MaxRef, math.Abs(w))
			if delta := math.Abs(g - w); delta > d.MaxAbs || math.IsNaN(delta) {
				d.MaxAbs, d.Head, d.Index, d.Got, d.Want = delta, want.Heads[h], i, g, w
				if math.IsNaN(delta) {
					d.MaxAbs = math.Inf(1)
				}
			}
		}
	}
	return d, nil
}

// Compare runs source and target on the same inputs on backend be and returns their largest
// disagreement.
func Compare(be compute.Backend, src, tgt arch.Model, in Inputs) (Diff, error) {
	want, err := Forward(be, src, in)
	if err != nil {
		return Diff{}, fmt.Errorf("expand.Compare: source: %w", err)
	}
	got, err := Forward(be, tgt, in)
	if err != nil {
		return Diff{}, fmt.Errorf("expand.Compare: target: %w", err)
	}
	return CompareLogits(got, want)
}
