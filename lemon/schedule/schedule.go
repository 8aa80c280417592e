// Package schedule holds learning-rate schedules as pure functions of the training step.
//
// A Schedule maps a 0-based step to the learning rate used by that step; the training
// runner asks it once per step (the one adapter into GoMLX training), and plots and tables
// call the very same function.
//
//	s := schedule.WarmupDecay{Peak: 1e-3, Warmup: 100, Total: 2000, Floor: 1e-5, Decay: schedule.Cosine}
//	lr := s.At(150)
//	lemon := schedule.LEMONRecipe(s, 900) // same peak, decay compressed to 900 steps
//
// Constant, WarmupCosine and WarmupDecay (linear warmup, then cosine, linear or step decay to
// a floor) cover the schedules of the paper and its baselines. LEMON (§4.3) keeps the
// from-scratch peak and compresses the schedule to the expanded budget; see LEMONRecipe.
package schedule

import (
	"fmt"
	"math"
)

// Schedule gives the learning rate of each step.
type Schedule interface {
	At(step int) float64
	String() string
}

// Constant is a fixed learning rate.
type Constant struct{ LR float64 }

// At implements Schedule.
func (c Constant) At(int) float64 { return c.LR }

func (c Constant) String() string { return fmt.Sprintf("constant(%g)", c.LR) }

// WarmupCosine rises linearly from 0 to Peak over Warmup steps (the first step gets
// Peak/Warmup), then follows a half cosine from Peak down to Floor at step Total; after
// Total it stays at Floor.
type WarmupCosine struct {
	Peak   float64
	Warmup int
	Total  int
	Floor  float64
}

// At implements Schedule.
func (s WarmupCosine) At(step int) float64 {
	if step < s.Warmup {
		return s.Peak * float64(step+1) / float64(s.Warmup)
	}
	if step >= s.Total || s.Total <= s.Warmup {
		return s.Floor
	}
	progress := float64(step-s.Warmup) / float64(s.Total-s.Warmup)
	return s.Floor + (s.Peak-s.Floor)*0.5*(1+math.Cos(math.Pi*progress))
}

func (s WarmupCosine) String() string {
	return fmt.Sprintf("warmup(%d)+cosine(peak %g → %g at %d)", s.Warmup, s.Peak, s.Floor, s.Total)
}

// Validate reports impossible settings.
func (s WarmupCosine) Validate() error {
	if !(s.Peak > 0) || math.IsInf(s.Peak, 0) || s.Warmup < 0 || s.Total <= 0 || !(s.Floor >= 0) || s.Floor > s.Peak || s.Warmup > s.Total {
		return fmt.Errorf("schedule: invalid %s: want peak > 0, 0 ≤ warmup ≤ total, 0 ≤ floor ≤ peak", s)
	}
	return nil
}
