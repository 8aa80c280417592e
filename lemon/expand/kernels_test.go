package expand

import (
	"math"
	"slices"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
)

func sizesFor(ds, dt int) sizes {
	e := arch.Encoder{Width: ds, Heads: 1, HeadDim: 2, MLPDim: 2}
	t := e
	t.Width = dt
	return sizes{src: e, tgt: t, k: dt / ds, r: dt % ds, eta2: float64(dt/ds*ds) / float64(dt)}
}

// describeMap writes an axis map as e.g. "0 1 0 1 m" (copies by source index, m mean, z zero,
// n next-block, l live).
func describeMap(m *axisMap) []string {
	var out []string
	for _, x := range m.e {
		out = append(out, map[kind]string{kCopy: string(rune('0' + x.src)), kNext: "n", kMean: "m", kZero: "z", kLive: "l"}[x.kind])
	}
	return out
}

// TestWidthMaps: hand-written V_avg, V_zero, circular and zero-padded expansions of D 2 → 5.
func TestWidthMaps(t *testing.T) {
	z := sizesFor(2, 5)
	cases := []struct {
		role Role
		m    Method
		want []string
	}{
		{RoleResidual, LEMON, []string{"0", "1", "0", "1", "m"}},
		{RoleNormed, LEMON, []string{"0", "1", "0", "1", "z"}},
		{RoleResidual, FPI, []string{"0", "1", "0", "1", "0"}},
		{RoleResidual, Zero, []string{"0", "1", "z", "z", "z"}},
		{RolePooled, LEMON, []string{"0", "1", "0", "1", "0"}},
	}
	for _, c := range cases {
		got := describeMap(buildAxisMaps(z, c.m, false).get(c.role, 0))
		if !slices.Equal(got, c.want) {
			t.Errorf("%s map of D 2→5 under %s = %v, want %v", c.role, c.m, got, c.want)
		}
	}
}

// TestSplits: a column [a, b] read by inputs D 2 → 5 (copies 0 1 0 1, zero residue).
func TestSplits(t *testing.T) {
	z := sizesFor(2, 5)
	maps := buildAxisMaps(z, LEMON, false)
	src := []float64{3, -1} // W [2, 1]
	for _, split := range []splitRule{splitEqual, splitProject} {
		dst := make([]float64, 5)
		j := matrixJob[float64]{src: src, dst: dst, in: maps.get(RoleNormed, 0), out: fixedMap(1), split: split, rng: newNormal(1, "w", 0.02)}
		j.run()
		if split == splitEqual && !slices.Equal(dst[:4], []float64{1.5, -0.5, 1.5, -0.5}) {
			t.Errorf("equal split = %v, want [1.5 -0.5 1.5 -0.5 …]", dst)
		}
		if math.Abs(dst[0]+dst[2]-3) > 1e-15 || math.Abs(dst[1]+dst[3]+1) > 1e-15 {
			t.Errorf("split %d: copies sum to %g and %g, want 3 and -1", split, dst[0]+dst[2], dst[1]+dst[3])
		}
		if split == splitProject && (dst[0] == dst[2] || dst[4] == 0) {
			t.Errorf("LEMON split should be unequal with a random residue row, got %v", dst)
		}
	}
}

// TestNormGain: γ* = η·V(γ) on copies, η·γ circular on the zero residue, ε·η² in the config.
func TestNormGain(t *testing.T) {
	z := sizesFor(2, 5)
	maps := buildAxisMaps(z, LEMON, false)
	dst := make([]float64, 5)
	normGain(dst, []float64{2, 4}, maps.get(RoleResidual, 0), maps.get(RoleNormed, 0), math.Sqrt(z.eta2))
	eta := math.Sqrt(4.0 / 5)
	want := []float64{2 * eta, 4 * eta, 2 * eta, 4 * eta, 2 * eta}
	for i := range want {
		if math.Abs(dst[i]-want[i]) > 1e-15 {
			t.Fatalf("gain = %v, want %v", dst, want)
		}
	}
}

// TestTruncatedNormal: the sampler stays in ±2σ with the truncated normal's mean 0 and
// standard deviation 0.8796σ.
func TestTruncatedNormal(t *testing.T) {
	n := newNormal(7, "x", 1)
	const draws = 200000
	sum, sq := 0.0, 0.0
	for range draws {
		v := n.next()
		if math.Abs(v) > 2 {
			t.Fatalf("draw %g outside ±2σ", v)
		}
		sum, sq = sum+v, sq+v*v
	}
	mean, std := sum/draws, math.Sqrt(sq/draws-(sum/draws)*(sum/draws))
	if math.Abs(mean) > 0.01 || math.Abs(std-0.8796) > 0.01 {
		t.Errorf("mean %g, std %g; want 0 and 0.8796", mean, std)
	}
}

func BenchmarkNormal(b *testing.B) {
	n := newNormal(1, "b", 0.02)
	dst := make([]float32, 1<<16)
	for b.Loop() {
		fill(dst, n)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(dst)), "ns/draw")
}
