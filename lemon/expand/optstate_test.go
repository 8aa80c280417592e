package expand

import (
	"math"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/optim"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// adamState writes the AdamW state after one step with gradients g (m = (1−β₁)g,
// v = (1−β₂)g², step 1) into store, as package optim lays it out.
func adamState(t *testing.T, store *model.Store, grads map[string][]float64, shapes map[string][]int) {
	t.Helper()
	const b1, b2 = 0.9, 0.999
	for path, g := range grads {
		m, v := make([]float64, len(g)), make([]float64, len(g))
		for i, x := range g {
			m[i], v[i] = (1-b1)*x, (1-b2)*x*x
		}
		mp, vp := optim.MomentPaths(path)
		for p, vals := range map[string][]float64{mp: m, vp: v} {
			if _, err := store.CreateVariable(p, tensors.FromFlatDataAndDimensions(vals, shapes[path]...)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := store.CreateVariable(optim.Scope+"/"+optim.StepVar, tensors.FromScalar(int64(1))); err != nil {
		t.Fatal(err)
	}
}

// TestOptimizerState: the expanded AdamW moments equal the moments the target would have
// after the same step (its own gradients at the expanded point) on every coordinate the
// rule calls exact: all of them for FPI at divisible width, the non-duplicated outputs for
// LEMON. Estimated coordinates are logged.
func TestOptimizerState(t *testing.T) {
	cfg := vitSource(arch.PreLN, 1e-6, "float64")
	e := cfg.Enc()
	store := randomStore(t, cfg, 31)
	in := RandomInputs(cfg, 4, 9)
	shapes := map[string][]int{}
	for _, v := range cfg.Vars() {
		shapes[v.Path] = v.Shape
	}
	adamState(t, store, gradients(t, cfg, store, in), shapes)
	q, k, v, fc1, fc2, wo := arch.InBlock(0, arch.Query, arch.Weights), arch.InBlock(1, arch.Key, arch.Biases),
		arch.InBlock(1, arch.Value, arch.Weights), arch.InBlock(0, arch.FC1, arch.Weights),
		arch.InBlock(1, arch.FC2, arch.Weights), arch.InBlock(0, arch.AttnOutput, arch.Weights)
	head := arch.Join(arch.ViTHead, arch.Weights)
	cases := []struct {
		name  string
		spec  Spec
		m     Method
		exact []string // nil: every target variable
	}{
		{"FPI width×2", Spec{Width: 2 * e.Width}, FPI, nil},
		{"FPI width,mlp,heads×2", Spec{Width: 2 * e.Width, MLPDim: 2 * e.MLPDim, Heads: 2 * e.Heads}, FPI, nil},
		{"LEMON width×1.5", Spec{Width: e.Width + e.Width/2}, LEMON, []string{q, k, v, fc1, head}},
		{"LEMON mlp×2, heads×2", Spec{MLPDim: 2 * e.MLPDim, Heads: 2 * e.Heads}, LEMON, []string{fc2, wo, head}},
	}
	for _, c := range cases {
		plan, err := NewPlan(cfg, c.spec, c.m, Options{Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		tgt, tcfg, err := plan.Apply(store)
		if err != nil {
			t.Fatal(err)
		}
		if err := plan.ApplyOptimizerState(store, tgt); err != nil {
			t.Fatal(err)
		}
		want := gradients(t, tcfg, tgt, in) // m after one step is (1−β₁)·g*
		exact := c.exact
		if exact == nil {
			for _, st := range plan.steps {
				exact = append(exact, st.Target)
			}
		}
		worst, scale := momentError(tgt, want, exact)
		t.Logf("%-24s max |m* − (1−β₁)g*|, |√v* − √(1−β₂)|g*|| over %d exact variables: %.3g (scale %.3g)", c.name, len(exact), worst, scale)
		if worst > 1e-12*max(scale, 1) {
			t.Errorf("%s: expanded moments differ from the target's own by %g", c.name, worst)
		}
		if c.exact != nil {
			t.Logf("%-24s estimated coordinates: relative error of m* %.3g", c.name, estimateError(tgt, want, c.exact))
		}
	}
}

// estimateError is ‖m* − (1−β₁)g*‖ / ‖(1−β₁)g*‖ over the variables not in exact that have state.
func estimateError(tgt *model.Store, want map[string][]float64, exact []string) float64 {
	skip := map[string]bool{}
	for _, p := range exact {
		skip[p] = true
	}
	num, den := 0.0, 0.0
	for path, g := range want {
		mp, _ := optim.MomentPaths(path)
		mv := tgt.GetVariable(mp)
		if skip[path] || mv == nil {
			continue
		}
		m := tensors.MustCopyFlatData[float64](mv.MustValue())
		for i, x := range g {
			num += (m[i] - 0.1*x) * (m[i] - 0.1*x)
			den += 0.01 * x * x
		}
	}
	return math.Sqrt(num / den)
}

// momentError is the largest gap between the expanded moments and those of one AdamW step
// with the target's own gradients, and the scale of m.
func momentError(tgt *model.Store, want map[string][]float64, paths []string) (worst, scale float64) {
	for _, path := range paths {
		mp, vp := optim.MomentPaths(path)
		m := tensors.MustCopyFlatData[float64](tgt.GetVariable(mp).MustValue())
		v := tensors.MustCopyFlatData[float64](tgt.GetVariable(vp).MustValue())
		for i, g := range want[path] {
			worst = max(worst, math.Abs(m[i]-0.1*g), math.Abs(math.Sqrt(v[i])-math.Sqrt(0.001)*math.Abs(g)))
			scale = max(scale, math.Abs(0.1*g))
		}
	}
	return worst, scale
}
