package expand

import (
	"math/rand/v2"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/vit"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// gradients returns ∂loss/∂(every model variable) of a float64 ViT for the fixed linear
// loss Σ logits·C (C seeded), computed by GoMLX's reverse-mode autodiff.
func gradients(t *testing.T, cfg arch.Config, store *model.Store, in Inputs) map[string][]float64 {
	t.Helper()
	vars := cfg.Vars()
	exec, err := model.NewExec(backend.MustNew(), store, func(s *model.Scope, images *graph.Node) []*graph.Node {
		v, _ := vit.Of(cfg)
		logits := v.Logits(s, images)
		rng := rand.New(rand.NewPCG(3, 4))
		c := make([]float64, logits.Shape().Size())
		for i := range c {
			c[i] = rng.NormFloat64()
		}
		loss := graph.ReduceAllSum(graph.Mul(logits, graph.Const(images.Graph(), tensors.FromFlatDataAndDimensions(c, logits.Shape().Dimensions...))))
		nodes := make([]*graph.Node, len(vars))
		for i, v := range vars {
			nodes[i] = s.Store().GetVariable("/" + v.Path).NodeValue(images.Graph())
		}
		return graph.Gradient(loss, nodes...)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	out, err := exec.Call(in.Images)
	if err != nil {
		t.Fatal(err)
	}
	grads := map[string][]float64{}
	for i, v := range vars {
		grads[v.Path] = tensors.MustCopyFlatData[float64](out[i])
	}
	return grads
}

// sgdStep returns the variable at path after w ← w − lr·g.
func sgdStep(t *testing.T, store *model.Store, grads map[string][]float64, path string, lr float64) []float64 {
	t.Helper()
	w := tensors.MustCopyFlatData[float64](store.GetVariable("/" + path).MustValue())
	for i, g := range grads[path] {
		w[i] -= lr * g
	}
	return w
}

// TestSymmetryBreaking (docs/method.md#symmetry-breaking): after one gradient step, the fan-in
// of duplicated units diverges under LEMON's unequal split and stays identical under the
// equal split of FPI, which would keep the wide model no more capable than the source.
func TestSymmetryBreaking(t *testing.T) {
	cfg := vitSource(arch.PreLN, 1e-6, "float64")
	store := randomStore(t, cfg, 21)
	in := RandomInputs(cfg, 4, 8)
	e := cfg.Enc()
	cases := []struct {
		name string
		spec Spec
		path string // a weight whose output columns a and b hold copies of the same unit
		a, b int
	}{
		{"MLP neurons (F×2)", Spec{MLPDim: 2 * e.MLPDim}, arch.InBlock(0, arch.FC1, arch.Weights), 3, 3 + e.MLPDim},
		{"residual channels (D×2)", Spec{Width: 2 * e.Width}, arch.Join(vit.PatchEmbed, arch.Weights), 5, 5 + e.Width},
		{"heads (H×2)", Spec{Heads: 2 * e.Heads}, arch.InBlock(1, arch.Value, arch.Weights), 1, 1 + e.Heads*e.HeadDim},
	}
	methods := []struct {
		m         Method
		opts      Options
		symmetric bool
	}{
		{LEMON, Options{Seed: 5}, false},
		{FPI, Options{Seed: 5}, true},
		{HyperClone, Options{Seed: 5}, true},
		{HyperClone, Options{Seed: 5, Noise: 0.01}, false}, // paired noise breaks the symmetry
	}
	for _, c := range cases {
		for _, m := range methods {
			before, after := stepGap(t, cfg, store, in, c.spec, m.m, m.opts, c.path, c.a, c.b)
			t.Logf("%-24s %-10s noise %-4g copies differ by %.3g before and %.3g after one SGD step", c.name, m.m, m.opts.Noise, before, after)
			switch {
			case before != 0:
				t.Errorf("%s %s: copies must start identical, differ by %g", c.name, m.m, before)
			case m.symmetric && after > 1e-12:
				t.Errorf("%s: %s copies diverged by %g: an equal split should keep them symmetric", c.name, m.m, after)
			case !m.symmetric && after < 1e-4:
				t.Errorf("%s: %s copies still equal after a step (gap %g): symmetry not broken", c.name, m.m, after)
			}
		}
	}
}

// stepGap expands, takes one SGD step on the target and returns how far the output columns
// a and b of the weight at path are apart before and after it.
func stepGap(t *testing.T, cfg arch.Config, store *model.Store, in Inputs, spec Spec, m Method, opts Options, path string, a, b int) (before, after float64) {
	t.Helper()
	const lr = 0.1
	plan, err := NewPlan(cfg, spec, m, opts)
	if err != nil {
		t.Fatal(err)
	}
	ap1, err := plan.Apply(arch.Model{Config: plan.Source(), Store: store})
	if err != nil {
		t.Fatal(err)
	}
	tgt, tcfg := ap1.Store, ap1.Config
	cols := lastDim(stepShape(plan, path))
	w0 := tensors.MustCopyFlatData[float64](tgt.GetVariable("/" + path).MustValue())
	w1 := sgdStep(t, tgt, gradients(t, tcfg, tgt, in), path, lr)
	return maxColumnGap(w0, cols, a, b), maxColumnGap(w1, cols, a, b)
}

func stepShape(p *Plan, target string) []int {
	for _, st := range p.steps {
		if st.Target == target {
			return st.TargetShape
		}
	}
	panic("no step for " + target)
}

// TestHiddenCopyGaps: after one SGD step on every weight, FPI's duplicated MLP units stay
// copies (fan-out rows equal before and after, equal fan-in updates) while LEMON's start with
// different fan-out rows and move apart; mismatched models and out-of-range blocks are refused.
func TestHiddenCopyGaps(t *testing.T) {
	cfg := vitSource(arch.PreLN, 1e-6, "float64")
	store := randomStore(t, cfg, 21)
	in := RandomInputs(cfg, 4, 8)
	f := cfg.Enc().MLPDim
	for _, c := range []struct {
		m         Method
		symmetric bool
	}{{FPI, true}, {LEMON, false}} {
		plan, err := NewPlan(cfg, Spec{MLPDim: 2 * f}, c.m, Options{Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		before, err := plan.Apply(arch.Model{Config: cfg, Store: store})
		if err != nil {
			t.Fatal(err)
		}
		after, err := plan.Apply(arch.Model{Config: cfg, Store: store}) // the same expansion, then one step
		if err != nil {
			t.Fatal(err)
		}
		grads := gradients(t, after.Config, after.Store, in)
		for path := range grads {
			w := sgdStep(t, after.Store, grads, path, 0.1)
			if err := after.Store.GetVariable("/" + path).SetValue(tensors.FromFlatDataAndDimensions(w, stepShape(plan, path)...)); err != nil {
				t.Fatal(err)
			}
		}
		out0, outN, move, err := HiddenCopyGaps(before, after, 0, f)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-6s fan-out gap %.3g → %.3g, fan-in update gap %.3g", c.m, out0, outN, move)
		if c.symmetric && (out0 != 0 || outN > 1e-12 || move > 1e-12) {
			t.Errorf("%s: copies not symmetric: %g %g %g", c.m, out0, outN, move)
		}
		if !c.symmetric && (out0 < 1e-4 || move < 1e-6) {
			t.Errorf("%s: copies not broken apart: %g %g %g", c.m, out0, outN, move)
		}
		if _, _, _, err := HiddenCopyGaps(before, arch.Model{Config: cfg, Store: store}, 0, f); err == nil {
			t.Error("models of different configs were compared")
		}
		if _, _, _, err := HiddenCopyGaps(before, after, 5, f); err == nil {
			t.Error("a block past the last was accepted")
		}
	}
}
