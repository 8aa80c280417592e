package expand

import (
	"slices"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/gomlx/gomlx/core/tensors"
)

// TestToyMethodIsOneRow: a method added as one row of the table (LEMON with the equal split
// W/n, "lemon-equal") is parsed, planned, applied and verified through the same code with no
// line elsewhere: it is exact, and it really splits differently from LEMON. A Method without a
// row is refused by NewPlan and ParseMethod instead of taking another method's path.
func TestToyMethodIsOneRow(t *testing.T) {
	saved := methods
	defer func() { methods = saved }()
	toy := methods[LEMON]
	toy.name, toy.doc, toy.equalSplit = "lemon-equal", "toy: LEMON's rules with the equal split", true
	methods = append(slices.Clone(methods), toy)

	m, err := ParseMethod("LEMON-equal")
	if err != nil || m != Method(len(methods)-1) || m.String() != "lemon-equal" || !slices.Contains(Methods(), m) {
		t.Fatalf("ParseMethod(lemon-equal) = %v, %v", m, err)
	}
	cfg := vitSource(arch.PreLN, 1e-6, "float64")
	store := randomStore(t, cfg, 5)
	spec := Spec{Width: 12, MLPDim: 32, Layers: 3}
	plan, d := expandAndCompare(t, cfg, store, spec, m, Options{Seed: 2})
	if exact, why := plan.Exactness(); exact != Exact || !d.Within(TolFloat64) {
		t.Errorf("lemon-equal: plan %s %v, %v", exact, why, d)
	}
	lemonPlan, _ := expandAndCompare(t, cfg, store, spec, LEMON, Options{Seed: 2})
	src := arch.Model{Config: cfg, Store: store}
	a, err := plan.Apply(src)
	if err != nil {
		t.Fatal(err)
	}
	b, err := lemonPlan.Apply(src)
	if err != nil {
		t.Fatal(err)
	}
	fc2 := "/" + arch.InBlock(0, arch.FC2, arch.Weights) // [F, D]: its rows of copied units are split
	wa := tensors.MustCopyFlatData[float64](a.Store.GetVariable(fc2).MustValue())
	wb := tensors.MustCopyFlatData[float64](b.Store.GetVariable(fc2).MustValue())
	if slices.Equal(wa, wb) {
		t.Error("the toy row's equal split changed nothing: the row is not what the code reads")
	}
	// In the equal split, the two copies j and j+16 of a hidden unit write equal rows.
	const f, width = 16, 12
	for i := range width {
		if wa[i] != wa[f*width+i] {
			t.Fatalf("lemon-equal fc2 rows 0 and %d differ at %d: %g vs %g", f, i, wa[i], wa[f*width+i])
		}
	}

	unknown := Method(len(methods))
	if _, err := NewPlan(cfg, spec, unknown, Options{}); err == nil || !strings.Contains(err.Error(), "unknown method") {
		t.Errorf("NewPlan with a method past the table: %v", err)
	}
	if unknown.valid() || unknown.WidthOnly() || unknown.TakesNoise() || !strings.HasPrefix(unknown.String(), "Method(") {
		t.Errorf("a method past the table looks known: %s", unknown)
	}
}
