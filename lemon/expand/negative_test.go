package expand

import (
	"math"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// scaleVar multiplies a float64 variable of store in place.
func scaleVar(t *testing.T, store *model.Store, path string, f float64) {
	t.Helper()
	v := store.GetVariable("/" + path)
	tensors.MustMutableFlatData(v.MustValue(), func(flat []float64) {
		for i := range flat {
			flat[i] *= f
		}
	})
}

// TestBrokenOperatorsFail is the negative control: each deliberately broken operator must
// make the target miss the source by far more than the spine's tolerance, while the
// correct expansion of the same request is exact.
func TestBrokenOperatorsFail(t *testing.T) {
	// ε = 1e-3 (GoMLX's LayerNorm default) makes a forgotten η² visible.
	vit := vitSource(arch.PreLN, 1e-3, "float64")
	bert := bertSource(arch.PreLN, false, false, 0, "float64")
	cases := []struct {
		name    string
		cfg     arch.Config
		spec    Spec
		m       Method
		breakIt func(t *testing.T, tgt *model.Store, cfg *arch.Config)
	}{
		{"forget ε* = η²ε", vit, Spec{Width: 12}, LEMON, func(t *testing.T, _ *model.Store, cfg *arch.Config) {
			e := cfg.Enc()
			e.LayerNormEps = 1e-3
			*cfg = cfg.WithEncoder(e)
		}},
		{"equal split without 1/n (copies sum to 2W)", vit, Spec{Width: 16}, FPI, func(t *testing.T, tgt *model.Store, _ *arch.Config) {
			scaleVar(t, tgt, arch.InBlock(0, arch.Query, arch.Weights), 2)
		}},
		{"forget the tied decoder's 1/k", bert, Spec{Width: 24}, LEMON, func(t *testing.T, tgt *model.Store, _ *arch.Config) {
			scaleVar(t, tgt, arch.Join(arch.EncoderFinalLN, arch.Gain), 2)
			scaleVar(t, tgt, arch.Join(arch.EncoderFinalLN, arch.Offset), 2)
		}},
		{"forget the √(d_T/d_S) query scale", vit, Spec{HeadDim: 8}, LEMON, func(t *testing.T, tgt *model.Store, _ *arch.Config) {
			scaleVar(t, tgt, arch.InBlock(1, arch.Query, arch.Weights), 1/math.Sqrt2)
			scaleVar(t, tgt, arch.InBlock(1, arch.Query, arch.Biases), 1/math.Sqrt2)
		}},
	}
	for _, c := range cases {
		store := randomStore(t, c.cfg, 11)
		plan, err := NewPlan(c.cfg, c.spec, c.m, Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		ap4, err := plan.Apply(arch.Model{Config: plan.Source(), Store: store})
		if err != nil {
			t.Fatal(err)
		}
		tgt, tcfg := ap4.Store, ap4.Config
		in := RandomInputs(c.cfg, 3, 2)
		good, err := Compare(testBackend, arch.Model{Config: c.cfg, Store: store}, arch.Model{Config: tcfg, Store: tgt}, in)
		if err != nil {
			t.Fatal(err)
		}
		if good.MaxAbs > TolFloat64 {
			t.Errorf("%s: the correct operator is not exact: %v", c.name, good)
		}
		tcfg = cloneConfig(tcfg)
		c.breakIt(t, tgt, &tcfg)
		bad, err := Compare(testBackend, arch.Model{Config: c.cfg, Store: store}, arch.Model{Config: tcfg, Store: tgt}, in)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-45s correct %.2g, broken %.3g (rel %.3g)", c.name, good.MaxAbs, bad.MaxAbs, bad.Rel())
		if bad.MaxAbs < 1e3*TolFloat64 {
			t.Errorf("%s: broken operator passes the check: %v", c.name, bad)
		}
	}
}

// cloneConfig is a copy of c that a case may change (a family's config is a value: copying
// the Config copies it).
func cloneConfig(c arch.Config) arch.Config { return c }

// TestPostLNDepthEpsilon documents the Post-LN depth rule (docs/method.md#post-ln-depth): exact up to O(ε/σ²),
// negligible at ε = 1e-12 and visible (but small) at ε = 1e-6.
func TestPostLNDepthEpsilon(t *testing.T) {
	for _, eps := range []float64{1e-12, 1e-6} {
		cfg := vitSource(arch.PostLN, eps, "float64")
		store := randomStore(t, cfg, 5)
		plan, d := expandAndCompare(t, cfg, store, Spec{Layers: 4}, LEMON, Options{Seed: 2})
		if e, _ := plan.Exactness(); e != UpToEpsilon {
			t.Errorf("ε=%g: plan says %s, want %s", eps, e, UpToEpsilon)
		}
		rel := d.Rel()
		t.Logf("Post-LN depth ×2 with ε = %g: %v", eps, d)
		if rel > 100*eps {
			t.Errorf("ε=%g: error %v is not O(ε)", eps, d)
		}
		if eps == 1e-6 && rel < 1e-3*eps {
			t.Errorf("ε=%g: expected a visible O(ε) error, got %v", eps, d)
		}
	}
}
