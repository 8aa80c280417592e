package expand

import (
	"math"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/vit"
	"github.com/golemon/golemon/lemon/data"
)

// TestBadRequestsFailClearly: a non-finite noise, empty verification batches and optimizer
// state asked of a source without any are one clear error each.
func TestBadRequestsFailClearly(t *testing.T) {
	v := vit.Config{Encoder: arch.Encoder{Layers: 1, Width: 8, Heads: 2, HeadDim: 4, MLPDim: 16,
		Norm: arch.PreLN, LayerNormEps: 1e-6, DType: "float32"}, ImageSize: 8, Channels: 1, PatchSize: 4, NumClasses: 3}
	src := vit.New(v)
	for _, noise := range []float64{math.NaN(), math.Inf(1), -1} {
		if _, err := NewPlan(src, Spec{Width: 16}, HyperClone, Options{Noise: noise}); err == nil || !strings.Contains(err.Error(), "noise") {
			t.Errorf("noise %g: %v, want an error naming the noise", noise, err)
		}
	}
	set := &data.ImageSet{N: 2, Height: 8, Width: 8, Channels: 1, NumClasses: 3, Pixels: make([]float32, 128), Labels: []int32{0, 1}}
	for _, n := range []int{0, -5} {
		if _, err := ImageInputs(src, set, n); err == nil || !strings.Contains(err.Error(), "n ≥ 1") {
			t.Errorf("ImageInputs(n = %d): %v", n, err)
		}
	}
	plan, err := NewPlan(src, Spec{Width: 16}, LEMON, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	store, _ := arch.Init(src, 1) // a fresh model: no optimizer state
	ap6, err := plan.Apply(arch.Model{Config: plan.Source(), Store: store})
	if err != nil {
		t.Fatal(err)
	}
	tgt := ap6.Store
	if err := plan.ApplyOptimizerState(arch.Model{Config: plan.Source(), Store: store}, arch.Model{Config: plan.Target(), Store: tgt}); err == nil || !strings.Contains(err.Error(), "no optimizer state") {
		t.Errorf("ApplyOptimizerState without state: %v", err)
	}
	// A model of another config than the plan's source, a model without weights, and the
	// target handed in where the source belongs are refused, naming both configs.
	oe := src.Enc()
	oe.Layers++
	other := src.WithEncoder(oe)
	otherStore, _ := arch.Init(other, 1)
	for name, m := range map[string]arch.Model{
		"other config": {Config: other, Store: otherStore},
		"nil store":    {Config: src},
		"the target":   ap6,
	} {
		if _, err := plan.Apply(m); err == nil || !(strings.Contains(err.Error(), "plan expands") || strings.Contains(err.Error(), "no weights")) {
			t.Errorf("Apply(%s): %v", name, err)
		}
	}
	if err := plan.ApplyOptimizerState(ap6, ap6); err == nil || !strings.Contains(err.Error(), "the plan is") {
		t.Errorf("ApplyOptimizerState(target, target): %v", err)
	}
}

// TestHugeTargetsRefusedBeforeAllocating: absurd sizes are refused from the sizes alone (the
// test would run out of memory otherwise), and the limit can be raised.
func TestHugeTargetsRefusedBeforeAllocating(t *testing.T) {
	v := vit.Config{Encoder: arch.Encoder{Layers: 1, Width: 8, Heads: 2, HeadDim: 4, MLPDim: 16,
		Norm: arch.PreLN, LayerNormEps: 1e-6, DType: "float32"}, ImageSize: 8, Channels: 1, PatchSize: 4, NumClasses: 3}
	src := vit.New(v)
	for _, spec := range []Spec{{Width: 100_000_000}, {Width: 1 << 40}, {MLPDim: 1 << 40}, {Heads: 1 << 40},
		{Layers: math.MaxInt64}, {Width: math.MaxInt64}} {
		if _, err := NewPlan(src, spec, LEMON, Options{}); err == nil || !strings.Contains(err.Error(), "beyond the limit") {
			t.Errorf("%+v: %v, want a refusal naming the limit", spec, err)
		}
	}
	if _, err := NewPlan(src, Spec{Width: 16}, LEMON, Options{MaxParams: 100}); err == nil || !strings.Contains(err.Error(), "MaxParams") {
		t.Errorf("a lowered limit was not applied: %v", err)
	}
	if _, err := NewPlan(src, Spec{Width: 2000}, LEMON, Options{MaxParams: 1e12}); err != nil {
		t.Errorf("a raised limit should allow the plan: %v", err)
	}
}
