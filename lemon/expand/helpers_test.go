package expand

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/bert"
	"github.com/golemon/golemon/lemon/arch/vit"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/gomlx/gomlx/ml/model"
)

// testBackend is the backend the tests verify on: tests, like commands, choose it.
var testBackend = backend.MustNew()

// Tolerances of the spine (docs/method.md#what-lossless-means: equal up to rounding).
const (
	// TolFloat64 bounds max |Δ logits| in float64.
	TolFloat64 = 1e-9
	// TolFloat32Rel bounds max |Δ logits| / max |logit| in float32.
	TolFloat32Rel = 1e-4
	// LossyRel is the least relative error a lossy baseline must show where it is known lossy.
	LossyRel = 1e-3
)

// source models of the grid: tiny, every head and norm placement.
func vitSource(norm arch.NormPlacement, eps float64, dtype string) arch.Config {
	v := vit.Config{
		Encoder: arch.Encoder{Layers: 2, Width: 8, Heads: 2, HeadDim: 4, MLPDim: 16, Norm: norm,
			LayerNormEps: eps, DType: dtype},
		ImageSize: 8, Channels: 1, PatchSize: 4, NumClasses: 5,
	}
	return vit.New(v)
}

func bertSource(norm arch.NormPlacement, transform, embLN bool, classes int, dtype string) arch.Config {
	b := bert.Config{
		Encoder: arch.Encoder{Layers: 2, Width: 12, Heads: 3, HeadDim: 4, MLPDim: 24, Norm: norm,
			LayerNormEps: 1e-12, DType: dtype},
		VocabSize: 50, MaxPositions: 16, TypeVocabSize: 2, EmbeddingLN: embLN, MLMTransform: transform,
		NumClasses: classes,
	}
	return bert.New(b)
}

// randomStore initialises cfg with every parameter random and O(1) activations, so that
// gains, offsets, biases and the nonlinearities all matter (arch.Init sets γ=1, β=0, b=0).
func randomStore(t testing.TB, cfg arch.Config, seed uint64) *model.Store {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 77))
	store := model.NewStore()
	for _, v := range cfg.Vars() {
		vals := make([]float64, v.Size())
		for i := range vals {
			z := rng.NormFloat64()
			switch {
			case len(v.Shape) == 2:
				vals[i] = z * max(1/math.Sqrt(float64(v.Shape[0])), 0.3)
			case v.Init == arch.InitOnes:
				vals[i] = 1 + 0.3*z
			default:
				vals[i] = 0.3 * z
			}
		}
		dir, name := model.SplitPath("/" + v.Path)
		if _, err := store.Scope(dir).CreateVariable(name, arch.NewTensor(arch.DTypeOf(cfg.Enc()), vals, v.Shape)); err != nil {
			t.Fatal(err)
		}
	}
	return store
}

// expandAndCompare plans, applies and compares on seeded inputs.
func expandAndCompare(t testing.TB, cfg arch.Config, store *model.Store, spec Spec, m Method, opts Options) (*Plan, Diff) {
	t.Helper()
	plan, err := NewPlan(cfg, spec, m, opts)
	if err != nil {
		t.Fatalf("NewPlan(%s, %v, %s): %v", describe(cfg.Enc()), spec, m, err)
	}
	ap2, err := plan.Apply(arch.Model{Config: plan.Source(), Store: store})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	tgt, tcfg := ap2.Store, ap2.Config
	d, err := Compare(testBackend, arch.Model{Config: cfg, Store: store}, arch.Model{Config: tcfg, Store: tgt}, RandomInputs(cfg, 3, opts.Seed+1))
	if err != nil {
		t.Fatal(err)
	}
	return plan, d
}

// withinTolerance applies the spine's tolerance for the config's dtype.
func withinTolerance(cfg arch.Config, d Diff) bool {
	if cfg.Enc().DType == "float64" {
		return d.MaxAbs <= TolFloat64
	}
	return d.Rel() <= TolFloat32Rel
}

func caseName(cfg arch.Config, spec Spec, m Method) string {
	extra := ""
	if b, ok := bert.Of(cfg); ok {
		extra = fmt.Sprintf(" transform=%v embLN=%v classes=%d", b.MLMTransform, b.EmbeddingLN, b.NumClasses)
	}
	return fmt.Sprintf("%s %s %s%s → %v by %s", cfg.Kind, describe(cfg.Enc()), cfg.Enc().DType, extra, spec, m)
}
