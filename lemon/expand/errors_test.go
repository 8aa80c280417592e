package expand

import (
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// TestImpossibleRequests: every impossible request fails in NewPlan, before anything is
// read or written, with an error that says why and what would work.
func TestImpossibleRequests(t *testing.T) {
	vitPre := vitSource(arch.PreLN, 1e-6, "float64")
	vitPost := vitSource(arch.PostLN, 1e-12, "float64")
	cases := []struct {
		name string
		cfg  arch.Config
		spec Spec
		m    Method
		want []string // substrings of the error
		opts Options
	}{
		{"narrower", vitPre, Spec{Width: 4}, LEMON, []string{"target width 4 is smaller than the source's 8", "use 8 or more"}, Options{}},
		{"every problem listed", vitPre, Spec{Width: 4, Heads: 1, Layers: 1}, LEMON, []string{"width 4", "heads 1", "layers 1"}, Options{}},
		{"fewer head dims", vitPre, Spec{HeadDim: 2}, LEMON, []string{"head_dim 2 is smaller"}, Options{}},
		{"Post-LN indivisible", vitPost, Spec{Width: 12}, LEMON, []string{"Post-LN width 8 → 12 is not divisible", "multiple of 8 (e.g. 16)"}, Options{}},
		{"MLM transform indivisible", bertSource(arch.PostLN, true, true, 0, "float64"), Spec{Width: 32}, LEMON,
			[]string{"MLM transform", "divisible width", "e.g. 24 or 36"}, Options{}},
		{"Pre-LN embedding LN indivisible", bertSource(arch.PreLN, false, true, 0, "float64"), Spec{Width: 18}, Stack,
			[]string{"embedding LayerNorm", "embedding_ln=false"}, Options{}},
		{"hyperclone indivisible heads", vitPre, Spec{Width: 16, Heads: 3}, HyperClone, []string{"heads 3 is not a multiple of 2"}, Options{}},
		{"hyperclone depth", vitPre, Spec{Layers: 4}, HyperClone, []string{"width only", "use lemon or stack"}, Options{}},
		{"unknown layout", vitPre, Spec{Layout: 7}, LEMON, []string{"unknown layout"}, Options{}},
		{"unknown method", vitPre, Spec{}, Method(42), []string{"unknown method"}, Options{}},
		{"negative size", vitPre, Spec{MLPDim: -3}, LEMON, []string{"target mlp_dim -3 is negative"}, Options{}},
		{"noise outside hyperclone", vitPre, Spec{}, LEMON, []string{"only hyperclone takes paired noise"}, Options{Noise: 0.1}},
	}
	for _, c := range cases {
		_, err := NewPlan(c.cfg, c.spec, c.m, c.opts)
		if err == nil {
			t.Errorf("%s: NewPlan(%v, %s) succeeded, want an error", c.name, c.spec, c.m)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", c.name, err, w)
			}
		}
	}
}

// TestApplyChecksTheStore: a store that does not match the source config is refused with
// every problem named, and nothing is built.
func TestApplyChecksTheStore(t *testing.T) {
	cfg := vitSource(arch.PreLN, 1e-6, "float64")
	plan, err := NewPlan(cfg, Spec{Width: 12}, LEMON, Options{})
	if err != nil {
		t.Fatal(err)
	}
	missing := randomStore(t, cfg, 1)
	if err := missing.DeleteVariable("/" + arch.InBlock(1, arch.FC2, arch.Weights)); err != nil {
		t.Fatal(err)
	}
	unknown := randomStore(t, cfg, 1)
	if _, err := unknown.CreateVariable("/"+arch.InBlock(2, arch.LN1, arch.Gain), tensors.FromValue([]float64{1})); err != nil {
		t.Fatal(err)
	}
	we := vitSource(arch.PreLN, 1e-6, "float64").Enc()
	we.Width = 16
	wider := vitSource(arch.PreLN, 1e-6, "float64").WithEncoder(we)
	for _, c := range []struct {
		name  string
		store *model.Store
		want  []string
	}{
		{"missing", missing, []string{"/encoder/block_001/mlp/fc2/weights missing"}},
		{"unknown", unknown, []string{"unknown variable /encoder/block_002/ln1/gain"}},
		{"shape", randomStore(t, wider, 1), []string{"/encoder/block_000/ln1/gain is (Float64)[16], the source config wants (Float64)[8]", "and 23 more"}},
		{"dtype", randomStore(t, vitSource(arch.PreLN, 1e-6, "float32"), 1), []string{"/encoder/block_000/attn/key/biases is (Float32)[8], the source config wants (Float64)[8]"}},
	} {
		ap8, err := plan.Apply(arch.Model{Config: plan.Source(), Store: c.store})
		got := ap8.Store
		if err == nil || got != nil {
			t.Errorf("%s: Apply succeeded, want an error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", c.name, err, w)
			}
		}
	}
}

// TestApplyLeavesSourceAlone: the source store is bit-for-bit unchanged, bookkeeping and
// optimizer variables are not copied, and the same seed gives the same target with any
// number of workers.
func TestApplyLeavesSourceAlone(t *testing.T) {
	cfg := vitSource(arch.PreLN, 1e-6, "float64")
	store := randomStore(t, cfg, 3)
	if _, err := store.CreateVariable("/adamw/step", tensors.FromScalar(int64(5))); err != nil {
		t.Fatal(err)
	}
	before := snapshotStore(store)
	plan, err := NewPlan(cfg, Spec{Width: 13, Layers: 3, Heads: 3}, LEMON, Options{Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	ap9, err := plan.Apply(arch.Model{Config: plan.Source(), Store: store})
	if err != nil {
		t.Fatal(err)
	}
	a := ap9.Store
	ap10, err := plan.Apply(arch.Model{Config: plan.Source(), Store: store})
	if err != nil {
		t.Fatal(err)
	}
	b := ap10.Store
	if !equalSnapshots(before, snapshotStore(store)) {
		t.Error("Apply modified its source store")
	}
	if a.GetVariable("/adamw/step") != nil {
		t.Error("Apply copied optimizer state; the target must start fresh")
	}
	if !equalSnapshots(snapshotStore(a), snapshotStore(b)) {
		t.Error("the same seed gave two different targets")
	}
	serial, err := NewPlan(cfg, Spec{Width: 13, Layers: 3, Heads: 3}, LEMON, Options{Seed: 9, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	ap11, err := serial.Apply(arch.Model{Config: serial.Source(), Store: store})
	if err != nil {
		t.Fatal(err)
	}
	c := ap11.Store
	if !equalSnapshots(snapshotStore(a), snapshotStore(c)) {
		t.Error("one worker and many gave different targets")
	}
}

func snapshotStore(s *model.Store) map[string][]float64 {
	out := map[string][]float64{}
	for v := range s.IterVariables() {
		if arch.IsModelPath(v.Path()) {
			out[v.Path()] = tensors.MustCopyFlatData[float64](v.MustValue())
		}
	}
	return out
}

func equalSnapshots(a, b map[string][]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		y := b[k]
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
	}
	return true
}
