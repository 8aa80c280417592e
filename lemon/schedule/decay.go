package schedule

import (
	"errors"
	"fmt"
	"math"
)

// Decay is the shape of a schedule after its warmup.
type Decay int

const (
	// Cosine: half a cosine from Peak down to Floor.
	Cosine Decay = iota
	// Linear: a straight line from Peak down to Floor.
	Linear
	// Step: Peak multiplied by Gamma at each milestone, never below Floor.
	Step
)

// String implements fmt.Stringer.
func (d Decay) String() string {
	switch d {
	case Cosine:
		return "cosine"
	case Linear:
		return "linear"
	case Step:
		return "step"
	}
	return fmt.Sprintf("Decay(%d)", int(d))
}

// WarmupDecay rises linearly from 0 to Peak over Warmup steps (the first step gets
// Peak/Warmup, step Warmup−1 gets Peak), then decays from Peak to Floor over the steps
// [Warmup, Total) with the shape Decay; from Total on it stays at Floor.
//
// With Decay Step, the learning rate is max(Floor, Peak·Gamma^k), where k counts the
// Milestones passed; a milestone is a fraction of the decay span, so that a schedule
// compressed to a shorter Total (LEMONRecipe) keeps its shape.
type WarmupDecay struct {
	Peak       float64
	Warmup     int
	Total      int
	Floor      float64
	Decay      Decay
	Gamma      float64   // Step only: factor applied at each milestone, in (0, 1)
	Milestones []float64 // Step only: increasing fractions of [Warmup, Total), in (0, 1)
}

// At implements Schedule.
func (s WarmupDecay) At(step int) float64 {
	if step < s.Warmup {
		return s.Peak * float64(step+1) / float64(s.Warmup)
	}
	if step >= s.Total || s.Total <= s.Warmup {
		return s.Floor
	}
	progress := float64(step-s.Warmup) / float64(s.Total-s.Warmup) // in [0, 1)
	switch s.Decay {
	case Cosine:
		return s.Floor + (s.Peak-s.Floor)*0.5*(1+math.Cos(math.Pi*progress))
	case Linear:
		return s.Floor + (s.Peak-s.Floor)*(1-progress)
	case Step:
		lr := s.Peak
		for _, m := range s.Milestones {
			if progress >= m {
				lr *= s.Gamma
			}
		}
		return max(lr, s.Floor)
	}
	panic(fmt.Sprintf("schedule: WarmupDecay.At: unknown decay %d", int(s.Decay)))
}

func (s WarmupDecay) String() string {
	decay := s.Decay.String()
	if s.Decay == Step {
		decay = fmt.Sprintf("step(×%g at %v)", s.Gamma, s.Milestones)
	}
	return fmt.Sprintf("warmup(%d)+%s(peak %g → %g at %d)", s.Warmup, decay, s.Peak, s.Floor, s.Total)
}

// Validate lists every impossible setting.
func (s WarmupDecay) Validate() error {
	var errs []error
	bad := func(cond bool, format string, args ...any) {
		if cond {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	bad(!(s.Peak > 0), "peak must be > 0, got %g", s.Peak)
	bad(s.Total <= 0, "total must be > 0, got %d", s.Total)
	bad(s.Warmup < 0 || s.Warmup > s.Total, "warmup must be in [0, total=%d], got %d", s.Total, s.Warmup)
	bad(s.Floor < 0 || s.Floor > s.Peak, "floor must be in [0, peak=%g], got %g", s.Peak, s.Floor)
	switch s.Decay {
	case Cosine, Linear:
	case Step:
		bad(!(s.Gamma > 0 && s.Gamma < 1), "step decay: gamma must be in (0, 1), got %g", s.Gamma)
		bad(len(s.Milestones) == 0, "step decay needs at least one milestone")
		for i, m := range s.Milestones {
			bad(!(m > 0 && m < 1), "step decay: milestone %d = %g is not in (0, 1)", i, m)
			bad(i > 0 && m <= s.Milestones[i-1], "step decay: milestones must increase, got %v", s.Milestones)
		}
	default:
		bad(true, "unknown decay %d", int(s.Decay))
	}
	if len(errs) > 0 {
		return fmt.Errorf("schedule: invalid %s: %w", s, errors.Join(errs...))
	}
	return nil
}

// LEMONRecipe is the schedule LEMON trains an expanded model with (LEMON §4.3 and
// docs/method.md#learning-rate-schedule-for-the-expanded-model): the from-scratch schedule's
// peak, floor and decay shape, with the decay compressed to end at budget steps instead of
// scratch.Total — decaying faster, rather than running the scratch schedule and stopping
// early. The warmup keeps its length in steps, as the paper keeps 5 epochs (ViT) or 5k steps
// (BERT), unless it would take more than half of the budget; then it shrinks in proportion
// to the budget (scratch.Warmup·budget/scratch.Total).
//
// It panics if budget is not positive (a programming error).
func LEMONRecipe(scratch WarmupDecay, budget int) WarmupDecay {
	if budget <= 0 {
		panic(fmt.Sprintf("schedule: LEMONRecipe: budget must be > 0 steps, got %d", budget))
	}
	s := scratch
	s.Total = budget
	if 2*s.Warmup > budget && scratch.Total > 0 {
		s.Warmup = int(math.Round(float64(scratch.Warmup) * float64(budget) / float64(scratch.Total)))
	}
	s.Milestones = append([]float64(nil), scratch.Milestones...)
	return s
}
