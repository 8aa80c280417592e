package expand

import (
	"fmt"
	"math"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Inputs are what a model reads (arch.Inputs): images for a ViT, token and segment ids for
// a BERT.
type Inputs = arch.Inputs

// RandomInputs draws seeded inputs of the right shape for cfg (arch.Config.RandomInputs).
func RandomInputs(cfg arch.Config, batch int, seed uint64) Inputs {
	return cfg.RandomInputs(batch, seed)
}

// Logits are a model's outputs on some inputs, one flat slice per head.
type Logits struct {
	Heads []string    // "vit", "mlm", "classifier"
	Flat  [][]float64 // ViT [B, classes]; MLM [B, T, V] at every position; classifier [B, classes]
}

// Forward runs every head of the model (arch.Config.Heads: its real GoMLX forward
// functions, eval mode) on backend be (which the caller picks: this package never chooses one).
func Forward(be compute.Backend, m arch.Model, in Inputs) (Logits, error) {
	if be == nil {
		return Logits{}, fmt.Errorf("expand.Forward: no backend")
	}
	if err := m.Check(); err != nil {
		return Logits{}, fmt.Errorf("expand.Forward: %w", err)
	}
	heads, err := m.Config.Heads()
	if err != nil {
		return Logits{}, fmt.Errorf("expand.Forward: %w", err)
	}
	args, err := m.Config.HeadInputs(in)
	if err != nil {
		return Logits{}, fmt.Errorf("expand.Forward: %w", err)
	}
	var out Logits
	for _, h := range heads {
		exec, err := model.NewExec(be, m.Store, h.Logits)
		if err != nil {
			return out, err
		}
		res, err := exec.Call(args...)
		exec.Finalize()
		if err != nil {
			return out, fmt.Errorf("%s forward: %w", h.Name, err)
		}
		out.Heads, out.Flat = append(out.Heads, h.Name), append(out.Flat, toFloat64(res[0]))
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
