package plotting

import (
	"slices"
	"testing"

	"gonum.org/v1/plot"
)

func labels(ticks []plot.Tick) []string {
	var out []string
	for _, t := range ticks {
		if t.Label != "" {
			out = append(out, t.Label)
		}
	}
	return out
}

func TestLinearTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   []string
	}{
		{0, 3.8e17, []string{"0", "1e17", "2e17", "3e17"}},
		{2.2, 7, []string{"3", "4", "5", "6", "7"}},
		{0, 0.001, []string{"0", "0.0002", "0.0004", "0.0006", "0.0008", "0.001"}},
		{-23, 69, []string{"-20", "0", "20", "40", "60"}},
		{0, 250, []string{"0", "50", "100", "150", "200", "250"}},
	} {
		if got := labels(linearTicks{}.Ticks(tc.lo, tc.hi)); !slices.Equal(got, tc.want) {
			t.Errorf("linearTicks(%g, %g) labels = %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
	if got := labels(percentTicks{}.Ticks(-10, 60)); !slices.Equal(got, []string{"0%", "20%", "40%", "60%"}) {
		t.Errorf("percentTicks(-10, 60) labels = %q", got)
	}
}

func TestLogTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi, zeroAt float64
		want           []string
		marks          int // all ticks, labelled or not
	}{
		{1, 400, 0, []string{"1", "10", "100"}, 22},
		{2.2, 7, 0, []string{"3", "4", "5", "6", "7"}, 5},                                     // every mantissa
		{3e-5, 2e-3, 0, []string{"5e-5", "0.0001", "0.0002", "0.0005", "0.001", "0.002"}, 18}, // 1, 2, 5
		{1e14, 4e17, 0, []string{"1e14", "1e15", "1e16", "1e17"}, 31},
		{2.2, 2.9, 0, []string{"2.2", "2.4", "2.6", "2.8"}, 15},                                                      // linear fallback
		{1e-17, 0.1, 1e-17, []string{"0", "1e-16", "1e-14", "1e-12", "1e-10", "1e-8", "1e-6", "0.0001", "0.01"}, 17}, // every other decade, no minor ticks
	} {
		ticks := logTicks{zeroAt: tc.zeroAt}.Ticks(tc.lo, tc.hi)
		if got := labels(ticks); !slices.Equal(got, tc.want) || len(ticks) != tc.marks {
			t.Errorf("logTicks(%g, %g) labels = %q with %d marks, want %q with %d",
				tc.lo, tc.hi, got, len(ticks), tc.want, tc.marks)
		}
		for _, tk := range ticks {
			if tk.Value < tc.lo*(1-1e-9) || tk.Value > tc.hi*(1+1e-9) {
				t.Errorf("logTicks(%g, %g) marks %g, outside the range", tc.lo, tc.hi, tk.Value)
			}
		}
	}
}

func TestFormatTick(t *testing.T) {
	for v, want := range map[float64]string{
		0: "0", 1e17: "1e17", 2.5e-4: "0.00025", 1e-5: "1e-5", 0.1 + 0.2: "0.3",
		250000: "250000", 1e6: "1e6", -20: "-20", 1.5e17: "1.5e17", pow10Times(3, -3): "0.003",
	} {
		if got := formatTick(v); got != want {
			t.Errorf("formatTick(%v) = %q, want %q", v, got, want)
		}
	}
}
