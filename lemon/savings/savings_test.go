package savings

import (
	"fmt"
	"math"
	"testing"
)

// tol is the tolerance of hand-computed crossings and savings.
const tol = 1e-12

func near(a, b float64) bool { return math.Abs(a-b) <= tol*max(1, math.Abs(b)) }

func TestReachTable(t *testing.T) {
	loss := []Point{{0, 3.0}, {10, 2.0}, {20, 1.5}, {30, 1.2}}
	acc := []Point{{0, 0.10}, {100, 0.60}, {200, 0.80}, {300, 0.85}}
	noisy := []Point{{0, 0.5}, {10, 0.7}, {20, 0.6}, {30, 0.9}}
	withNaN := []Point{{0, math.NaN()}, {10, 2.0}, {20, math.NaN()}, {30, 1.0}}
	cases := []struct {
		name   string
		curve  []Point
		target float64
		better Better
		want   float64
		ok     bool
	}{
		{"loss exactly at a row", loss, 2.0, LowerIsBetter, 10, true},
		{"loss between rows", loss, 1.75, LowerIsBetter, 15, true},
		{"loss a fifth of the way", loss, 1.44, LowerIsBetter, 22, true},
		{"loss never reached", loss, 1.0, LowerIsBetter, math.NaN(), false},
		{"loss reached at the start", loss, 3.5, LowerIsBetter, 0, true},
		{"accuracy between rows", acc, 0.70, HigherIsBetter, 150, true},
		{"accuracy at the last row", acc, 0.85, HigherIsBetter, 300, true},
		{"accuracy never reached", acc, 0.90, HigherIsBetter, math.NaN(), false},
		{"first crossing counts, not a later dip", noisy, 0.65, HigherIsBetter, 7.5, true},
		{"NaN rows skipped", withNaN, 1.5, LowerIsBetter, 20, true},
	}
	for _, c := range cases {
		got, ok := Reach(c.curve, c.target, c.better)
		if ok != c.ok || (ok && !near(got, c.want)) || (!ok && !math.IsNaN(got)) {
			t.Errorf("%s: Reach(target %g, %s) = %g, %v; want %g, %v", c.name, c.target, c.better, got, ok, c.want, c.ok)
		}
	}
}

func TestComputeTable(t *testing.T) {
	// Scratch: 1000 FLOPs to reach loss 1.5 (or accuracy 0.8). Source cost 100.
	loss := []Point{{0, 2.5}, {200, 2.0}, {400, 1.4}, {600, 1.3}}
	acc := []Point{{0, 0.6}, {250, 0.75}, {500, 0.85}}
	cases := []struct {
		name      string
		target    float64
		curve     []Point
		better    Better
		reached   bool
		excl, inc float64
	}{
		// 2.0 → 1.4 over [200, 400]: 1.5 at 200 + (0.5/0.6)·200 = 366.67.
		{"loss", 1.5, loss, LowerIsBetter, true, 1 - (200+200*0.5/0.6)/1000, 1 - (200+200*0.5/0.6+100)/1000},
		// 0.75 → 0.85 over [250, 500]: 0.8 at 375.
		{"accuracy", 0.8, acc, HigherIsBetter, true, 0.625, 0.525},
		{"lossless start already there", 2.6, loss, LowerIsBetter, true, 1, 0.9},
		{"never", 1.0, loss, LowerIsBetter, false, math.NaN(), math.NaN()},
	}
	for _, c := range cases {
		s := Compute(c.target, 1000, c.curve, 100, c.better)
		if s.Reached != c.reached || !sameOrBothNaN(s.Excl, c.excl) || !sameOrBothNaN(s.Incl, c.inc) {
			t.Errorf("%s: got %+v, want reached %v, excl %g, incl %g", c.name, s, c.reached, c.excl, c.inc)
		}
	}
	if s := Compute(1.0, 1000, loss, 100, LowerIsBetter); s.Best != 1.3 || s.String() != "never reached 1 (best 1.3) within its budget" {
		t.Errorf("unreached saving reads %q (best %g)", s, s.Best)
	}
}

func sameOrBothNaN(a, b float64) bool {
	if math.IsNaN(b) {
		return math.IsNaN(a)
	}
	return near(a, b)
}

func TestSummarize(t *testing.T) {
	ss := []Saving{
		{Reached: true, Excl: 0.5, Incl: 0.4},
		{Reached: true, Excl: 0.3, Incl: 0.2},
		{Reached: false, Excl: math.NaN(), Incl: math.NaN()},
	}
	s := Summarize(ss)
	if s.Runs != 3 || s.Reached != 2 || !near(s.Excl.Mean, 0.4) || !near(s.Excl.Std, math.Sqrt(0.02)) || !near(s.Incl.Mean, 0.3) {
		t.Errorf("Summarize = %+v", s)
	}
	if got, want := s.String(), "40.0 ± 14.1% (with source 30.0 ± 14.1%), 2 of 3 runs reached"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := Summarize(ss[2:]).String(); got != "not reached (0 of 1 runs)" {
		t.Errorf("unreached summary reads %q", got)
	}
}

func ExampleCompute() {
	// A scratch run ends at validation accuracy 0.80 after 1e12 FLOPs; the source cost 1e11.
	expanded := []Point{{0, 0.70}, {2e11, 0.76}, {4e11, 0.82}, {6e11, 0.84}}
	s := Compute(0.80, 1e12, expanded, 1e11, HigherIsBetter)
	fmt.Println(s)
	fmt.Println(Compute(0.90, 1e12, expanded, 1e11, HigherIsBetter))
	// Output:
	// saving 66.7% (with source 56.7%): reaches 0.8 at 3.33e+11 of 1e+12 FLOPs
	// never reached 0.9 (best 0.84) within its budget
}

func TestCI95(t *testing.T) {
	for _, c := range []struct {
		xs        []float64
		lo, hi    float64
		separated bool
	}{
		{[]float64{1, 2, 3}, 2 - 4.303/math.Sqrt(3), 2 + 4.303/math.Sqrt(3), false},                    // mean 2, std 1, t(2) = 4.303
		{[]float64{0.4, 0.5}, 0.45 - 12.706*0.05, 0.45 + 12.706*0.05, false},                           // t(1) = 12.706
		{[]float64{0.3, 0.31, 0.32, 0.33}, 0.315 - 3.182*0.0129099/2, 0.315 + 3.182*0.0129099/2, true}, // t(3)
		{[]float64{-0.2, -0.21, -0.19}, -0.2 - 4.303*0.01/math.Sqrt(3), -0.2 + 4.303*0.01/math.Sqrt(3), true},
	} {
		s := StatOf(c.xs)
		lo, hi := s.CI95()
		if math.Abs(lo-c.lo) > 1e-6 || math.Abs(hi-c.hi) > 1e-6 {
			t.Errorf("CI95(%v) = [%g, %g], want [%g, %g]", c.xs, lo, hi, c.lo, c.hi)
		}
		if s.Separated() != c.separated {
			t.Errorf("Separated(%v) = %v, want %v", c.xs, s.Separated(), c.separated)
		}
	}
	if lo, hi := StatOf([]float64{0.5}).CI95(); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("one value has no interval, got [%g, %g]", lo, hi)
	}
	if StatOf([]float64{0.5}).Separated() {
		t.Error("one value cannot be separated from zero")
	}
	if got := StatOf([]float64{0.1, 0.2, 0.3}).PercentCI(); got != "20.0% [-4.8, 44.8]" {
		t.Errorf("PercentCI = %q", got)
	}
	if TQuantile975(40) != 2.0 || !math.IsNaN(TQuantile975(0)) {
		t.Error("TQuantile975 outside the table")
	}
}

// TestWelch checks Welch's interval against values worked by hand: {1,2,3} − {4,6,8} has
// variances 1 and 4 over 3 values, SE √(5/3), df (5/3)² / ((1/3)²/2 + (4/3)²/2) = 2.94 → 2,
// t = 4.303; {10,11,12} − {1,2,3} has df 4, t = 2.776 and is separated.
func TestWelch(t *testing.T) {
	for _, tc := range []struct {
		a, b           []float64
		mean, df, half float64
		separated      bool
	}{
		{[]float64{1, 2, 3}, []float64{4, 6, 8}, -4, 50.0 / 17, 4.303 * math.Sqrt(5.0/3), false},
		{[]float64{10, 11, 12}, []float64{1, 2, 3}, 9, 4, 2.776 * math.Sqrt(2.0/3), true},
	} {
		d := Welch(StatOf(tc.a), StatOf(tc.b))
		if math.Abs(d.Mean-tc.mean) > 1e-12 || math.Abs(d.DF-tc.df) > 1e-12 ||
			math.Abs(d.Lo-(tc.mean-tc.half)) > 1e-12 || math.Abs(d.Hi-(tc.mean+tc.half)) > 1e-12 || d.Separated() != tc.separated {
			t.Errorf("Welch(%v, %v) = %+v, want mean %g, df %g, ± %g, separated %v", tc.a, tc.b, d, tc.mean, tc.df, tc.half, tc.separated)
		}
	}
	// No interval from one value; a zero spread on both sides is the mean itself.
	if d := Welch(StatOf([]float64{1}), StatOf([]float64{2, 3})); !math.IsNaN(d.Lo) || d.Separated() {
		t.Errorf("one value: %+v, want no interval", d)
	}
	if d := Welch(StatOf([]float64{2, 2}), StatOf([]float64{1, 1})); d.Lo != 1 || d.Hi != 1 || !d.Separated() {
		t.Errorf("zero spread: %+v, want [1, 1]", d)
	}
}
