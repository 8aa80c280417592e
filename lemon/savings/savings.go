// Package savings measures the compute an expanded model saves against training the target
// from scratch, the way LEMON reports it (Wang et al., ICLR 2024, §5: "56.7% for ViT, 33.2%
// for BERT"):
//
//	saving = 1 − C(expanded run reaches the scratch run's final validation metric) / C(scratch)
//
// C is training FLOPs (arch.TrainFLOPs accounting, the runner's cumulative "flops" column).
// The crossing point is interpolated linearly in FLOPs between the two evaluations that
// bracket it. Both accountings are reported: without the source model's training cost (the
// paper's headline, e.g. 1 − 130/300 epochs for ViT) and with it (the source's FLOPs added to
// the expanded run's). A run that never reaches the target has no saving: Reached is false
// and the savings are NaN, never a number that could be mistaken for one.
//
//	target, scratchFLOPs := scratchRows[len(scratchRows)-1].ValLoss, scratchRows[len(scratchRows)-1].FLOPs
//	s := savings.Compute(target, scratchFLOPs, expandedCurve, sourceFLOPs, savings.LowerIsBetter)
//	fmt.Println(s) // "saving 41.2% (with source 30.5%): reaches 2.3412 at 5.1e12 of 8.7e12 FLOPs"
package savings

import (
	"fmt"
	"math"
)

// Better says which direction of a metric is an improvement.
type Better int

const (
	// LowerIsBetter: validation loss, perplexity.
	LowerIsBetter Better = iota
	// HigherIsBetter: accuracy.
	HigherIsBetter
)

// String implements fmt.Stringer.
func (b Better) String() string {
	switch b {
	case LowerIsBetter:
		return "lower is better"
	case HigherIsBetter:
		return "higher is better"
	}
	return fmt.Sprintf("Better(%d)", int(b))
}

// reaches reports whether v is at least as good as target.
func (b Better) reaches(v, target float64) bool {
	switch b {
	case LowerIsBetter:
		return v <= target
	case HigherIsBetter:
		return v >= target
	}
	panic(fmt.Sprintf("savings: unknown direction %d", int(b)))
}

// Point is one evaluation of a run: training FLOPs spent so far and the validation metric.
type Point struct {
	FLOPs  float64
	Metric float64
}

// Reach returns the training FLOPs at which curve first reaches target, interpolated
// linearly between the last point that misses it and the first that reaches it; a curve that
// starts at or beyond target reaches it at its first point's FLOPs. Points with a NaN metric
// are skipped. ok is false when no point reaches target.
func Reach(curve []Point, target float64, better Better) (flops float64, ok bool) {
	var prev *Point
	for i := range curve {
		p := &curve[i]
		if math.IsNaN(p.Metric) {
			continue
		}
		if better.reaches(p.Metric, target) {
			if prev == nil {
				return p.FLOPs, true
			}
			frac := (target - prev.Metric) / (p.Metric - prev.Metric) // prev misses, p reaches: denominator ≠ 0
			return prev.FLOPs + frac*(p.FLOPs-prev.FLOPs), true
		}
		prev = p
	}
	return math.NaN(), false
}

// Saving is the compute saving of one expanded run against the scratch reference.
type Saving struct {
	Target       float64 // the scratch run's final validation metric
	ScratchFLOPs float64 // the scratch run's training FLOPs (its whole budget)
	SourceFLOPs  float64 // the source model's training FLOPs
	Reached      bool    // whether the expanded run reached Target
	ReachFLOPs   float64 // expanded-run FLOPs at the crossing (NaN if not reached)
	Excl         float64 // 1 − ReachFLOPs/ScratchFLOPs, the paper's headline (NaN if not reached)
	Incl         float64 // 1 − (ReachFLOPs+SourceFLOPs)/ScratchFLOPs (NaN if not reached)
	Best         float64 // the expanded run's best metric, to say how far it fell short
}

// Compute measures the saving of an expanded run (its evaluations in curve, FLOPs counted
// from the expansion on) against a scratch run that ended at metric target after
// scratchFLOPs; sourceFLOPs is what training the source model cost. It panics if
// scratchFLOPs is not positive (a programming error).
func Compute(target, scratchFLOPs float64, curve []Point, sourceFLOPs float64, better Better) Saving {
	if !(scratchFLOPs > 0) {
		panic(fmt.Sprintf("savings: Compute: scratch FLOPs must be > 0, got %g", scratchFLOPs))
	}
	s := Saving{Target: target, ScratchFLOPs: scratchFLOPs, SourceFLOPs: sourceFLOPs,
		Excl: math.NaN(), Incl: math.NaN(), Best: best(curve, better)}
	s.ReachFLOPs, s.Reached = Reach(curve, target, better)
	if s.Reached {
		s.Excl = 1 - s.ReachFLOPs/scratchFLOPs
		s.Incl = 1 - (s.ReachFLOPs+sourceFLOPs)/scratchFLOPs
	}
	return s
}

// best is the best metric of a curve in the given direction (NaN for no finite point).
func best(curve []Point, better Better) float64 {
	b := math.NaN()
	for _, p := range curve {
		if !math.IsNaN(p.Metric) && (math.IsNaN(b) || better.reaches(p.Metric, b)) {
			b = p.Metric
		}
	}
	return b
}

// String says the saving in both accountings, or that the target was never reached.
func (s Saving) String() string {
	if !s.Reached {
		return fmt.Sprintf("never reached %.5g (best %.5g) within its budget", s.Target, s.Best)
	}
	return fmt.Sprintf("saving %.1f%% (with source %.1f%%): reaches %.5g at %.3g of %.3g FLOPs",
		100*s.Excl, 100*s.Incl, s.Target, s.ReachFLOPs, s.ScratchFLOPs)
}
