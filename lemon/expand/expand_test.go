package expand

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/bert"
	"github.com/gomlx/gomlx/ml/model"
)

// outcome is what the theory (docs/method.md#which-method-is-exact-when) predicts for a source × spec × method.
type outcome int

const (
	wantExact outcome = iota
	wantEps           // Post-LN with identity blocks: exact up to O(ε/σ²)
	wantLossy
	wantRefused
)

func (o outcome) String() string {
	return [...]string{"exact", "exact up to ε", "lossy", "refused"}[o]
}

// expected is written from docs/method.md#which-method-is-exact-when independently of the package's own bookkeeping.
func expected(cfg arch.Config, spec Spec, m Method) outcome {
	src := cfg.Enc()
	tgt := resolve(src, spec)
	r := tgt.Width % src.Width
	postLN := src.Norm == arch.PostLN
	b, isBERT := bert.Of(cfg)
	widthImpossible := r > 0 && (postLN || (isBERT && (b.MLMTransform || b.EmbeddingLN)))
	depth := tgt.Layers > src.Layers
	switch m {
	case LEMON:
		if widthImpossible {
			return wantRefused
		}
	case Stack:
		if widthImpossible {
			return wantRefused
		}
		if depth {
			return wantLossy
		}
	case HyperClone:
		if r > 0 || tgt.MLPDim%src.MLPDim != 0 || tgt.Heads%src.Heads != 0 || depth {
			return wantRefused
		}
	case FPI:
		if r > 0 {
			return wantLossy
		}
	case AKI:
		if r > 0 || tgt.MLPDim > src.MLPDim || tgt.Heads > src.Heads || depth {
			return wantLossy
		}
	case Zero:
		if tgt.Width > src.Width {
			return wantLossy
		}
	}
	if postLN && depth {
		return wantEps
	}
	return wantExact
}

type gridSpec struct {
	name string
	f    func(e arch.Encoder) Spec
}

var gridSpecs = []gridSpec{
	{"width×2", func(e arch.Encoder) Spec { return Spec{Width: 2 * e.Width} }},
	{"width×1.5 (k=1,r>0)", func(e arch.Encoder) Spec { return Spec{Width: e.Width + e.Width/2} }},
	{"width 2D+4 (k=2,r>0)", func(e arch.Encoder) Spec { return Spec{Width: 2*e.Width + 4} }},
	{"heads+1", func(e arch.Encoder) Spec { return Spec{Heads: e.Heads + 1} }},
	{"headdim+2", func(e arch.Encoder) Spec { return Spec{HeadDim: e.HeadDim + 2} }},
	{"mlp×1.5", func(e arch.Encoder) Spec { return Spec{MLPDim: e.MLPDim * 3 / 2} }},
	{"depth×1.5", func(e arch.Encoder) Spec { return Spec{Layers: e.Layers * 3 / 2} }},
	{"depth×2", func(e arch.Encoder) Spec { return Spec{Layers: 2 * e.Layers} }},
	{"depth×3", func(e arch.Encoder) Spec { return Spec{Layers: 3 * e.Layers} }},
	{"depth×2 stacked", func(e arch.Encoder) Spec { return Spec{Layers: 2 * e.Layers, Layout: Stacked} }},
	{"depth×1.5 zero writers", func(e arch.Encoder) Spec { return Spec{Layers: e.Layers * 3 / 2, NewWriters: ZeroWriters} }},
	{"width,mlp,heads×2", func(e arch.Encoder) Spec { return Spec{Width: 2 * e.Width, MLPDim: 2 * e.MLPDim, Heads: 2 * e.Heads} }},
	{"all×2", func(e arch.Encoder) Spec {
		return Spec{Width: 2 * e.Width, MLPDim: 2 * e.MLPDim, Heads: 2 * e.Heads, Layers: 2 * e.Layers}
	}},
	{"all indivisible", func(e arch.Encoder) Spec {
		return Spec{Width: e.Width + e.Width/2 + 1, MLPDim: e.MLPDim + 3, Heads: e.Heads + 1, HeadDim: e.HeadDim + 1, Layers: e.Layers + 1}
	}},
}

func gridSources(dtype string) []arch.Config {
	return []arch.Config{
		vitSource(arch.PreLN, 1e-6, dtype),
		vitSource(arch.PostLN, 1e-12, dtype),
		bertSource(arch.PreLN, false, false, 3, dtype),
		bertSource(arch.PostLN, true, true, 3, dtype),
		bertSource(arch.PostLN, false, true, 3, dtype), // the last block's LN2 feeds the tied decoder
		bertSource(arch.PreLN, true, true, 0, dtype),
	}
}

var allMethods = []Method{LEMON, FPI, AKI, Stack, Zero, HyperClone}

// TestLossless is the spine: source configs × target specs × methods × dtypes, each run
// through the real GoMLX forward functions; lossless cases must match within tolerance,
// known-lossy baselines must miss by more than LossyRel, impossible requests must fail.
func TestLossless(t *testing.T) {
	worst := map[string]float64{} // per class: method, dtype, outcome
	counts := map[outcome]int{}
	for _, dtype := range []string{"float64", "float32"} {
		for si, cfg := range gridSources(dtype) {
			store := randomStore(t, cfg, uint64(100+si))
			for _, gs := range gridSpecs {
				spec := gs.f(cfg.Enc())
				for _, m := range allMethods {
					want := expected(cfg, spec, m)
					counts[want]++
					d, ok := runCase(t, cfg, store, spec, m, want)
					if ok && want != wantRefused {
						key := fmt.Sprintf("%-10s %-7s %-13s", m, dtype, want)
						if want == wantLossy {
							key += " (min rel)"
							if v, seen := worst[key]; !seen || d.Rel() < v {
								worst[key] = d.Rel()
							}
						} else {
							worst[key] = max(worst[key], errorOf(cfg, d))
						}
					}
				}
			}
		}
	}
	keys := make([]string, 0, len(worst))
	for k := range worst {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&sb, "\n  %s %.3g", k, worst[k])
	}
	t.Logf("grid: %v cases by predicted outcome; worst error per class (float64 abs, float32 rel):%s", counts, sb.String())
}

func errorOf(cfg arch.Config, d Diff) float64 {
	if cfg.Enc().DType == "float64" {
		return d.MaxAbs
	}
	return d.Rel()
}

// runCase checks one grid cell and reports its difference.
func runCase(t *testing.T, cfg arch.Config, store *model.Store, spec Spec, m Method, want outcome) (Diff, bool) {
	t.Helper()
	name := caseName(cfg, spec, m)
	plan, err := NewPlan(cfg, spec, m, Options{Seed: 7})
	if want == wantRefused {
		if err == nil {
			t.Errorf("%s: want an error (refused), got a plan:\n%s", name, plan)
		}
		return Diff{}, err == nil
	}
	if err != nil {
		t.Errorf("%s: want %s, got error %v", name, want, err)
		return Diff{}, false
	}
	if got, why := plan.Exactness(); got != map[outcome]Exactness{wantExact: Exact, wantEps: UpToEpsilon, wantLossy: Lossy}[want] {
		t.Errorf("%s: plan says %s %v, theory says %s", name, got, why, want)
	}
	_, d := expandAndCompare(t, cfg, store, spec, m, Options{Seed: 7})
	switch want {
	case wantExact, wantEps:
		if !withinTolerance(cfg, d) {
			t.Errorf("%s: not lossless: %v (tolerance %g abs in float64, %g rel in float32)", name, d, TolFloat64, TolFloat32Rel)
		}
	case wantLossy:
		if d.Rel() <= LossyRel || math.IsNaN(d.Rel()) {
			t.Errorf("%s: known lossy, but %v ≤ %g rel", name, d, LossyRel)
		}
	case wantRefused:
	}
	return d, true
}
