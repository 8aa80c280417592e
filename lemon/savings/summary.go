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

// t975 are Student's t quantiles at 0.975 for 1–30 degrees of freedom: a two-sided 95%
// interval of a mean over n seeds is mean ± t975[n-2]·std/√n.
var t975 = []float64{12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
	2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
	2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}

// TQuantile975 is Student's t quantile at 0.975 for df degrees of freedom (df ≥ 1; beyond
// 30 the normal 1.96 is within 4%, so 2.0 is used, slightly conservative).
func TQuantile975(df int) float64 {
	switch {
	case df < 1:
		return math.NaN()
	case df <= len(t975):
		return t975[df-1]
	}
	return 2.0
}

// CI95 is the two-sided 95% confidence interval of the mean (Student's t over the N
// values); NaN for fewer than two values.
func (s Stat) CI95() (lo, hi float64) {
	if s.N < 2 {
		return math.NaN(), math.NaN()
	}
	h := TQuantile975(s.N-1) * s.Std / math.Sqrt(float64(s.N))
	return s.Mean - h, s.Mean + h
}

// PercentCI formats a Stat of fractions as its mean and 95% interval, "41.2% [33.1, 49.3]"
// ("41.2%" for one value, "—" for none).
func (s Stat) PercentCI() string {
	switch {
	case s.N == 0:
		return "—"
	case s.N == 1:
		return fmt.Sprintf("%.1f%%", 100*s.Mean)
	}
	lo, hi := s.CI95()
	return fmt.Sprintf("%.1f%% [%.1f, %.1f]", 100*s.Mean, 100*lo, 100*hi)
}

// Separated reports whether the 95% interval excludes zero (false for fewer than two values).
func (s Stat) Separated() bool {
	lo, hi := s.CI95()
	return lo > 0 || hi < 0
}

// Diff is the difference of the means of two independent groups with its 95% interval.
type Diff struct {
	Mean, Lo, Hi float64 // Lo and Hi are NaN when either group has fewer than two values
	NA, NB       int
	DF           float64 // Welch–Satterthwaite degrees of freedom (NaN without an interval)
}

// Welch is a.Mean − b.Mean with Welch's 95% interval for groups of unequal variance:
// the standard error √(s²ₐ/nₐ + s²ᵦ/nᵦ) and Student's t at the Welch–Satterthwaite degrees of
// freedom, rounded down (slightly conservative: a wider interval than the fractional df's).
// It is the comparison for runs that share nothing but a seed number, such as an expanded
// model and a model trained from scratch. When both groups have zero spread the interval is
// the mean itself.
func Welch(a, b Stat) Diff {
	d := Diff{Mean: a.Mean - b.Mean, Lo: math.NaN(), Hi: math.NaN(), DF: math.NaN(), NA: a.N, NB: b.N}
	if a.N < 2 || b.N < 2 {
		return d
	}
	va, vb := a.Std*a.Std/float64(a.N), b.Std*b.Std/float64(b.N)
	se := math.Sqrt(va + vb)
	if se == 0 {
		d.Lo, d.Hi = d.Mean, d.Mean
		return d
	}
	d.DF = (va + vb) * (va + vb) / (va*va/float64(a.N-1) + vb*vb/float64(b.N-1))
	h := TQuantile975(int(math.Floor(d.DF))) * se
	d.Lo, d.Hi = d.Mean-h, d.Mean+h
	return d
}

// Separated reports whether the interval excludes zero (false without an interval).
func (d Diff) Separated() bool { return d.Lo > 0 || d.Hi < 0 }
