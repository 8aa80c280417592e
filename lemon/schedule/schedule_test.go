package schedule

import (
	"fmt"
	"math"
	"testing"
)

func TestWarmupCosine(t *testing.T) {
	s := WarmupCosine{Peak: 1, Warmup: 4, Total: 12, Floor: 0.1}
	cases := []struct {
		step int
		want float64
	}{
		{0, 0.25}, {3, 1}, {4, 1}, // warmup reaches the peak at its last step
		{8, 0.1 + 0.9*0.5},    // half way through the decay
		{12, 0.1}, {100, 0.1}, // floor from Total on
	}
	for _, c := range cases {
		if got := s.At(c.step); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("At(%d) = %g, want %g", c.step, got, c.want)
		}
	}
	if err := (WarmupCosine{Peak: 1, Warmup: 5, Total: 3}).Validate(); err == nil {
		t.Error("warmup longer than the schedule accepted")
	}
}

func ExampleWarmupCosine() {
	s := WarmupCosine{Peak: 1e-3, Warmup: 10, Total: 100, Floor: 1e-5}
	for _, step := range []int{0, 9, 55, 99, 100} {
		fmt.Printf("step %3d: %.3g\n", step, s.At(step))
	}
	// Output:
	// step   0: 0.0001
	// step   9: 0.001
	// step  55: 0.000505
	// step  99: 1.03e-05
	// step 100: 1e-05
}
