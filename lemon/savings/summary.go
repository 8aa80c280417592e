package savings

import (
	"fmt"
	"math"
)

// Stat is a mean and sample standard deviation over N values (Std is 0 for N = 1, and both
// are NaN for N = 0).
type Stat struct {
	Mean, Std float64
	N         int
}

// StatOf summarises the non-NaN values of xs.
func StatOf(xs []float64) Stat {
	var s Stat
	var sum float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			sum += x
			s.N++
		}
	}
	if s.N == 0 {
		return Stat{Mean: math.NaN(), Std: math.NaN()}
	}
	s.Mean = sum / float64(s.N)
	if s.N > 1 {
		var ss float64
		for _, x := range xs {
			if !math.IsNaN(x) {
				ss += (x - s.Mean) * (x - s.Mean)
			}
		}
		s.Std = math.Sqrt(ss / float64(s.N-1))
	}
	return s
}

// Summary aggregates the savings of repeated runs (seeds) of one setting.
type Summary struct {
	Runs, Reached int
	Excl, Incl    Stat // over the runs that reached the target only
}

// Summarize aggregates savings; runs that never reached the target are counted in Runs but
// not in the statistics, so "2 of 3 reached" is visible rather than averaged away.
func Summarize(ss []Saving) Summary {
	sum := Summary{Runs: len(ss)}
	var excl, incl []float64
	for _, s := range ss {
		if s.Reached {
			sum.Reached++
			excl = append(excl, s.Excl)
			incl = append(incl, s.Incl)
		}
	}
	sum.Excl, sum.Incl = StatOf(excl), StatOf(incl)
	return sum
}

// Percent formats a Stat of fractions as "41.2 ± 3.1%" ("41.2%" for one value).
func (s Stat) Percent() string {
	switch {
	case s.N == 0:
		return "—"
	case s.N == 1:
		return fmt.Sprintf("%.1f%%", 100*s.Mean)
	}
	return fmt.Sprintf("%.1f ± %.1f%%", 100*s.Mean, 100*s.Std)
}

// String formats both accountings, e.g. "41.2 ± 3.1% (with source 30.0 ± 3.1%)", or says
// that no run reached the target, and how many of them did when only some did.
func (s Summary) String() string {
	if s.Reached == 0 {
		return fmt.Sprintf("not reached (0 of %d runs)", s.Runs)
	}
	out := fmt.Sprintf("%s (with source %s)", s.Excl.Percent(), s.Incl.Percent())
	if s.Reached < s.Runs {
		out += fmt.Sprintf(", %d of %d runs reached", s.Reached, s.Runs)
	}
	return out
}
