package toy_test

import (
	"math"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/toy"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/ckpt"
	"github.com/golemon/golemon/lemon/expand"
	"github.com/gomlx/gomlx/core/tensors"
)

func toyConfig(dtype string) arch.Config {
	return toy.New(toy.Config{Encoder: arch.Encoder{Layers: 2, Width: 8, Heads: 2, HeadDim: 4, MLPDim: 16,
		Norm: arch.PreLN, LayerNormEps: 1e-6, DType: dtype}, Features: 5, Seq: 6, Classes: 3})
}

// TestToyFamilyEndToEnd: a family added as one folder (package toy and its Register call)
// goes through config JSON, checkpoints, every expansion method and verification without a
// line elsewhere: LEMON is exact at an indivisible width and added depth in float64 and
// float32, the lossy baselines are measured lossy, and a perturbed weight is caught.
func TestToyFamilyEndToEnd(t *testing.T) {
	be := backend.MustNew()
	for _, dtype := range []string{"float64", "float32"} {
		cfg := toyConfig(dtype)
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		// Config JSON: written as {"kind": "toy", "toy": {…}}, read back equal; bad ones refused.
		raw, err := cfg.MarshalIndent()
		if err != nil {
			t.Fatal(err)
		}
		back, err := arch.ParseConfig(raw)
		if err != nil || !arch.SameConfig(back, cfg) || !strings.Contains(string(raw), `"toy": {`) {
			t.Fatalf("JSON round trip: %v\n%s", err, raw)
		}
		for _, bad := range []string{
			`{"kind": "toy", "toy": {"features": 5, "seq": 6, "classes": 3, "bogus": 1}}`,
			`{"kind": "toy", "vit": {}}`,
			`{"kind": "toy", "toy": {"features": 0, "seq": 6, "classes": 3}}`,
		} {
			if _, err := arch.ParseConfig([]byte(bad)); err == nil {
				t.Errorf("accepted %s", bad)
			}
		}
		// Checkpoints: the model's variables under its own scope are model variables.
		src, err := arch.New(cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !arch.IsModelPath("/" + toy.In + "/weights") {
			t.Error("the toy scope is not a model scope")
		}
		dir := t.TempDir() + "/ckpt"
		if err := ckpt.Save(dir, src, nil); err != nil {
			t.Fatal(err)
		}
		loaded, err := ckpt.Load(dir)
		if err != nil || !arch.SameConfig(loaded.Config, cfg) {
			t.Fatalf("checkpoint round trip: %v", err)
		}
		tol := 1e-9
		if dtype == "float32" {
			tol = 1e-4
		}
		in := expand.RandomInputs(cfg, 4, 2)
		check := func(spec expand.Spec, m expand.Method, wantExact bool) {
			t.Helper()
			plan, err := expand.NewPlan(cfg, spec, m, expand.Options{Seed: 3})
			if err != nil {
				t.Fatalf("%s %v: %v", m, spec, err)
			}
			tgt, err := plan.Apply(loaded)
			if err != nil {
				t.Fatal(err)
			}
			d, err := expand.Compare(be, loaded, tgt, in)
			if err != nil {
				t.Fatal(err)
			}
			exact, _ := plan.Exactness()
			t.Logf("%s %-10s %-28v plan %-6s %v", dtype, m, spec, exact, d)
			if wantExact && (exact != expand.Exact || !d.Within(tol)) {
				t.Errorf("%s %s %v: %s, %v beyond %g", dtype, m, spec, exact, d, tol)
			}
			if !wantExact && (exact == expand.Exact || d.Rel() < 1e-3) {
				t.Errorf("%s %s %v: a lossy expansion measured %v (plan %s)", dtype, m, spec, d, exact)
			}
		}
		check(expand.Spec{Width: 12, MLPDim: 24, Heads: 3, Layers: 3}, expand.LEMON, true) // indivisible width, new heads and a block
		check(expand.Spec{Width: 16, MLPDim: 32, Heads: 4}, expand.FPI, true)
		check(expand.Spec{Width: 16, MLPDim: 32, Heads: 4}, expand.HyperClone, true)
		check(expand.Spec{Width: 12}, expand.FPI, false)   // circular residue under LayerNorm
		check(expand.Spec{Width: 16}, expand.Zero, false)  // zero channels change LayerNorm statistics
		check(expand.Spec{Layers: 4}, expand.Stack, false) // stacked copies add their outputs

		// Negative control: one perturbed weight of an exact expansion is caught.
		plan, _ := expand.NewPlan(cfg, expand.Spec{Width: 12, Layers: 3}, expand.LEMON, expand.Options{Seed: 3})
		tgt, err := plan.Apply(loaded)
		if err != nil {
			t.Fatal(err)
		}
		perturb(t, tgt, "/"+toy.Head+"/weights")
		if d, _ := expand.Compare(be, loaded, tgt, in); d.Within(tol) || math.IsNaN(d.MaxAbs) {
			t.Errorf("%s: a perturbed head weight went unnoticed: %v", dtype, d)
		}
	}
}

// perturb adds 0.01 to the first value of a variable.
func perturb(t *testing.T, m arch.Model, path string) {
	t.Helper()
	v := m.Store.GetVariable(path)
	val := v.MustValue()
	var next *tensors.Tensor
	if val.DType().String() == "Float64" {
		w := tensors.MustCopyFlatData[float64](val)
		w[0] += 0.01
		next = tensors.FromFlatDataAndDimensions(w, val.Shape().Dimensions...)
	} else {
		w := tensors.MustCopyFlatData[float32](val)
		w[0] += 0.01
		next = tensors.FromFlatDataAndDimensions(w, val.Shape().Dimensions...)
	}
	if err := v.SetValue(next); err != nil {
		t.Fatal(err)
	}
}
