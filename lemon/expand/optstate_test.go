package expand

import (
	"math"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/vit"
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
	head := arch.Join(vit.Head, arch.Weights)
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
		ap3, err := plan.Apply(arch.Model{Config: plan.Source(), Store: store})
		if err != nil {
			t.Fatal(err)
		}
		tgt, tcfg := ap3.Store, ap3.Config
		if err := plan.ApplyOptimizerState(arch.Model{Config: plan.Source(), Store: store}, arch.Model{Config: plan.Target(), Store: tgt}); err != nil {
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
		checkStartSteps(t, c.name, plan, tgt, 1)
	}
	// Depth and width: the new blocks' variables have no moments at all.
	plan, err := NewPlan(cfg, Spec{Layers: e.Layers + 2, Width: 2 * e.Width}, LEMON, Options{Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	src := arch.Model{Config: cfg, Store: store}
	tgt, err := plan.Apply(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.ApplyOptimizerState(src, tgt); err != nil {
		t.Fatal(err)
	}
	checkStartSteps(t, "LEMON depth+2, width×2", plan, tgt.Store, 1)
}

// checkStartSteps: every target variable either carries moments, with a start step t0 (the
// source's step count) exactly where v* is zero and 0 elsewhere, or carries none, with a
// scalar start step t0 (optim.StartScope), so that AdamW bias-corrects fresh moments by
// their own age.
func checkStartSteps(t *testing.T, name string, plan *Plan, tgt *model.Store, t0 float64) {
	t.Helper()
	fresh, partial := 0, 0
	for _, st := range plan.steps {
		sv := tgt.GetVariable(optim.StartPath(st.Target))
		_, vp := optim.MomentPaths(st.Target)
		vv := tgt.GetVariable(vp)
		if vv == nil {
			if sv == nil || !sv.Shape().IsScalar() || tensors.ToScalar[float64](sv.MustValue()) != t0 {
				t.Errorf("%s: %s has no moments and no scalar start step %g (%v)", name, st.Target, t0, sv)
			}
			fresh++
			continue
		}
		v := tensors.MustCopyFlatData[float64](vv.MustValue())
		if sv == nil {
			for i, x := range v {
				if x == 0 {
					t.Errorf("%s: %s[%d] has v* = 0 but no start step", name, st.Target, i)
					break
				}
			}
			continue
		}
		partial++
		if sv.Shape().IsScalar() {
			t.Errorf("%s: %s carries moments but a scalar start step", name, st.Target)
			continue
		}
		start := tensors.MustCopyFlatData[float64](sv.MustValue())
		for i, x := range v {
			if want := map[bool]float64{true: t0, false: 0}[x == 0]; start[i] != want {
				t.Errorf("%s: %s start[%d] = %g with v* = %g, want %g", name, st.Target, i, start[i], x, want)
				break
			}
		}
	}
	t.Logf("%-24s %d variables with fresh moments, %d partly fresh", name, fresh, partial)
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
