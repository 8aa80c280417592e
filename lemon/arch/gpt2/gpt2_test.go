package gpt2_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/gpt2"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/ckpt"
	"github.com/golemon/golemon/lemon/expand"
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Tolerances of the exactness grid (as in lemon/expand's grid).
const (
	tolFloat64 = 1e-9 // max relative |Δ logits|, float64
	tolFloat32 = 1e-4 // max relative |Δ logits|, float32
)

// TestPublishedParameterCounts: the four GPT-2 presets have the parameter counts of
// transformers' GPT2LMHeadModel (tied head counted once): 124,439,808 for GPT-2 small.
func TestPublishedParameterCounts(t *testing.T) {
	for name, want := range map[string]int{
		"gpt2-small":  124_439_808,
		"gpt2-medium": 354_823_168,
		"gpt2-large":  774_030_080,
		"gpt2-xl":     1_557_611_200,
	} {
		cfg, err := gpt2.Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		if got := cfg.NumParams(); got != want {
			t.Errorf("%s: %d parameters, want %d", name, got, want)
		}
		if got := cfg.ParamsFloat(); got != float64(want) {
			t.Errorf("%s: ParamsFloat %g, want %d", name, got, want)
		}
		if !cfg.Enc().TanhGELU() { // OpenAI's checkpoints use gelu_new
			t.Errorf("%s: activation %q, want the tanh GELU of OpenAI's GPT-2", name, cfg.Enc().Activation)
		}
	}
	for _, name := range []string{"gpt2-cpu-2-32", "gpt2-cpu-4-64"} { // the decoder study's: exact GELU
		if cfg, err := gpt2.Preset(name); err != nil || cfg.Enc().TanhGELU() {
			t.Errorf("%s: %v, activation %q, want the exact GELU the decoder study was trained with", name, err, cfg.Enc().Activation)
		}
	}
	if _, err := gpt2.Preset("gpt3"); err == nil || !strings.Contains(err.Error(), "gpt2-small") {
		t.Errorf("unknown preset: %v", err)
	}
}

func tiny(dtype string) arch.Config {
	return gpt2.New(gpt2.Config{Encoder: arch.Encoder{Layers: 2, Width: 8, Heads: 2, HeadDim: 4, MLPDim: 16,
		Norm: arch.PreLN, LayerNormEps: 1e-5, DType: dtype, Causal: true}, VocabSize: 23, MaxPositions: 12})
}

// TestConfigAndCheckpoint: JSON and checkpoints round-trip; bad configs are refused naming
// the field.
func TestConfigAndCheckpoint(t *testing.T) {
	cfg := tiny("float64")
	raw, err := cfg.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	back, err := arch.ParseConfig(raw)
	if err != nil || !arch.SameConfig(back, cfg) || !strings.Contains(string(raw), `"causal": true`) {
		t.Fatalf("JSON round trip: %v\n%s", err, raw)
	}
	m, err := arch.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir() + "/ckpt"
	if err := ckpt.Save(dir, m, nil); err != nil {
		t.Fatal(err)
	}
	if l, err := ckpt.Load(dir); err != nil || !arch.SameConfig(l.Config, cfg) {
		t.Fatalf("checkpoint round trip: %v", err)
	}
	for bad, want := range map[string]string{
		strings.Replace(string(raw), `"causal": true`, `"causal": false`, 1):                      "causal must be true",
		strings.Replace(string(raw), `"norm": "pre"`, `"norm": "post"`, 1):                        "must be \"pre\"",
		strings.Replace(string(raw), `"vocab_size": 23`, `"vocab_size": 1`, 1):                    "vocab_size must be ≥ 2",
		strings.Replace(string(raw), `"max_positions": 12`, `"bogus": 12`, 1):                     "bogus",
		strings.Replace(string(raw), `"causal": true`, `"causal": true, "activation": "relu"`, 1): `activation must be "gelu" (exact) or "gelu_tanh"`,
	} {
		if _, err := arch.ParseConfig([]byte(bad)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want an error with %q, got %v", want, err)
		}
	}
}

// TestCausal: changing the token at position j changes the logits at positions ≥ j only;
// the same model with causal masking switched off (the negative control) leaks it backwards.
func TestCausal(t *testing.T) {
	be := backend.MustNew()
	cfg := tiny("float64")
	m, err := arch.New(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	in := expand.RandomInputs(cfg, 1, 5)
	ids := tensors.MustCopyFlatData[int32](in.Tokens)
	seq, j := len(ids), 7
	changed := append([]int32(nil), ids...)
	changed[j] = (changed[j] + 1) % 23
	in2 := arch.Inputs{Tokens: tensors.FromFlatDataAndDimensions(changed, 1, seq)}
	leak := func(c gpt2.Config) (before, after float64) {
		a := lmLogits(t, be, m, c, in)
		b := lmLogits(t, be, m, c, in2)
		for i := range a {
			d := math.Abs(a[i] - b[i])
			if i/23 < j {
				before = max(before, d)
			} else {
				after = max(after, d)
			}
		}
		return before, after
	}
	c := cfg.Other.(gpt2.Config)
	before, after := leak(c)
	if before != 0 || after < 1e-6 {
		t.Errorf("causal: positions before %d moved by %g (want 0), at or after by %g (want > 0)", j, before, after)
	}
	// Negative control: the same weights read bidirectionally.
	c.Encoder.Causal = false
	if before, _ := leak(c); before < 1e-6 {
		t.Errorf("without the causal mask, earlier positions should move; moved %g", before)
	}
}

// TestExpansionGrid: every LEMON expansion of a GPT-2 (indivisible and divisible width,
// heads, head dim, MLP, depth ×1.5/×2/×3 interleaved and stacked with cancelling or zero
// writers, width and depth together)
// keeps the next-token logits at every position in float64 and float32; the lossy baselines
// are measured lossy; a perturbed weight, and the expanded model read without its causal mask,
// are caught (negative controls).
func TestExpansionGrid(t *testing.T) {
	be := backend.MustNew()
	specs := []expand.Spec{
		{Width: 12},
		{Width: 16},
		{Heads: 3},
		{HeadDim: 6},
		{MLPDim: 40},
		{Layers: 3},
		{Layers: 4},
		{Layers: 6},
		{Width: 16, Heads: 4, MLPDim: 32, Layers: 4},
		{Width: 12, Heads: 3, HeadDim: 6, MLPDim: 24, Layers: 3},
		{Width: 12, Layers: 4, NewWriters: expand.ZeroWriters},
	}
	for _, act := range []string{arch.GELUExact, arch.GELUTanh} {
		for _, dtype := range []string{"float64", "float32"} {
			grid(t, be, specs, dtype, act)
		}
	}
}

// grid runs TestExpansionGrid for one dtype and GELU form.
func grid(t *testing.T, be compute.Backend, specs []expand.Spec, dtype, act string) {
	t.Helper()
	{
		cfg := tiny(dtype)
		c := cfg.Other.(gpt2.Config)
		c.Encoder.Activation = act
		cfg = gpt2.New(c)
		src, err := arch.New(cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		tol := tolFloat64
		if dtype == "float32" {
			tol = tolFloat32
		}
		in := expand.RandomInputs(cfg, 3, 2)
		worst := 0.0
		for _, spec := range specs {
			for _, layout := range []expand.Layout{expand.Interleave, expand.Stacked} {
				if spec.Layers == 0 && layout == expand.Stacked {
					continue
				}
				spec.Layout = layout
				plan, err := expand.NewPlan(cfg, spec, expand.LEMON, expand.Options{Seed: 4})
				if err != nil {
					t.Fatalf("%v: %v", spec, err)
				}
				tgt, err := plan.Apply(src)
				if err != nil {
					t.Fatal(err)
				}
				if !tgt.Config.Enc().Causal {
					t.Fatalf("%v: the target lost its causal mask", spec)
				}
				d, err := expand.Compare(be, src, tgt, in)
				if err != nil {
					t.Fatal(err)
				}
				exact, _ := plan.Exactness()
				if exact != expand.Exact || !d.Within(tol) {
					t.Errorf("%s LEMON %v %v: plan %s, %v beyond %g", dtype, spec, layout, exact, d, tol)
				}
				worst = max(worst, d.Rel())
			}
		}
		t.Logf("%s %s: LEMON over %d specs, worst relative |Δ logits| %.3g (tolerance %g)", dtype, act, len(specs), worst, tol)

		// Control (float64: at initialisation scale the two forms differ by ~1e-7 relative,
		// below float32's tolerance): the same weights read with the other GELU form compute
		// another function, so the grid above ran the form it names.
		other := c
		other.Encoder.Activation = map[string]string{arch.GELUExact: arch.GELUTanh, arch.GELUTanh: arch.GELUExact}[act]
		swapped := arch.Model{Config: gpt2.New(other), Store: src.Store}
		if d, err := expand.Compare(be, src, swapped, in); dtype == "float64" && (err != nil || d.Within(tol)) {
			t.Errorf("%s %s: reading the weights with activation %q went unnoticed: %v (%v)", dtype, act, other.Encoder.Activation, d, err)
		}

		for _, c := range []struct {
			m    expand.Method
			spec expand.Spec
		}{
			{expand.FPI, expand.Spec{Width: 12}},
			{expand.AKI, expand.Spec{MLPDim: 32}},
			{expand.Zero, expand.Spec{Width: 16}},
			{expand.Stack, expand.Spec{Layers: 4}},
		} {
			plan, err := expand.NewPlan(cfg, c.spec, c.m, expand.Options{Seed: 4})
			if err != nil {
				t.Fatal(err)
			}
			tgt, err := plan.Apply(src)
			if err != nil {
				t.Fatal(err)
			}
			d, err := expand.Compare(be, src, tgt, in)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s %-6s %v: %v", dtype, c.m, c.spec, d)
			if d.Rel() < 1e-3 {
				t.Errorf("%s %s %v: a lossy baseline measured %v", dtype, c.m, c.spec, d)
			}
		}

		// Negative controls on an exact expansion.
		plan, err := expand.NewPlan(cfg, expand.Spec{Width: 12, Layers: 3}, expand.LEMON, expand.Options{Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		tgt, err := plan.Apply(src)
		if err != nil {
			t.Fatal(err)
		}
		if d, _ := expand.Compare(be, src, tgt, in); !d.Within(tol) {
			t.Fatalf("control's base case: %v", d)
		}
		want, err := expand.Forward(be, src, in)
		if err != nil {
			t.Fatal(err)
		}
		tc := tgt.Config.Other.(gpt2.Config)
		tc.Encoder.Causal = false
		open := expand.Logits{Heads: []string{"lm"}, Flat: [][]float64{lmLogits(t, be, tgt, tc, in)}}
		if d, err := expand.CompareLogits(open, want); err != nil || d.Within(tol) {
			t.Errorf("%s: the expanded model read without its causal mask went unnoticed: %v (%v)", dtype, d, err)
		}
		perturb(t, tgt, "/"+gpt2.PosEmbed)
		if d, _ := expand.Compare(be, src, tgt, in); d.Within(tol) || math.IsNaN(d.MaxAbs) {
			t.Errorf("%s: a perturbed position embedding went unnoticed: %v", dtype, d)
		}
	}
}

// lmLogits runs c's LM head over m's weights without validating c (the negative controls
// read a model with its causal mask switched off, which Validate refuses).
func lmLogits(t *testing.T, be compute.Backend, m arch.Model, c gpt2.Config, in arch.Inputs) []float64 {
	t.Helper()
	exec, err := model.NewExec(be, m.Store, c.LMLogits)
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	res, err := exec.Call(in.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].DType() == dtypes.Float64 {
		return tensors.MustCopyFlatData[float64](res[0])
	}
	var out []float64
	for _, v := range tensors.MustCopyFlatData[float32](res[0]) {
		out = append(out, float64(v))
	}
	return out
}

// perturb adds 0.01 to the value at index 5 of a variable (position 0's row of an embedding).
func perturb(t *testing.T, m arch.Model, path string) {
	t.Helper()
	v := m.Store.GetVariable(path)
	val := v.MustValue()
	var next *tensors.Tensor
	switch val.DType().String() {
	case "Float64":
		w := tensors.MustCopyFlatData[float64](val)
		w[5] += 0.01
		next = tensors.FromFlatDataAndDimensions(w, val.Shape().Dimensions...)
	default:
		w := tensors.MustCopyFlatData[float32](val)
		w[5] += 0.01
		next = tensors.FromFlatDataAndDimensions(w, val.Shape().Dimensions...)
	}
	if err := v.SetValue(next); err != nil {
		t.Fatal(fmt.Errorf("perturb %s: %w", path, err))
	}
}
