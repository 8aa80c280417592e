package expand

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/gomlx/gomlx/core/tensors"
)

// TestBlockLayout: hand-written layouts from docs/method.md#where-new-blocks-go.
func TestBlockLayout(t *testing.T) {
	cases := []struct {
		ls, lt int
		l      Layout
		want   string
	}{
		{6, 12, Interleave, "0←0 1←0′ 2←1 3←1′ 4←2 5←2′ 6←3 7←3′ 8←4 9←4′ 10←5 11←5′"},
		{6, 9, Interleave, "0←0 1←1 2←2 3←3 4←3′ 5←4 6←4′ 7←5 8←5′"},
		{2, 6, Interleave, "0←0 1←0′ 2←0′ 3←1 4←1′ 5←1′"},
		{2, 5, Interleave, "0←0 1←0′ 2←1 3←1′ 4←1′"},
		{3, 5, Stacked, "0←0 1←1 2←2 3←0′ 4←1′"},
		{3, 3, Interleave, "0←0 1←1 2←2"},
	}
	for _, c := range cases {
		src, isNew := layout(c.ls, c.lt, c.l)
		var parts []string
		for j := range src {
			p := fmt.Sprintf("%d←%d", j, src[j])
			if isNew[j] {
				p += "′"
			}
			parts = append(parts, p)
		}
		if got := strings.Join(parts, " "); got != c.want {
			t.Errorf("layout(%d → %d, %s) = %q, want %q", c.ls, c.lt, c.l, got, c.want)
		}
	}
}

// TestCancellingWriters: the writers of a new block are not zero (so gradients reach them at
// step one) yet the rows of the copies of each unit sum to zero.
func TestCancellingWriters(t *testing.T) {
	cfg := vitSource(arch.PreLN, 1e-6, "float64")
	e := cfg.Enc()
	store := randomStore(t, cfg, 4)
	plan, err := NewPlan(cfg, Spec{Layers: 4, MLPDim: 2 * e.MLPDim, Heads: 2 * e.Heads}, LEMON, Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	ap7, err := plan.Apply(arch.Model{Config: plan.Source(), Store: store})
	if err != nil {
		t.Fatal(err)
	}
	tgt := ap7.Store
	for _, w := range []struct {
		sub  string
		rows int // source units: rows r and r+rows are copies
	}{{arch.FC2, e.MLPDim}, {arch.AttnOutput, e.Heads * e.HeadDim}} {
		path := arch.InBlock(1, w.sub, arch.Weights) // block 1 is the new block 0′
		flat := tensors.MustCopyFlatData[float64](tgt.GetVariable("/" + path).MustValue())
		cols := len(flat) / (2 * w.rows)
		norm, sum := 0.0, 0.0
		for r := range w.rows {
			for c := range cols {
				a, b := flat[r*cols+c], flat[(r+w.rows)*cols+c]
				norm = max(norm, math.Abs(a))
				sum = max(sum, math.Abs(a+b))
			}
		}
		t.Logf("%s: max |A| %.3g, max |A + (−A)| %.3g", path, norm, sum)
		if norm < 1e-3 || sum > 1e-15 {
			t.Errorf("%s: want non-zero rows that cancel, got max |row| %g, max |sum| %g", path, norm, sum)
		}
	}
}
