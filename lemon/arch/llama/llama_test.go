package llama_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/llama"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/ckpt"
	"github.com/golemon/golemon/lemon/expand"
	"github.com/gomlx/gomlx/core/tensors"
)

// Tolerances of the exactness grid (as in lemon/expand's grid).
const (
	tolFloat64 = 1e-9 // max relative |Δ logits|, float64
	tolFloat32 = 1e-4 // max relative |Δ logits|, float32
)

// TestPublishedParameterCounts: LLaMA-family presets have their published parameter counts
// (transformers' LlamaForCausalLM, untied head): TinyLlama-1.1B 1,100,048,384, Llama-2-7B
// 6,738,415,616, Llama-3-8B 8,030,261,248 (grouped-query attention with 4 and 8 kv heads).
func TestPublishedParameterCounts(t *testing.T) {
	for name, want := range map[string]float64{
		"tinyllama-1.1b": 1_100_048_384,
		"llama2-7b":      6_738_415_616,
		"llama3-8b":      8_030_261_248,
	} {
		cfg, err := llama.Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		if got := cfg.ParamsFloat(); got != want {
			t.Errorf("%s: ParamsFloat %.0f, want %.0f", name, got, want)
		}
	}
	small, _ := llama.Preset("llama-cpu-2-32")
	if float64(small.NumParams()) != small.ParamsFloat() {
		t.Errorf("llama-cpu-2-32: %d variables' scalars vs ParamsFloat %.0f", small.NumParams(), small.ParamsFloat())
	}
}

func tiny(dtype string, tied bool) arch.Config {
	return llama.New(llama.Config{Encoder: arch.Encoder{Layers: 2, Width: 8, Heads: 4, HeadDim: 4, MLPDim: 12,
		Norm: arch.PreLN, LayerNormEps: 1e-5, DType: dtype, Causal: true,
		NormKind: arch.RMSNormKind, MLPKind: arch.SwiGLUMLP, KVHeads: 2, RoPETheta: 10000, NoBias: true},
		VocabSize: 19, MaxPositions: 12, TieEmbeddings: tied})
}

// TestConfig: JSON and checkpoints round-trip; configs that are not LLaMA-style are refused.
func TestConfig(t *testing.T) {
	cfg := tiny("float64", false)
	raw, err := cfg.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	back, err := arch.ParseConfig(raw)
	if err != nil || !arch.SameConfig(back, cfg) {
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
		strings.Replace(string(raw), `"kv_heads": 2`, `"kv_heads": 3`, 1):                                            "kv_heads 3 must divide heads 4",
		strings.Replace(string(raw), `"norm_kind": "rmsnorm"`, `"norm_kind": "rms"`, 1):                              "norm_kind must be",
		strings.Replace(string(raw), `"rope_theta": 10000`, `"rope_theta": 0.5`, 1):                                  "rope_theta must be 0",
		strings.Replace(string(raw), `"mlp_kind": "swiglu",`, ``, 1):                                                 "mlp_kind must be \"swiglu\"",
		strings.Replace(string(raw), `"mlp_kind": "swiglu",`, `"mlp_kind": "swiglu", "activation": "gelu_tanh",`, 1): "a SwiGLU MLP uses SiLU",
	} {
		if _, err := arch.ParseConfig([]byte(bad)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want an error with %q, got %v", want, err)
		}
	}
}

// TestExpansionGrid: LEMON expands a LLaMA-style model (RMSNorm, SwiGLU, RoPE, grouped-query
// attention, tied and untied heads) exactly over width (indivisible and divisible), heads
// (key/value heads following the group size), MLP and depth (interleaved and stacked,
// cancelling and zero writers), in float64 and float32; the lossy baselines are measured
// lossy; and the refusals name their reason. Attention is sharpened (Q, K × 30) so that a
// misrouted head could not hide in near-uniform scores.
func TestExpansionGrid(t *testing.T) {
	be := backend.MustNew()
	specs := []expand.Spec{
		{Width: 12},
		{Width: 16},
		{Heads: 6},
		{Heads: 8},
		{MLPDim: 20},
		{Layers: 3},
		{Layers: 4},
		{Layers: 4, Layout: expand.Stacked},
		{Layers: 4, NewWriters: expand.ZeroWriters},
		{Width: 16, Heads: 8, MLPDim: 24, Layers: 4}, // 2× width, 2× depth, kv heads 2 → 4
		{Width: 12, Heads: 6, MLPDim: 20, Layers: 3},
	}
	for _, tied := range []bool{false, true} {
		for _, dtype := range []string{"float64", "float32"} {
			cfg := tiny(dtype, tied)
			src, err := arch.New(cfg, 1)
			if err != nil {
				t.Fatal(err)
			}
			sharpen(t, src)
			tol := tolFloat64
			if dtype == "float32" {
				tol = tolFloat32
			}
			in := expand.RandomInputs(cfg, 3, 2)
			worst := 0.0
			for _, spec := range specs {
				plan, err := expand.NewPlan(cfg, spec, expand.LEMON, expand.Options{Seed: 4})
				if err != nil {
					t.Fatalf("%v: %v", spec, err)
				}
				tgt, err := plan.Apply(src)
				if err != nil {
					t.Fatal(err)
				}
				d, err := expand.Compare(be, src, tgt, in)
				if err != nil {
					t.Fatal(err)
				}
				exact, _ := plan.Exactness()
				if exact != expand.Exact || !d.Within(tol) {
					t.Errorf("tied=%v %s LEMON %v: plan %s, %v beyond %g", tied, dtype, spec, exact, d, tol)
				}
				worst = max(worst, d.Rel())
			}
			t.Logf("tied=%v %s: LEMON over %d specs, worst relative |Δ logits| %.3g (tolerance %g)", tied, dtype, len(specs), worst, tol)
			for _, c := range []struct {
				m    expand.Method
				spec expand.Spec
			}{
				{expand.FPI, expand.Spec{Width: 12}},
				{expand.AKI, expand.Spec{MLPDim: 16}},
				{expand.Zero, expand.Spec{Width: 16}},
				{expand.Stack, expand.Spec{Layers: 4}},
				{expand.SOLAR, expand.Spec{Layers: 4}},
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
				t.Logf("tied=%v %s %-6s %v: %v", tied, dtype, c.m, c.spec, d)
				if d.Rel() < 1e-3 {
					t.Errorf("%s %s %v: a lossy baseline measured %v", dtype, c.m, c.spec, d)
				}
			}
			// Exact HyperClone at ×2 (kv heads ×2 with the query heads).
			plan, err := expand.NewPlan(cfg, expand.Spec{Width: 16, Heads: 8, MLPDim: 24}, expand.HyperClone, expand.Options{Seed: 4})
			if err != nil {
				t.Fatal(err)
			}
			tgt, err := plan.Apply(src)
			if err != nil {
				t.Fatal(err)
			}
			if d, err := expand.Compare(be, src, tgt, in); err != nil || !d.Within(tol) {
				t.Errorf("%s hyperclone ×2: %v %v", dtype, d, err)
			}
			// Exact LLaMA Pro block expansion (identity blocks, depth only); its negative
			// control: the same plan with one new block's down_proj made non-zero.
			plan, err = expand.NewPlan(cfg, expand.Spec{Layers: 4}, expand.LLaMAPro, expand.Options{Seed: 4})
			if err != nil {
				t.Fatal(err)
			}
			tgt, err = plan.Apply(src)
			if err != nil {
				t.Fatal(err)
			}
			if d, err := expand.Compare(be, src, tgt, in); err != nil || !d.Within(tol) {
				t.Errorf("%s llama-pro 2 → 4 blocks: %v %v", dtype, d, err)
			}
			down := "/" + arch.InBlock(1, arch.FC2, arch.Weights) // block 1 is source block 0's new copy
			w := tgt.Store.GetVariable(down)
			vals := tensorValues(t, w.MustValue())
			if slices.ContainsFunc(vals, func(v float64) bool { return v != 0 }) {
				t.Errorf("%s llama-pro: the new block's down_proj is not zero", dtype)
			}
			vals[7] = 0.05
			if err := w.SetValue(arch.NewTensor(arch.DTypeOf(cfg.Enc()), vals, w.Shape().Dimensions)); err != nil {
				t.Fatal(err)
			}
			if d, err := expand.Compare(be, src, tgt, in); err != nil || d.Within(tol) {
				t.Errorf("%s llama-pro: a non-zero writer in a new block went unnoticed: %v %v", dtype, d, err)
			}
		}
	}
	cfg := tiny("float64", false)
	for _, c := range []struct {
		m    expand.Method
		spec expand.Spec
		want string
	}{
		{expand.LEMON, expand.Spec{Heads: 5}, "must be a multiple of the group size 2"},
		{expand.LEMON, expand.Spec{HeadDim: 6}, "RoPE: head_dim 4 → 6"},
		{expand.SOLAR, expand.Spec{Layers: 3}, "target layers 3 must be even and at most 4"},
		{expand.LLaMAPro, expand.Spec{Width: 16}, "llama-pro expands depth only"},
		{expand.LLaMAPro, expand.Spec{Layers: 5}, "the 3 new blocks must divide the 2 source blocks"},
	} {
		if _, err := expand.NewPlan(cfg, c.spec, c.m, expand.Options{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: want a refusal with %q, got %v", c.m, c.spec, c.want, err)
		}
	}
	// SOLAR's layout on a deeper source: 4 blocks → 6 drops m = 1 at the seam (0 1 2 | 1 2 3).
	deep := tiny("float64", false)
	c := deep.Other.(llama.Config)
	c.Encoder.Layers = 4
	plan, err := expand.NewPlan(llama.New(c), expand.Spec{Layers: 6}, expand.SOLAR, expand.Options{})
	if err != nil || !strings.Contains(plan.Header(), "blocks: 0←0 1←1 2←2 3←1′(copy) 4←2′(copy) 5←3′(copy)") {
		t.Errorf("SOLAR 4 → 6: %v\n%v", err, plan)
	}
	// LLaMA Pro's layout (block_expansion.py): 4 → 6 puts a zero-writer copy after every
	// second block, where LEMON's interleave puts them after the last two.
	plan, err = expand.NewPlan(llama.New(c), expand.Spec{Layers: 6}, expand.LLaMAPro, expand.Options{})
	if err != nil || !strings.Contains(plan.Header(), "blocks: 0←0 1←1 2←1′(zero) 3←2 4←3 5←3′(zero)") {
		t.Errorf("LLaMA Pro 4 → 6: %v\n%v", err, plan)
	}
	// Depth kept (an odd one): SOLAR is LEMON's width rules alone, exact.
	c.Encoder.Layers = 3
	odd := llama.New(c)
	oddSrc, err := arch.New(odd, 2)
	if err != nil {
		t.Fatal(err)
	}
	plan, err = expand.NewPlan(odd, expand.Spec{Width: 12}, expand.SOLAR, expand.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	wide, err := plan.Apply(oddSrc)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := expand.Compare(backend.MustNew(), oddSrc, wide, expand.RandomInputs(odd, 2, 3)); err != nil || !d.Within(tolFloat64) {
		t.Errorf("SOLAR width only, 3 blocks: %v %v", d, err)
	}
}

// TestNegativeControls: each decoder-specific part of the plan is needed — a V_avg mean
// residue under RMSNorm (LayerNorm's rule), a wrong key/value-head mapping, and the
// head-dimension growth that RoPE's pairing forbids are each caught as a logit change.
func TestNegativeControls(t *testing.T) {
	be := backend.MustNew()
	for _, dtype := range []string{"float64", "float32"} {
		cfg := tiny(dtype, false)
		tol := tolFloat64
		if dtype == "float32" {
			tol = tolFloat32
		}
		src, err := arch.New(cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		sharpen(t, src)
		in := expand.RandomInputs(cfg, 3, 2)
		apply := func(c arch.Config, spec expand.Spec, m arch.Model) arch.Model {
			t.Helper()
			plan, err := expand.NewPlan(c, spec, expand.LEMON, expand.Options{Seed: 4})
			if err != nil {
				t.Fatal(err)
			}
			tgt, err := plan.Apply(m)
			if err != nil {
				t.Fatal(err)
			}
			return tgt
		}
		diff := func(tgt arch.Model) expand.Diff {
			t.Helper()
			d, err := expand.Compare(be, src, tgt, in)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}

		// 1. RMSNorm needs a zero residue: the exact target at width 12 (8·1 + 4 residue
		// channels), with the embedding's residue columns set to each row's mean as V_avg
		// would, no longer computes the source's function.
		tgt := apply(cfg, expand.Spec{Width: 12}, src)
		if d := diff(tgt); !d.Within(tol) {
			t.Fatalf("%s: the base case is not exact: %v", dtype, d)
		}
		edit(t, tgt, "/"+llama.TokenEmbed, func(w []float64, shape []int) {
			for r := range shape[0] {
				mean := 0.0
				for c := range 8 {
					mean += w[r*shape[1]+c] / 8
				}
				for c := 8; c < shape[1]; c++ {
					w[r*shape[1]+c] = mean
				}
			}
		})
		if d := diff(tgt); d.Within(tol) {
			t.Errorf("%s: a mean residue under RMSNorm went unnoticed: %v", dtype, d)
		} else {
			t.Logf("%s: mean residue under RMSNorm: %v", dtype, d)
		}

		// 2. Key/value heads must follow the group size: the exact ×2 target (8 query heads,
		// 4 kv heads) with its kv heads 2 and 3 dropped (4 → 2, so that query heads 4 … 7 read
		// kv heads 0 and 1 in groups of 4 instead of copies of the ones their sources read).
		tgt = apply(cfg, expand.Spec{Heads: 8}, src)
		if d := diff(tgt); !d.Within(tol) {
			t.Fatalf("%s: the ×2 heads base case is not exact: %v", dtype, d)
		}
		c := tgt.Config.Other.(llama.Config)
		c.Encoder.KVHeads = 2
		wrong := arch.Model{Config: llama.New(c), Store: tgt.Store}
		for b := range c.Encoder.Layers {
			for _, p := range []string{arch.Key, arch.Value} {
				keepColumns(t, wrong, "/"+arch.InBlock(b, p, arch.Weights), 2*c.Encoder.HeadDim)
			}
		}
		if d := diff(wrong); d.Within(tol) {
			t.Errorf("%s: a wrong key/value-head mapping went unnoticed: %v", dtype, d)
		} else {
			t.Logf("%s: wrong key/value-head mapping: %v", dtype, d)
		}

		// 3. RoPE forbids growing the head dimension: the plan a RoPE-free (NoPE) twin allows
		// (Q zero-padded and scaled, K's new dims random), applied to the same weights and
		// run with RoPE at d = 6, breaks the source's rotary pairs and frequencies.
		twin := cfg.Other.(llama.Config)
		twin.Encoder.RoPETheta = 0
		twinCfg := arch.Config{Kind: llama.Kind, Other: twin}
		twinSrc := arch.Model{Config: twinCfg, Store: src.Store}
		grown := apply(twinCfg, expand.Spec{HeadDim: 6}, twinSrc)
		g := grown.Config.Other.(llama.Config)
		g.Encoder.RoPETheta = 10000
		broken := arch.Model{Config: arch.Config{Kind: llama.Kind, Other: g}, Store: grown.Store}
		if d := diff(broken); d.Within(tol) {
			t.Errorf("%s: head-dim growth under RoPE went unnoticed: %v", dtype, d)
		} else {
			t.Logf("%s: head dim 4 → 6 under RoPE: %v", dtype, d)
		}
	}
}

// sharpen multiplies every Q and K weight by 30: initialiser-scale attention scores are
// nearly uniform, which would hide what RoPE and the key/value pairing do.
func sharpen(t *testing.T, m arch.Model) {
	t.Helper()
	for b := range m.Config.Enc().Layers {
		for _, p := range []string{arch.Query, arch.Key} {
			edit(t, m, "/"+arch.InBlock(b, p, arch.Weights), func(w []float64, _ []int) {
				for i := range w {
					w[i] *= 30
				}
			})
		}
	}
}

// edit applies f to a variable's values (as float64) and stores them back.
func edit(t *testing.T, m arch.Model, path string, f func(w []float64, shape []int)) {
	t.Helper()
	v := m.Store.GetVariable(path)
	val := v.MustValue()
	shape := val.Shape().Dimensions
	var next *tensors.Tensor
	if val.DType().String() == "Float64" {
		w := tensors.MustCopyFlatData[float64](val)
		f(w, shape)
		next = tensors.FromFlatDataAndDimensions(w, shape...)
	} else {
		w32 := tensors.MustCopyFlatData[float32](val)
		w := make([]float64, len(w32))
		for i, x := range w32 {
			w[i] = float64(x)
		}
		f(w, shape)
		for i, x := range w {
			w32[i] = float32(x)
		}
		next = tensors.FromFlatDataAndDimensions(w32, shape...)
	}
	if err := v.SetValue(next); err != nil {
		t.Fatal(err)
	}
}

// keepColumns replaces a [in, out] variable by its first n columns.
func keepColumns(t *testing.T, m arch.Model, path string, n int) {
	t.Helper()
	v := m.Store.GetVariable(path)
	val := v.MustValue()
	rows, cols := val.Shape().Dim(0), val.Shape().Dim(1)
	var next *tensors.Tensor
	if val.DType().String() == "Float64" {
		w := tensors.MustCopyFlatData[float64](val)
		out := make([]float64, 0, rows*n)
		for r := range rows {
			out = append(out, w[r*cols:r*cols+n]...)
		}
		next = tensors.FromFlatDataAndDimensions(out, rows, n)
	} else {
		w := tensors.MustCopyFlatData[float32](val)
		out := make([]float32, 0, rows*n)
		for r := range rows {
			out = append(out, w[r*cols:r*cols+n]...)
		}
		next = tensors.FromFlatDataAndDimensions(out, rows, n)
	}
	if err := m.Store.DeleteVariable(path); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store.CreateVariable(path, next); err != nil {
		t.Fatal(err)
	}
}

// tensorValues is a float32 or float64 tensor's values as float64.
func tensorValues(t *testing.T, val *tensors.Tensor) []float64 {
	t.Helper()
	if val.DType() == dtypes.Float64 {
		return tensors.MustCopyFlatData[float64](val)
	}
	var out []float64
	for _, v := range tensors.MustCopyFlatData[float32](val) {
		out = append(out, float64(v))
	}
	return out
}
