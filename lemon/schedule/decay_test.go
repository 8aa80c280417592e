package schedule_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/schedule"
	"github.com/golemon/golemon/plotting"
)

// tol is the tolerance of hand-computed learning rates.
const tol = 1e-12

func TestWarmupDecayTable(t *testing.T) {
	base := schedule.WarmupDecay{Peak: 1, Warmup: 4, Total: 12, Floor: 0.1}
	linear, step := base, base
	linear.Decay = schedule.Linear
	step.Decay, step.Gamma, step.Milestones = schedule.Step, 0.5, []float64{0.5, 0.75}
	lowFloor := step
	lowFloor.Floor = 0.3
	cases := []struct {
		name string
		s    schedule.WarmupDecay
		step int
		want float64
	}{
		{"cosine warmup first", base, 0, 0.25},
		{"cosine warmup last", base, 3, 1},
		{"cosine decay start", base, 4, 1},
		{"cosine half way", base, 8, 0.1 + 0.9*0.5},
		{"cosine at total", base, 12, 0.1},
		{"cosine after total", base, 99, 0.1},
		{"linear warmup", linear, 1, 0.5},
		{"linear quarter", linear, 6, 0.1 + 0.9*0.75},
		{"linear half", linear, 8, 0.1 + 0.9*0.5},
		{"linear last step", linear, 11, 0.1 + 0.9*0.125},
		{"linear at total", linear, 12, 0.1},
		{"step before first milestone", step, 7, 1},
		{"step at first milestone", step, 8, 0.5},
		{"step at second milestone", step, 10, 0.25},
		{"step at total", step, 12, 0.1},
		{"step clamped at floor", lowFloor, 10, 0.3},
	}
	for _, c := range cases {
		if got := c.s.At(c.step); math.Abs(got-c.want) > tol {
			t.Errorf("%s: %s.At(%d) = %g, want %g", c.name, c.s, c.step, got, c.want)
		}
	}
}

// TestCosineMatchesWarmupCosine: the generic schedule with Cosine is the older WarmupCosine.
func TestCosineMatchesWarmupCosine(t *testing.T) {
	old := schedule.WarmupCosine{Peak: 2e-3, Warmup: 7, Total: 50, Floor: 1e-5}
	s := schedule.WarmupDecay{Peak: 2e-3, Warmup: 7, Total: 50, Floor: 1e-5, Decay: schedule.Cosine}
	for step := range 60 {
		if a, b := old.At(step), s.At(step); a != b {
			t.Fatalf("step %d: WarmupCosine %g, WarmupDecay %g", step, a, b)
		}
	}
}

func TestLEMONRecipe(t *testing.T) {
	scratch := schedule.WarmupDecay{Peak: 1e-3, Warmup: 10, Total: 300, Floor: 1e-5, Decay: schedule.Cosine}
	cases := []struct {
		budget     int
		wantWarmup int
	}{
		{130, 10}, // the paper's ViT case: warmup kept, decay compressed
		{300, 10}, // full budget: the scratch schedule itself
		{16, 1},   // warmup would take more than half: scaled 10·16/300 ≈ 0.53 → 1
	}
	for _, c := range cases {
		got := schedule.LEMONRecipe(scratch, c.budget)
		if got.Peak != scratch.Peak || got.Floor != scratch.Floor || got.Decay != scratch.Decay ||
			got.Total != c.budget || got.Warmup != c.wantWarmup {
			t.Errorf("LEMONRecipe(%s, %d) = %s, want peak, floor, decay kept, total %d, warmup %d",
				scratch, c.budget, got, c.budget, c.wantWarmup)
		}
		if err := got.Validate(); err != nil {
			t.Error(err)
		}
		if lr := got.At(c.budget - 1); lr >= scratch.At(c.budget-1) && c.budget < scratch.Total {
			t.Errorf("budget %d: last step lr %g not below the scratch schedule's %g there", c.budget, lr, scratch.At(c.budget-1))
		}
	}
	// The compressed schedule is the scratch one with time rescaled over the decay span.
	s := schedule.LEMONRecipe(scratch, 155) // decay span 145 = 290/2
	for _, step := range []int{10, 50, 100, 154} {
		want := scratch.At(10 + 2*(step-10))
		if got := s.At(step); math.Abs(got-want) > tol {
			t.Errorf("compressed At(%d) = %g, want scratch At(%d) = %g", step, got, 10+2*(step-10), want)
		}
	}
}

func TestWarmupDecayValidate(t *testing.T) {
	bad := schedule.WarmupDecay{Peak: 0, Warmup: 5, Total: 3, Floor: -1, Decay: schedule.Step, Gamma: 2, Milestones: []float64{0.6, 0.5}}
	err := bad.Validate()
	if err == nil {
		t.Fatal("invalid schedule accepted")
	}
	for _, want := range []string{"peak", "warmup", "floor", "gamma", "increase"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	good := schedule.WarmupDecay{Peak: 1, Warmup: 2, Total: 10, Decay: schedule.Linear}
	if err := good.Validate(); err != nil {
		t.Errorf("valid schedule rejected: %v", err)
	}
}

// TestPlottedFromTheSameCode: a plotted schedule is the schedule's own At, point for point.
func TestPlottedFromTheSameCode(t *testing.T) {
	s := schedule.LEMONRecipe(schedule.WarmupDecay{Peak: 1e-3, Warmup: 10, Total: 300, Floor: 1e-5}, 120)
	series := plotting.SampleSchedule("lemon", s.At, 120)
	for i, x := range series.X {
		if want := s.At(int(x)); series.Y[i] != want {
			t.Fatalf("plotted lr at step %g = %g, schedule says %g", x, series.Y[i], want)
		}
	}
	if _, err := plotting.Schedule("schedules", []plotting.Series{series}); err != nil {
		t.Fatal(err)
	}
}

func ExampleLEMONRecipe() {
	scratch := schedule.WarmupDecay{Peak: 1e-3, Warmup: 5, Total: 300, Floor: 1e-5, Decay: schedule.Cosine}
	lemon := schedule.LEMONRecipe(scratch, 130) // the paper's ViT: 130 of 300 epochs
	fmt.Println(lemon)
	for _, step := range []int{0, 4, 67, 129} {
		fmt.Printf("step %3d: scratch %.3g, lemon %.3g\n", step, scratch.At(step), lemon.At(step))
	}
	// Output:
	// warmup(5)+cosine(peak 0.001 → 1e-05 at 130)
	// step   0: scratch 0.0002, lemon 0.0002
	// step   4: scratch 0.001, lemon 0.001
	// step  67: scratch 0.000896, lemon 0.000511
	// step 129: scratch 0.000628, lemon 1.02e-05
}
